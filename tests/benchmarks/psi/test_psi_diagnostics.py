"""PSI-Bench's diagnostics and fidelity formulas on hand-computed inputs, cross-checked against the libraries."""

from __future__ import annotations

import math
import random

import pytest
from lexicalrichness import LexicalRichness
from scipy.spatial.distance import jensenshannon
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks.psi import diagnostics as dx
from benchmarks.psi.data import load_esconv

# ---------------------------------------------------------------- verbosity


def test_sentence_splitter():
    assert dx.split_sentences("Hi there. I saw Dr. Lee... Really?! ok") == [
        "Hi there.",
        "I saw Dr. Lee...",
        "Really?!",
        "ok",
    ]
    assert dx.split_sentences("first line\nsecond line") == ["first line", "second line"]
    assert dx.split_sentences('He said "stop." Then left.') == ['He said "stop."', "Then left."]
    assert dx.split_sentences("J. K. wrote it. 3.5 is a number.") == ["J. K. wrote it.", "3.5 is a number."]
    assert dx.split_sentences("...") == [] and dx.split_sentences("") == []


def test_words_and_words_per_sentence():
    assert dx.words("  I feel  so tired.  ") == 4
    assert dx.words_per_sentence("I feel so tired. Really tired.") == 3.0
    assert dx.words_per_sentence("I can't. Not now. No") == 5 / 3
    assert dx.words_per_sentence("…") is None


def test_turn_index_curves_and_verbosity_statistic():
    curve = dx.by_turn_index([[10, 20], [30], [None, 40, 5]], max_turns=2)
    assert curve == {0: 20.0, 1: 30.0}
    assert dx.mean_over_turn_indices(curve) == 25.0
    assert dx.mean_over_turn_indices({}) is None


# ---------------------------------------------------------------- MTLD


def textbook_mtld(tokens, threshold=0.72):
    """McCarthy & Jarvis (2010) MTLD, written independently of lexicalrichness (same end-of-text rule)."""

    def one_pass(seq):
        factors, start = 0.0, 0
        types: set[str] = set()
        ttr = 1.0
        for i, tok in enumerate(seq):
            types.add(tok)
            ttr = len(types) / (i - start + 1)
            if ttr <= threshold:
                factors, start, types = factors + 1, i + 1, set()
        if start < len(seq):
            factors += (1 - ttr) / (1 - threshold)
        if factors == 0:  # lexicalrichness: a text whose TTR never falls uses the whole text's TTR
            whole = len(set(seq)) / len(seq)
            factors = 1 if whole == 1 else (1 - whole) / (1 - threshold)
        return len(seq) / factors

    return (one_pass(tokens) + one_pass(tokens[::-1])) / 2


def test_mtld_hand_worked():
    # a b a b: forward TTR 1, 1, 2/3 <= 0.72 -> one factor, then "b" alone (TTR 1, partial 0): 4 / 1
    assert dx.mtld("a b a b".split()) == pytest.approx(4.0)
    # a b c a: TTR 1, 1, 1, 3/4 > 0.72 -> partial (1 - 0.75) / 0.28 both ways: 4 * 0.28 / 0.25
    assert dx.mtld("a b c a".split()) == pytest.approx(4.48)
    assert dx.mtld("a a".split()) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        dx.mtld([])


def test_mtld_against_lexicalrichness_and_textbook():
    rng = random.Random(7)
    vocab = [a + b for a in "abcdefgh" for b in "xyzuv"]  # letters only: its default preprocessor drops digits
    for _ in range(20):
        tokens = [rng.choice(vocab) for _ in range(rng.randint(20, 300))]
        expected = LexicalRichness(" ".join(tokens)).mtld(threshold=0.72)
        assert dx.mtld(tokens) == pytest.approx(expected, rel=1e-12)
        assert dx.mtld(tokens) == pytest.approx(textbook_mtld(tokens), rel=1e-12)


def test_lexical_preprocessing_and_session_threshold():
    assert dx.lexical_tokens("Um, I don't KNOW... uh, mhm ok!") == ["i", "dont", "know", "ok"]
    turns_99 = ["word " * 49 + "um", "other " * 50]  # 99 tokens after the disfluency is dropped
    assert dx.session_mtld(turns_99) is None
    assert dx.session_mtld([*turns_99, "one"]) == pytest.approx(
        dx.mtld(dx.lexical_tokens(" ".join([*turns_99, "one"])))
    )


