"""The suite's one bootstrap (scorers.stats.bootstrap): draws within strata, percentile and expanded percentile
intervals, the paired (row) and cluster forms against explicit resampling loops."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from scorers.stats.bootstrap import (
    cluster_draws,
    cluster_mean_ci,
    cluster_ratio_ci,
    cluster_statistic_ci,
    paired_bootstrap,
    percentile_interval,
    stratified_draws,
)
from scorers.stats.settings import SEED


def test_stratified_draws_stay_within_strata_in_sorted_label_order():
    strata = np.array(["b", "a", "b", "a", "a"])
    index = stratified_draws(strata, 200, np.random.default_rng(4))
    assert index.shape == (200, 5)
    assert np.isin(index[:, :3], [1, 3, 4]).all() and np.isin(index[:, 3:], [0, 2]).all()  # "a" first
    # the same generator calls as drawing each stratum by hand
    rng = np.random.default_rng(4)
    a = np.array([1, 3, 4])[rng.integers(0, 3, size=(200, 3))]
    b = np.array([0, 2])[rng.integers(0, 2, size=(200, 2))]
    assert (index == np.hstack([a, b])).all()


def test_percentile_interval_plain_expanded_and_non_finite():
    draws = np.random.default_rng(0).normal(size=(5000, 2))
    low, high = percentile_interval(draws)
    assert low == pytest.approx(np.percentile(draws, 2.5, axis=0))
    assert high == pytest.approx(np.percentile(draws, 97.5, axis=0))
    # expanded (Hesterberg): n = 10 -> tail Phi(sqrt(10/9) * t_9(0.025)), wider than 2.5%
    tail = scipy_stats.norm.cdf(math.sqrt(10 / 9) * scipy_stats.t.ppf(0.025, 9))
    assert tail == pytest.approx(0.00855, abs=1e-5)  # sqrt(10/9) * -2.2622 = -2.3846
    low, high = percentile_interval(draws, n=10)
    assert low == pytest.approx(np.percentile(draws, 100 * tail, axis=0))
    assert high == pytest.approx(np.percentile(draws, 100 * (1 - tail), axis=0))
    low, _ = percentile_interval(draws, n=10, df=40)  # a pooled statistic: t with its own degrees of freedom
    assert low == pytest.approx(
        np.percentile(draws, 100 * scipy_stats.norm.cdf(math.sqrt(10 / 9) * scipy_stats.t.ppf(0.025, 40)), axis=0)
    )
    assert np.isnan(percentile_interval(draws, n=1)[0]).all()  # one unit: nothing to resample
    # non-finite draws are left out, column by column; a column without a finite draw is NaN
    with_gaps = np.column_stack([np.r_[np.arange(100.0), [np.nan, np.inf]], np.full(102, np.nan)])
    low, high = percentile_interval(with_gaps)
    assert (low[0], high[0]) == pytest.approx(tuple(np.percentile(np.arange(100.0), [2.5, 97.5])))
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_bootstrap_two_units_hand_computation():
    # Units with values 0 and 1: a resample mean is 0, 0.5 or 1 with probabilities 1/4, 1/2, 1/4,
    # so the 2.5th and 97.5th percentiles are 0 and 1.
    result = paired_bootstrap(np.array([[0.0], [1.0]]), lambda u: u[:, 0].mean(), n_resamples=10_000, seed=3)
    assert result.estimate[0] == 0.5
    assert (result.low[0], result.high[0]) == (0.0, 1.0)


def test_bootstrap_equals_explicit_resampling_loop():
    units = np.random.default_rng(0).integers(0, 2, size=(30, 2)).astype(float)

    def stat(u):
        return u[:, 1].mean() - u[:, 0].mean()

    result = paired_bootstrap(units, stat, n_resamples=2000, seed=11)
    rng = np.random.default_rng(11)
    index = rng.integers(0, 30, size=(2000, 30))
    draws = [stat(units[row]) for row in index]
    assert result.low[0] == pytest.approx(np.percentile(draws, 2.5))
    assert result.high[0] == pytest.approx(np.percentile(draws, 97.5))


def test_bootstrap_agrees_with_scipy_percentile_interval():
    rng = np.random.default_rng(5)
    a = (rng.random(200) < 0.7).astype(float)
    b = (rng.random(200) < 0.5).astype(float)
    ours = paired_bootstrap(
        np.column_stack([a, b]), lambda u: u[:, 0].mean() - u[:, 1].mean(), n_resamples=10_000, seed=1
    )
    ref = scipy_stats.bootstrap(
        (a, b), lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis), paired=True, vectorized=True,
        n_resamples=10_000, method="percentile", random_state=2,
    ).confidence_interval  # fmt: skip
    assert ours.low[0] == pytest.approx(ref.low, abs=0.015)
    assert ours.high[0] == pytest.approx(ref.high, abs=0.015)


def test_stratified_bootstrap_keeps_strata_sizes():
    units = np.column_stack([np.r_[np.zeros(10), np.ones(5)], np.r_[np.zeros(10), np.ones(5)]])
    strata = np.r_[["a"] * 10, ["b"] * 5]
    # The stratum label is in column 1; each resample has exactly 10 zeros and 5 ones, so the mean is fixed.
    result = paired_bootstrap(units, lambda u: u[:, 1].mean(), n_resamples=500, seed=0, strata=strata)
    assert result.low[0] == result.high[0] == pytest.approx(1 / 3)


def test_cluster_draws_are_stratified_draws_of_the_clusters():
    clusters = np.array(["q2", "q1", "q1", "q3", "q2"])
    strata = np.array(["s", "s", "s", "t", "s"])
    draws = cluster_draws(clusters, strata, n_resamples=50, seed=9)
    assert draws.names.tolist() == ["q1", "q2", "q3"]
    expected = stratified_draws(np.array(["s", "s", "t"]), 50, np.random.default_rng(9))
    assert (draws.index == expected).all()
    assert (draws.counts.sum(axis=1) == 3).all() and (draws.counts[:, 2] == 1).all()  # q3 alone in stratum t
    b = int(np.flatnonzero(draws.counts[:, 0] == 2)[0])  # a resample that drew q1 twice
    assert sorted(draws.rows(b).tolist()).count(1) == 2
    with pytest.raises(ValueError, match="spans several strata"):
        cluster_draws(clusters, np.array(["s", "s", "t", "t", "s"]))


def test_cluster_mean_and_statistic_equal_an_explicit_loop():
    rng = np.random.default_rng(1)
    clusters = np.repeat(np.arange(12), 3).astype(str)
    strata = np.where(np.repeat(np.arange(12), 3) < 6, "a", "b")
    values = rng.normal(size=36) + np.repeat(rng.normal(size=12), 3)
    draws = cluster_draws(clusters, strata, n_resamples=500, seed=SEED)
    means = [values[draws.rows(b)].mean() for b in range(500)]
    by_hand = np.percentile(means, [2.5, 97.5])
    interval = cluster_mean_ci(values, clusters, strata, n_resamples=500)
    assert interval.estimate == pytest.approx(values.mean())
    assert (interval.low, interval.high) == pytest.approx(tuple(by_hand))
    assert (interval.n, interval.n_clusters) == (36, 12)
    any_stat = cluster_statistic_ci(lambda rows: float(values[rows].mean()), clusters, strata, n_resamples=500)
    assert (any_stat.low, any_stat.high) == pytest.approx(tuple(by_hand))


def test_cluster_ratio_without_variation_and_with_one_cluster():
    ratio = cluster_ratio_ci([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], ["a", "b", "c"])
    assert (ratio.estimate, ratio.low, ratio.high) == (2.0, 2.0, 2.0)
    one = cluster_mean_ci([1.0, 2.0], ["a", "a"])
    assert one.estimate == 1.5 and math.isnan(one.low) and one.n_clusters == 1


def test_expanded_cluster_interval_is_wider_and_needs_two_clusters_per_stratum():
    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(9), 4).astype(str)
    values = rng.normal(size=36) + np.repeat(rng.normal(size=9), 4)
    plain = cluster_mean_ci(values, clusters, n_resamples=1000)
    expanded = cluster_mean_ci(values, clusters, n_resamples=1000, expanded=True)
    assert expanded.estimate == plain.estimate
    assert expanded.low < plain.low and expanded.high > plain.high
    draws = cluster_draws(clusters, n_resamples=1000, seed=SEED)
    by_hand = percentile_interval(np.array([values[draws.rows(b)].mean() for b in range(1000)])[:, None], n=9, df=8)
    assert (expanded.low, expanded.high) == pytest.approx((by_hand[0][0], by_hand[1][0]))
    # a stratum of one cluster never varies: no expanded interval
    strata = np.where(np.repeat(np.arange(9), 4) < 8, "a", "b")
    lonely = cluster_mean_ci(values, clusters, strata, n_resamples=200, expanded=True)
    assert math.isnan(lonely.low) and math.isnan(lonely.high)
    assert cluster_draws(clusters, strata, n_resamples=10).expansion() == pytest.approx((2 / (1 / 8 + 1), 7.0))
