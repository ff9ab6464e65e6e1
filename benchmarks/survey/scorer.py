"""Scorer and inspect metrics for the survey benchmark."""

from __future__ import annotations

import numpy as np
from inspect_ai.scorer import Metric, SampleScore, Score, ScoreReducer, Target, metric, score_reducer, scorer
from inspect_ai.solver import TaskState

from benchmarks.survey.analysis import unit_statistics
from benchmarks.survey.prompts import option_letters
from benchmarks.survey.solver import STORE_KEY
from scorers.stats.multiple_testing import benjamini_hochberg


def _conditioned(scores: list[SampleScore]) -> list[dict]:
    return [s.score.value for s in scores if isinstance(s.score.value, dict) and s.score.value.get("conditioned")]


@score_reducer(name="survey_epochs")
def survey_epochs() -> ScoreReducer:
    """Epoch reducer that keeps the score dict intact (inspect's default mean would turn its strings and None
    p-values into 0). One epoch: the score itself. Several: numeric fields averaged, others from the first epoch;
    only the display metrics use this, ``summarize`` pools the epochs' answers properly."""

    def reduce(scores: list[Score]) -> Score:
        first = scores[0]
        if len(scores) == 1:
            return first
        value = dict(first.value)
        for key, v in first.value.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            numbers = [s.value[key] for s in scores if isinstance(s.value.get(key), int | float)]
            value[key] = float(np.mean(numbers))
        return Score(value=value, answer=first.answer, explanation=first.explanation)

    return reduce


@metric
def rejected_share(alpha: float = 0.05) -> Metric:
    """Share of testable (question, sub-population) items whose alignment is rejected at FDR ``alpha`` (BH)."""

    def compute(scores: list[SampleScore]) -> float:
        p = np.array([v["p_value"] for v in _conditioned(scores) if v.get("p_value") is not None], dtype=float)
        if p.size == 0:
            return float("nan")
        reject, _ = benjamini_hochberg(p, alpha=alpha)
        return float(reject.mean())

    return compute


@metric
def representativeness() -> Metric:
    """Mean representativeness over (question, sub-population) items."""

    def compute(scores: list[SampleScore]) -> float:
        values = [v["representativeness"] for v in _conditioned(scores)]
        return float(np.mean(values)) if values else float("nan")

    return compute


@metric
def invalid_share() -> Metric:
    """Mean share of invalid (non-option) answers over all items."""

    def compute(scores: list[SampleScore]) -> float:
        values = [s.score.value["invalid_share"] for s in scores if isinstance(s.score.value, dict)]
        return float(np.mean(values)) if values else float("nan")

    return compute


@metric
def model_calls() -> Metric:
    """Model calls made, all items together."""

    def compute(scores: list[SampleScore]) -> float:
        return float(sum(s.score.value["calls"] for s in scores if isinstance(s.score.value, dict)))

    return compute


@scorer(metrics=[rejected_share(), representativeness(), invalid_share(), model_calls()])
def survey_fidelity(seed: int = 0):
    """Compare the model's answer distribution with the human one for the sample's (question, sub-population)."""

    async def score(state: TaskState, target: Target) -> Score:
        result = state.store.get(STORE_KEY)
        if result is None:
            raise RuntimeError(f"sample {state.sample_id}: the survey_answer solver did not run")
        meta = state.metadata
        value = unit_statistics(
            item_id=str(state.sample_id),
            human_test_counts=meta["test_counts"],
            human_shares=meta["human_shares"],
            n_eff=meta["n_eff"],
            ordinal=meta["ordinal"],
            result=result,
            seed=seed,
        )
        value["conditioned"] = meta["subpop"] != "all"
        letters = option_letters(len(meta["options"]))
        shares = result["option_shares"]
        answer = letters[int(np.argmax(shares))] if sum(shares) > 0 else "invalid"
        explanation = (
            f"{result['mode']}: model {[round(x, 3) for x in shares]} (invalid {result['invalid_share']:.3f}) vs "
            f"human {[round(x, 3) for x in meta['human_shares']]}"
        )
        return Score(value=value, answer=answer, explanation=explanation)

    return score
