"""Statistics for paired outcomes: exact McNemar, Cohen's h, Wilcoxon signed-rank, and the paired test of a
metric's change between two runs over the same units (``paired_difference_test``, used by ``regress``; its
bootstrap is ``scorers.stats.bootstrap``'s).

Generic: the units are whatever the caller pairs (items judged under two conditions, people before and after, the
same items in a baseline run and a rerun).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from scipy.stats import norm
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_effectsize

from scorers.stats.bootstrap import percentile_interval, stratified_draws
from scorers.stats.settings import ALPHA, CONFIDENCE, SEED
from twinbench.registry import Direction


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


# scipy.stats.wilcoxon(method="auto") runs a permutation test when the differences have ties or zeros and there are
# at most 13 of them (2**13 sign patterns fit its 9,999 resamples, so that test is exact).
_SIGN_FLIP_MAX_N = 13


def wilcoxon_signed_rank(differences: np.ndarray) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test that paired differences centre on 0 (zeros dropped,
    Wilcoxon's method; tied |differences| get average ranks).

    The method is scipy's ``method="auto"`` choice, with the same p-values: exact null distribution without ties
    or zeros up to n = 50; for n <= 13 with ties or zeros the exact conditional null of the observed ranks under
    random signs (scipy's permutation test); else the normal approximation with tie and continuity corrections.
    The one change is how the small-sample case with ties or zeros is computed: scipy enumerates up to 2**13 sign
    patterns and ranks each in Python (about 2 s a call; 0/1 per-item outcomes of ~10 items a domain always have
    ties, so a deference summary spent minutes there). Here the same distribution is counted exactly by
    convolving the items' doubled average ranks (integers), in microseconds. ``method="exact"`` would be wrong
    for this data (scipy's exact distribution assumes untied ranks and is conservative with ties) and
    ``"asymptotic"`` is poor for ~10 items, so neither replaces it.

    All-zero differences carry no evidence against H0: p = 1 (scipy refuses that case).
    """
    d = np.asarray(differences, dtype=float)
    if d.size == 0:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    nonzero = d[d != 0]
    tied = np.unique(np.abs(nonzero)).size < nonzero.size
    if d.size <= _SIGN_FLIP_MAX_N and (tied or nonzero.size < d.size):
        return sign_flip_signed_rank_p(nonzero)
    return float(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)


