"""The suite's bootstrap: one way to draw resamples, one family of intervals.

**Draws.** :func:`stratified_draws` draws, within every stratum, as many resampling units as the stratum has, with
replacement, stratum by stratum in sorted label order, from ``numpy.random.default_rng(seed)`` (``SEED`` unless
given). A resampling unit is whatever must move together:

* :func:`paired_bootstrap`: a row of an array, e.g. an item with its paired measurements (the deference benchmark's
  four cells; ``regress`` draws clusters of units the same way);
* ``cluster_*_ci``: a cluster of rows, e.g. every sub-population of one survey question. Rows of one cluster share
  their question, so their outcomes (and multiple-testing decisions over them) are dependent; resampling clusters
  keeps that dependence, which a row-level bootstrap or a Wilson interval ignores. With one row per cluster it is
  the ordinary (stratified) bootstrap.

**Intervals.** :func:`percentile_interval`: the percentile interval of the draws, or, given the units per stratum
``n``, the expanded percentile interval (Hesterberg 2015), for small strata. Draws that are not finite (a ratio
over a resample without a denominator) are left out.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from scorers.stats.settings import CONFIDENCE, SEED

N_RESAMPLES = 4000


def stratified_draws(strata, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, n_units) unit indices: each stratum's units drawn with replacement, as many as it has, stratum
    by stratum in sorted label order (stratum sizes stay fixed). One label per unit; all equal for no strata."""
    strata = np.asarray(strata)
    blocks = []
    for label in sorted(set(strata.tolist())):
        members = np.flatnonzero(strata == label)
        blocks.append(members[rng.integers(0, members.size, size=(n_resamples, members.size))])
    return np.concatenate(blocks, axis=1)


