"""Intervals for a proportion of independent trials."""

from __future__ import annotations

from statsmodels.stats.proportion import proportion_confint

from scorers.stats.settings import CONFIDENCE


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` independent trials (statsmodels
    ``proportion_confint(method="wilson")``). Trials that share something (two verdicts of one item) are not
    independent: bootstrap their units instead (``scorers.stats.bootstrap``)."""
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)
