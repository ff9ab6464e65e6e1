"""Specserve's scorer: one Score per (prompt, setting): the measured numbers in ``Score.value``, the answer text in
``Score.answer`` (compared across settings by ``summary.py``), per-turn timings and the setting's counters in
``Score.metadata``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import TaskState

from benchmarks.specserve.solver import SpecRecord


@metric
def tokens_per_second() -> Metric:
    """Live mean of output tokens per second over measured prompts of every setting (summarize splits them)."""

    def compute(scores: list[SampleScore]) -> float:
        values = [s.score.value.get("tokens_per_s", math.nan) for s in scores if isinstance(s.score.value, dict)]
        finite = [v for v in values if math.isfinite(v)]
        return float(np.mean(finite)) if finite else math.nan

    return compute


@metric
def invalid() -> Metric:
    """Prompts whose measurement failed (an HTTP or server error, or no output)."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(1 for s in scores if isinstance(s.score.value, dict) and s.score.value.get("ok") == 0.0))

    return compute


@scorer(metrics=[tokens_per_second(), invalid()])
def specserve_scorer() -> Any:
    async def score(state: TaskState, target: Target) -> Score:
        record = state.store_as(SpecRecord)
        return Score(
            value=record.values,
            answer=record.text,
            explanation=record.error,
            metadata={
                "setting": state.metadata["setting"],
                "config": state.metadata["config"],
                "concurrency": state.metadata["concurrency"],
                "turns": record.turns,
                "error": record.error,
            },
        )

    return score
