import math

import numpy as np
import pytest
from scipy.stats import chi2, chi2_contingency, hypergeom
from scipy.stats.contingency import association
from statsmodels.stats.power import GofChisquarePower

from scorers.stats.contingency import (
    cohens_w,
    homogeneity_test,
    kish_effective_n,
    largest_remainder_counts,
    required_sample_size,
    required_second_sample,
)


def test_kish_effective_n_hand_computed():
    assert kish_effective_n([1, 1, 1, 1]) == 4.0
    assert kish_effective_n([1, 2, 3]) == pytest.approx(36 / 14)
    assert kish_effective_n([]) == 0.0
    with pytest.raises(ValueError):
        kish_effective_n([1, -1])


def test_largest_remainder_counts():
    # 3.5, 2.1, 1.4 -> floors 3, 2, 1 and the one left over goes to the largest remainder (0.5)
    assert largest_remainder_counts([0.5, 0.3, 0.2], 7).tolist() == [4, 2, 1]
    assert largest_remainder_counts([1, 1], 3).tolist() == [2, 1]  # tie: first position
    assert largest_remainder_counts([2, 0, 6], 100).tolist() == [25, 0, 75]  # unnormalised input
    counts = largest_remainder_counts(np.random.default_rng(1).dirichlet(np.ones(7)), 101)
    assert counts.sum() == 101
    with pytest.raises(ValueError):
        largest_remainder_counts([0, 0], 5)


def test_homogeneity_hand_computed_2x2():
    # expected 15 in every cell: chi2 = 4 * 25 / 15 = 6.667, df 1, w = sqrt(6.667 / 60) = 1/3
    res = homogeneity_test([10, 20], [20, 10])
    assert res.method == "asymptotic"
    assert res.statistic == pytest.approx(20 / 3)
    assert res.p_value == pytest.approx(chi2.sf(20 / 3, 1))
    assert res.p_value == pytest.approx(0.009823, abs=1e-6)
    assert res.cohens_w == pytest.approx(1 / 3)
    assert res.dof == 1 and res.n == 60


def test_homogeneity_matches_scipy_without_correction():
    a, b = [120, 340, 95, 60], [80, 260, 130, 30]
    res = homogeneity_test(a, b)
    ref = chi2_contingency(np.array([a, b]), correction=False)
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)
    assert res.dof == ref.dof == 3
    assert res.cohens_w == pytest.approx(association(np.array([a, b]), method="cramer"))


def _exact_conditional_p(table):
    """Exact p-value of the Pearson statistic given the margins of a 2x2 table (hypergeometric enumeration)."""
    t = np.asarray(table)
    row1, col1, n = t[0].sum(), t[:, 0].sum(), t.sum()
    observed = chi2_contingency(t, correction=False).statistic
    p = 0.0
    for a in range(max(0, row1 + col1 - n), min(row1, col1) + 1):
        other = np.array([[a, row1 - a], [col1 - a, n - row1 - col1 + a]])
        if chi2_contingency(other, correction=False).statistic >= observed - 1e-9:
            p += hypergeom.pmf(a, n, col1, row1)
    return p


def test_small_counts_use_monte_carlo_close_to_exact():
    human, model = [2, 9], [7, 1]  # smallest expected count 8 * 9 / 19 = 3.8
    res = homogeneity_test(human, model, n_resamples=20_000, seed=3)
    assert res.method == "monte_carlo"
    assert res.min_expected < 5
    exact = _exact_conditional_p([human, model])
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert abs(res.p_value - exact) < 4 * se + 1e-4
    # seeded: the same seed gives the same p-value
    assert homogeneity_test(human, model, n_resamples=20_000, seed=3).p_value == res.p_value


def test_monte_carlo_needs_integer_counts():
    with pytest.raises(ValueError, match="integer"):
        homogeneity_test([1.5, 2.5], [3, 0.5])


def test_zero_cell_in_both_rows_is_dropped():
    res = homogeneity_test([40, 0, 25], [30, 0, 45])
    ref = chi2_contingency(np.array([[40, 25], [30, 45]]), correction=False)
    assert res.dof == 1
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)


def test_zero_cell_in_one_row_is_kept():
    res = homogeneity_test([30, 0, 20], [10, 15, 25])
    ref = chi2_contingency(np.array([[30, 0, 20], [10, 15, 25]]), correction=False)
    assert res.dof == 2 and res.method == "asymptotic"
    assert res.statistic == pytest.approx(ref.statistic)


def test_always_invalid_model_is_perfectly_separated():
    # people never answer "invalid"; a model that always does: chi2 = N, w = 1
    res = homogeneity_test([40, 60, 0], [0, 0, 100])
    assert res.statistic == pytest.approx(200.0)
    assert res.cohens_w == pytest.approx(1.0)
    assert res.p_value < 1e-40


def test_identical_single_category_is_degenerate():
    res = homogeneity_test([0, 12, 0], [0, 30, 0])
    assert (res.method, res.p_value, res.statistic, res.cohens_w) == ("degenerate", 1.0, 0.0, 0.0)


def test_bad_tables_raise():
    with pytest.raises(ValueError, match="row"):
        homogeneity_test([0, 0], [3, 4])
    with pytest.raises(ValueError):
        homogeneity_test([-1, 2], [3, 4])


def test_cohens_w_equals_cramers_v_for_two_rows():
    table = np.array([[12, 30, 8], [20, 15, 25]])
    assert cohens_w(table) == pytest.approx(association(table, method="cramer"))


@pytest.mark.parametrize(
    ("w", "n_bins", "cohen"),
    # Cohen (1988), table 7.4.6, power 0.80 at alpha 0.05: u = 1 -> 785, 87, 31; u = 2 -> 964, 107, 39
    [(0.1, 2, 785), (0.3, 2, 87), (0.5, 2, 31), (0.1, 3, 964), (0.3, 3, 107), (0.5, 3, 39)],
)
def test_required_sample_size_matches_cohens_table(w, n_bins, cohen):
    # Cohen's tables were computed with approximations: agree within one observation
    assert abs(required_sample_size(w, n_bins) - cohen) <= 1


def test_required_second_sample_reaches_the_power():
    n2 = required_second_sample(0.3, 3, first_n=400)
    n1 = 400
    power = GofChisquarePower().power(effect_size=0.3, nobs=n1 * n2 / (n1 + n2), alpha=0.05, n_bins=3)
    assert power == pytest.approx(0.8, abs=1e-6)
    assert n2 > required_sample_size(0.3, 3)  # a finite human sample always costs extra model answers
    assert math.isinf(required_second_sample(0.1, 3, first_n=500))  # 964 needed: 500 people are not enough