def test_distinct_n():
    assert dx.distinct_n(["a b a", "B a"], 1) == 2 / 5
    assert dx.distinct_n(["a b a", "b a"], 2) == 2 / 3  # (a b) (b a) | (b a): no n-gram crosses texts
    assert dx.distinct_n(["a"], 2) is None


# ---------------------------------------------------------------- markers


def test_marker_counts_by_lexicon():
    text = "I always feel sad... you know? Everything is bad. Um. Ballroom, alloy, give up, Y'know, hmm…"
    counts = dx.marker_counts(text)
    assert counts["absolutist"] == 2  # always, Everything (not ball-, all-oy)
    assert counts["depressive_words"] == 3  # sad, bad, give up
    assert counts["non_fluencies"] == 6  # ..., you know, Um, Y'know, hmm, …
    assert counts["first_person_singular"] == 1
    assert dx.marker_counts("let's see, lets see, I mean")["non_fluencies"] == 3
    assert dx.marker_counts("cut wrist. cut wrists.")["depressive_words"] == 1


def test_marker_tally_and_rates():
    turns = ["I always feel sad", "ok fine", "um", ""]
    tally = dx.tally_markers(turns)
    joined = "I always feel sad ok fine um"
    assert tally.tokens == len(joined) // 4 == 7
    assert (tally.messages, tally.marked_messages) == (3, 2)
    assert tally.combined_ptk == pytest.approx(3 / 7 * 1000)
    assert tally.combined_msg == pytest.approx(200 / 3)
    pooled = tally + dx.tally_markers(["never"])
    assert pooled.counts["absolutist"] == 2 and pooled.tokens == 8 and pooled.messages == 4
    assert dx.tally_markers([]).combined_ptk is None and dx.tally_markers([]).combined_msg is None


def test_marker_score_formula():
    assert dx.marker_score(30, 20, 40, 30) == pytest.approx(100 - (50 + 10) / 2)
    assert dx.marker_score(100, 20, 30, 30) == pytest.approx(50)  # ptk distance capped at 100
    assert dx.marker_score(0, 0, 10, 30) == pytest.approx(90)  # h <= 0 and s <= 0: distance 0
    assert dx.marker_score(5, 0, 30, 30) == pytest.approx(50)  # h <= 0 and s > 0: distance 100


# ---------------------------------------------------------------- valence, resolution, trajectories


def test_valence_is_vaders_compound():
    analyzer = SentimentIntensityAnalyzer()
    for text in ("I feel terrible", "Thank you, that helps a lot!", "The bus comes at nine."):
        assert dx.valence_score(text) == analyzer.polarity_scores(text)["compound"]
    assert dx.valence_score("good") == pytest.approx(0.4404)
    assert [dx.valence_label(x) for x in (0.05, 0.049, -0.049, -0.05)] == [
        "positive",
        "neutral",
        "neutral",
        "negative",
    ]


@pytest.mark.parametrize(
    ("labels", "turn", "uniform"),
    [
        (["negative", "neutral", "positive", "neutral"], 2, True),
        (["negative", "positive", "negative", "positive"], 3, False),
        (["positive", "negative", "positive"], 2, False),
        (["negative", "negative"], None, False),
        (["neutral", "positive"], None, False),
        (["negative", "positive", "positive"], 1, True),
        ([], None, False),
    ],
)
def test_resolution_and_uniform_trajectory(labels, turn, uniform):
    assert dx.resolution_turn(labels) == turn
    assert dx.uniform_negative_to_positive(labels) is uniform


# ---------------------------------------------------------------- population


def test_spread():
    s = dx.spread([1, 2, None, 3, 4])
    assert s["n"] == 4 and s["mean"] == 2.5
    assert s["sd"] == pytest.approx(math.sqrt(5 / 3))
    assert s["iqr"] == pytest.approx(1.5)
    assert s["cv"] == pytest.approx(math.sqrt(5 / 3) / 2.5)
    assert dx.spread([]) == {"n": 0, "mean": None, "sd": None, "iqr": None, "cv": None}
    assert dx.spread([3])["sd"] is None


