"""Statistics for paired binary outcomes: exact McNemar, Cohen's h and a seeded paired (cluster) bootstrap.

Generic: the units are whatever the caller pairs (items judged under two conditions, people before and after).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_effectsize


@dataclass(frozen=True)
class McNemarResult:
    both: int  # right under a and b
    only_a: int  # right under a, wrong under b
    only_b: int  # wrong under a, right under b
    neither: int
    statistic: float  # exact test: the smaller discordant count
    p_value: float

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> McNemarResult:
    """Exact (binomial) McNemar test of paired booleans ``a`` and ``b`` (statsmodels ``mcnemar(exact=True)``)."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"mcnemar_exact needs two 1-d arrays of equal length, got {a.shape} and {b.shape}")
    table = np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])
    if table[0, 1] + table[1, 0] == 0:
        # No discordant pair: nothing contradicts H0 (statsmodels would give a binomial test on n=0).
        statistic, p_value = 0.0, 1.0
    else:
        result = mcnemar(table, exact=True)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return McNemarResult(
        both=int(table[0, 0]),
        only_a=int(table[0, 1]),
        only_b=int(table[1, 0]),
        neither=int(table[1, 1]),
        statistic=statistic,
        p_value=p_value,
    )


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h = 2·asin(√p1) − 2·asin(√p2) (statsmodels ``proportion_effectsize``); NaN if either is NaN."""
    if np.isnan(p1) or np.isnan(p2):
        return float("nan")
    return float(proportion_effectsize(p1, p2))


def wilcoxon_signed_rank(differences: np.ndarray) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test that paired differences centre on 0.

    All-zero differences carry no evidence against H0: p = 1 (scipy refuses that case).
    """
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    return float(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)


@dataclass(frozen=True)
class BootstrapResult:
    estimate: np.ndarray  # statistic on the data as given
    low: np.ndarray
    high: np.ndarray
    n_units: int
    n_resamples: int


def paired_bootstrap(
    units: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray | float],
    *,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
    strata: np.ndarray | None = None,
) -> BootstrapResult:
    """Percentile bootstrap over units that keep their paired measurements together.

    ``units`` has one row per unit (e.g. an item) and one column per paired measurement (e.g. the four framing
    cells); each resample draws rows with replacement, so a unit's measurements stay together. ``statistic`` maps
    an (n, k) array to a scalar or a 1-d array (several statistics share the same resamples). With ``strata`` (one
    label per row) rows are resampled within each stratum, keeping stratum sizes fixed. The generator is
    ``numpy.random.default_rng(seed)``: index matrices are drawn stratum by stratum in sorted label order.
    """
    units = np.asarray(units)
    n = units.shape[0]
    if n == 0:
        raise ValueError("paired_bootstrap needs at least one unit")
    rng = np.random.default_rng(seed)
    estimate = np.atleast_1d(np.asarray(statistic(units), dtype=float))
    if strata is None:
        index = rng.integers(0, n, size=(n_resamples, n))
    else:
        strata = np.asarray(strata)
        if strata.shape[0] != n:
            raise ValueError("strata needs one label per unit")
        blocks = []
        for label in sorted(set(strata.tolist())):
            members = np.flatnonzero(strata == label)
            blocks.append(members[rng.integers(0, members.size, size=(n_resamples, members.size))])
        index = np.concatenate(blocks, axis=1)
    draws = np.array([np.atleast_1d(np.asarray(statistic(units[row]), dtype=float)) for row in index])
    alpha = (1 - confidence) / 2
    low, high = np.percentile(draws, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return BootstrapResult(estimate=estimate, low=low, high=high, n_units=n, n_resamples=n_resamples)
