"""Multiple-testing corrections: Benjamini-Hochberg (FDR) and Holm (family-wise error).

Both in numpy (statsmodels' ``multipletests`` gives the same; tests check): BH runs inside bootstrap loops, where
``multipletests``' overhead dominated. Both return (reject, adjusted p-values) in the input order; NaN p-values
(tests that could not be run) are left out of the family and come back as reject=False, adjusted=NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scorers.stats.settings import ALPHA

# (sorted p-values, alpha) -> (how many of the smallest are rejected, adjusted p-values in sorted order)
Procedure = Callable[[np.ndarray, float], tuple[int, np.ndarray]]


def _correct(p_values, alpha: float, procedure: Procedure) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p-values must be a vector")
    finite = ~np.isnan(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    reject = np.zeros(p.shape, dtype=bool)
    adjusted = np.full(p.shape, np.nan)
    if finite.any():
        q = p[finite]
        order = np.argsort(q, kind="stable")
        rejected, adjusted_sorted = procedure(q[order], alpha)
        decided = np.zeros(q.size, dtype=bool)
        decided[order[:rejected]] = True
        adj = np.empty(q.size)
        adj[order] = adjusted_sorted
        reject[finite] = decided
        adjusted[finite] = adj
    return reject, adjusted


def _step_up_bh(q: np.ndarray, alpha: float) -> tuple[int, np.ndarray]:
    m = q.size
    ranks = np.arange(1, m + 1)
    below = np.flatnonzero(q <= alpha * ranks / m)  # reject up to the largest such rank
    adjusted = np.minimum(1.0, np.minimum.accumulate((q * m / ranks)[::-1])[::-1])
    return (int(below[-1]) + 1 if below.size else 0), adjusted


def _step_down_holm(q: np.ndarray, alpha: float) -> tuple[int, np.ndarray]:
    factors = np.arange(q.size, 0, -1)  # m, m - 1, ..., 1
    above = np.flatnonzero(q > alpha / factors)  # stop at the first p above its level
    adjusted = np.minimum(1.0, np.maximum.accumulate(q * factors))
    return (int(above[0]) if above.size else q.size), adjusted


def benjamini_hochberg(p_values, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg FDR control over a family of p-values (the step-up procedure)."""
    return _correct(p_values, alpha, _step_up_bh)


def holm(p_values, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down control of the family-wise error rate: the i-th smallest of m p-values is compared with
    alpha / (m - i + 1), and every p-value from the first one above its level on is kept."""
    return _correct(p_values, alpha, _step_down_holm)