def test_population_summary_hand_made():
    conversations = [
        ["I feel awful and sad. Nothing works.", "Thanks, that is helpful!"],
        ["Hm.", "", "I guess so."],
    ]
    s = dx.summarize_population(conversations)
    assert s["conversations"] == 2 and s["patient_turns"] == 4
    assert s["words_per_turn_by_index"] == {0: (7 + 1) / 2, 1: (4 + 3) / 2}
    assert s["words_per_turn"] == pytest.approx(((7 + 1) / 2 + (4 + 3) / 2) / 2)
    assert s["words_per_sentence_by_index"] == {0: (3.5 + 1) / 2, 1: (4 + 3) / 2}
    assert s["mtld_values"] == [] and s["mtld_dropped"] == 2
    first = dx.diagnose(conversations[0])
    assert first.valence_labels == ("negative", "positive")
    assert first.resolution_turn == 1 and first.uniform_trajectory
    assert s["resolved_share"] == 0.5 and s["resolution_turn_mean"] == 1.0
    assert s["uniform_trajectory_share"] == 0.5
    assert s["markers"]["messages"] == 4
    assert s["distinct_1"] == dx.distinct_n([t for c in conversations for t in c], 1)


# ---------------------------------------------------------------- fidelity


def test_ratio_and_verbosity_scores():
    assert dx.ratio_score(20, 10) == pytest.approx(50)
    assert dx.ratio_score(10, 20) == pytest.approx(50)
    assert dx.ratio_score(7, 7) == 100
    assert dx.verbosity_score(
        {"words_per_turn": 20, "words_per_sentence": 10}, {"words_per_turn": 10, "words_per_sentence": 10}
    ) == pytest.approx(75)
    with pytest.raises(ValueError):
        dx.ratio_score(0, 3)


def test_mtld_distance_and_minmax_scores():
    assert dx.mtld_distance([1, 2, 3], [1, 2, 3]) == 0
    assert dx.mtld_distance([2, 3, 4], [1, 2, 3]) == pytest.approx(1)
    assert dx.mtld_scores({"a": 2.0, "b": 4.0}) == {"a": 50.0, "b": 0.0}
    assert dx.mtld_scores({"a": 0.0}) == {"a": 100.0}


def test_label_js_score_hand_computed():
    sim = [["negative"], ["negative", "neutral"]]
    real = [["negative", "positive"], ["positive", "negative"]]
    score, js = dx.label_js_score(sim, real, ("positive", "negative"))
    # t=0: sim (0, 1) vs real (1/2, 1/2); t=1: only real has polar labels, so it is skipped
    m = (0.25, 0.75)
    jsd = (math.log(1 / m[1]) + 0.5 * math.log(0.5 / m[0]) + 0.5 * math.log(0.5 / m[1])) / 2
    assert js == {0: pytest.approx(math.sqrt(jsd))}
    assert js[0] == pytest.approx(jensenshannon([0, 1], [0.5, 0.5]))
    assert score == pytest.approx((1 - math.sqrt(jsd)) * 100)
    assert dx.label_js_score([["neutral"]], real, ("positive", "negative")) == (None, {})


def test_aggregate_score():
    assert dx.aggregate_score({"mtld": 80, "verbosity": 60, "ptc": None}) == 70
    assert dx.aggregate_score({"mtld": 80, "verbosity": 60}, {"verbosity": 0.5}) == pytest.approx((80 + 30) / 1.5)
    assert dx.aggregate_score({"ptc": None}) is None


def test_copying_the_real_seekers_scores_100_and_a_fixed_sentence_scores_low():
    real = [c.patient_turns() for c in load_esconv(sources=["FailedESConv.json"])][:60]
    copy = [list(turns) for turns in real]
    fixed = [["I feel bad and I do not know what to do."] * len(turns) for turns in real]
    r, c, f = (dx.summarize_population(x) for x in (real, copy, fixed))

    def scores(sim):
        return {
            "verbosity": dx.verbosity_score(sim, r),
            "markers": dx.marker_score(
                sim["markers"]["combined_ptk"],
                r["markers"]["combined_ptk"],
                sim["markers"]["combined_msg"],
                r["markers"]["combined_msg"],
            ),
            "valence": dx.label_js_score(
                [d.valence_labels for d in map(dx.diagnose, sim_turns[id(sim)])],
                [d.valence_labels for d in map(dx.diagnose, real)],
                ("positive", "negative"),
            )[0],
        }

    sim_turns = {id(c): copy, id(f): fixed}
    copied, repeated = scores(c), scores(f)
    assert copied == {"verbosity": pytest.approx(100), "markers": pytest.approx(100), "valence": pytest.approx(100)}
    assert dx.mtld_distance(c["mtld_values"], r["mtld_values"]) == 0
    assert repeated["markers"] < 60 and repeated["valence"] < 70
    assert dx.aggregate_score(repeated) < 75 < dx.aggregate_score(copied)
    assert f["distinct_2"] < 0.05 < r["distinct_2"]
    assert f["spread"]["words_per_turn"]["sd"] == 0 < r["spread"]["words_per_turn"]["sd"]
