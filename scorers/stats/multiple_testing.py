"""Multiple-testing corrections."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests


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
        r, adj, _, _ = multipletests(p[finite], alpha=alpha, method="fdr_bh")
        reject[finite] = r
        adjusted[finite] = adj
    return reject, adjusted