def sign_flip_signed_rank_p(nonzero: np.ndarray) -> float:
    """Exact two-sided p-value of the signed-rank statistic W+ (sum of the ranks of |d| of the positive d, average
    ranks for ties) under H0's random signs, conditional on the observed ranks: 2 · min(P(W+ <= w), P(W+ >= w)),
    capped at 1, as scipy's exact permutation test computes it. Zeros must be removed first (their signs do not
    change W+, so they scale every count alike). The distribution of the doubled W+ (integer) is the product of
    (1 + x^(2 r_i)) over the items' ranks r_i: 2**k equally likely sign patterns counted without listing them."""
    nonzero = np.asarray(nonzero, dtype=float)
    if nonzero.size == 0 or np.any(nonzero == 0) or nonzero.size > 62:  # 2**k patterns counted in int64
        raise ValueError(f"sign_flip_signed_rank_p needs 1 to 62 nonzero differences, got {nonzero.size}")
    ranks2 = np.rint(2 * scipy_stats.rankdata(np.abs(nonzero))).astype(np.int64)  # average ranks are k/2
    counts = np.zeros(int(ranks2.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for r in ranks2:
        counts[r:] += counts[:-r].copy()  # patterns with this item positive shift the sum by its rank
    observed = int(ranks2[nonzero > 0].sum())
    total = float(2**nonzero.size)
    lower, upper = counts[: observed + 1].sum() / total, counts[observed:].sum() / total
    return float(min(1.0, 2 * min(lower, upper)))


# -- paired comparison of two runs over the same units ---------------------------------------------------------

UNIT_COLUMNS = ("unit", "cluster", "stratum")


@dataclass(frozen=True)
class RunDifference:
    """One metric of a paired comparison of two runs (baseline and current) over the units both share."""

    metric: str
    direction: Direction
    base: float  # the metric on the shared units, baseline run
    current: float  # the metric on the shared units, current run
    estimate: float  # the tested difference: current - base, or |current| - |base| for "zero"
    ci_low: float  # percentile bootstrap interval of the tested difference
    ci_high: float
    se: float  # bootstrap SE of the tested difference
    p_value: float  # two-sided randomisation p of the tested difference
    signed_estimate: float  # current - base
    signed_se: float
    signed_ci_low: float
    signed_ci_high: float
    signed_p_value: float  # randomisation p of the signed change (= p_value unless "zero")
    mdc: float  # minimal detectable change of the value (signed; see minimal_detectable_change)
    n_shared: int  # units in both runs
    n_only_base: int
    n_only_current: int
    n_clusters: int
    n_discordant: int  # clusters whose outcomes differ between the runs: the only ones a swap can change
    exact: bool  # p from every swap pattern (few discordant clusters), else from n_resamples random ones
    n_resamples: int
    effective_clusters: float  # (sum of cluster sizes)^2 / sum of squared sizes: n_clusters for equal sizes
    stratum_size: float  # clusters per stratum, harmonic mean over strata of >= 2 clusters (NaN if none)


def minimal_detectable_change(
    se: float,
    *,
    alpha: float = ALPHA,
    family_size: int = 1,
    power: float = 0.8,
    n_clusters: float | None = None,
    stratum_size: float | None = None,
) -> float:
    """The true change detected with ``power`` at Bonferroni level alpha / family_size (Holm's first and strictest
    step), from the SE of the change; z_a = z_{1 - alpha/(2m)}, z_p = z_{power}.

    Without ``n_clusters``: a two-sided z-test, (z_a + z_p) * SE (regress's unpaired fallback).

    With ``n_clusters`` (the paired randomisation test of :func:`paired_difference_test` over that many clusters,
    their effective number (sum of sizes)^2 / sum of squared sizes when sizes differ): that z formula promised 80%
    power where the test had 0.68 to 0.74 (scorers/README.md), for two reasons, both corrected here.

    * A bootstrap within strata of n_h clusters gives an SE too small by sqrt((n_h - 1) / n_h) (as the expanded
      percentile interval corrects): SE' = SE * sqrt(n_h / (n_h - 1)), n_h = ``stratum_size`` (no correction
      when it is None, NaN or below 2).
    * The randomisation null spreads with the change itself: swapping clusters whose outcomes moved by d_j gives a
      null variance of sum(d_j^2) / n^2 = SE^2 + D^2 / n for a change D spread evenly over n clusters, so the test
      needs D >= z_a * sqrt(SE'^2 + D^2 / n). The MDC solves D = z_a * sqrt(SE'^2 + D^2 / n) + z_p * SE':
      D = SE' * (z_p + z_a * sqrt(1 + (z_p^2 - z_a^2) / n)) / (1 - z_a^2 / n); infinite when n <= z_a^2 (a change
      spread over so few clusters is not reliably detected however large).

    Still approximate (a metric that is not a mean over clusters; a change concentrated on a few clusters spreads
    the null further; the discreteness of a test over few discordant clusters): its measured power is in
    scorers/README.md. An SE of 0 (identical reruns) gives 0.
    """
    z_a, z_p = float(norm.ppf(1 - alpha / (2 * family_size))), float(norm.ppf(power))
    if n_clusters is None:
        return float((z_a + z_p) * se)
    if stratum_size is not None and stratum_size >= 2:  # NaN compares False: no correction
        se = se * math.sqrt(stratum_size / (stratum_size - 1))
    shrink = 1 - z_a**2 / n_clusters
    if shrink <= 0:
        return math.inf if se > 0 else 0.0
    return float(se * (z_p + z_a * math.sqrt(1 + (z_p**2 - z_a**2) / n_clusters)) / shrink)


def cluster_design(cluster_strata: np.ndarray, cluster_sizes: np.ndarray) -> tuple[float, float]:
    """(effective number of clusters, clusters per stratum) of a design, for :func:`minimal_detectable_change`:
    (sum of sizes)^2 / sum of squared sizes, and the harmonic mean of the strata's cluster counts over strata with
    at least 2 clusters (a stratum of one cluster is not resampled at all; NaN when no stratum has 2)."""
    sizes = np.asarray(cluster_sizes, dtype=float)
    effective = float(sizes.sum() ** 2 / np.sum(sizes**2)) if sizes.size else math.nan
    _, counts = np.unique(np.asarray(cluster_strata).astype(str), return_counts=True)
    counts = counts[counts >= 2]
    return effective, float(counts.size / np.sum(1.0 / counts)) if counts.size else math.nan


def min_discordant_clusters(alpha: float, family_size: int) -> int:
    """The fewest discordant clusters with which a randomisation p can reach alpha / family_size: with k of
    them the smallest two-sided p is 2 / 2^k (the identity and the full swap are as extreme as the data)."""
    k = 1
    while 2.0 / 2**k >= alpha / family_size:
        k += 1
    return k


def swap_patterns(discordant: np.ndarray, n_resamples: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Which clusters trade their baseline and current outcomes, one row per randomisation draw.

    Swapping a concordant cluster changes nothing, so only the k discordant ones are randomised: every one of
    the 2^k patterns when 2^k <= n_resamples (an exact test), else n_resamples fair coin flips each.
    """
    discordant = np.asarray(discordant, dtype=bool)
    where = np.flatnonzero(discordant)
    k = where.size
    exact = 2**k <= n_resamples
    if exact:
        bits = (np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1
    else:
        bits = rng.integers(0, 2, size=(n_resamples, k))
    swap = np.zeros((bits.shape[0], discordant.size), dtype=bool)
    swap[:, where] = bits.astype(bool)
    return swap, exact


def randomisation_p(observed: np.ndarray, null: np.ndarray, *, exact: bool) -> np.ndarray:
    """Two-sided p per column: the share of null draws at least as far from 0 as the observed difference;
    (count + 1) / (draws + 1) for random draws, count / draws for the full enumeration (which holds the data)."""
    observed = np.abs(np.asarray(observed, dtype=float))
    tolerance = 1e-9 * (1.0 + observed)  # the same value summed in another order must count as a tie
    count = (np.abs(null) >= observed - tolerance).sum(axis=0)
    draws = null.shape[0]
    return count / draws if exact else (count + 1) / (draws + 1)


# Evaluators: given cluster draws or swap patterns, the metric values of both runs, (draws, metrics) each.
Resampled = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _paired_core(
    names: Sequence[str],
    directions: Sequence[str],
    observed: tuple[np.ndarray, np.ndarray],
    cluster_strata: np.ndarray,
    discordant: np.ndarray,
    resampled: Resampled,
    swapped: Resampled,
    *,
    n_resamples: int,
    seed: int,
    alpha: float,
    family_size: int | None,
    power: float,
    confidence: float,
    counts: tuple[int, int, int],
    cluster_sizes: np.ndarray,
) -> list[RunDifference]:
    rng = np.random.default_rng(seed)
    effective, stratum_size = cluster_design(cluster_strata, cluster_sizes)
    boot_base, boot_cur = resampled(stratified_draws(cluster_strata, n_resamples, rng))
    swap, exact = swap_patterns(discordant, n_resamples, rng)
    null_base, null_cur = swapped(swap)
    base, cur = observed
    family = family_size or len(names)
    signed = {"boot": boot_cur - boot_base, "null": null_cur - null_base, "observed": cur - base}
    signed_p = randomisation_p(signed["observed"], signed["null"], exact=exact)
    signed_se = np.std(signed["boot"], axis=0, ddof=1) if n_resamples > 1 else np.full(len(names), math.nan)
    signed_ci = percentile_interval(signed["boot"], confidence)
    results = []
    for j, (name, text) in enumerate(zip(names, directions)):
        # The tested difference: for "zero" |current| - |base|, with its own draws; else the signed change.
        direction = Direction(text)
        boot = direction.change(boot_base[:, j], boot_cur[:, j])
        estimate = float(direction.change(base[j], cur[j]))
        null = direction.change(null_base[:, j], null_cur[:, j])
        p = randomisation_p(np.array([estimate]), null[:, None], exact=exact)[0]
        low, high = percentile_interval(boot, confidence)
        results.append(RunDifference(
            metric=name, direction=direction, base=float(base[j]), current=float(cur[j]), estimate=estimate,
            ci_low=float(low), ci_high=float(high), se=float(np.std(boot, ddof=1)) if boot.size > 1 else math.nan,
            p_value=float(p), signed_estimate=float(signed["observed"][j]), signed_se=float(signed_se[j]),
            signed_ci_low=float(signed_ci[0][j]), signed_ci_high=float(signed_ci[1][j]),
            signed_p_value=float(signed_p[j]),
            mdc=minimal_detectable_change(float(signed_se[j]), alpha=alpha, family_size=family, power=power,
                                          n_clusters=effective, stratum_size=stratum_size),
            n_shared=counts[0], n_only_base=counts[1], n_only_current=counts[2], n_clusters=len(cluster_strata),
            n_discordant=int(np.sum(discordant)), exact=exact, n_resamples=n_resamples,
            effective_clusters=effective, stratum_size=stratum_size,
        ))  # fmt: skip
    return results


def paired_difference_arrays(
    base: np.ndarray,
    current: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    directions: Sequence[str],
    *,
    names: Sequence[str] | None = None,
    strata: np.ndarray | None = None,
    n_resamples: int = 2000,
    seed: int = SEED,
    alpha: float = ALPHA,
    family_size: int | None = None,
    power: float = 0.8,
    confidence: float = CONFIDENCE,
) -> list[RunDifference]:
    """The paired two-run test of :func:`paired_difference_test` on arrays, vectorised (for simulations).

    ``base`` and ``current`` are (n, k) arrays whose row i is the same unit in both runs; each row is its own
    cluster. ``statistic`` maps (..., n, k) arrays to (..., n_metrics) metric values, vectorised over the leading
    axes. ``strata`` (one label per row) restricts the bootstrap to resampling within each stratum.
    """
    base, current = np.asarray(base), np.asarray(current)  # any numeric dtype: 0/1 outcomes gather fast as uint8
    if base.shape != current.shape or base.ndim != 2:
        raise ValueError(f"paired_difference_arrays needs two (n, k) arrays of one shape, got {base.shape}, "
                         f"{current.shape}")  # fmt: skip
    n = base.shape[0]
    stacked = np.concatenate([base, current])

    def resampled(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return statistic(stacked[draws]), statistic(stacked[draws + n])

    def swapped(swap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(n) + n * swap
        return statistic(stacked[rows]), statistic(stacked[(rows + n) % (2 * n)])

    observed = (np.atleast_1d(statistic(base)), np.atleast_1d(statistic(current)))
    return _paired_core(
        list(names or [f"m{j}" for j in range(len(directions))]), directions, observed,
        np.zeros(n, int) if strata is None else np.asarray(strata), np.any(base != current, axis=1),
        resampled, swapped, n_resamples=n_resamples, seed=seed, alpha=alpha, family_size=family_size, power=power,
        confidence=confidence, counts=(n, 0, 0), cluster_sizes=np.ones(n),
    )  # fmt: skip


def paired_difference_test(
    base_units: pd.DataFrame,
    current_units: pd.DataFrame,
    headline_from_units: Callable[[pd.DataFrame], Mapping[str, float]],
    metrics: Mapping[str, str],
    *,
    n_resamples: int = 2000,
    seed: int = SEED,
    alpha: float = ALPHA,
    family_size: int | None = None,
    power: float = 0.8,
    confidence: float = CONFIDENCE,
) -> dict[str, RunDifference]:
    """Paired test of each metric's change between two runs over the units both share.

    ``base_units`` / ``current_units``: one row per unit with ``unit`` (id, stable across runs), ``cluster``
    (units resampled and swapped together), ``stratum`` and the columns ``headline_from_units`` reads; ``metrics``
    maps each metric name to its better direction. The frames are inner-joined on ``unit`` (units in one run only
    are counted in ``n_only_*``); the baseline's cluster and stratum labels define the design.

    * Estimate: the metric's change on the shared units, current - base (|current| - |base| for "zero").
    * CI and SE: clusters are resampled with replacement within strata, the same draw for both runs, so every
      unit keeps its pair (percentile interval; SE = the draws' standard deviation).
    * p-value: a paired randomisation test. Under H0 (a rerun of the same system) a cluster's two outcomes are
      exchangeable, so each cluster's baseline and current outcomes are swapped at random and the change
      recomputed; p = the share of swaps with |change| >= |observed|. Exact over all 2^k patterns of the k
      discordant clusters when 2^k <= n_resamples (identical reruns: k = 0, p = 1), else (count + 1) / (draws +
      1) over n_resamples random swaps. For "zero" the signed change gets its own p (``signed_p_value``).
    * MDC: :func:`minimal_detectable_change` of the signed change's SE at the given family size (default: the
      number of metrics), for a randomisation test over the shared clusters (their effective number and clusters
      per stratum).
    """
    for name, frame in (("baseline", base_units), ("current", current_units)):
        missing = [c for c in UNIT_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"paired_difference_test: the {name} units lack column(s) {missing}")
        if frame["unit"].duplicated().any():
            raise ValueError(f"paired_difference_test: the {name} units repeat a unit id "
                             f"({frame.loc[frame['unit'].duplicated(), 'unit'].iloc[0]!r})")  # fmt: skip
    base = base_units.assign(unit=base_units["unit"].astype(str))
    cur = current_units.assign(unit=current_units["unit"].astype(str))
    shared = set(base["unit"]) & set(cur["unit"])
    if not shared:
        raise ValueError("paired_difference_test: the two runs share no unit")
    counts = (len(shared), len(base) - len(shared), len(cur) - len(shared))
    # Rows ordered by cluster so that a cluster's rows are contiguous; the baseline's labels define the design.
    base = base[base["unit"].isin(shared)].astype({"cluster": str, "stratum": str})
    base = base.sort_values(["stratum", "cluster", "unit"], kind="stable").reset_index(drop=True)
    cur = cur.set_index("unit").loc[base["unit"]].reset_index()[base.columns]
    cur[["cluster", "stratum"]] = base[["cluster", "stratum"]].to_numpy()
    n = len(base)
    cluster_codes, cluster_keys = pd.factorize(pd.MultiIndex.from_frame(base[["stratum", "cluster"]]), sort=True)
    lengths = np.bincount(cluster_codes)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    cluster_strata = np.asarray(cluster_keys.get_level_values(0))
    values = [c for c in base.columns if c not in UNIT_COLUMNS]
    differs = ~(
        (base[values].to_numpy() == cur[values].to_numpy())
        | (base[values].isna().to_numpy() & cur[values].isna().to_numpy())
    )
    discordant = np.bincount(cluster_codes, weights=differs.any(axis=1), minlength=len(lengths)) > 0
    stacked = pd.concat([base, cur], ignore_index=True)
    # Thousands of row takes follow: Arrow-backed strings take ~20x longer than numpy object columns.
    text = [c for c in stacked.columns if not pd.api.types.is_numeric_dtype(stacked[c])
            and not pd.api.types.is_bool_dtype(stacked[c])]  # fmt: skip
    stacked[text] = stacked[text].astype(object)
    names, directions = list(metrics), list(metrics.values())

    def evaluate(rows: np.ndarray) -> np.ndarray:
        found = headline_from_units(stacked.iloc[rows])
        absent = [m for m in names if m not in found]
        if absent:
            raise ValueError(f"headline_from_units returned no value for {absent}")
        return np.array([float(found[m]) for m in names])

    def rows_of(clusters: np.ndarray) -> np.ndarray:
        """Row positions of a sequence of (possibly repeated) clusters, each cluster's rows in order."""
        size = lengths[clusters]
        offsets = np.repeat(starts[clusters] - np.cumsum(size) + size, size)
        return offsets + np.arange(size.sum())

    def resampled(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = [rows_of(d) for d in draws]
        return np.array([evaluate(r) for r in rows]), np.array([evaluate(r + n) for r in rows])

    def swapped(swap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(n) + n * swap[:, cluster_codes]
        return np.array([evaluate(r) for r in rows]), np.array([evaluate((r + n) % (2 * n)) for r in rows])

    observed = (evaluate(np.arange(n)), evaluate(np.arange(n, 2 * n)))
    results = _paired_core(
        names,
        directions,
        observed,
        cluster_strata,
        discordant,
        resampled,
        swapped,
        n_resamples=n_resamples,
        seed=seed,
        alpha=alpha,
        family_size=family_size,
        power=power,
        confidence=confidence,
        counts=counts,
        cluster_sizes=lengths,
    )
    return {r.metric: r for r in results}
