"""Recon's summary statistics on scripted per-sample scores: exact values against references written here (scipy,
statsmodels, choix, enumeration) for the edge cases audits found (strategies without a finite score, complete
orderings, tiny per-individual strata, items clustered in individuals for every interval and test, the judge's
missing verdicts, one leak rule for the live metric and summarize)."""

from __future__ import annotations

import asyncio
import math
from itertools import product
from typing import Any

import choix
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from inspect_ai.model import ModelName
from inspect_ai.scorer import Target
from inspect_ai.solver import TaskState
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from benchmarks.recon.scorer import recon_scorer
from benchmarks.recon.solver import ReconRecord, judge_outcome, leak_counts
from benchmarks.recon.summary import N_RESAMPLES, summarize
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


def cr1_t_reference(values, clusters) -> tuple[float, float, float]:
    """statsmodels' OLS on a constant with the cluster covariance (CR1) and the t quantile with G - 1 df."""
    values = np.asarray(values, dtype=float)
    groups = np.unique(np.asarray(clusters), return_inverse=True)[1]
    fit = sm.OLS(values, np.ones_like(values)).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True, "df_correction": False}
    )
    q = scipy_stats.t.ppf(0.975, groups.max())
    mean, se = float(fit.params[0]), float(fit.bse[0])
    return mean, mean - q * se, mean + q * se


def test_per_individual_rows_use_the_t_interval_over_the_individuals_items():
    fids = scripted(16, seed=2)
    individuals = [f"p{k // 2}" for k in range(16)]
    domains = ["a"] * 8 + ["b"] * 8
    table = summarize(frame(fids, domains=domains, individuals=individuals))
    r = row(table, "recon_fidelity_gain", "a/p0")
    gains = [fids[k]["recon"] - fids[k]["none"] for k in (0, 1)]
    low, high = scipy_stats.t.interval(0.95, 1, loc=np.mean(gains), scale=scipy_stats.sem(gains))
    # before: NaN below 5 items (a bootstrap of 2 items is their [min, max] and covers about 0.48)
    assert (r["value"], r["ci_low"], r["ci_high"], r["n"]) == pytest.approx((np.mean(gains), low, high, 2))
    assert "t interval over this individual's 2 items" in r["note"] and "12.7" in r["note"]
    one = summarize(frame(scripted(1, seed=3), individuals=["q"]))
    q = row(one, "recon_fidelity_gain", "d1/q")
    assert math.isnan(q["ci_low"]) and "one item" in q["note"]


def test_overall_and_domain_fidelity_intervals_are_cluster_robust_t_intervals_over_individuals():
    fids = scripted(16, seed=4)
    individuals = [f"p{k // 2}" for k in range(16)]
    domains = ["a"] * 8 + ["b"] * 8
    table = summarize(frame(fids, domains=domains, individuals=individuals))
    gain = np.array([f["recon"] - f["none"] for f in fids])
    clusters = np.array([f"{d}/{i}" for d, i in zip(domains, individuals)])
    r = row(table, "recon_fidelity_gain")
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx(cr1_t_reference(gain, clusters))
    assert "cluster-robust t interval over 8 individuals" in r["note"] and "7 df" in r["note"]
    a = row(table, "forward_fidelity", "a")
    values = np.array([f["forward"] for f in fids[:8]])
    assert (a["value"], a["ci_low"], a["ci_high"]) == pytest.approx(cr1_t_reference(values, clusters[:8]))
    # the main job's size: 2 individuals per domain, 1 item each. Task version 3's stratified cluster bootstrap had 3
    # distinct resamples per domain and covered about 0.68; the t interval over 4 individuals has 3 df
    small = scripted(4, seed=8)
    table = summarize(frame(small, domains=["a", "a", "b", "b"], individuals=["p", "q", "p", "q"]))
    gain = np.array([f["recon"] - f["none"] for f in small])
    r = row(table, "recon_fidelity_gain")
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx(cr1_t_reference(gain, ["ap", "aq", "bp", "bq"]))
    d = row(table, "recon_fidelity_gain", "a")  # 2 individuals: t with 1 df, wide by design
    assert (d["ci_low"], d["ci_high"]) == pytest.approx(cr1_t_reference(gain[:2], ["p", "q"])[1:])
    assert "wide by design" in d["note"]
    # one individual: no interval, said in the note
    lone = summarize(frame(small[:2], domains=["b", "b"], individuals=["z", "z"]))
    one = row(lone, "recon_fidelity_gain", "b")
    assert math.isnan(one["ci_low"]) and "one individual" in one["note"]


def flip_reference(net: list[int]) -> float:
    """The two-sided sign-flip p-value by enumerating all 2^G sign vectors."""
    observed = abs(sum(net))
    hits = sum(abs(np.dot(signs, net)) >= observed for signs in product((-1, 1), repeat=len(net)))
    return hits / 2 ** len(net)


