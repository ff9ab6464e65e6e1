import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar

from scorers.stats.paired import cohens_h, mcnemar_exact, paired_bootstrap, wilcoxon_signed_rank


def test_mcnemar_exact_matches_binomial_hand_computation():
    # 3 pairs right under a only, 9 right under b only: exact p = 2 * P(X <= 3), X ~ Bin(12, 1/2).
    a = np.array([1] * 5 + [1] * 3 + [0] * 9 + [0] * 4, bool)
    b = np.array([1] * 5 + [0] * 3 + [1] * 9 + [0] * 4, bool)
    result = mcnemar_exact(a, b)
    assert (result.both, result.only_a, result.only_b, result.neither) == (5, 3, 9, 4)
    by_hand = 2 * sum(math.comb(12, k) for k in range(4)) / 2**12
    assert result.p_value == pytest.approx(by_hand, abs=1e-12)
    assert result.p_value == pytest.approx(0.146, abs=5e-4)
    assert result.statistic == 3
    assert result.n == 21


def test_mcnemar_exact_matches_statsmodels_on_random_tables():
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = rng.random(40) < 0.6, rng.random(40) < 0.4
        table = [[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]]
        if table[0][1] + table[1][0] == 0:
            continue
        assert mcnemar_exact(a, b).p_value == pytest.approx(mcnemar(table, exact=True).pvalue)


def test_mcnemar_without_discordant_pairs_is_p_one():
    x = np.array([True, False, True])
    assert mcnemar_exact(x, x).p_value == 1.0


def test_mcnemar_rejects_unequal_lengths():
    with pytest.raises(ValueError, match="equal length"):
        mcnemar_exact(np.ones(3, bool), np.ones(4, bool))


def test_cohens_h_textbook_values():
    # Cohen (1988): h = 2 asin sqrt(p1) - 2 asin sqrt(p2); 0.5 vs 0.25 gives 0.5236 (pi/6).
    assert cohens_h(0.5, 0.25) == pytest.approx(math.pi / 6, abs=1e-12)
    assert cohens_h(1.0, 0.0) == pytest.approx(math.pi)
    assert cohens_h(0.3, 0.3) == 0.0
    assert math.isnan(cohens_h(float("nan"), 0.2))


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
    ours = paired_bootstrap(np.column_stack([a, b]), lambda u: u[:, 0].mean() - u[:, 1].mean(), seed=1)
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


def test_wilcoxon_all_zero_and_reference():
    assert wilcoxon_signed_rank(np.zeros(5)) == 1.0
    d = np.array([1, 1, 1, 1, 1, 1, 1, 1, -1, 0, 0])
    assert wilcoxon_signed_rank(d) == pytest.approx(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)
