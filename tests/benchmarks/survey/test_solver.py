import math

import pytest

from benchmarks.survey.prompts import build_messages, option_letters
from benchmarks.survey.solver import letter_probabilities, parse_letter, token_letter
from twinbench.providers.mock import mock_output, probabilities_to_logprobs


def test_token_letter():
    assert [token_letter(t) for t in ("A", " B", "C.", "(D", " E)", "The", "a", "AB", "1")] == [
        "A",
        "B",
        "C",
        "D",
        "E",
        None,
        None,
        None,
        None,
    ]


def test_letter_probabilities_renormalise_and_count_the_rest_as_invalid():
    out = mock_output(
        "A", top_logprobs=probabilities_to_logprobs({"A": 0.4, " A": 0.1, "B": 0.2, "D": 0.1, "The": 0.1})
    )
    res = letter_probabilities(out, option_letters(3))
    # A: 0.5, B: 0.2, C: 0; D is not an option of a 3-option question: invalid = 1 - 0.7
    assert res["option_shares"] == pytest.approx([0.5 / 0.7, 0.2 / 0.7, 0.0])
    assert res["invalid_share"] == pytest.approx(0.3)


def test_letter_probabilities_without_logprobs_or_letters():
    assert letter_probabilities(mock_output("A"), ("A", "B")) is None
    res = letter_probabilities(mock_output("I", top_logprobs={"I": math.log(0.9)}), ("A", "B"))
    assert res["option_shares"] == [0.0, 0.0] and res["invalid_share"] == 1.0


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("B", "B"),
        (" b", None),
        ("B. Too much", "B"),
        ("(C)", "C"),
        ("The answer is A.", "A"),
        ("Answer: C", "C"),
        ("I think so", None),
        ("D", None),
        ("", None),
        ("Because", None),
    ],
)
def test_parse_letter(text, letter):
    assert parse_letter(text, ("A", "B", "C")) == letter


def test_persona_templates():
    common = dict(context="Ctx.", question="Q?", options=("Yes", "No"), describe="a woman", bio="I am a woman.")
    portray = build_messages(**common, persona="portray")
    assert portray[0].content == (
        "Ctx.\nAnswer the following question as if you were a woman.\n\n"
        "Question: Q?\nA. Yes\nB. No\nAnswer with the letter of one option only (A, B)."
    )
    assert "Description: I am a woman." in build_messages(**common, persona="bio")[0].content
    system = build_messages(**common, persona="system")
    assert system[0].role == "system" and "You are a woman." in system[0].content
    plain = build_messages(**(common | {"describe": None, "bio": None}))
    assert len(plain) == 1 and "as if" not in plain[0].content
    with pytest.raises(ValueError, match="persona template"):
        build_messages(**common, persona="nope")


def test_a_letter_missing_from_the_top_list_is_not_impossible_for_the_test():
    """Truncating the list at 20 tokens must not make an option the people chose impossible (p = 0)."""
    from benchmarks.survey.analysis import alignment_test, tested_distribution

    top = {"A": 0.6, "The": 0.2, "I": 0.05}  # "B" unlisted; 0.15 of the mass is outside the list
    res = letter_probabilities(mock_output("A", top_logprobs=probabilities_to_logprobs(top)), option_letters(2))
    res["mode"] = "logprobs"
    assert res["option_shares"] == pytest.approx([1.0, 0.0])  # representativeness uses the listed mass
    assert res["unlisted_bound"] == pytest.approx(0.05)  # at most the smallest listed probability
    assert tested_distribution(res) == pytest.approx([0.6, 0.05])
    test = alignment_test(res, [95, 5], seed=0)  # 5 people chose B: possible under the bound, not rejected
    assert test.method != "zero_expected" and test.p_value > 0.05
    assert alignment_test(res, [50, 50], seed=0).p_value < 1e-6  # half choosing B is still far from <= 0.05 / 0.65