def percentile_interval(
    draws, confidence: float = CONFIDENCE, *, n: float | None = None, df: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) over the first axis of ``draws`` (one interval per column), non-finite draws left out (NaN
    where none is finite).

    Without ``n``: the percentile interval, at (1 - confidence) / 2 and its complement. With ``n``: the expanded
    percentile interval (Hesterberg 2015, "What teachers should know about the bootstrap", 4.3.2): a bootstrap of n
    units underestimates the spread by a factor sqrt((n - 1) / n) and ignores the t tail, so the percentiles are
    taken at Phi(sqrt(n / (n - 1)) * t_{df, alpha/2}) instead of alpha/2. ``n`` is the units per stratum (their
    harmonic mean for a statistic pooled over strata); ``df`` the t degrees of freedom (n - 1 unless given: for a
    statistic pooled over strata, units minus strata); NaN below 2 units.
    """
    draws = np.asarray(draws, dtype=float)
    tail = (1 - confidence) / 2
    if n is not None:
        if n < 2:
            return np.full(draws.shape[1:], np.nan), np.full(draws.shape[1:], np.nan)
        tail = float(
            scipy_stats.norm.cdf(math.sqrt(n / (n - 1)) * scipy_stats.t.ppf(tail, n - 1 if df is None else df))
        )
    levels = [100 * tail, 100 * (1 - tail)]
    finite = np.isfinite(draws)
    if finite.all():
        low, high = np.percentile(draws, levels, axis=0)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column without a finite draw: NaN
            low, high = np.nanpercentile(np.where(finite, draws, np.nan), levels, axis=0)
    return low, high


# -- paired bootstrap: rows of an array ---------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapResult:
    estimate: np.ndarray  # statistic on the data as given
    low: np.ndarray  # percentile interval
    high: np.ndarray
    n_units: int
    n_resamples: int
    draws: np.ndarray  # (n_resamples, n_statistics), for other intervals (expanded, other levels)


def paired_bootstrap(
    units: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray | float],
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    strata: np.ndarray | None = None,
    vectorized: bool = False,
) -> BootstrapResult:
    """Percentile bootstrap over units that keep their paired measurements together.

    ``units`` has one row per unit (e.g. an item) and one column per paired measurement (e.g. the four framing
    cells); each resample draws rows with replacement (:func:`stratified_draws`, within ``strata`` when given: one
    label per row), so a unit's measurements stay together. ``statistic`` maps an (n, k) array to a scalar or a 1-d
    array (several statistics share the same resamples). With ``vectorized`` the statistic maps a (b, n, k) stack
    of resamples to (b,) or (b, m) and is called on chunks of resamples (about a million values each) instead of
    once per resample; the resamples are the same.
    """
    units = np.asarray(units)
    n = units.shape[0]
    if n == 0:
        raise ValueError("paired_bootstrap needs at least one unit")
    if strata is not None and np.asarray(strata).shape[0] != n:
        raise ValueError("strata needs one label per unit")
    if vectorized:
        estimate = np.atleast_1d(np.asarray(statistic(units[None]), dtype=float)[0])
    else:
        estimate = np.atleast_1d(np.asarray(statistic(units), dtype=float))
    rng = np.random.default_rng(seed)
    index = stratified_draws(np.zeros(n, dtype=int) if strata is None else strata, n_resamples, rng)
    if vectorized:
        size = max(1, 1_000_000 // units.size)  # resamples per call
        parts = [np.asarray(statistic(units[index[i : i + size]]), dtype=float) for i in range(0, n_resamples, size)]
        draws = np.concatenate(parts).reshape(n_resamples, -1)
    else:
        draws = np.array([np.atleast_1d(np.asarray(statistic(units[row]), dtype=float)) for row in index])
    low, high = percentile_interval(draws, confidence)
    return BootstrapResult(estimate=estimate, low=low, high=high, n_units=n, n_resamples=n_resamples, draws=draws)


# -- cluster bootstrap: clusters of rows --------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterDraws:
    """Which clusters each resample drew: ``index[b]`` holds the positions (in ``names``) of resample b's
    clusters, a cluster drawn twice twice."""

    names: np.ndarray
    rows_of: list[np.ndarray]  # row indices of each cluster, in ``names`` order
    index: np.ndarray  # (n_resamples, n_clusters)
    stratum_of: np.ndarray | None = None  # each cluster's stratum, in ``names`` order

    def expansion(self) -> tuple[float, float]:
        """(n, df) of the expanded percentile interval (:func:`percentile_interval`): clusters per stratum (their
        harmonic mean over strata) and clusters minus strata."""
        strata = np.zeros(self.names.size, dtype=int) if self.stratum_of is None else self.stratum_of
        per_stratum = np.unique(strata, return_counts=True)[1]
        return float(per_stratum.size / np.sum(1.0 / per_stratum)), float(self.names.size - per_stratum.size)

    @property
    def counts(self) -> np.ndarray:
        """(n_resamples, n_clusters): times cluster ``names[j]`` was drawn in resample b."""
        b, size = self.index.shape[0], self.names.size
        flat = (self.index + size * np.arange(b)[:, None]).ravel()
        return np.bincount(flat, minlength=b * size).reshape(b, size)

    def rows(self, b: int) -> np.ndarray:
        """Row indices of resample ``b`` (a cluster drawn twice contributes its rows twice)."""
        return np.concatenate([self.rows_of[j] for j in self.index[b]])


def cluster_draws(clusters, strata=None, *, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> ClusterDraws:
    """:func:`stratified_draws` of the clusters (in sorted order) within their strata. A cluster must lie in one
    stratum; at least one row."""
    clusters = np.asarray(clusters).astype(str)
    strata = np.full(clusters.size, "") if strata is None else np.asarray(strata).astype(str)
    if strata.shape != clusters.shape:
        raise ValueError("strata needs one label per row")
    names, inverse = np.unique(clusters, return_inverse=True)
    rows_of = [np.flatnonzero(inverse == j) for j in range(names.size)]
    if any(np.unique(strata[r]).size > 1 for r in rows_of):
        raise ValueError("a cluster spans several strata")
    stratum_of = np.array([strata[r[0]] for r in rows_of])
    index = stratified_draws(stratum_of, n_resamples, np.random.default_rng(seed))
    return ClusterDraws(names, rows_of, index, stratum_of)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    n: int  # rows used
    n_clusters: int


def _interval(
    estimate: float, values: np.ndarray, confidence: float, n: int, draws: ClusterDraws, expanded: bool
) -> Interval:
    if expanded:
        n_per_stratum, df = draws.expansion()
        if n_per_stratum < 2 or df < 1:  # a stratum of one cluster never varies: no interval
            return Interval(estimate, math.nan, math.nan, n, int(draws.names.size))
        low, high = percentile_interval(values, confidence, n=n_per_stratum, df=df)
    else:
        low, high = percentile_interval(values, confidence)
    return Interval(estimate, float(low), float(high), n, int(draws.names.size))


def cluster_ratio_ci(
    x,
    y,
    clusters,
    strata=None,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    expanded: bool = False,
) -> Interval:
    """mean(x) / mean(y) over rows where both are finite; ``y`` all ones gives the mean of ``x``.

    Vectorised: a resample's ratio is sum_j c_j X_j / sum_j c_j Y_j with cluster sums X_j, Y_j and draw counts c_j.
    Fewer than two clusters: no interval (NaN). ``expanded``: the expanded percentile interval over the clusters
    per stratum (:func:`percentile_interval`; NaN when a stratum has a single cluster), for few clusters.
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
    if np.unique(clusters).size < 2:  # before drawing: breakdowns ask this of many one-cluster groups
        return Interval(estimate, math.nan, math.nan, n, 1)
    draws = cluster_draws(clusters, strata, n_resamples=n_resamples, seed=seed)
    if np.allclose(x / np.where(y == 0, 1, y), estimate) and np.all(y == y[0]):
        return Interval(estimate, estimate, estimate, n, int(draws.names.size))  # no variation to resample
    sx = np.array([x[r].sum() for r in draws.rows_of])
    sy = np.array([y[r].sum() for r in draws.rows_of])
    counts = draws.counts
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = (counts @ sx) / (counts @ sy)
    return _interval(estimate, ratios, confidence, n, draws, expanded)


def cluster_mean_ci(values, clusters, strata=None, **kwargs) -> Interval:
    """Mean of ``values`` (NaN rows dropped) with a cluster-bootstrap percentile CI (``expanded=True``: the
    expanded percentile interval)."""
    values = np.asarray(values, dtype=float)
    return cluster_ratio_ci(values, np.ones_like(values), clusters, strata, **kwargs)


def cluster_statistic_ci(
    statistic: Callable[[np.ndarray], float],
    clusters,
    strata=None,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    expanded: bool = False,
) -> Interval:
    """Any ``statistic(row_indices)`` (e.g. a share of rejections re-decided by BH in each resample), slower than
    the ratio form: one call per resample. ``expanded`` as in :func:`cluster_ratio_ci`."""
    clusters = np.asarray(clusters).astype(str)
    n = int(clusters.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, 0)
    estimate = float(statistic(np.arange(n)))
    draws = cluster_draws(clusters, strata, n_resamples=n_resamples, seed=seed)
    if draws.names.size < 2:
        return Interval(estimate, math.nan, math.nan, n, int(draws.names.size))
    values = np.array([statistic(draws.rows(b)) for b in range(n_resamples)], dtype=float)
    return _interval(estimate, values, confidence, n, draws, expanded)
