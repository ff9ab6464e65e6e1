"""Cluster bootstrap: resample whole clusters (e.g. all sub-populations of one survey question) within strata.

Units in one cluster share their question, so their outcomes (and multiple-testing decisions over them) are
dependent; resampling clusters keeps that dependence, which a unit-level bootstrap or a Wilson interval ignores.
With one unit per cluster it is the ordinary (stratified) bootstrap. Intervals are percentile intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

N_RESAMPLES = 4000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class ClusterDraws:
    """Which clusters each resample drew: ``counts[b, j]`` = times cluster ``names[j]`` was drawn in resample b."""

    names: np.ndarray
    rows_of: list[np.ndarray]  # row indices of each cluster, in ``names`` order
    counts: np.ndarray  # (n_resamples, n_clusters)

    def rows(self, b: int) -> np.ndarray:
        """Row indices of resample ``b`` (a cluster drawn twice contributes its rows twice)."""
        order = np.repeat(np.arange(self.names.size), self.counts[b])
        return np.concatenate([self.rows_of[j] for j in order]) if order.size else np.array([], dtype=int)


def cluster_draws(clusters, strata=None, *, n_resamples: int = N_RESAMPLES, seed: int = 0) -> ClusterDraws:
    """Draw, within every stratum, as many clusters as the stratum has, with replacement, ``n_resamples`` times.

    Deterministic for a seed (clusters and strata in sorted order). A cluster must lie in one stratum.
    """
    clusters = np.asarray(clusters).astype(str)
    strata = np.full(clusters.size, "") if strata is None else np.asarray(strata).astype(str)
    if strata.shape != clusters.shape:
        raise ValueError("strata needs one label per row")
    names, inverse = np.unique(clusters, return_inverse=True)
    rows_of = [np.flatnonzero(inverse == j) for j in range(names.size)]
    stratum_of = np.array([strata[r[0]] for r in rows_of])
    if any(np.unique(strata[r]).size > 1 for r in rows_of):
        raise ValueError("a cluster spans several strata")
    rng = np.random.default_rng(seed)
    counts = np.zeros((n_resamples, names.size), dtype=np.int64)
    for s in np.unique(stratum_of):
        members = np.flatnonzero(stratum_of == s)
        # draw counts of m clusters taken m times with replacement: multinomial(m, uniform)
        counts[:, members] = rng.multinomial(members.size, np.full(members.size, 1 / members.size), size=n_resamples)
    return ClusterDraws(names, rows_of, counts)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    n: int  # rows used
    n_clusters: int


def _percentile(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return math.nan, math.nan
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def cluster_ratio_ci(
    x, y, clusters, strata=None, *, n_resamples: int = N_RESAMPLES, confidence: float = CONFIDENCE, seed: int = 0
) -> Interval:
    """mean(x) / mean(y) over rows where both are finite; ``y`` all ones gives the mean of ``x``.

    Vectorised: a resample's ratio is sum_j c_j X_j / sum_j c_j Y_j with cluster sums X_j, Y_j and draw counts c_j.
    Fewer than two clusters: no interval (NaN).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    clusters = np.asarray(clusters).astype(str)[keep]
    strata = None if strata is None else np.asarray(strata).astype(str)[keep]
    x, y = x[keep], y[keep]
    n = int(x.size)
    if n == 0 or y.sum() == 0:
        return Interval(math.nan, math.nan, math.nan, n, 0)
    estimate = float(x.sum() / y.sum())
    draws = cluster_draws(clusters, strata, n_resamples=n_resamples, seed=seed)
    if draws.names.size < 2:
        return Interval(estimate, math.nan, math.nan, n, int(draws.names.size))
    if np.allclose(x / np.where(y == 0, 1, y), estimate) and np.all(y == y[0]):
        return Interval(estimate, estimate, estimate, n, int(draws.names.size))  # no variation to resample
    sx = np.array([x[r].sum() for r in draws.rows_of])
    sy = np.array([y[r].sum() for r in draws.rows_of])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = (draws.counts @ sx) / (draws.counts @ sy)
    low, high = _percentile(ratios, confidence)
    return Interval(estimate, low, high, n, int(draws.names.size))


def cluster_mean_ci(values, clusters, strata=None, **kwargs) -> Interval:
    """Mean of ``values`` (NaN rows dropped) with a cluster-bootstrap percentile CI."""
    values = np.asarray(values, dtype=float)
    return cluster_ratio_ci(values, np.ones_like(values), clusters, strata, **kwargs)


def cluster_statistic_ci(
    statistic: Callable[[np.ndarray], float],
    clusters,
    strata=None,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> Interval:
    """Any ``statistic(row_indices)`` (e.g. a share of rejections re-decided by BH in each resample), slower than
    the ratio form: one call per resample."""
    clusters = np.asarray(clusters).astype(str)
    n = int(clusters.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, 0)
    estimate = float(statistic(np.arange(n)))
    draws = cluster_draws(clusters, strata, n_resamples=n_resamples, seed=seed)
    if draws.names.size < 2:
        return Interval(estimate, math.nan, math.nan, n, int(draws.names.size))
    values = np.array([statistic(draws.rows(b)) for b in range(n_resamples)], dtype=float)
    low, high = _percentile(values, confidence)
    return Interval(estimate, low, high, n, int(draws.names.size))
