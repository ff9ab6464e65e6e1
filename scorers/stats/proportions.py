"""Intervals for a proportion of independent trials."""

from __future__ import annotations

import math

from statsmodels.stats.proportion import proportion_confint

from scorers.stats.settings import CONFIDENCE


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` independent trials (statsmodels
    ``proportion_confint(method="wilson")``). Trials that share something (two verdicts of one item) are not
    independent: bootstrap their units instead (``scorers.stats.bootstrap``). The bounds are clipped to [0, 1] and
    are exactly 0 for no successes and 1 for all (the formula's rounding leaves e.g. 2.8e-17)."""
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    low = 0.0 if successes == 0 else min(max(float(low), 0.0), 1.0)
    high = 1.0 if successes == n else min(max(float(high), 0.0), 1.0)
    return low, high


def wilson_at_effective_n(share: float, n_eff: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of ``share`` out of a fractional number of trials ``n_eff`` (an effective sample size
    of clustered decisions: Kish's, or n over the design effect), clipped to [0, 1] and holding ``share`` (rounding
    would otherwise leave a 0 or 1 just outside). NaN without a trial or a share."""
    if not n_eff > 0 or not math.isfinite(share):
        return math.nan, math.nan
    low, high = proportion_confint(share * n_eff, n_eff, alpha=1 - confidence, method="wilson")
    return float(min(max(low, 0.0), share)), float(max(min(high, 1.0), share))


def two_proportion_test(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    """Two-sided Fisher exact test of equal success probabilities in two independent samples (``scipy.stats.
    fisher_exact`` on the 2x2 table; conditional on both margins, so conservative on small samples); 1.0 when a
    sample is empty."""
    from scipy.stats import fisher_exact

    if n_a == 0 or n_b == 0:
        return 1.0
    table = [[successes_a, n_a - successes_a], [successes_b, n_b - successes_b]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)
