"""Statistics for paired outcomes: exact McNemar, Cohen's h, a seeded paired (cluster) bootstrap, and the paired
test of a metric's change between two runs over the same units (``paired_difference_test``, used by ``regress``).

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
    draws: np.ndarray | None = None  # (n_resamples, n_statistics), for intervals at other levels


def expanded_percentile(
    draws: np.ndarray, n: float, confidence: float = 0.95, *, df: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Expanded percentile interval (Hesterberg 2015, "What teachers should know about the bootstrap", 4.3.2):
    a bootstrap of n units underestimates the spread by a factor sqrt((n - 1) / n) and ignores the t tail, so the
    percentiles are taken at Phi(sqrt(n / (n - 1)) * t_{n-1, alpha/2}) instead of alpha/2. ``n`` is the units per
    stratum (their harmonic mean for a stratified statistic); ``df`` the t degrees of freedom (n - 1 unless given:
    for a statistic pooled over strata, units minus strata); NaN below 2."""
    if n < 2:
        shape = draws.shape[1:]
        return np.full(shape, np.nan), np.full(shape, np.nan)
    tail = scipy_stats.norm.cdf(
        math.sqrt(n / (n - 1)) * scipy_stats.t.ppf((1 - confidence) / 2, n - 1 if df is None else df)
    )
    low, high = np.percentile(draws, [100 * tail, 100 * (1 - tail)], axis=0)
    return low, high