def wilson_at(k: float, n: float) -> tuple[float, float]:
    """statsmodels' Wilson interval (takes the fractional counts of a design effect)."""
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def test_win_rates_over_individuals_with_several_items_flip_and_widen_by_individual():
    # 5 individuals x 3 items, recon against none: per individual (wins, losses) = (3,0) (3,0) (2,1) (1,0) (0,2)
    outcomes = {"p0": [1, 1, 1], "p1": [1, 1, 1], "p2": [1, 1, -1], "p3": [1, 0, 0], "p4": [-1, -1, 0]}
    fids, individuals = [], []
    for person, results in outcomes.items():
        for o in results:
            fids.append({"recon": 0.5 * o, "forward": 0.0, "backward": 0.0, "none": 0.0})
            individuals.append(person)
    table = summarize(frame(fids, individuals=individuals))
    r = row(table, "recon_vs_none_win_rate")
    assert (r["wins"], r["losses"], r["ties"], r["individuals"]) == (9, 3, 3, 5)
    assert r["p_value"] == pytest.approx(flip_reference([3, 3, 1, 1, -2]))  # 0.3125; binomial over the 12 items: 0.146
    # Wilson at n_eff = n / deff: deff = CR1 variance of the pooled share over individuals / r (1 - r) / (n - 1)
    wins, trials = np.array([3, 3, 2, 1, 0]), np.array([3, 3, 3, 1, 2])
    share = wins.sum() / trials.sum()
    v_individuals = 5 / 4 * np.sum((wins - share * trials) ** 2) / trials.sum() ** 2
    n_eff = trials.sum() / max(1.0, v_individuals / (share * (1 - share) / (trials.sum() - 1)))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(wilson_at(share * n_eff, n_eff))
    assert "design effect of the individuals" in r["note"]
    # an individual's own row: its items given its traces, the binomial sign test and the plain Wilson interval
    p2 = row(table, "recon_vs_none_win_rate", "d1/p2")
    assert p2["p_value"] == pytest.approx(1.0) and (p2["ci_low"], p2["ci_high"]) == pytest.approx(wilson_at(2, 3))
    # one decisive item per individual: the binomial sign test and the plain Wilson interval exactly
    single = [{"recon": 0.5 * o, "forward": 0.0, "backward": 0.0, "none": 0.0} for o in (1, 1, 1, 1, 1, -1, 0)]
    s = row(summarize(frame(single)), "recon_vs_none_win_rate")
    assert s["p_value"] == pytest.approx(scipy_stats.binomtest(5, 6).pvalue)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx(wilson_at(5, 6))


def test_leak_rate_interval_is_wilson_at_the_individuals_design_effect():
    # 3 individuals x 2 backward traces: (2 leaks, 0 leaks, 1 leak)
    leaks = {"p0": [True, True], "p1": [False, False], "p2": [True, False]}
    traces = [
        {"example": f"{p}/h{k}", "strategy": "backward", "trace": "x", "valid": True, "leaked": flag}
        for p, flags in leaks.items()
        for k, flag in enumerate(flags)
    ]
    samples = frame(scripted(3, seed=9), individuals=list(leaks), strategies=["backward", "none"])
    samples["score_metadata"] = [
        {**meta, "traces": [t for t in traces if t["example"].startswith(f"{p}/")]}
        for meta, p in zip(samples["score_metadata"], leaks)
    ]
    table = summarize(samples)
    r = row(table, "backward_leak_rate")
    wins, trials = np.array([2, 0, 1]), np.array([2, 2, 2])
    share = 0.5
    v_individuals = 3 / 2 * np.sum((wins - share * trials) ** 2) / 36
    n_eff = 6 / max(1.0, v_individuals / (share * share / 5))
    assert (r["value"], r["n"], r["leaks"]) == (0.5, 6, 3)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(wilson_at(share * n_eff, n_eff))
    # every trace leaked: no variance to estimate a design effect from, so Kish's effective number of individuals
    traces = [dict(t, leaked=True) for t in traces]
    samples["score_metadata"] = [
        {**meta, "traces": [t for t in traces if t["example"].startswith(f"{p}/")]}
        for meta, p in zip(samples["score_metadata"], leaks)
    ]
    r = row(summarize(samples), "backward_leak_rate")
    assert r["value"] == 1.0 and r["ci_high"] == 1.0 and r["ci_low"] == pytest.approx(wilson_at(3, 3)[0])


def test_bradley_terry_bootstrap_resamples_individuals_within_domains():
    fids = scripted(16, seed=10)
    individuals = [f"p{k // 2}" for k in range(16)]
    domains = ["a"] * 8 + ["b"] * 8
    table = summarize(frame(fids, domains=domains, individuals=individuals))
    scores = np.array([[f[s] for s in ORDER] for f in fids])
    # reference: each individual's summed win counts, resampled within domains (numpy default_rng(0), stratum by
    # stratum in sorted order), refitted by choix with alpha 0.01, expanded percentile interval (4 per stratum, 6 df)
    wins = (scores[:, :, None] - scores[:, None, :] > 0.02).astype(float)
    per = np.stack([wins[2 * j : 2 * j + 2].sum(axis=0) for j in range(8)])
    rng = np.random.default_rng(0)
    blocks = [
        np.arange(4)[rng.integers(0, 4, size=(N_RESAMPLES // 2, 4))],
        4 + np.arange(4)[rng.integers(0, 4, size=(N_RESAMPLES // 2, 4))],
    ]
    index = np.concatenate(blocks, axis=1)
    draws = np.array([choix.ilsr_pairwise_dense(per[rows].sum(axis=0), alpha=0.01) for rows in index])
    draws -= draws.mean(axis=1, keepdims=True)
    tail = scipy_stats.norm.cdf(math.sqrt(4 / 3) * scipy_stats.t.ppf(0.025, 6))
    low, high = np.percentile(draws, [100 * tail, 100 * (1 - tail)], axis=0)
    for i, s in enumerate(ORDER):
        r = row(table, f"{s}_bt_strength")
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((low[i], high[i])), s
    assert "bootstrap over individuals" in row(table, "recon_bt_strength")["note"]


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
