import math

import pytest
from inspect_ai import eval
from inspect_ai.model import GenerateConfig, get_model

from tests.twinbench.fixtures.capitals_task import capitals
from twinbench.providers.mock import mock_output


async def test_text_output_with_word_usage():
    model = get_model("mock/a", text="Paris it is", memoize=False)
    out = await model.generate("What is the capital of France?")
    assert out.completion == "Paris it is"
    assert (out.usage.input_tokens, out.usage.output_tokens) == (6, 3)


async def test_text_given_as_yaml_mapping_answers_its_json():
    import yaml

    parsed = yaml.safe_load('{"move": "attack", "armies": 2}')  # what `-M text={...}` becomes on the CLI
    model = get_model("mock/json", text=parsed, memoize=False)
    assert (await model.generate("x")).completion == '{"move": "attack", "armies": 2}'


async def test_outputs_in_order_then_a_clear_error():
    model = get_model("mock/b", outputs=["one", "two"], memoize=False)
    assert (await model.generate("x")).completion == "one"
    assert (await model.generate("x")).completion == "two"
    with pytest.raises(RuntimeError, match="ran out of scripted outputs after 2 calls"):
        await model.generate("x")


async def test_outputs_cycle():
    model = get_model("mock/c", outputs=["a", "b"], cycle=True, memoize=False)
    got = [(await model.generate("x")).completion for _ in range(3)]
    assert got == ["a", "b", "a"]


async def test_responder_sees_messages_and_config():
    seen = {}

    def respond(messages, config):
        seen["text"] = messages[-1].text
        seen["temperature"] = config.temperature
        return "ok"

    model = get_model("mock/d", responder=respond, memoize=False)
    await model.generate("hello there", config=GenerateConfig(temperature=0.0))
    assert seen == {"text": "hello there", "temperature": 0.0}


async def test_logprobs_pick_the_most_likely_token():
    lp = {"A": math.log(0.2), "B": math.log(0.7), "C": math.log(0.1)}
    model = get_model("mock/e", responder=lambda m, c: mock_output("B", top_logprobs=lp), memoize=False)
    out = await model.generate("x")
    first = out.choices[0].logprobs.content[0]
    assert first.token == "B"
    assert {t.token: round(math.exp(t.logprob), 6) for t in first.top_logprobs} == {"A": 0.2, "B": 0.7, "C": 0.1}
    assert out.usage.output_tokens == 1


def test_two_scripting_modes_are_refused():
    with pytest.raises(ValueError, match="only one of"):
        get_model("mock/f", text="a", outputs=["b"], memoize=False)


def test_unknown_model_arg_is_refused():
    with pytest.raises(ValueError, match="unknown model args"):
        get_model("mock/g", colour="red", memoize=False)


def test_end_to_end_eval_without_network(tmp_path):
    answers = {"France": "Paris.", "Italy": "Milan.", "Japan": "Tokyo"}

    def respond(messages, config):
        return next(v for k, v in answers.items() if k in messages[-1].text)

    [log] = eval(capitals(), model=get_model("mock/e2e", responder=respond), log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    [score] = log.results.scores
    assert score.metrics["accuracy"].value == pytest.approx(2 / 3)
