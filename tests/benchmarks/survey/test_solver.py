import math

import pytest

from benchmarks.survey.prompts import build_messages, option_letters
from benchmarks.survey.solver import letter_probabilities, parse_letter
from twinbench.providers.mock import mock_output, probabilities_to_logprobs
from twinbench.providers.scoring import option_token_letter


def test_option_token_letter():
    assert [option_token_letter(t) for t in ("A", " B", "C.", "(D", " E)", "The", "a", "AB", "1")] == [
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


def test_a_letter_missing_from_the_top_list_may_take_the_unlisted_mass():
    """Truncating the list at 20 tokens must not make an option the people chose impossible (p = 0), nor fix its
    probability at a bound: the mass outside the list may belong to any letter."""
    from benchmarks.survey.analysis import alignment_test, tested_distribution

    top = {"A": 0.6, "The": 0.2, "I": 0.05}  # "B" unlisted; 0.15 of the mass is outside the list
    res = letter_probabilities(mock_output("A", top_logprobs=probabilities_to_logprobs(top)), option_letters(2))
    res["mode"] = "logprobs"
    assert res["option_shares"] == pytest.approx([1.0, 0.0])  # representativeness uses the listed mass
    assert res["letter_mass"] == pytest.approx([0.6, 0.0]) and res["unlisted_mass"] == pytest.approx(0.15)
    # the true shares are (0.6 + a, b) / (0.6 + a + b) with a + b <= 0.15: A's share is at least 0.6 / 0.75
    assert tested_distribution(res, [95, 5]) == pytest.approx([0.95, 0.05])  # the people's own shares fit
    assert tested_distribution(res, [50, 50]) == pytest.approx([0.8, 0.2])  # the closest the list allows
    test = alignment_test(res, [95, 5], seed=0)
    assert test.method != "zero_expected" and test.p_value == pytest.approx(1.0)
    assert alignment_test(res, [50, 50], seed=0).p_value < 1e-6  # half choosing B is still far from <= 0.2


def test_audit_case_an_unlisted_letter_is_not_plugged_in_at_its_bound():
    """The audit's repro_unlisted.py: true letter masses A 0.030, B 0.016, C 0.0015 and 40 other tokens of 0.024
    each; the top-20 list keeps A and 19 other tokens. 500 people answering exactly the model's true shares
    (316 / 168 / 16) got p = 1e-44 with the bound plugged in for B and C; the true-share test gives p = 0.998."""
    from benchmarks.survey.analysis import alignment_test

    true = {"A": 0.030, "B": 0.016, "C": 0.0015}
    other = (1 - sum(true.values())) / 40
    tokens = sorted([*true.items(), *((f"w{j}", other) for j in range(40))], key=lambda t: -t[1])[:20]
    res = letter_probabilities(mock_output("A", top_logprobs={t: math.log(m) for t, m in tokens}), option_letters(3))
    res["mode"] = "logprobs"
    assert res["letter_mass"] == pytest.approx([0.030, 0.0, 0.0])  # B (0.016) is below the 20th token (0.0237)
    assert alignment_test(res, [316, 168, 16], seed=0).p_value >= 0.05


def test_a_cut_token_form_of_a_listed_letter_may_take_the_unlisted_mass():
    """A letter's mass split over forms (" B" listed, "B" cut) is also only known from below."""
    from benchmarks.survey.analysis import alignment_test

    top = {"A": 0.5, " B": 0.1, "The": 0.2}  # "B" (0.2) fell off the list: the true shares are 0.5 / 0.3
    res = letter_probabilities(mock_output("A", top_logprobs=probabilities_to_logprobs(top)), option_letters(2))
    res["mode"] = "logprobs"
    assert res["option_shares"] == pytest.approx([5 / 6, 1 / 6]) and res["unlisted_mass"] == pytest.approx(0.2)
    assert alignment_test(res, [625, 375], seed=0).p_value == pytest.approx(1.0)  # people at the true 0.625 / 0.375
