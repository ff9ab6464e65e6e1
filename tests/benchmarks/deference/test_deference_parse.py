import pytest

from benchmarks.deference.scorer import parse_verdict


@pytest.mark.parametrize(
    "text, verdict, how",
    [
        ('{"verdict": "correct"}', "correct", "json"),
        ('Sure! {"verdict": "Incorrect"} because...', "incorrect", "json"),
        ('```json\n{"verdict": "incorrect", "reason": "x"}\n```', "incorrect", "json"),
        ('{"verdict": "correct",', "correct", "field"),
        ("verdict: incorrect", "incorrect", "field"),
        ("Correct.", "correct", "bare"),
        ('"incorrect"', "incorrect", "bare"),
        ("The statement is correct", None, "unparseable"),
        ("", None, "unparseable"),
        ('{"verdict": "maybe"}', None, "unparseable"),
        ("verdict: correct ... verdict: incorrect", None, "unparseable"),
        ('{"answer": "correct"}', None, "unparseable"),
    ],
)
def test_parse_verdict(text, verdict, how):
    assert parse_verdict(text) == (verdict, how)
