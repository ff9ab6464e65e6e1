"""The provider's option scoring (``score_options``): first-token log-probabilities renormalised over the option
letters, letters outside the top log-probabilities completed teacher-forced, and the fallbacks, on mock providers
with exact values."""

from __future__ import annotations

import math

import pytest
from inspect_ai.model import ChatMessageUser, get_model

from twinbench.providers.mock import mock_output
from twinbench.providers.scoring import (
    OPTION_GENERATED,
    OPTION_LOGPROBS,
    OPTION_TEACHER_FORCED,
    mock_scorer,
    score_options,
)

OFF_OPTION = 0.1


def distribution(letters, true: str, q: float) -> dict[str, float]:
    """Top log-probabilities: the true letter q of the letter mass, the others equal shares, OFF_OPTION elsewhere."""
    rest = (1 - q) / (len(letters) - 1)
    probs = {x: (1 - OFF_OPTION) * (q if x == true else rest) for x in letters}
    probs[" The"] = OFF_OPTION
    return {token: math.log(p) for token, p in probs.items()}


async def test_first_token_logprobs_are_renormalised_over_the_letters():
    letters = ("A", "B", "C")
    model = get_model(
        "mock/options", responder=lambda m, c: mock_output("B", top_logprobs=distribution(letters, "B", 0.7)),
        memoize=False,
    )  # fmt: skip
    scored = await score_options(model, [], letters)
    assert scored.method == OPTION_LOGPROBS and scored.calls == 1 and scored.completed_letters == 0
    assert scored.probability("B") == pytest.approx(0.7) and sum(scored.probabilities) == pytest.approx(1.0)
    assert scored.off_option_mass == pytest.approx(OFF_OPTION)


async def test_token_forms_of_a_letter_are_summed():
    listed = {"A": math.log(0.2), " A": math.log(0.1), "(B": math.log(0.3), "The": math.log(0.4)}
    model = get_model("mock/forms", responder=lambda m, c: mock_output("The", top_logprobs=listed), memoize=False)
    scored = await score_options(model, [], ("A", "B"))
    assert scored.probabilities == pytest.approx((0.5, 0.5)) and scored.off_option_mass == pytest.approx(0.4)


async def test_without_logprobs_each_letter_is_scored_teacher_forced():
    model = get_model("mock/plain-options", text="B", memoize=False)
    scored = await score_options(model, [ChatMessageUser(content="Pick A or B.")], ("A", "B", "C"))
    # the mock's lexical scorer: a letter found in the prompt has p 0.5, else 0.01
    assert scored.method == OPTION_TEACHER_FORCED and scored.calls == 4
    assert scored.probabilities == pytest.approx((0.5 / 1.01, 0.5 / 1.01, 0.01 / 1.01))
    assert math.isnan(scored.off_option_mass)


async def test_letters_outside_the_top_logprobs_are_scored_teacher_forced_not_zero():
    # A and B listed, C not (Gemma-3-270M's case: the true letter outside the top 20); C's teacher-forced p is 0.05
    listed = {"A": math.log(0.3), "B": math.log(0.1), " The": math.log(0.5)}
    model = get_model(
        "mock/unlisted", responder=lambda m, c: mock_output("The", top_logprobs=listed), memoize=False
    )  # fmt: skip
    asked: list[str] = []

    def forced(messages, letter):
        asked.append(letter)
        return math.log(0.05), 1

    with mock_scorer("mock/unlisted", forced):
        scored = await score_options(model, [], ("A", "B", "C"))
    assert asked == ["C"]  # only the unlisted letter costs a call
    assert scored.method == OPTION_LOGPROBS and scored.completed_letters == 1 and scored.calls == 2
    assert scored.probabilities == pytest.approx((0.3 / 0.45, 0.1 / 0.45, 0.05 / 0.45))
    assert scored.off_option_mass == pytest.approx(0.55)  # 1 - (0.3 + 0.1 + 0.05): before renormalising
    assert "1 letter(s) outside the top 20 scored teacher-forced" in scored.note
    # every letter listed: no extra call, the same probabilities
    full = {**listed, "C": math.log(0.05)}
    model = get_model("mock/listed", responder=lambda m, c: mock_output("The", top_logprobs=full), memoize=False)
    scored = await score_options(model, [], ("A", "B", "C"))
    assert scored.completed_letters == 0 and scored.calls == 1
    assert scored.probabilities == pytest.approx((0.3 / 0.45, 0.1 / 0.45, 0.05 / 0.45))


async def test_a_provider_that_cannot_score_text_keeps_unlisted_letters_at_zero_or_reads_the_reply():
    listed = {"A": math.log(0.3), "B": math.log(0.1), " The": math.log(0.5)}
    model = get_model("mockllm/model", custom_outputs=[mock_output("The", top_logprobs=listed)], memoize=False)
    scored = await score_options(model, [], ("A", "B", "C"))
    assert scored.method == OPTION_LOGPROBS and scored.completed_letters == 0 and scored.calls == 1
    assert scored.probabilities == pytest.approx((0.75, 0.25, 0.0))
    model = get_model("mockllm/model", custom_outputs=[mock_output("B. because")], memoize=False)
    scored = await score_options(model, [], ("A", "B", "C"))
    assert scored.method == OPTION_GENERATED and scored.probabilities == (0.0, 1.0, 0.0)
