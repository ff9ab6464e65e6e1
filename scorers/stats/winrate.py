"""Pairwise comparisons: win rates with ties, the exact sign test, and Bradley–Terry strengths with bootstrap CIs.

**Outcomes.** Two systems compared on one item by a number each (higher is better) win, lose or tie: ``a`` wins when
``a - b > margin``, loses when ``a - b < -margin``, and ties otherwise (``|a - b| <= margin``); an item where either
number is missing (NaN) is ``missing`` and counts nowhere else.

**Win rate.** wins / (wins + losses): ties are reported, never split. Its interval is the Wilson score interval
(``scorers.stats.proportions``) over the decisive items, and its test the exact two-sided sign (binomial) test of
H0 "a win is as likely as a loss" (``scipy.stats.binomtest`` at p = 0.5), both treating items as independent.

**Bradley–Terry.** Strengths theta (log scale, centred to mean 0) with P(i beats j) = 1 / (1 + exp(theta_j -
theta_i)), fitted to the decisive outcomes of every pair on every item by ``choix.ilsr_pairwise`` with a small ridge
(``alpha``) so that a system that never loses keeps a finite strength; ties are left out, as the model has none.
Intervals: expanded percentile bootstrap (``scorers.stats.bootstrap.percentile_interval`` with n) over items (an item
keeps all its pairs), within strata when given; the plain percentile interval covered 0.91 in the calibration case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from scorers.stats.bootstrap import percentile_interval, stratified_draws
from scorers.stats.proportions import wilson_interval
from scorers.stats.settings import CONFIDENCE, SEED

BT_ALPHA = 0.01  # ridge of the Bradley–Terry fit: finite strengths when a system never loses, little shrinkage


@dataclass(frozen=True)
class WinRate:
    wins: int
    losses: int
    ties: int
    missing: int = 0

    @property
    def decisive(self) -> int:
        return self.wins + self.losses

    @property
    def rate(self) -> float:
        """wins / (wins + losses); NaN without a decisive item."""
        return self.wins / self.decisive if self.decisive else math.nan

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """Wilson score interval of the win rate (NaN without a decisive item)."""
        return wilson_interval(self.wins, self.decisive, confidence) if self.decisive else (math.nan, math.nan)

    @property
    def p_value(self) -> float:
        """Exact two-sided sign test of wins against losses at 1/2 (1.0 without a decisive item)."""
        return sign_test(self.wins, self.losses)


def outcomes(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Per item: +1 a wins, -1 a loses, 0 tie (|a - b| <= margin), NaN missing."""
    if margin < 0:
        raise ValueError(f"the tie margin must be >= 0, got {margin}")
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    out = np.where(diff > margin, 1.0, np.where(diff < -margin, -1.0, 0.0))
    return np.where(np.isnan(diff), np.nan, out)


def win_rate(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, margin: float = 0.0) -> WinRate:
    """The win/loss/tie counts of ``a`` against ``b`` over paired items."""
    o = outcomes(a, b, margin)
    return WinRate(
        wins=int(np.sum(o == 1)), losses=int(np.sum(o == -1)), ties=int(np.sum(o == 0)), missing=int(np.isnan(o).sum())
    )


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided binomial test of ``wins`` successes in ``wins + losses`` trials at p = 1/2 (1.0 for none)."""
    n = wins + losses
    return float(binomtest(wins, n, 0.5, alternative="two-sided").pvalue) if n else 1.0


# -- Bradley–Terry -----------------------------------------------------------------------------------------------


def win_matrices(scores: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """(items, systems, systems): entry [r, i, j] is 1 when system i beats system j on item r (decisively)."""
    scores = np.asarray(scores, dtype=float)
    diff = scores[:, :, None] - scores[:, None, :]
    with np.errstate(invalid="ignore"):
        return (diff > margin).astype(float)


def bradley_terry_counts(counts: np.ndarray, alpha: float = BT_ALPHA) -> np.ndarray:
    """Strengths (mean 0) from a matrix of decisive counts (``counts[i, j]``: i beat j), ``choix.ilsr_pairwise_dense``;
    NaN without any decisive comparison."""
    import choix

    if not np.any(counts):
        return np.full(counts.shape[0], np.nan)
    theta = np.asarray(choix.ilsr_pairwise_dense(np.asarray(counts, dtype=float), alpha=alpha), dtype=float)
    return theta - theta.mean()


def bradley_terry(scores: np.ndarray, margin: float = 0.0, alpha: float = BT_ALPHA) -> np.ndarray:
    """Bradley–Terry strengths (mean 0) of the systems (columns of ``scores``, items in rows, NaN missing) from all
    items' decisive outcomes; NaN when no comparison is decisive."""
    return bradley_terry_counts(win_matrices(scores, margin).sum(axis=0), alpha)


@dataclass(frozen=True)
class Strengths:
    estimate: np.ndarray  # (systems,)
    low: np.ndarray
    high: np.ndarray
    n_items: int
    n_resamples: int


def bradley_terry_ci(
    scores: np.ndarray,
    margin: float = 0.0,
    *,
    strata: Sequence[str] | np.ndarray | None = None,
    n_resamples: int = 1000,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    alpha: float = BT_ALPHA,
) -> Strengths:
    """Strengths with percentile bootstrap intervals over items (rows, each with all its pairs), resampled within
    ``strata`` (:func:`scorers.stats.bootstrap.stratified_draws`). A resample refits on its summed win counts."""
    scores = np.asarray(scores, dtype=float)
    n, k = scores.shape
    wins = win_matrices(scores, margin)
    estimate = bradley_terry_counts(wins.sum(axis=0), alpha)
    if n < 2 or np.isnan(estimate).all():
        return Strengths(estimate, np.full(k, np.nan), np.full(k, np.nan), n, 0)
    labels = np.zeros(n, dtype=int) if strata is None else np.asarray(strata)
    index = stratified_draws(labels, n_resamples, np.random.default_rng(seed))
    draws = np.array([bradley_terry_counts(wins[rows].sum(axis=0), alpha) for rows in index])
    # expanded percentile interval (small samples): items per stratum as their harmonic mean, df = items - strata
    _, sizes = np.unique(labels, return_counts=True)
    per_stratum = float(sizes.size / np.sum(1.0 / sizes))
    low, high = percentile_interval(draws, confidence, n=per_stratum, df=float(n - sizes.size))
    return Strengths(estimate, np.asarray(low), np.asarray(high), n, n_resamples)
