"""Contingency-table statistics: chi-square test of homogeneity, Cohen's w, power, and count helpers.

Generic: two (or more) count vectors over the same categories, no knowledge of where they came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import MonteCarloMethod, chi2_contingency
from statsmodels.stats.power import GofChisquarePower

MIN_EXPECTED = 5.0  # the usual validity rule for the chi-square approximation


@dataclass(frozen=True)
class HomogeneityResult:
    statistic: float
    p_value: float
    dof: int  # after dropping categories empty in every row
    method: str  # "asymptotic", "monte_carlo" or "degenerate" (fewer than two non-empty categories)
    cohens_w: float  # sqrt(chi2 / N) of the table (Cohen 1988, contingency tables)
    n: int  # table total
    min_expected: float


def kish_effective_n(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2 of survey weights."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return 0.0
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("survey weights must be finite and non-negative")
    denominator = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / denominator) if denominator > 0 else 0.0


def largest_remainder_counts(proportions, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` that are closest to ``total * proportions`` (Hamilton's method).

    Used to turn a probability vector (model log-probabilities, weighted survey shares) into the integer table a
    chi-square test and its Monte-Carlo version need.
    """
    p = np.asarray(proportions, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError(f"proportions must be a non-empty vector of non-negative numbers, got {proportions!r}")
    if total < 0:
        raise ValueError("total must be non-negative")
    s = p.sum()
    if s <= 0:
        raise ValueError("proportions sum to zero")
    exact = p / s * total
    counts = np.floor(exact).astype(int)
    short = int(total - counts.sum())
    if short:
        # ties broken by position so the result is deterministic
        order = sorted(range(p.size), key=lambda i: (-(exact[i] - counts[i]), i))
        for i in order[:short]:
            counts[i] += 1
    return counts


def cohens_w(table) -> float:
    """Cohen's w = sqrt(chi2 / N) for a contingency table (no continuity correction)."""
    t = _clean_table(table)
    if t.shape[1] < 2:
        return 0.0
    stat = chi2_contingency(t, correction=False).statistic
    return float(math.sqrt(stat / t.sum()))


def homogeneity_test(
    counts_a,
    counts_b,
    *,
    n_resamples: int = 10_000,
    seed: int = 0,
    min_expected: float = MIN_EXPECTED,
) -> HomogeneityResult:
    """Pearson chi-square test that two count vectors come from the same categorical distribution.

    Categories empty in both vectors are dropped (they carry no information and make expected counts zero).
    Without a continuity correction. When any expected count is below ``min_expected`` the p-value is a seeded
    Monte-Carlo p-value over tables with the same margins (scipy's ``random_table``; R's
    ``chisq.test(simulate.p.value=TRUE)``), otherwise the asymptotic chi-square p-value.
    """
    table = _clean_table(np.vstack([np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)]))
    n = int(round(table.sum()))
    if table.shape[1] < 2:
        # both samples put everything in the same single category: identical distributions
        return HomogeneityResult(0.0, 1.0, 0, "degenerate", 0.0, n, float("nan"))
    asymptotic = chi2_contingency(table, correction=False)
    smallest = float(asymptotic.expected_freq.min())
    w = float(math.sqrt(asymptotic.statistic / table.sum()))
    if smallest >= min_expected:
        return HomogeneityResult(
            float(asymptotic.statistic), float(asymptotic.pvalue), int(asymptotic.dof), "asymptotic", w, n, smallest
        )
    if not np.allclose(table, np.round(table)):
        raise ValueError("the Monte-Carlo test needs integer counts; round them first (largest_remainder_counts)")
    mc = chi2_contingency(
        np.round(table).astype(int),
        correction=False,
        method=MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed)),
    )
    return HomogeneityResult(
        float(mc.statistic), float(mc.pvalue), int(asymptotic.dof), "monte_carlo", w, n, smallest
    )


def required_sample_size(w: float, n_bins: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Observations a chi-square goodness-of-fit test with ``n_bins`` categories needs to detect Cohen's ``w``.

    statsmodels ``GofChisquarePower`` (df = n_bins - 1, noncentrality N w^2); Cohen (1988) table 7.4.6.
    """
    if n_bins < 2:
        raise ValueError("a chi-square test needs at least two categories")
    return float(GofChisquarePower().solve_power(effect_size=w, nobs=None, alpha=alpha, power=power, n_bins=n_bins))


def required_second_sample(
    w: float, n_bins: int, first_n: float, *, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Size of a second sample needed to detect ``w`` against a first sample of fixed size ``first_n``.

    For two samples the homogeneity statistic's noncentrality is w^2 * n1 n2 / (n1 + n2) (w measured against the
    pooled distribution), so the requirement N of the one-sample test becomes n2 = N n1 / (n1 - N); infinite when
    the first sample alone is too small (n1 <= N).
    """
    needed = required_sample_size(w, n_bins, alpha=alpha, power=power)
    if first_n <= needed:
        return math.inf
    return needed * first_n / (first_n - needed)


def _clean_table(table) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] < 2:
        raise ValueError(f"need a table with at least two rows, got shape {t.shape}")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("counts must be finite and non-negative")
    if np.any(t.sum(axis=1) <= 0):
        raise ValueError("every row of the table needs at least one observation")
    return t[:, t.sum(axis=0) > 0]