def paired_bootstrap(
    units: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray | float],
    *,
    n_resamples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
    strata: np.ndarray | None = None,
    vectorized: bool = False,
) -> BootstrapResult:
    """Percentile bootstrap over units that keep their paired measurements together.

    ``units`` has one row per unit (e.g. an item) and one column per paired measurement (e.g. the four framing
    cells); each resample draws rows with replacement, so a unit's measurements stay together. ``statistic`` maps
    an (n, k) array to a scalar or a 1-d array (several statistics share the same resamples). With ``strata`` (one
    label per row) rows are resampled within each stratum, keeping stratum sizes fixed. The generator is
    ``numpy.random.default_rng(seed)``: index matrices are drawn stratum by stratum in sorted label order.
    With ``vectorized`` the statistic maps a (b, n, k) stack of resamples to (b,) or (b, m) and is called on
    chunks of resamples (about a million values each) instead of once per resample; the resamples are the same.
    """
    units = np.asarray(units)
    n = units.shape[0]
    if n == 0:
        raise ValueError("paired_bootstrap needs at least one unit")
    rng = np.random.default_rng(seed)
    if vectorized:
        estimate = np.atleast_1d(np.asarray(statistic(units[None]), dtype=float)[0])
    else:
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
    if vectorized:
        size = max(1, 1_000_000 // units.size)  # resamples per call
        parts = [np.asarray(statistic(units[index[i : i + size]]), dtype=float) for i in range(0, n_resamples, size)]
        draws = np.concatenate(parts).reshape(n_resamples, -1)
    else:
        draws = np.array([np.atleast_1d(np.asarray(statistic(units[row]), dtype=float)) for row in index])
    alpha = (1 - confidence) / 2
    low, high = np.percentile(draws, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return BootstrapResult(estimate=estimate, low=low, high=high, n_units=n, n_resamples=n_resamples, draws=draws)


# -- paired comparison of two runs over the same units ---------------------------------------------------------

UNIT_COLUMNS = ("unit", "cluster", "stratum")


@dataclass(frozen=True)
class RunDifference:
    """One metric of a paired comparison of two runs (baseline and current) over the units both share."""

    metric: str
    direction: str  # "higher" | "lower" | "zero" (closer to 0 is better)
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


def tested_difference(direction: str, base: np.ndarray | float, current: np.ndarray | float) -> np.ndarray:
    """The difference a paired test looks at: |current| - |base| for "zero" (closer to 0 is better), else
    current - base."""
    base, current = np.asarray(base, dtype=float), np.asarray(current, dtype=float)
    if direction == "zero":
        return np.abs(current) - np.abs(base)
    if direction in ("higher", "lower"):
        return current - base
    raise ValueError(f"unknown direction {direction!r}")


def minimal_detectable_change(se: float, *, alpha: float = 0.05, family_size: int = 1, power: float = 0.8) -> float:
    """The true change a two-sided z-level test with this SE detects with ``power``, at Bonferroni level
    alpha / family_size (Holm's first and strictest step): (z_{1 - alpha/(2m)} + z_{power}) * SE."""
    return float((norm.ppf(1 - alpha / (2 * family_size)) + norm.ppf(power)) * se)


def min_discordant_clusters(alpha: float, family_size: int) -> int:
    """The fewest discordant clusters with which a randomisation p can reach alpha / family_size: with k of
    them the smallest two-sided p is 2 / 2^k (the identity and the full swap are as extreme as the data)."""
    k = 1
    while 2.0 / 2**k >= alpha / family_size:
        k += 1
    return k


def stratified_cluster_draws(strata: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, n_clusters) cluster indices: each stratum's clusters drawn with replacement, as many as it
    has, stratum by stratum in sorted label order (stratum sizes stay fixed)."""
    strata = np.asarray(strata)
    blocks = []
    for label in sorted(set(strata.tolist())):
        members = np.flatnonzero(strata == label)
        blocks.append(members[rng.integers(0, members.size, size=(n_resamples, members.size))])
    return np.concatenate(blocks, axis=1)


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
) -> list[RunDifference]:
    rng = np.random.default_rng(seed)
    boot_base, boot_cur = resampled(stratified_cluster_draws(cluster_strata, n_resamples, rng))
    swap, exact = swap_patterns(discordant, n_resamples, rng)
    null_base, null_cur = swapped(swap)
    base, cur = observed
    tail = 100 * (1 - confidence) / 2
    family = family_size or len(names)
    signed = {"boot": boot_cur - boot_base, "null": null_cur - null_base, "observed": cur - base}
    signed_p = randomisation_p(signed["observed"], signed["null"], exact=exact)
    signed_se = np.std(signed["boot"], axis=0, ddof=1) if n_resamples > 1 else np.full(len(names), math.nan)
    signed_ci = np.percentile(signed["boot"], [tail, 100 - tail], axis=0)
    results = []
    for j, (name, direction) in enumerate(zip(names, directions)):
        # The tested difference: for "zero" |current| - |base|, with its own draws; else the signed change.
        boot = tested_difference(direction, boot_base[:, j], boot_cur[:, j])
        estimate = float(tested_difference(direction, base[j], cur[j]))
        null = tested_difference(direction, null_base[:, j], null_cur[:, j])
        p = randomisation_p(np.array([estimate]), null[:, None], exact=exact)[0]
        low, high = np.percentile(boot, [tail, 100 - tail])
        results.append(RunDifference(
            metric=name, direction=direction, base=float(base[j]), current=float(cur[j]), estimate=estimate,
            ci_low=float(low), ci_high=float(high), se=float(np.std(boot, ddof=1)) if boot.size > 1 else math.nan,
            p_value=float(p), signed_estimate=float(signed["observed"][j]), signed_se=float(signed_se[j]),
            signed_ci_low=float(signed_ci[0, j]), signed_ci_high=float(signed_ci[1, j]),
            signed_p_value=float(signed_p[j]),
            mdc=minimal_detectable_change(float(signed_se[j]), alpha=alpha, family_size=family, power=power),
            n_shared=counts[0], n_only_base=counts[1], n_only_current=counts[2], n_clusters=len(cluster_strata),
            n_discordant=int(np.sum(discordant)), exact=exact, n_resamples=n_resamples,
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
    seed: int = 0,
    alpha: float = 0.05,
    family_size: int | None = None,
    power: float = 0.8,
    confidence: float = 0.95,
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
        confidence=confidence, counts=(n, 0, 0),
    )  # fmt: skip


def paired_difference_test(
    base_units: pd.DataFrame,
    current_units: pd.DataFrame,
    headline_from_units: Callable[[pd.DataFrame], Mapping[str, float]],
    metrics: Mapping[str, str],
    *,
    n_resamples: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    family_size: int | None = None,
    power: float = 0.8,
    confidence: float = 0.95,
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
      number of metrics).
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
    )
    return {r.metric: r for r in results}
