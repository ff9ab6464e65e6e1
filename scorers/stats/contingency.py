"""Chi-square statistics: goodness of fit to a known (or partly known) distribution, homogeneity of two samples,
Cohen's w, power, count helpers, and an interval for a share of clustered decisions.

Generic: count vectors over the same categories, no knowledge of where they came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import MonteCarloMethod, chi2_contingency, chisquare
from statsmodels.stats.power import GofChisquarePower

from scorers.stats.proportions import wilson_at_effective_n
from scorers.stats.settings import ALPHA, CONFIDENCE, SEED

MIN_EXPECTED = 5.0  # the usual validity rule for the chi-square approximation


@dataclass(frozen=True)
class HomogeneityResult:
    statistic: float
    p_value: float
    dof: int  # after dropping categories empty in every row
    method: str  # "asymptotic", "monte_carlo" or "degenerate" (fewer than two non-empty categories)
    n: int  # table total
    min_expected: float


@dataclass(frozen=True)
class GoodnessOfFitResult:
    statistic: float
    p_value: float
    dof: int  # categories with a positive expected share, minus one
    method: str  # "asymptotic", "monte_carlo", "zero_expected" (answers where H0 allows none) or "degenerate"
    n: int
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


def homogeneity_test(
    counts_a,
    counts_b,
    *,
    n_resamples: int = 10_000,
    seed: int = SEED,
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
        return HomogeneityResult(0.0, 1.0, 0, "degenerate", n, float("nan"))
    asymptotic = chi2_contingency(table, correction=False)
    smallest = float(asymptotic.expected_freq.min())
    if smallest >= min_expected:
        return HomogeneityResult(
            float(asymptotic.statistic), float(asymptotic.pvalue), int(asymptotic.dof), "asymptotic", n, smallest
        )
    if not np.allclose(table, np.round(table)):
        raise ValueError("the Monte-Carlo test needs integer counts; round them first (largest_remainder_counts)")
    mc = chi2_contingency(
        np.round(table).astype(int),
        correction=False,
        method=MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed)),
    )
    return HomogeneityResult(float(mc.statistic), float(mc.pvalue), int(asymptotic.dof), "monte_carlo", n, smallest)


def goodness_of_fit_test(
    counts,
    shares,
    *,
    n_resamples: int = 10_000,
    seed: int = SEED,
    min_expected: float = MIN_EXPECTED,
) -> GoodnessOfFitResult:
    """Pearson chi-square test that ``counts`` were drawn from the known distribution ``shares``.

    ``shares`` is normalised. Categories with zero expected share and no observation are dropped; an observation
    in a category with zero expected share is impossible under H0, so the test rejects (p = 0). With every expected
    count at least ``min_expected``: the asymptotic chi-square p-value with K - 1 degrees of freedom (scipy
    ``chisquare``); otherwise a seeded Monte-Carlo p-value over multinomial draws from ``shares``,
    (1 + #{X*^2 >= X^2}) / (1 + resamples).
    """
    observed = np.asarray(counts, dtype=float)
    p = np.asarray(shares, dtype=float)
    if observed.shape != p.shape or observed.ndim != 1:
        raise ValueError(f"counts and shares need the same 1-d shape, got {observed.shape} and {p.shape}")
    if np.any(observed < 0) or np.any(p < 0) or not (np.all(np.isfinite(observed)) and np.all(np.isfinite(p))):
        raise ValueError("counts and shares must be finite and non-negative")
    if p.sum() <= 0:
        raise ValueError("shares sum to zero")
    p = p / p.sum()
    n = int(round(observed.sum()))
    if n == 0:
        raise ValueError("goodness_of_fit_test needs at least one observation")
    if np.any((p == 0) & (observed > 0)):
        return GoodnessOfFitResult(math.inf, 0.0, int((p > 0).sum()) - 1, "zero_expected", n, 0.0)
    keep = p > 0
    observed, p = observed[keep], p[keep]
    if p.size < 2:
        return GoodnessOfFitResult(0.0, 1.0, 0, "degenerate", n, float("nan"))
    expected = n * p
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    smallest = float(expected.min())
    if smallest >= min_expected:
        return GoodnessOfFitResult(
            statistic, float(chisquare(observed, expected).pvalue), p.size - 1, "asymptotic", n, smallest
        )
    if not np.allclose(observed, np.round(observed)):
        raise ValueError("the Monte-Carlo test needs integer counts; round them first (largest_remainder_counts)")
    draws = np.random.default_rng(seed).multinomial(n, p, size=n_resamples)
    simulated = np.sum((draws - expected) ** 2 / expected, axis=1)
    # a relative tolerance so that ties with the observed statistic count as "at least as extreme"
    exceed = int(np.sum(simulated >= statistic * (1 - 1e-9)))
    return GoodnessOfFitResult(statistic, (1 + exceed) / (1 + n_resamples), p.size - 1, "monte_carlo", n, smallest)


def least_favourable_shares(counts, known_mass, free_mass: float) -> np.ndarray:
    """The distribution closest to ``counts`` (smallest Pearson statistic) among every distribution the category
    masses can have when only part of each is known.

    Category j's mass is ``known_mass[j]`` plus an unknown non-negative extra; the extras together are at most
    ``free_mass`` (e.g. probability mass outside a truncated top-k list, which may belong to any category, or to
    none). The distribution is the masses normalised. Every such distribution q has q_j >= a_j = known_j /
    (sum(known) + free) and sums to 1, and every q with those bounds is reachable (the extras T q_j - known_j with T
    = sum(known) + free are non-negative and sum to ``free_mass``). The Pearson statistic n (sum_j h_j^2 / q_j - 1)
    of the observed shares h is convex in q; its minimum over that set is q_j = max(a_j, c h_j) with c making the
    shares sum to 1 (the KKT conditions), found exactly: fix the categories whose bound binds, recompute c, until
    none is left. Since the chi-square p-value falls as the statistic grows, testing against this q gives the largest
    asymptotic p-value over all the masses the data allow: a conservative, valid test of "the counts come from the
    (partly known) distribution". Without free mass it is ``known_mass`` normalised.
    """
    observed = np.asarray(counts, dtype=float)
    known = np.asarray(known_mass, dtype=float)
    if observed.shape != known.shape or observed.ndim != 1:
        raise ValueError(f"counts and known_mass need the same 1-d shape, got {observed.shape} and {known.shape}")
    if np.any(observed < 0) or np.any(known < 0) or free_mass < 0 or not np.all(np.isfinite([*observed, *known])):
        raise ValueError("counts, known masses and the free mass must be finite and non-negative")
    total = float(known.sum() + free_mass)
    if total <= 0 or observed.sum() <= 0:
        raise ValueError("least_favourable_shares needs some mass and at least one observation")
    if free_mass == 0:
        return known / total
    floor = known / total
    h = observed / observed.sum()
    free = h > 0  # categories nobody chose stay at their floor (more mass there only raises the statistic)
    while free.any():  # at least one stays free (the floors sum to less than 1) but for rounding
        scale = (1.0 - floor[~free].sum()) / h[free].sum()
        binding = free & (floor > scale * h)
        if not binding.any():
            return np.where(free, scale * h, floor) / np.where(free, scale * h, floor).sum()
        free &= ~binding
    return floor / floor.sum()


def clustered_share_interval(share: float, cluster_sizes, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """A CI for a share of 0/1 decisions over units grouped in clusters (e.g. the sub-populations of a survey
    question), when the clusters are the sampling units and may be all-or-nothing.

    If clusters are drawn at random, cluster j's share of positive decisions is y_j in [0, 1] and the cluster sizes
    do not depend on the y_j, the variance of the pooled share sum_j N_j y_j / sum_j N_j is at most mu (1 - mu) /
    n_eff, with n_eff = (sum N_j)^2 / sum N_j^2 (Kish's effective number of clusters), attained when every cluster
    is all 0 or all 1. This is the Wilson score interval for ``share`` out of n_eff trials (statsmodels
    ``proportion_confint``; the same interval as ``scorers.stats.proportions.wilson_interval`` at a fractional
    count), so it never needs a variance estimate from a handful of clusters (a bootstrap of 9 questions shows no
    spread when every sampled question happened to be misaligned and covers far below nominal). It is not a worst
    case when the larger clusters carry the positives (a share below 0.5 that grows with cluster size): an
    independent audit measured 0.91-0.93 coverage for all-or-nothing negotiation games whose largest tenth held most
    of the positives. The interval holds ``share`` (rounding would otherwise leave a 0 just outside). NaN without a
    cluster.
    """
    return wilson_at_effective_n(share, kish_effective_n(cluster_sizes), confidence)


def one_sample_w(observed_shares, reference_shares) -> float:
    """Cohen's w of a distribution against a reference, sqrt(sum (p1 - p0)^2 / p0) (Cohen 1988, 7.2): the effect
    size of a goodness-of-fit test, whose noncentrality is n w^2, so it does not depend on any sample size.
    Infinite when the observed distribution puts mass where the reference has none."""
    p1 = np.asarray(observed_shares, dtype=float)
    p0 = np.asarray(reference_shares, dtype=float)
    if p1.shape != p0.shape or p1.sum() <= 0 or p0.sum() <= 0:
        raise ValueError("one_sample_w needs two distributions over the same categories")
    p1, p0 = p1 / p1.sum(), p0 / p0.sum()
    if np.any((p0 == 0) & (p1 > 0)):
        return math.inf
    keep = p0 > 0
    return float(math.sqrt(np.sum((p1[keep] - p0[keep]) ** 2 / p0[keep])))


def gof_power(w: float, n_bins: int, nobs: float, *, alpha: float = ALPHA) -> float:
    """Power of a chi-square goodness-of-fit test with ``n_bins`` categories and ``nobs`` observations against
    Cohen's ``w`` (statsmodels ``GofChisquarePower``)."""
    if n_bins < 2:
        raise ValueError("a chi-square test needs at least two categories")
    return float(GofChisquarePower().power(effect_size=w, nobs=nobs, alpha=alpha, n_bins=n_bins))


@lru_cache(maxsize=1024)
def required_sample_size(w: float, n_bins: int, *, alpha: float = ALPHA, power: float = 0.8) -> float:
    """Observations a chi-square goodness-of-fit test with ``n_bins`` categories needs to detect Cohen's ``w``.

    statsmodels ``GofChisquarePower`` (df = n_bins - 1, noncentrality N w^2); Cohen (1988) table 7.4.6. Memoised:
    it depends on its four numbers only, and every survey item asks for the same few (a root search, 15 ms each).
    """
    if n_bins < 2:
        raise ValueError("a chi-square test needs at least two categories")
    return float(GofChisquarePower().solve_power(effect_size=w, nobs=None, alpha=alpha, power=power, n_bins=n_bins))


def _clean_table(table) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] < 2:
        raise ValueError(f"need a table with at least two rows, got shape {t.shape}")
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("counts must be finite and non-negative")
    if np.any(t.sum(axis=1) <= 0):
        raise ValueError("every row of the table needs at least one observation")
    return t[:, t.sum(axis=0) > 0]
