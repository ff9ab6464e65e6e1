"""Pairwise comparisons: win rates with ties, the exact sign test, and Bradley–Terry strengths with bootstrap CIs.

**Outcomes.** Two systems compared on one item by a number each (higher is better) win, lose or tie: ``a`` wins when
``a - b > margin``, loses when ``a - b < -margin``, and ties otherwise (``|a - b| <= margin``); an item where either
number is missing (NaN) is ``missing`` and counts nowhere else.

**Win rate.** wins / (wins + losses): ties are reported, never split. Its interval is the Wilson score interval
(``scorers.stats.proportions``) over the decisive items, and its test the exact two-sided sign (binomial) test of
H0 "a win is as likely as a loss" (``scipy.stats.binomtest`` at p = 0.5), both treating items as independent.
Given the items' clusters (``win_rate(..., clusters=)``: e.g. the person whose traces an item shares), the interval
is Wilson at the design effect and the test flips each cluster's outcomes together (``scorers.stats.clustered``);
both equal the independent forms when every cluster has at most one decisive item.

**Bradley–Terry.** Strengths theta (log scale, centred to mean 0) with P(i beats j) = 1 / (1 + exp(theta_j -
theta_i)), fitted to the decisive outcomes of every pair on every item by ``choix.ilsr_pairwise_dense``; ties are left
out, as the model has none. Two cases have no finite maximum-likelihood estimate, and the fit reports NaN with the
reason (``Strengths.notes``) instead of a number the regulariser made up:

* a system without any decisive comparison (no finite score, or only ties) is left out of the fit (NaN);
* when the remaining systems' comparison graph (an edge i -> j when i beat j at least once) is not strongly
  connected, e.g. a system never loses or never wins, the likelihood grows without bound as the strengths drift
  apart (Zermelo 1929; Ford 1957), so every strength (centred to mean 0) is unbounded: all NaN, each with a note
  (unbounded above, below, or not estimable).

Otherwise the fit keeps choix's regularisation ``alpha`` (``BT_ALPHA`` = 0.01: the Markov chain's rates start at
alpha, a weak prior that pulls the strengths together): it shrinks a strongly connected fit very little, and it is
what keeps a bootstrap resample finite when that resample happens to be a complete ordering; those resamples are
counted (``Strengths.prior_set_resamples``) and named in the note, their strengths set by the prior.
Intervals: expanded percentile bootstrap (``scorers.stats.bootstrap.percentile_interval`` with n) over items (an item
keeps all its pairs), or over clusters of items when given (a cluster keeps all its items), within strata when
given; the plain percentile interval covered 0.91 in the calibration case.
An interval of zero width (every resample alike) is reported as NaN with a note, never printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from scorers.stats.bootstrap import percentile_interval, stratified_draws
from scorers.stats.clustered import clustered_sign_test, clustered_wilson_interval
from scorers.stats.proportions import wilson_interval
from scorers.stats.settings import CONFIDENCE, SEED

BT_ALPHA = 0.01  # choix's regularisation of the Bradley–Terry fit: a weak prior (see the module docstring)


@dataclass(frozen=True)
class WinRate:
    wins: int
    losses: int
    ties: int
    missing: int = 0
    # per cluster (e.g. per person) wins and losses, when items cluster; empty: every item its own cluster
    cluster_wins: tuple[int, ...] = ()
    cluster_losses: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.cluster_wins) != len(self.cluster_losses) or (
            self.cluster_wins and (sum(self.cluster_wins), sum(self.cluster_losses)) != (self.wins, self.losses)
        ):
            raise ValueError("a win rate's per-cluster wins and losses must add up to its wins and losses")

    @property
    def decisive(self) -> int:
        return self.wins + self.losses

    @property
    def clustered(self) -> bool:
        """Whether some cluster holds more than one decisive item (else the clustered forms equal the plain ones)."""
        return any(w + loss > 1 for w, loss in zip(self.cluster_wins, self.cluster_losses))

    @property
    def rate(self) -> float:
        """wins / (wins + losses); NaN without a decisive item."""
        return self.wins / self.decisive if self.decisive else math.nan

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """Wilson score interval of the win rate (NaN without a decisive item); at the design effect of the
        clusters when given (:func:`scorers.stats.clustered.clustered_wilson_interval`)."""
        if not self.decisive:
            return math.nan, math.nan
        if self.clustered:
            trials = [w + loss for w, loss in zip(self.cluster_wins, self.cluster_losses)]
            return clustered_wilson_interval(self.cluster_wins, trials, confidence)
        return wilson_interval(self.wins, self.decisive, confidence)

    @property
    def p_value(self) -> float:
        """Exact two-sided sign test of wins against losses at 1/2 (NaN without a decisive item: nothing to test);
        with clusters, each cluster's outcomes flipped together (``scorers.stats.clustered.clustered_sign_test``)."""
        if self.clustered:
            return clustered_sign_test(self.cluster_wins, self.cluster_losses)
        return sign_test(self.wins, self.losses)


