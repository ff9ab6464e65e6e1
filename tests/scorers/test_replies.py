from scorers.text.replies import json_objects


def test_every_flat_object_that_parses_in_order():
    text = 'Sure. ```json\n{"verdict": "correct"}\n``` or {"label": "P", "n": 1} and {broken: } then [1, 2] {"x": null}'
    assert json_objects(text) == [{"verdict": "correct"}, {"label": "P", "n": 1}, {"x": None}]
    assert json_objects(None) == json_objects("") == json_objects("no object") == []
    assert json_objects('{"a": {"b": 1}}') == [{"b": 1}]  # flat only: the inner object of a nested one
