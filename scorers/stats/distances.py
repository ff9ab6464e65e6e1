"""Distances between answer distributions and the OpinionQA / GlobalOpinionQA similarity scores built on them."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance


def _probabilities(p, name: str) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if a.ndim != 1 or a.size == 0 or np.any(a < 0) or not np.all(np.isfinite(a)) or a.sum() <= 0:
        raise ValueError(f"{name} must be a non-empty vector of non-negative numbers with a positive sum")
    return a / a.sum()


def ordinal_distance(p, q) -> float:
    """Wasserstein-1 distance between two distributions over ordered options, scaled to [0, 1] by N - 1."""
    a, b = _probabilities(p, "p"), _probabilities(q, "q")
    if a.size != b.size:
        raise ValueError(f"distributions have different numbers of options ({a.size} vs {b.size})")
    if a.size == 1:
        return 0.0
    positions = np.arange(a.size, dtype=float)
    return float(wasserstein_distance(positions, positions, a, b) / (a.size - 1))


def js_distance(p, q) -> float:
    """Jensen-Shannon distance (square root of the divergence) with base-2 logs, in [0, 1]."""
    a, b = _probabilities(p, "p"), _probabilities(q, "q")
    if a.size != b.size:
        raise ValueError(f"distributions have different numbers of options ({a.size} vs {b.size})")
    d = float(jensenshannon(a, b, base=2))
    # scipy takes the square root of a divergence that round-off can make slightly negative for (near-)identical
    # inputs; the inputs are checked above, so NaN here can only mean zero
    return 0.0 if np.isnan(d) else d


def distribution_distance(p, q, *, ordinal: bool) -> float:
    """W1/(N-1) for ordered options, JS distance for unordered ones."""
    return ordinal_distance(p, q) if ordinal else js_distance(p, q)


def representativeness(p, q, *, ordinal: bool) -> float:
    """OpinionQA's 1 - W1/(N-1) (ordinal) or GlobalOpinionQA's 1 - JS distance (nominal); 1 = identical."""
    return 1.0 - distribution_distance(p, q, ordinal=ordinal)
