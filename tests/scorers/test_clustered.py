"""Statistics of clustered items (scorers.stats.clustered) against references: statsmodels' cluster-robust OLS,
scipy's t interval and binomial test, enumeration of every sign flip, the Wilson formula."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from scorers.stats.clustered import (
    cluster_t_interval,
    clustered_sign_test,
    clustered_wilson_interval,
    design_effect_n,
)
from scorers.stats.winrate import WinRate, bradley_terry_ci, win_rate


def wilson(k: float, n: float) -> tuple[float, float]:
    """statsmodels' Wilson interval (takes the fractional counts of a design effect)."""
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(low), float(high)


@pytest.mark.parametrize("seed", range(5))
def test_cluster_t_interval_is_statsmodels_cluster_robust_ols_with_t_on_g_minus_1_df(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, 6)
    clusters = np.repeat(np.arange(6), sizes)
    values = rng.normal(0, 1, clusters.size) + rng.normal(0, 1, 6)[clusters]
    fit = sm.OLS(values, np.ones_like(values)).fit(
        cov_type="cluster", cov_kwds={"groups": clusters, "use_correction": True, "df_correction": False}
    )
    q = stats.t.ppf(0.975, 5)
    got = cluster_t_interval(np.append(values, np.nan), np.append(clusters, 9))  # a NaN row is dropped
    assert (got.estimate, got.low, got.high) == pytest.approx(
        (values.mean(), values.mean() - q * fit.bse[0], values.mean() + q * fit.bse[0]), abs=1e-12
    )
    assert (got.n, got.n_clusters) == (clusters.size, 6)


def test_cluster_t_interval_of_single_items_is_the_t_interval_and_needs_two_clusters():
    values = np.array([0.3, -0.1, 0.5, 0.2])
    got = cluster_t_interval(values)
    assert (got.low, got.high) == pytest.approx(
        stats.t.interval(0.95, 3, loc=values.mean(), scale=stats.sem(values)), abs=1e-12
    )
    lone = cluster_t_interval(values, ["a"] * 4)
    assert lone.estimate == pytest.approx(0.225) and math.isnan(lone.low) and lone.n_clusters == 1
    assert math.isnan(cluster_t_interval([math.nan]).estimate)


def brute_flip(net: list[int]) -> float:
    observed = abs(sum(net))
    return sum(abs(np.dot(s, net)) >= observed for s in product((-1, 1), repeat=len(net))) / 2 ** len(net)


@pytest.mark.parametrize(
    "wins,losses",
    [([3, 3, 2, 1, 0], [0, 0, 1, 0, 2]), ([2, 0, 1, 4], [0, 2, 1, 0]), ([5, 1], [0, 1]), ([1, 1, 1], [1, 1, 1])],
)
def test_clustered_sign_test_enumerates_every_flip_of_the_clusters(wins, losses):
    net = [w - loss for w, loss in zip(wins, losses)]
    assert clustered_sign_test(wins, losses) == pytest.approx(brute_flip(net), abs=1e-12)


def test_clustered_sign_test_with_one_decisive_item_per_cluster_is_the_binomial_test():
    wins, losses = [1] * 9 + [0] * 3 + [0, 0], [0] * 9 + [1] * 3 + [0, 0]
    assert clustered_sign_test(wins, losses) == stats.binomtest(9, 12, 0.5).pvalue
    assert math.isnan(clustered_sign_test([0, 0], [0, 0]))


def test_clustered_wilson_interval_uses_the_design_effect_and_kish_when_every_item_agrees():
    wins, trials = np.array([3, 3, 2, 1, 0]), np.array([3, 3, 3, 1, 2])
    n, r = trials.sum(), wins.sum() / trials.sum()
    v_clusters = 5 / 4 * np.sum((wins - r * trials) ** 2) / n**2
    n_eff = n / max(1.0, v_clusters / (r * (1 - r) / (n - 1)))
    assert design_effect_n(wins, trials) == pytest.approx(n_eff)
    assert clustered_wilson_interval(wins, trials) == pytest.approx(wilson(r * n_eff, n_eff))
    # every trial a success: Kish's effective number of clusters, (sum n)^2 / sum n^2 = 144 / 32
    low, high = clustered_wilson_interval(trials, trials)
    assert high == 1.0 and low == pytest.approx(wilson(4.5, 4.5)[0])
    assert clustered_wilson_interval(0 * trials, trials)[0] == 0.0
    # single trials: the plain Wilson interval; a design effect below 1 is not used (never narrower than the items')
    assert clustered_wilson_interval([1, 1, 0, 1], [1, 1, 1, 1]) == pytest.approx(wilson(3, 4))
    assert design_effect_n([1, 1, 1, 1], [2, 2, 2, 2]) == pytest.approx(8.0)  # each 1 of 2: deff 0, floored at 1


def test_win_rate_with_clusters_counts_per_cluster_and_equals_the_plain_forms_with_one_item_each():
    a, b = [1.0, 1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    clustered = win_rate(a, b, 0.1, clusters=["x", "x", "x", "y", "y", "z"])
    assert (clustered.cluster_wins, clustered.cluster_losses) == ((2, 1, 1), (1, 0, 0))
    assert clustered.p_value == pytest.approx(brute_flip([1, 1, 1]))
    plain = win_rate(a, b, 0.1, clusters=list("uvwxyz"))
    assert plain.p_value == WinRate(4, 1, 1).p_value and plain.interval() == WinRate(4, 1, 1).interval()
    with pytest.raises(ValueError, match="add up"):
        WinRate(3, 1, 0, cluster_wins=(1, 1), cluster_losses=(1, 0))


def test_bradley_terry_bootstrap_over_single_item_clusters_is_the_item_bootstrap():
    rng = np.random.default_rng(4)
    scores = np.array([0.6, 0.2, 0.0, -0.8]) + rng.gumbel(size=(12, 4))
    strata = np.array(["a"] * 6 + ["b"] * 6)
    items = bradley_terry_ci(scores, 0.0, strata=strata, n_resamples=200)
    singles = bradley_terry_ci(scores, 0.0, strata=strata, clusters=[f"c{k:02d}" for k in range(12)], n_resamples=200)
    np.testing.assert_allclose(singles.low, items.low)
    np.testing.assert_allclose(singles.high, items.high)
    with pytest.raises(ValueError, match="spans several strata"):
        bradley_terry_ci(scores, 0.0, strata=strata, clusters=["one"] * 12)
