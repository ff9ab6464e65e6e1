"""Multiple-testing corrections."""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(p_values, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg FDR control over a family of p-values.

    Returns (reject, adjusted p-values) in the input order. NaN p-values (tests that could not be run) are left
    out of the family and come back as reject=False, adjusted=NaN.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p-values must be a vector")
    finite = ~np.isnan(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    reject = np.zeros(p.shape, dtype=bool)
    adjusted = np.full(p.shape, np.nan)
    if finite.any():
        # the step-up procedure in numpy (statsmodels' fdr_bh gives the same; tests check): it runs inside
        # bootstrap loops, where multipletests' overhead dominated
        q = p[finite]
        m = q.size
        order = np.argsort(q, kind="stable")
        ranks = np.arange(1, m + 1)
        below = np.flatnonzero(q[order] <= alpha * ranks / m)  # reject up to the largest such rank
        decided = np.zeros(m, dtype=bool)
        if below.size:
            decided[order[: below[-1] + 1]] = True
        adj = np.empty(m)
        adj[order] = np.minimum(1.0, np.minimum.accumulate((q[order] * m / ranks)[::-1])[::-1])
        reject[finite] = decided
        adjusted[finite] = adj
    return reject, adjusted
