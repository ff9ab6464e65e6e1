"""Recon's scorer: one Score per individual. ``Score.value`` holds numbers inspect can average (each strategy's mean
downstream fidelity and leak share); ``Score.metadata`` holds what ``summarize`` pairs and counts: every held-out
item's fidelity per strategy, every trace (with Recon's candidates), costs per strategy and stage, the scoring
methods and the tie margin."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import TaskState

from benchmarks.recon.solver import ReconRecord, leak_counts
from scorers.stats.winrate import win_rate


def item_fidelity(items: list[dict[str, Any]], strategy: str) -> np.ndarray:
    return np.array([float(i["fidelity"].get(strategy, {}).get("value", math.nan)) for i in items], dtype=float)


def _items(scores: list[SampleScore]) -> tuple[list[dict[str, Any]], float]:
    items: list[dict[str, Any]] = []
    margin = 0.0
    for s in scores:
        meta = s.score.metadata or {}
        items += meta.get("items", [])
        margin = float(meta.get("tie_margin", margin))
    return items, margin


def pair_metric(a: str, b: str) -> Metric:
    def compute(scores: list[SampleScore]) -> float:
        items, margin = _items(scores)
        return win_rate(item_fidelity(items, a), item_fidelity(items, b), margin).rate if items else math.nan

    return compute


@metric
def recon_vs_backward() -> Metric:
    """Live win rate of Recon over Backward on held-out fidelity (ties excluded; CIs come from summarize)."""
    return pair_metric("recon", "backward")


@metric
def recon_vs_forward() -> Metric:
    """Live win rate of Recon over Forward on held-out fidelity."""
    return pair_metric("recon", "forward")


def _mean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


@scorer(metrics=[recon_vs_backward(), recon_vs_forward()])
def recon_scorer(strategies: tuple[str, ...], tie_margin: float):
    async def score(state: TaskState, target: Target) -> Score:
        record = state.store_as(ReconRecord)
        if not record.done:
            raise RuntimeError(f"sample {state.sample_id}: the recon solver did not run")
        value: dict[str, float] = {}
        for strategy in strategies:
            value[f"fidelity_{strategy}"] = _mean(list(item_fidelity(record.items, strategy)))
            leaks, counted = leak_counts(record.traces, strategy)  # the rule summarize counts by
            value[f"leak_{strategy}"] = leaks / counted if counted else math.nan
        invalid = sum(1 for t in record.traces if t["strategy"] != "none" and not t.get("valid"))
        errors = sum(1 for i in record.items for f in i["fidelity"].values() if math.isnan(f["value"]))
        value["invalid_traces"] = float(invalid)
        value["scoring_errors"] = float(errors)
        best = max(
            strategies, key=lambda s: -math.inf if math.isnan(value[f"fidelity_{s}"]) else value[f"fidelity_{s}"]
        )
        explanation = ", ".join(f"{s} {value[f'fidelity_{s}']:.3f}" for s in strategies)
        return Score(
            value=value,
            answer=best,
            explanation=f"mean held-out fidelity ({record.methods.get('user_model')}): {explanation}; "
            f"{invalid} invalid trace(s), {errors} scoring error(s)",
            metadata={
                "items": record.items,
                "traces": record.traces,
                "costs": record.costs,
                "methods": record.methods,
                "models": record.models,
                "strategies": list(strategies),
                "tie_margin": tie_margin,
            },
        )

    return score
