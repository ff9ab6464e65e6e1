"""Specserve's statistics on scripted measurements, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from benchmarks.specserve import INFO
from benchmarks.specserve.summary import degenerate, first_difference, summarize
from scorers.stats.proportions import wilson_interval

PLAIN = {"p1": (10, 100), "p2": (20, 50), "p3": (30, 40)}  # tokens/s, TPOT ms
SPEC = {"p1": (15, 60), "p2": (20, 50), "p3": (60, 20)}
COUNTS = {"p1": (4, 16, 8), "p2": (2, 8, 0), "p3": (5, 20, 15)}  # drafts, drafted tokens, accepted
GROUPS = {"p1": "rag", "p2": "rag", "p3": "qa"}


def sample(prompt: str, config: str, ok: bool = True) -> dict:
    spec = config != "plain"
    tps, tpot = (SPEC if spec else PLAIN)[prompt]
    drafts, drafted, accepted = COUNTS[prompt] if spec else (math.nan,) * 3
    pieces = ["A", " b", " d" if spec and prompt == "p3" else " c"]
    setting = f"{config}@c1"
    return {
        "sample_id": f"{prompt}@{setting}",
        "epoch": 1,
        "score": {
            "ok": 1.0 if ok else 0.0,
            "tokens_per_s": tps if ok else math.nan,
            "tpot_ms": tpot if ok else math.nan,
            "ttft_ms": 5.0,
            "e2e_s": 1.0,
            "output_tokens": 3.0,
            "num_drafts": drafts,
            "num_draft_tokens": drafted,
            "num_accepted_tokens": accepted,
        },
        "score_metadata": {"turns": [{"pieces": pieces, "itl": [0.01, 0.03]}]},
        "answer": "".join(pieces),
        "metadata": {"prompt_id": prompt, "group": GROUPS[prompt], "setting": setting, "config": config,
                     "concurrency": 1},
    }  # fmt: skip


def table(rows: list[dict]) -> pd.DataFrame:
    return summarize(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return table([sample(p, c) for c in ("plain", "ngram-k4") for p in PLAIN])


def value(summary: pd.DataFrame, metric: str, group: str = "overall") -> pd.Series:
    return summary[(summary.metric == metric) & (summary.group == group)].iloc[0]


def test_speedups_are_ratios_of_means_paired_by_prompt(summary):
    speedup = value(summary, "speedup")
    assert speedup["value"] == pytest.approx((15 + 20 + 60) / (10 + 20 + 30)) and speedup["n"] == 3
    assert speedup["ci_low"] <= speedup["value"] <= speedup["ci_high"]
    # log ratios log 1.5, 0, log 2: two non-zero, both positive: the exact two-sided signed-rank p is 2 x 1/4
    assert speedup["p_value"] == pytest.approx(0.5)
    assert value(summary, "speedup", "ngram-k4@c1 / rag")["value"] == pytest.approx(35 / 30)
    assert value(summary, "speedup", "ngram-k4@c1 / qa")["value"] == pytest.approx(2.0)
    assert value(summary, "tpot_speedup")["value"] == pytest.approx((100 + 50 + 40) / (60 + 50 + 20))
    assert value(summary, "plain_tokens_per_s")["value"] == pytest.approx(20.0)


def test_acceptance_and_its_bound(summary):
    assert value(summary, "acceptance_rate")["value"] == pytest.approx(23 / 44)
    length = 1 + 23 / 11
    assert value(summary, "mean_acceptance_length")["value"] == pytest.approx(length)
    assert value(summary, "speedup_bound")["value"] == pytest.approx(length)
    assert value(summary, "bound_share")["value"] == pytest.approx((95 / 60) / length)
    # per task group, against its own acceptance: rag = p1 + p2 (8 of 24 drafted, 6 drafts), qa = p3
    assert value(summary, "acceptance_rate", "ngram-k4@c1 / rag")["value"] == pytest.approx(8 / 24)
    assert value(summary, "speedup_bound", "ngram-k4@c1 / rag")["value"] == pytest.approx(1 + 8 / 6)
    assert value(summary, "bound_share", "ngram-k4@c1 / qa")["value"] == pytest.approx(2.0 / (1 + 15 / 5))
    plain = summary[summary.group == "plain@c1"]
    assert "acceptance_rate" not in set(plain.metric)  # plain decoding drafts nothing
    assert value(summary, "itl_p50_ms", "plain@c1")["value"] == pytest.approx(20.0)


def test_output_equality_lists_each_mismatch_with_its_first_differing_token(summary):
    row = value(summary, "output_equality")
    assert row["value"] == pytest.approx(2 / 3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(2, 3))
    assert "p3: token 2: ' c' vs ' d'" in row["note"]
    assert first_difference(["a", "b"], ["a"], "ab", "a") == "token 1: 'b' vs '<end>'"


def test_failed_measurements_are_counted_and_left_out_of_the_pairs():
    rows = [sample(p, c) for c in ("plain", "ngram-k4") for p in PLAIN]
    rows[3] = sample("p1", "ngram-k4", ok=False)
    summary = table(rows)
    assert value(summary, "invalid")["value"] == 1 and value(summary, "invalid")["n"] == 6
    assert value(summary, "speedup")["value"] == pytest.approx(80 / 50) and value(summary, "speedup")["n"] == 2
    assert degenerate(summary) is None
    failed = table([sample(p, c, ok=False) for c in ("plain", "ngram-k4") for p in PLAIN])
    assert degenerate(failed) == "6 of 6 measurements failed"
    only_plain = table([sample(p, "plain") for p in PLAIN])
    assert degenerate(only_plain) == "no speculative setting was compared with plain decoding"


def test_headline_metrics_are_overall_rows(summary):
    # the decoding run's rows; the ralm_ ones come from ralmspec runs (test_ralm_summary.py)
    overall = set(summary[summary.group == "overall"].metric)
    assert {m.name for m in INFO.headline if not m.name.startswith("ralm_")} <= overall
    assert {d.name for d in INFO.diagnostics if not d.name.startswith("ralm_")} <= overall
