"""Recon's summary statistics on scripted per-sample scores: exact values for the edge cases an audit found
(strategies without a finite score, complete orderings, tiny per-individual strata, clustered gains, the judge's
missing verdicts, one leak rule for the live metric and summarize)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from inspect_ai.model import ModelName
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState

from benchmarks.recon.scorer import recon_scorer
from benchmarks.recon.solver import ReconRecord, judge_outcome, leak_counts
from benchmarks.recon.summary import N_RESAMPLES, summarize
from scorers.stats.bootstrap import cluster_mean_ci
from scorers.stats.winrate import NO_COMPARISON, UNBOUNDED_ABOVE, UNBOUNDED_BELOW, bradley_terry

ORDER = ["recon", "forward", "backward", "none"]


def frame(fids, domains=None, individuals=None, strategies=ORDER, traces=None, judge=None) -> pd.DataFrame:
    """One sample per (domain, individual); ``fids`` one dict strategy -> fidelity per held-out item."""
    n = len(fids)
    domains = domains or ["d1"] * n
    individuals = individuals or [f"p{i}" for i in range(n)]
    by: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for k, (f, d, i) in enumerate(zip(fids, domains, individuals)):
        by.setdefault((d, i), []).append((k, f))
    rows = []
    for (d, i), its in by.items():
        items = []
        for k, f in its:
            item = {
                "id": f"{d}/{i}/{k}",
                "fidelity": {s: {"value": f[s], "n_tokens": 5, "error": None} for s in strategies},
            }
            if judge is not None:
                item["judge"] = judge[k]
            items.append(item)
        default = [
            {"example": f"{d}/{i}/h{k}", "strategy": s, "trace": "x", "valid": True, "leaked": False}
            for k, _ in its
            for s in strategies
        ]
        rows.append(
            {
                "sample_id": i,
                "epoch": 1,
                "metadata": {"domain": d, "individual": i, "history": [1] * len(its)},
                "score_metadata": {
                    "items": items,
                    "traces": traces if traces is not None else default,
                    "costs": {},
                    "methods": {},
                    "strategies": list(strategies),
                    "tie_margin": 0.02,
                },
            }
        )
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, metric: str, group: str = "overall") -> pd.Series:
    found = table[(table["metric"] == metric) & (table["group"] == group)]
    assert len(found) == 1, (metric, group)
    return found.iloc[0]


def scripted(n: int, seed: int = 1, nan: str | None = None) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    return [{s: (math.nan if s == nan else float(rng.normal(-4, 0.5))) for s in ORDER} for _ in range(n)]


def test_a_strategy_without_a_finite_score_is_left_out_of_bradley_terry():
    fids = scripted(6, nan="backward")
    table = summarize(frame(fids, individuals=["p0", "p0", "p1", "p1", "p2", "p2"]))
    backward = row(table, "backward_bt_strength")
    # before: 0.085 [1.1e-16, 2.52], a number the ridge made up
    assert math.isnan(backward["value"]) and math.isnan(backward["ci_low"]) and math.isnan(backward["ci_high"])
    assert NO_COMPARISON in backward["note"]
    others = bradley_terry(np.array([[f[s] for s in ("recon", "forward", "none")] for f in fids]), 0.02)
    got = [row(table, f"{s}_bt_strength")["value"] for s in ("recon", "forward", "none")]
    assert got == pytest.approx(others.tolist(), abs=1e-12)
    assert sum(got) == pytest.approx(0.0, abs=1e-12)  # centred over the fitted strategies


def test_a_complete_ordering_has_no_finite_strength_and_no_zero_width_interval():
    fids = [{"recon": v + 1, "forward": v, "backward": v - 0.1, "none": v - 0.2} for v in np.linspace(-5, -3, 16)]
    table = summarize(frame(fids, domains=["a"] * 8 + ["b"] * 8))
    for s in ORDER:
        r = row(table, f"{s}_bt_strength")
        # before: recon 7.83 [7.83, 7.83], set by the ridge
        assert math.isnan(r["value"]) and math.isnan(r["ci_low"]) and math.isnan(r["ci_high"]), s
    assert UNBOUNDED_ABOVE in row(table, "recon_bt_strength")["note"]
    assert UNBOUNDED_BELOW in row(table, "none_bt_strength")["note"]
    assert "not strongly connected" in row(table, "forward_bt_strength")["note"]
    bt = table[table["metric"].str.endswith("_bt_strength")]
    assert not ((bt["ci_low"] == bt["ci_high"]) & bt["ci_low"].notna()).any()


def test_per_individual_rows_give_no_interval_below_five_items():
    fids = scripted(16, seed=2)
    individuals = [f"p{k // 2}" for k in range(16)]
    domains = ["a"] * 8 + ["b"] * 8
    table = summarize(frame(fids, domains=domains, individuals=individuals))
    r = row(table, "recon_fidelity_gain", "a/p0")
    assert r["value"] == pytest.approx(np.mean([fids[k]["recon"] - fids[k]["none"] for k in (0, 1)]))
    assert math.isnan(r["ci_low"]) and math.isnan(r["ci_high"]) and r["n"] == 2  # before: [min, max] of the 2 items
    assert "2 item(s) in a stratum, fewer than 5" in r["note"]
    five = summarize(frame(scripted(5, seed=3), individuals=["q"] * 5))
    q = row(five, "recon_fidelity_gain", "d1/q")
    assert q["ci_low"] < q["value"] < q["ci_high"]


def test_headline_gain_interval_is_clustered_by_individual_and_stratified_by_domain():
    fids = scripted(16, seed=4)
    individuals = [f"p{k // 2}" for k in range(16)]
    domains = ["a"] * 8 + ["b"] * 8
    table = summarize(frame(fids, domains=domains, individuals=individuals))
    gain = np.array([f["recon"] - f["none"] for f in fids])
    clusters = np.array([f"{d}/{i}" for d, i in zip(domains, individuals)])
    expected = cluster_mean_ci(gain, clusters, np.array(domains), n_resamples=N_RESAMPLES, seed=0, expanded=True)
    r = row(table, "recon_fidelity_gain")
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx((expected.estimate, expected.low, expected.high))
    assert "cluster bootstrap over individuals" in r["note"] and "stratified by domain" in r["note"]
    # a domain with a single individual cannot be a stratum: the overall row is then not stratified, and says so
    lone = summarize(frame(fids[:10], domains=["a"] * 8 + ["b"] * 2, individuals=individuals[:8] + ["z", "z"]))
    assert "not stratified (a domain has a single individual)" in row(lone, "recon_fidelity_gain")["note"]
    assert not math.isnan(row(lone, "recon_fidelity_gain")["ci_low"])
    # one individual: no cluster bootstrap, said in the note
    one = row(lone, "recon_fidelity_gain", "b")
    assert math.isnan(one["ci_low"]) and "one individual" in one["note"]


def test_win_rate_notes_say_the_sign_test_decides_and_no_decisive_items_give_nan():
    # 3 wins, 11 losses of recon against none: Wilson [0.0757, 0.4759] excludes 0.5, the sign test p = 0.0574
    fids = [{"recon": 1.0, "forward": 0.0, "backward": 0.0, "none": 0.0}] * 3
    fids += [{"recon": 0.0, "forward": 0.0, "backward": 0.0, "none": 1.0}] * 11
    table = summarize(frame(fids))
    r = row(table, "recon_vs_none_win_rate")
    assert (r["wins"], r["losses"]) == (3, 11) and r["ci_high"] == pytest.approx(0.4758923, abs=1e-6)
    assert r["p_value"] == pytest.approx(0.057373046875)
    assert "significance is decided by the exact sign test" in r["note"]
    assert "the interval excludes 0.5 but the sign test does not reject" in r["note"]
    ties = row(table, "forward_vs_backward_win_rate")  # all 14 items tie
    assert ties["ties"] == 14 and math.isnan(ties["p_value"])  # before: 1.0
    assert "no decisive items" in ties["note"]
    zero = row(table, "forward_vs_none_win_rate")  # 0 wins of 11: the Wilson bound is exactly 0, not 2.8e-17
    assert zero["ci_low"] == 0.0


def test_a_missing_judge_verdict_makes_the_item_missing_not_a_tie():
    assert judge_outcome([True, None]) is None and judge_outcome([None, None]) is None and judge_outcome([]) is None
    assert (judge_outcome([True, True]), judge_outcome([False, False]), judge_outcome([True, False])) == (1, -1, 0)
    # a version 1 log stored outcome 0 for [True, None]: summarize recomputes it from the verdicts
    pair = "recon_vs_backward"
    judge = [
        {"pairs": {pair: {"outcome": 1, "verdicts": [True, True]}}},
        {"pairs": {pair: {"outcome": 0, "verdicts": [True, None]}}},
        {"pairs": {pair: {"outcome": 0, "verdicts": [True, False]}}},
        {"pairs": {pair: {"outcome": None, "verdicts": []}}},
    ]
    table = summarize(frame(scripted(4, seed=5), individuals=["p"] * 4, judge=judge))
    r = row(table, f"{pair}_judge_win_rate")
    assert (r["wins"], r["losses"], r["ties"], r["missing"]) == (1, 0, 1, 2)  # before: ties 2, missing 1


def test_the_live_leak_metric_and_summarize_count_leaks_by_one_rule():
    traces: list[dict[str, Any]] = [
        {"example": "h0", "strategy": "recon", "trace": "quoted", "valid": True, "leaked": True},
        # a Recon trace whose candidates could not be scored: text, but not valid (not used)
        {"example": "h1", "strategy": "recon", "trace": "quoted", "valid": False, "leaked": True},
        {"example": "h2", "strategy": "recon", "trace": "fine", "valid": True, "leaked": False},
        {"example": "h0", "strategy": "none", "trace": None, "valid": True, "leaked": False},
    ]
    assert leak_counts(traces, "recon") == (1, 2) and leak_counts(traces, "none") == (0, 0)
    table = summarize(frame(scripted(2, seed=6), individuals=["p", "p"], traces=traces, strategies=ORDER))
    r = row(table, "recon_leak_rate")
    assert (r["value"], r["n"], r["leaks"]) == (0.5, 2, 1)
    state = TaskState(ModelName("mockllm/model"), "p", 1, "", [])
    record = state.store_as(ReconRecord)
    record.traces, record.items, record.done = traces, [], True
    score = asyncio.run(recon_scorer(("recon", "none"), 0.02)(state, Target("")))
    assert score is not None and isinstance(score.value, dict)
    assert score.value["leak_recon"] == 0.5  # before: 2 / 3, counting the unused trace


def test_reconstruction_fidelity_note_says_recon_is_the_best_of_n():
    traces = [
        {
            "example": f"h{k}",
            "strategy": s,
            "trace": "x",
            "valid": True,
            "leaked": False,
            "fidelity": {"value": -4.0 + k},
        }
        for k in range(2)
        for s in ("recon", "forward")
    ]
    table = summarize(frame(scripted(2, seed=7), individuals=["p", "p"], traces=traces))
    assert "best of N candidates" in row(table, "recon_reconstruction_fidelity")["note"]
    assert "best of N" not in row(table, "forward_reconstruction_fidelity")["note"]