def outcomes(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Per item: +1 a wins, -1 a loses, 0 tie (|a - b| <= margin), NaN missing."""
    if margin < 0:
        raise ValueError(f"the tie margin must be >= 0, got {margin}")
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    out = np.where(diff > margin, 1.0, np.where(diff < -margin, -1.0, 0.0))
    return np.where(np.isnan(diff), np.nan, out)


def win_rate(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    margin: float = 0.0,
    clusters: Sequence[str] | np.ndarray | None = None,
) -> WinRate:
    """The win/loss/tie counts of ``a`` against ``b`` over paired items; with ``clusters`` (one label per item)
    also per cluster, for the clustered interval and test."""
    return tally(outcomes(a, b, margin), clusters)


def tally(item_outcomes: Sequence[float] | np.ndarray, clusters: Sequence[str] | np.ndarray | None = None) -> WinRate:
    """The :class:`WinRate` of per-item outcomes (+1 win, -1 loss, 0 tie, NaN missing, as :func:`outcomes` gives);
    with ``clusters`` (one label per item) also the per-cluster wins and losses."""
    o = np.asarray(item_outcomes, dtype=float)
    per_wins: tuple[int, ...] = ()
    per_losses: tuple[int, ...] = ()
    if clusters is not None:
        labels = np.asarray(clusters)
        if labels.shape[0] != o.shape[0]:
            raise ValueError("clusters needs one label per item")
        names = sorted(set(labels.tolist()))
        per_wins = tuple(int(np.sum(o[labels == c] == 1)) for c in names)
        per_losses = tuple(int(np.sum(o[labels == c] == -1)) for c in names)
    return WinRate(
        wins=int(np.sum(o == 1)),
        losses=int(np.sum(o == -1)),
        ties=int(np.sum(o == 0)),
        missing=int(np.isnan(o).sum()),
        cluster_wins=per_wins,
        cluster_losses=per_losses,
    )


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided binomial test of ``wins`` successes in ``wins + losses`` trials at p = 1/2 (NaN for none: no
    decisive item, nothing to test)."""
    n = wins + losses
    return float(binomtest(wins, n, 0.5, alternative="two-sided").pvalue) if n else math.nan


# -- Bradley–Terry -----------------------------------------------------------------------------------------------


def win_matrices(scores: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """(items, systems, systems): entry [r, i, j] is 1 when system i beats system j on item r (decisively)."""
    scores = np.asarray(scores, dtype=float)
    diff = scores[:, :, None] - scores[:, None, :]
    with np.errstate(invalid="ignore"):
        return (diff > margin).astype(float)


NO_COMPARISON = "no decisive comparison (no finite score, or only ties): left out of the Bradley–Terry fit"
TOO_FEW = "fewer than two strategies with decisive comparisons: no Bradley–Terry fit"
UNBOUNDED_ABOVE = (
    "never lost a decisive comparison: its Bradley–Terry strength is unbounded above (no finite maximum-likelihood "
    "estimate; a regularised fit would only report the prior)"
)
UNBOUNDED_BELOW = (
    "never won a decisive comparison: its Bradley–Terry strength is unbounded below (no finite maximum-likelihood "
    "estimate; a regularised fit would only report the prior)"
)
NOT_ESTIMABLE = (
    "not estimable: the comparison graph is not strongly connected (a group of strategies never loses to the rest), "
    "so the centred Bradley–Terry strengths are unbounded"
)
ZERO_WIDTH = "no interval: every bootstrap resample gave the same strength"


def strongly_connected(counts: np.ndarray) -> bool:
    """Whether the directed graph with an edge i -> j when ``counts[i, j] > 0`` (i beat j) is strongly connected:
    the condition for a finite Bradley–Terry maximum-likelihood estimate (Ford 1957)."""
    from scipy.sparse.csgraph import connected_components

    counts = np.asarray(counts, dtype=float)
    if counts.shape[0] < 2:
        return counts.shape[0] == 1
    n_components, _ = connected_components(counts > 0, directed=True, connection="strong")
    return bool(n_components == 1)


def bt_diagnosis(counts: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(active, notes) of a matrix of decisive counts: which systems enter the fit (at least one decisive
    comparison), and per system why its strength has no finite estimate ("" when it has one)."""
    counts = np.asarray(counts, dtype=float)
    active = (counts.sum(axis=1) + counts.sum(axis=0)) > 0
    notes = ["" if a else NO_COMPARISON for a in active]
    if active.sum() < 2:
        return active, [note or TOO_FEW for note in notes]
    sub = counts[np.ix_(active, active)]
    if not strongly_connected(sub):
        for i in np.flatnonzero(active):
            lost, won = counts[:, i].sum() > 0, counts[i, :].sum() > 0
            notes[i] = UNBOUNDED_ABOVE if not lost else UNBOUNDED_BELOW if not won else NOT_ESTIMABLE
    return active, notes


def _ridge_fit(counts: np.ndarray, alpha: float) -> np.ndarray:
    """choix's regularised fit of a square count matrix, centred to mean 0."""
    import choix

    theta = np.asarray(choix.ilsr_pairwise_dense(np.asarray(counts, dtype=float), alpha=alpha), dtype=float)
    return theta - theta.mean()


def bradley_terry_counts(counts: np.ndarray, alpha: float = BT_ALPHA) -> np.ndarray:
    """Strengths (mean 0 over the fitted systems) from a matrix of decisive counts (``counts[i, j]``: i beat j),
    ``choix.ilsr_pairwise_dense``; NaN for a system without a decisive comparison, and NaN for all when the others'
    comparison graph is not strongly connected (no finite estimate; :func:`bt_diagnosis` says why)."""
    counts = np.asarray(counts, dtype=float)
    active, notes = bt_diagnosis(counts)
    theta = np.full(counts.shape[0], np.nan)
    if active.sum() < 2 or any(notes[i] for i in np.flatnonzero(active)):
        return theta
    theta[active] = _ridge_fit(counts[np.ix_(active, active)], alpha)
    return theta


def bradley_terry(scores: np.ndarray, margin: float = 0.0, alpha: float = BT_ALPHA) -> np.ndarray:
    """Bradley–Terry strengths (mean 0) of the systems (columns of ``scores``, items in rows, NaN missing) from all
    items' decisive outcomes; NaN where no finite estimate exists (:func:`bradley_terry_counts`)."""
    return bradley_terry_counts(win_matrices(scores, margin).sum(axis=0), alpha)


@dataclass(frozen=True)
class Strengths:
    estimate: np.ndarray  # (systems,)
    low: np.ndarray
    high: np.ndarray
    n_items: int
    n_resamples: int
    notes: tuple[str, ...] = ()  # per system: why its estimate or interval is NaN ("" when both are numbers)
    prior_set_resamples: int = 0  # resamples that were a complete ordering (their strengths set by the prior)


def bradley_terry_ci(
    scores: np.ndarray,
    margin: float = 0.0,
    *,
    strata: Sequence[str] | np.ndarray | None = None,
    clusters: Sequence[str] | np.ndarray | None = None,
    n_resamples: int = 1000,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
    alpha: float = BT_ALPHA,
) -> Strengths:
    """Strengths with percentile bootstrap intervals over items (rows, each with all its pairs), or over
    ``clusters`` of items (one label per item, e.g. the person whose traces the items share: a cluster keeps all its
    items), resampled within ``strata`` (:func:`scorers.stats.bootstrap.stratified_draws`; one label per item, equal
    within a cluster). A resample refits the systems of the estimate on its summed win counts, with the prior
    ``alpha`` (a resample that is a complete ordering is counted). No finite estimate (:func:`bt_diagnosis`): NaN
    estimate and interval with the reason in ``notes``."""
    scores = np.asarray(scores, dtype=float)
    n, k = scores.shape
    wins = win_matrices(scores, margin)
    counts = wins.sum(axis=0)
    active, notes = bt_diagnosis(counts)
    estimate = bradley_terry_counts(counts, alpha)
    nan = np.full(k, np.nan)
    if np.isnan(estimate).all():
        return Strengths(estimate, nan, nan.copy(), n, 0, tuple(notes))
    labels = np.zeros(n, dtype=int) if strata is None else np.asarray(strata)
    unit = "item"
    if clusters is not None:  # resampling units: the clusters, each with its items' summed win counts
        names, inverse = np.unique(np.asarray(clusters).astype(str), return_inverse=True)
        if inverse.size != n:
            raise ValueError("clusters needs one label per item")
        if any(np.unique(labels[inverse == j]).size > 1 for j in range(names.size)):
            raise ValueError("a cluster spans several strata")
        wins = np.stack([wins[inverse == j].sum(axis=0) for j in range(names.size)])
        labels = np.array([labels[inverse == j][0] for j in range(names.size)])
        unit = "cluster"
    units = wins.shape[0]
    if units < 2:
        reason = f"one {unit}: no bootstrap interval"
        return Strengths(estimate, nan, nan.copy(), n, 0, tuple(note or reason for note in notes))
    index = stratified_draws(labels, n_resamples, np.random.default_rng(seed))
    cols = np.flatnonzero(active)
    draws = np.full((n_resamples, k), np.nan)
    prior_set = 0
    fits: dict[bytes, tuple[bool, np.ndarray]] = {}  # few units repeat resamples: each distinct one is fitted once
    for b, rows in enumerate(index):
        sub = wins[rows].sum(axis=0)[np.ix_(cols, cols)]
        key = sub.tobytes()
        if key not in fits:
            fits[key] = (strongly_connected(sub), _ridge_fit(sub, alpha))
        connected, theta = fits[key]
        prior_set += not connected
        draws[b, cols] = theta
    # expanded percentile interval (small samples): units per stratum as their harmonic mean, df = units - strata
    _, sizes = np.unique(labels, return_counts=True)
    per_stratum = float(sizes.size / np.sum(1.0 / sizes))
    low, high = percentile_interval(draws, confidence, n=per_stratum, df=float(units - sizes.size))
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if per_stratum < 2:
        notes = [note or f"a stratum of one {unit}: no expanded bootstrap interval" for note in notes]
    for i in cols:
        if np.isfinite(low[i]) and np.isclose(low[i], high[i], rtol=0.0, atol=1e-9):
            low[i] = high[i] = np.nan
            notes[i] = notes[i] or ZERO_WIDTH
    return Strengths(estimate, low, high, n, n_resamples, tuple(notes), int(prior_set))
