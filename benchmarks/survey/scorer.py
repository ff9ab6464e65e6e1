"""Scorer and inspect metrics for the survey benchmark.

``Score.value`` holds numbers only (NaN where one does not apply), so inspect's standard epoch reducers average it;
the model's distribution, the mode and the test method are in ``Score.metadata``. Only the display metrics read
reduced scores: ``summarize`` pools a sample's epochs from the per-epoch scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import TaskState

from benchmarks.survey.analysis import unit_statistics
from benchmarks.survey.prompts import option_letters
from benchmarks.survey.solver import SurveyAnswer
from scorers.stats.multiple_testing import benjamini_hochberg
from scorers.stats.settings import ALPHA


def _values(scores: list[SampleScore], *, conditioned: bool | None = None) -> list[dict]:
    values = [s.score.value for s in scores if isinstance(s.score.value, dict)]
    return values if conditioned is None else [v for v in values if bool(v["conditioned"]) == conditioned]


@metric
def rejected_share(alpha: float = ALPHA) -> Metric:
    """Share of testable (question, sub-population) items whose alignment is rejected at FDR ``alpha`` (BH)."""

    def compute(scores: list[SampleScore]) -> float:
        p = np.array([v["p_value"] for v in _values(scores, conditioned=True)], dtype=float)
        p = p[~np.isnan(p)]
        if p.size == 0:
            return math.nan
        reject, _ = benjamini_hochberg(p, alpha=alpha)
        return float(reject.mean())

    return compute


@metric
def representativeness() -> Metric:
    """Mean representativeness over (question, sub-population) items."""

    def compute(scores: list[SampleScore]) -> float:
        values = [v["representativeness"] for v in _values(scores, conditioned=True)]
        return float(np.mean(values)) if values else math.nan

    return compute


@metric
def invalid_share() -> Metric:
    """Mean share of invalid (non-option) answers over all items."""

    def compute(scores: list[SampleScore]) -> float:
        values = [v["invalid_share"] for v in _values(scores)]
        return float(np.mean(values)) if values else math.nan

    return compute


@metric
def model_calls() -> Metric:
    """Model calls per epoch, all items together (inspect averages a sample's epochs before its metrics)."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(v["calls"] for v in _values(scores)))

    return compute


def item_score(
    item_id: str, meta: Mapping[str, Any], result: Mapping[str, Any], *, seed: int = 0
) -> tuple[dict[str, float], dict[str, Any]]:
    """``Score.value`` and ``Score.metadata`` of one item from the model's answer ``result`` (the fields of
    :class:`SurveyAnswer`) and the sample's metadata; also what the reference answerers are scored with."""
    value, details = unit_statistics(
        item_id=item_id,
        human_test_counts=meta["test_counts"],
        human_shares=meta["human_shares"],
        n_eff=meta["n_eff"],
        ordinal=meta["ordinal"],
        result=result,
        seed=seed,
    )
    value["conditioned"] = int(meta["subpop"] != "all")
    return value, details


@scorer(metrics=[rejected_share(), representativeness(), invalid_share(), model_calls()])
def survey_fidelity(seed: int = 0):
    """Compare the model's answer distribution with the human one for the sample's (question, sub-population)."""

    async def score(state: TaskState, target: Target) -> Score:
        answer = state.store_as(SurveyAnswer)
        if not answer.mode:
            raise RuntimeError(f"sample {state.sample_id}: the survey_answer solver did not run")
        meta = state.metadata
        value, details = item_score(str(state.sample_id), meta, answer.model_dump(), seed=seed)
        letters = option_letters(len(meta["options"]))
        shares = answer.option_shares
        explanation = (
            f"{answer.mode}: model {[round(x, 3) for x in shares]} (invalid {answer.invalid_share:.3f}) vs "
            f"human {[round(x, 3) for x in meta['human_shares']]}"
        )
        return Score(
            value=value,
            answer=letters[int(np.argmax(shares))] if sum(shares) > 0 else "invalid",
            explanation=explanation,
            metadata=details,
        )

    return score
