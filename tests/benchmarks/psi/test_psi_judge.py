"""PSI's PTC narrative judge: the label parser, the score on hand-made labels (by hand, against scipy and
``label_js_score``), and end to end on the mock provider: a scripted judge role, a judge answering garbage, the
default run without a judge."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from inspect_ai.model import get_model
from scipy.spatial.distance import jensenshannon

from benchmarks.psi import INFO
from benchmarks.psi.diagnostics import label_js_score
from benchmarks.psi.judge import JUDGE_TEMPERATURE, PTC_SCORED, parse_label, seeker_turns
from benchmarks.psi.prompts import PTC_NO_HISTORY, PTC_SYSTEM
from benchmarks.psi.references import scripted_samples
from benchmarks.psi.summary import all_stats, sides, summarize
from scorers.stats.bootstrap import cluster_draws
from tests.benchmarks.psi.test_psi_task import SAD, overall, run

PTC_ROWS = {"ptc_score", "ptc_invalid", "real_ptc_invalid", "judge_invalid", "judge_distinct_labels"}
MESSAGE = "The seeker's message to label:\n"


# ---------------------------------------------------------------- the parser


@pytest.mark.parametrize(
    ("reply", "label", "how"),
    [
        ('{"label": "P"}', "P", "json"),
        ('```json\n{"label": "t"}\n```', "T", "json"),
        ('Here you go: {"classification": "Change"} as asked', "C", "json"),
        ('{"label": "F (Filler)"}', "F", "json"),
        ('{"label": "P",}', "P", "field"),  # malformed JSON, legible field
        ("{'label': 'T'}", "T", "field"),
        ("Label: C", "C", "field"),
        ("C", "C", "bare"),
        (' "Problem." ', "P", "bare"),
        ("**f**", "F", "bare"),
        ("P (Problem)", "P", "bare"),
    ],
)
def test_parse_label_reads_valid_and_lenient_replies(reply, label, how):
    assert parse_label(reply) == (label, how)


@pytest.mark.parametrize(
    "reply",
    [None, "", "I cannot label this message.", "P or T", '{"label": "X"}', '{"label": "P"} then {"label": "C"}',
     "Label: P. Label: T", "Tired", "Problems everywhere"],
)  # fmt: skip
def test_parse_label_counts_the_rest_as_invalid(reply):
    assert parse_label(reply) == (None, "unparseable")


def test_seeker_turns_give_each_seeker_turn_with_the_conversation_before_it():
    transcript: list[dict[str, Any]] = [
        {"speaker": "therapist", "text": "Hi."},
        {"speaker": "patient", "text": "", "valid": False},  # invalid: neither labelled nor in the history
        {"speaker": "patient", "text": "I am sad."},
        {"speaker": "therapist", "text": "Why?"},
        {"speaker": "patient", "text": "Work."},
        {"speaker": "patient", "text": "Too much."},
    ]
    turns = seeker_turns(transcript, 16)
    assert [m for _, m in turns] == ["I am sad.", "Work.", "Too much."]
    assert [[t["text"] for t in h] for h, _ in turns] == [["Hi."], ["Hi.", "I am sad.", "Why?"],
                                                         ["Hi.", "I am sad.", "Why?", "Work."]]  # fmt: skip
    assert len(seeker_turns(transcript, 2)) == 2


# ---------------------------------------------------------------- the score on hand-made labels

# turn index:      0    1    2    3
SIM: list[list[str | None]] = [["P", "P", "C", "F"], ["P", "P", "P", None]]
REAL: list[list[str | None]] = [["P", "T", "C", "T"], ["P", "T", "T", None]]
# t0: P 2 | P 2 -> 0; t1: P 2 | T 2 -> disjoint, sqrt(ln 2); t2: (P, C) | (T, C) -> sqrt(ln 2 / 2);
# t3: sim has only F and an invalid reply, so the index is left out.
BY_HAND = 100 * (1 - (math.sqrt(math.log(2)) + math.sqrt(math.log(2) / 2)) / 3)


def labelled_frame(sim_labels, real_labels) -> pd.DataFrame:
    """A simulator copying its real counterparts (every other fidelity score 100), with the given judge labels."""
    frame = scripted_samples("copy", max_turns=4, conversations=len(sim_labels))
    values, metas = [], []
    for value, meta, sim, real in zip(frame["score"], frame["score_metadata"], sim_labels, real_labels):
        meta = {**meta, "simulated": {**meta["simulated"], "ptc_labels": sim}, "real": {**meta["real"],
                "ptc_labels": real}}  # fmt: skip
        counts = {"ptc_turns": len(sim), "ptc_invalid": sim.count(None), "real_ptc_turns": len(real),
                  "real_ptc_invalid": real.count(None)}  # fmt: skip
        values.append({**value, **{k: float(v) for k, v in counts.items()}})
        metas.append(meta)
    return frame.assign(score=values, score_metadata=metas)


def test_ptc_score_by_hand_and_against_scipy():
    js = [
        jensenshannon([1, 0, 0], [1, 0, 0]),
        jensenshannon([1, 0, 0], [0, 1, 0]),
        jensenshannon([0.5, 0, 0.5], [0, 0.5, 0.5]),
    ]
    assert js == pytest.approx([0.0, math.sqrt(math.log(2)), math.sqrt(math.log(2) / 2)])
    score, per_index = label_js_score(SIM, REAL, PTC_SCORED)
    assert per_index == pytest.approx(dict(enumerate(js)))
    assert score == pytest.approx(BY_HAND)  # 72.25
    table = summarize(labelled_frame(SIM, REAL))
    ptc = overall(table, "ptc_score")
    assert ptc["value"] == pytest.approx(BY_HAND) and ptc["n"] == 2
    for metric in ("verbosity_score", "marker_score", "valence_score"):
        assert overall(table, metric)["value"] == pytest.approx(100.0)
    others = [overall(table, m)["value"] for m in ("verbosity_score", "marker_score", "valence_score", "mtld_score")]
    expected = np.nanmean([*others, BY_HAND])  # PSI-Bench's aggregate, weights 1, PTC included
    assert overall(table, "aggregate_fidelity")["value"] == pytest.approx(expected)
    assert "PTC included" in overall(table, "aggregate_fidelity")["note"]
    assert overall(table, "ptc_invalid")["value"] == 1 and overall(table, "ptc_invalid")["n"] == 8
    assert overall(table, "real_ptc_invalid")["value"] == 1 and overall(table, "judge_invalid")["n"] == 16


def test_weighted_ptc_score_is_label_js_score_on_every_resample():
    rng = np.random.default_rng(7)
    choices = ["P", "T", "C", "F", None]
    sim_labels = [[choices[i] for i in rng.integers(0, 5, rng.integers(1, 7))] for _ in range(12)]
    real_labels = [[choices[i] for i in rng.integers(0, 5, rng.integers(1, 7))] for _ in range(12)]
    frame = labelled_frame(sim_labels, real_labels)
    assert overall(summarize(frame), "ptc_score")["value"] == pytest.approx(
        label_js_score(sim_labels, real_labels, PTC_SCORED)[0]
    )
    sim, real = sides(frame)
    counts = cluster_draws([f"{i:08d}" for i in range(12)], n_resamples=5, seed=1).counts.astype(float)
    weighted = all_stats(sim, real, counts)["ptc_score"]
    for row, value in zip(counts.astype(int), weighted):
        drawn = np.repeat(np.arange(12), row)  # a resample: conversation i drawn row[i] times
        score, _ = label_js_score([sim_labels[i] for i in drawn], [real_labels[i] for i in drawn], PTC_SCORED)
        assert value == pytest.approx(score)


# ---------------------------------------------------------------- end to end on the mock provider


def sad(messages, config):
    return SAD


def judged(messages) -> str:
    return messages[-1].text.split(MESSAGE, 1)[1]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return run(tmp_path_factory.mktemp("plain"), "plain", sad, conversations=3, max_turns=4)


@pytest.fixture(scope="module")
def with_judge(tmp_path_factory):
    calls = []

    def judge(messages, config):
        calls.append((messages, config))
        return '{"label": "P"}' if judged(messages) == SAD else "Label: C"  # simulated: P; real seekers: C

    roles = {"judge": get_model("mock/judge", responder=judge, memoize=False)}
    log, frame, table = run(tmp_path_factory.mktemp("judge"), "judged", sad, model_roles=roles, judge=True,
                            conversations=3, max_turns=4)  # fmt: skip
    return log, frame, table, calls


def test_a_scripted_judge_labels_both_sides_and_gives_the_ptc_score(with_judge):
    log, frame, table, calls = with_judge
    judged_turns = 0
    for sample in log.samples:
        score = sample.scores["psi_scorer"]
        k = int(score.value["patient_turns"])
        real_turns = sample.metadata["real_patient_turns"][:4]
        assert score.value["ptc_turns"] == k and score.value["real_ptc_turns"] == len(real_turns) == k
        assert score.value["ptc_invalid"] == score.value["real_ptc_invalid"] == 0
        assert score.metadata["simulated"]["ptc_labels"] == ["P"] * k
        assert score.metadata["real"]["ptc_labels"] == ["C"] * k
        assert [item["how"] for item in score.metadata["judge"]["real"]] == ["field"] * k
        assert score.metadata["models"]["judge"] == "mock/judge"
        # each real seeker turn was judged, with the real conversation before it
        asked = {judged(m): m[-1].text for m, _ in calls}
        for index, text in enumerate(real_turns):
            prompt = asked[text]
            before = [t for t in sample.metadata["real_turns"] if t["text"]]
            position = [i for i, t in enumerate(before) if t["speaker"] == "patient"][index]
            if position == 0:
                assert PTC_NO_HISTORY in prompt
            else:
                assert before[position - 1]["text"] in prompt
        judged_turns += 2 * k
    assert len(calls) == judged_turns
    assert all(m[0].text == PTC_SYSTEM for m, _ in calls)
    assert all(c.temperature == JUDGE_TEMPERATURE == 0.2 and c.response_schema.name == "ptc_label" for _, c in calls)
    assert {c.max_tokens for _, c in calls} == {64} and len({c.seed for _, c in calls}) == len(calls)
    ptc = overall(table, "ptc_score")
    expected = 100 * (1 - math.sqrt(math.log(2)))  # P only against C only at every index: JS = sqrt(ln 2)
    assert ptc["value"] == pytest.approx(expected) and ptc["n"] == 3
    assert ptc["ci_low"] == pytest.approx(expected) and ptc["ci_high"] == pytest.approx(expected)
    others = [overall(table, m)["value"] for m in ("verbosity_score", "marker_score", "valence_score", "mtld_score")]
    assert overall(table, "aggregate_fidelity")["value"] == pytest.approx(np.nanmean([*others, expected]))
    assert overall(table, "judge_invalid")["value"] == 0 and overall(table, "judge_invalid")["n"] == judged_turns
    assert "ptc_score" in {m.name for m in INFO.headline} and "judge" in INFO.roles


def test_the_judge_changes_no_other_row(plain, with_judge):
    base, judged_table = plain[2], with_judge[2]
    assert not PTC_ROWS & set(base["metric"])
    assert "no PTC without a judge" in overall(base, "aggregate_fidelity")["note"]
    assert set(judged_table["metric"]) - set(base["metric"]) == PTC_ROWS
    keep = ~base["metric"].isin(["aggregate_fidelity"])
    other = judged_table[~judged_table["metric"].isin([*PTC_ROWS, "aggregate_fidelity"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(base[keep].reset_index(drop=True), other)
    for sample in plain[0].samples:
        meta = sample.scores["psi_scorer"].metadata
        assert "judge" not in meta and "ptc_labels" not in meta["simulated"] and "judge" not in meta["models"]


def test_a_judge_answering_garbage_is_counted_and_gives_no_ptc_score(tmp_path, plain):
    calls = {"n": 0}

    def garbage(messages, config):
        calls["n"] += 1
        if calls["n"] % 2:
            raise RuntimeError("judge backend down")
        return "I'm sorry, I can't classify mental-health conversations."

    roles = {"judge": get_model("mock/garbage", responder=garbage, memoize=False)}
    log, frame, table = run(tmp_path, "garbage", sad, model_roles=roles, judge=True, conversations=3, max_turns=4)
    for sample in log.samples:
        score = sample.scores["psi_scorer"]
        assert score.value["ptc_invalid"] == score.value["ptc_turns"] > 0
        assert score.value["real_ptc_invalid"] == score.value["real_ptc_turns"] > 0
        items = score.metadata["judge"]["simulated"] + score.metadata["judge"]["real"]
        assert {item["how"] for item in items} <= {"error", "unparseable"}
        assert any("judge backend down" in item.get("error", "") for item in items)
    assert math.isnan(overall(table, "ptc_score")["value"])
    assert overall(table, "judge_invalid")["value"] == overall(table, "judge_invalid")["n"] == calls["n"]
    base = plain[2]
    assert overall(table, "aggregate_fidelity")["value"] == pytest.approx(overall(base, "aggregate_fidelity")["value"])
    assert "PTC undefined" in overall(table, "aggregate_fidelity")["note"]


def test_judge_option_is_checked():
    from benchmarks.psi.task import psi

    with pytest.raises(ValueError, match="judge must be true or false"):
        psi(judge="yes")  # type: ignore[arg-type]
