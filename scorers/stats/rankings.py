"""Strengths from full rankings: the Plackett–Luce model with bootstrap intervals.

**Model.** Each system i has a strength theta_i (log scale, centred to mean 0); a ranking of a set of systems is
built top down, the next place going to system i with probability exp(theta_i) / sum of exp(theta) of the systems
not yet placed. Fitted by ``choix.ilsr_rankings`` (iterative Luce spectral ranking, the maximum-likelihood
estimate) with a small ridge (``alpha``) so that a system that always ranks first keeps a finite strength. A ranking
may hold any subset of the systems (at least two).

**Intervals.** Expanded percentile bootstrap (``scorers.stats.bootstrap.percentile_interval`` with n) over the
rankings (e.g. games, each keeping its whole ranking), as ``scorers.stats.winrate.bradley_terry_ci`` does over items.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scorers.stats.bootstrap import percentile_interval, stratified_draws
from scorers.stats.settings import CONFIDENCE, SEED
from scorers.stats.winrate import Strengths

PL_ALPHA = 0.01  # ridge: finite strengths when a system always wins, little shrinkage


def plackett_luce(rankings: Sequence[Sequence[int]], n_systems: int, alpha: float = PL_ALPHA) -> np.ndarray:
    """Strengths (mean 0) of systems 0..n_systems-1 from rankings (best first, system indices); NaN without a
    ranking of two or more systems."""
    import choix

    usable = [tuple(int(i) for i in r) for r in rankings if len(r) >= 2]
    if not usable:
        return np.full(n_systems, np.nan)
    theta: np.ndarray = np.array(choix.ilsr_rankings(n_systems, usable, alpha=alpha), dtype=np.float64)
    return theta - theta.mean()


def plackett_luce_ci(
    rankings: Sequence[Sequence[int]],
    n_systems: int,
    *,
    n_resamples: int = 1000,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    alpha: float = PL_ALPHA,
) -> Strengths:
    """Strengths with expanded percentile bootstrap intervals over the rankings (NaN intervals below 2 rankings)."""
    rankings = [list(map(int, r)) for r in rankings]
    n = len(rankings)
    estimate = plackett_luce(rankings, n_systems, alpha)
    if n < 2 or np.isnan(estimate).all():
        return Strengths(estimate, np.full(n_systems, np.nan), np.full(n_systems, np.nan), n, 0)
    index = stratified_draws(np.zeros(n, dtype=int), n_resamples, np.random.default_rng(seed))
    # a resample is a multiset of rankings (fitted in sorted order): with few games many repeat, each is fitted once
    fits: dict[bytes, np.ndarray] = {}
    draws = np.empty((len(index), n_systems))
    for b, rows in enumerate(np.sort(index, axis=1)):
        key = rows.tobytes()
        if key not in fits:
            fits[key] = plackett_luce([rankings[i] for i in rows], n_systems, alpha)
        draws[b] = fits[key]
    low, high = percentile_interval(draws, confidence, n=float(n))
    return Strengths(estimate, np.asarray(low), np.asarray(high), n, n_resamples)
