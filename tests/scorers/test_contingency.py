import math

import numpy as np
import pytest
from scipy.stats import chi2, chi2_contingency, chisquare, hypergeom, multinomial
from statsmodels.stats.power import GofChisquarePower

from scorers.stats.contingency import (
    clustered_share_interval,
    gof_power,
    goodness_of_fit_test,
    homogeneity_test,
    kish_effective_n,
    largest_remainder_counts,
    least_favourable_shares,
    one_sample_w,
    required_sample_size,
)
from scorers.stats.proportions import wilson_interval


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
    assert res.dof == 1 and res.n == 60


def test_homogeneity_matches_scipy_without_correction():
    a, b = [120, 340, 95, 60], [80, 260, 130, 30]
    res = homogeneity_test(a, b)
    ref = chi2_contingency(np.array([a, b]), correction=False)
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)
    assert res.dof == ref.dof == 3


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


def test_identical_single_category_is_degenerate():
    res = homogeneity_test([0, 12, 0], [0, 30, 0])
    assert (res.method, res.p_value, res.statistic) == ("degenerate", 1.0, 0.0)


def test_bad_tables_raise():
    with pytest.raises(ValueError, match="row"):
        homogeneity_test([0, 0], [3, 4])
    with pytest.raises(ValueError):
        homogeneity_test([-1, 2], [3, 4])


def test_goodness_of_fit_hand_computed_and_scipy():
    # n = 100 against (0.5, 0.3, 0.2): expected 50, 30, 20; X2 = 100/50 + 25/30 + 25/20 = 4.0833, dof 2
    res = goodness_of_fit_test([60, 25, 15], [0.5, 0.3, 0.2])
    assert res.method == "asymptotic" and res.dof == 2 and res.n == 100
    assert res.statistic == pytest.approx(2 + 25 / 30 + 25 / 20)
    assert res.p_value == pytest.approx(chi2.sf(res.statistic, 2))
    assert res.p_value == pytest.approx(chisquare([60, 25, 15], [50, 30, 20]).pvalue)
    # shares need not be normalised (the model's valid options are renormalised)
    assert goodness_of_fit_test([60, 25, 15], [0.25, 0.15, 0.1]).p_value == pytest.approx(res.p_value)


def _exact_multinomial_p(counts, shares):
    """Exact p-value of the Pearson statistic: the probability of every table at least as extreme."""
    n, k = sum(counts), len(counts)
    expected = n * np.asarray(shares)
    observed = np.sum((np.asarray(counts) - expected) ** 2 / expected)
    p = 0.0
    for a in range(n + 1):
        for b in range(n + 1 - a):
            table = [a, b, n - a - b] if k == 3 else None
            if np.sum((np.asarray(table) - expected) ** 2 / expected) >= observed - 1e-9:
                p += multinomial.pmf(table, n, shares)
    return p


def test_goodness_of_fit_small_counts_monte_carlo_close_to_exact():
    counts, shares = [5, 1, 0], [0.5, 0.3, 0.2]  # expected 3, 1.8, 1.2
    res = goodness_of_fit_test(counts, shares, n_resamples=40_000, seed=1)
    assert res.method == "monte_carlo" and res.min_expected == pytest.approx(1.2)
    exact = _exact_multinomial_p(counts, shares)
    assert abs(res.p_value - exact) < 4 * math.sqrt(exact * (1 - exact) / 40_000) + 1e-4
    assert goodness_of_fit_test(counts, shares, n_resamples=40_000, seed=1).p_value == res.p_value


def test_goodness_of_fit_zero_share_rules():
    # answers on an option the model never gives: impossible under H0
    res = goodness_of_fit_test([10, 5, 1], [0.6, 0.4, 0.0])
    assert (res.method, res.p_value, res.dof) == ("zero_expected", 0.0, 1)
    # an option nobody chose and the model never gives carries no information: dropped
    dropped = goodness_of_fit_test([10, 5, 0], [0.6, 0.4, 0.0])
    assert dropped.dof == 1 and dropped.p_value == pytest.approx(chisquare([10, 5], [9, 6]).pvalue)
    with pytest.raises(ValueError):
        goodness_of_fit_test([0, 0], [0.5, 0.5])


def test_one_sample_w_and_power():
    # Cohen's w of (0.5, 0.3, 0.2) against (0.4, 0.4, 0.2): sqrt(0.01/0.4 + 0.01/0.4) = sqrt(0.05)
    assert one_sample_w([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]) == pytest.approx(math.sqrt(0.05))
    assert one_sample_w([0.5, 0.5], [1.0, 0.0]) == math.inf
    # the same shift reads the same w at any n (the two-sample table's sqrt(X2/N) shrank with the human n)
    assert gof_power(0.3, 3, 107) == pytest.approx(0.8, abs=0.01)  # Cohen's table 7.4.6
    assert gof_power(0.3, 3, 107) == pytest.approx(GofChisquarePower().power(0.3, 107, 0.05, n_bins=3))


@pytest.mark.parametrize(
    ("w", "n_bins", "cohen"),
    # Cohen (1988), table 7.4.6, power 0.80 at alpha 0.05: u = 1 -> 785, 87, 31; u = 2 -> 964, 107, 39
    [(0.1, 2, 785), (0.3, 2, 87), (0.5, 2, 31), (0.1, 3, 964), (0.3, 3, 107), (0.5, 3, 39)],
)
def test_required_sample_size_matches_cohens_table(w, n_bins, cohen):
    # Cohen's tables were computed with approximations: agree within one observation
    assert abs(required_sample_size(w, n_bins) - cohen) <= 1


def _asymptotic_p(counts, shares):
    counts, shares = np.asarray(counts, float), np.asarray(shares, float)
    expected = counts.sum() * shares / shares.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):  # a missing letter left at 0 with people on it: p = 0
        return chi2.sf(np.sum((counts - expected) ** 2 / expected, axis=-1), counts.size - 1)


def test_least_favourable_shares_give_the_largest_p_over_a_brute_force_grid():
    """Two letters missing from the list (B, C), two listed (A, D), 0.15 of the mass outside the list: every split
    of it (extras >= 0 for all four letters, summing to at most 0.15) on a grid; the closed form's p is the largest."""
    counts = np.array([300, 60, 40, 100])
    known, free = np.array([0.5, 0.0, 0.0, 0.2]), 0.15
    best = least_favourable_shares(counts, known, free)
    p_best = goodness_of_fit_test(counts, best).p_value
    assert goodness_of_fit_test(counts, best).method == "asymptotic"
    step = free / 30
    grid = np.array(
        [
            (a, b, c, d)
            for a in range(31)
            for b in range(31 - a)
            for c in range(31 - a - b)
            for d in range(31 - a - b - c)
        ]
    )
    masses = known + step * grid
    p_grid = _asymptotic_p(counts, masses / masses.sum(axis=1, keepdims=True))
    assert p_best >= p_grid.max() - 1e-12  # no feasible split gives a larger p
    assert p_best == pytest.approx(p_grid.max(), rel=0.05)  # and the grid comes close to it
    # feasible: B and C at most 0.15 / 0.85 together, A and D at least their listed share of 0.85
    assert best.sum() == pytest.approx(1.0) and np.all(best >= known / (known.sum() + free) - 1e-12)


def test_least_favourable_shares_limits():
    # no free mass: the known distribution; enough free mass: the observed shares themselves (statistic 0)
    assert least_favourable_shares([3, 1], [0.3, 0.1], 0.0) == pytest.approx([0.75, 0.25])
    assert least_favourable_shares([5, 5], [0.3, 0.1], 0.2) == pytest.approx([0.5, 0.5])
    # a category nobody chose keeps only its floor: more mass there would raise the statistic
    assert least_favourable_shares([10, 0], [0.2, 0.2], 0.5) == pytest.approx([0.2 / 0.9 + 0.5 / 0.9, 0.2 / 0.9])
    with pytest.raises(ValueError):
        least_favourable_shares([1, 1], [0.5, 0.5, 0.0], 0.1)
    with pytest.raises(ValueError):
        least_favourable_shares([1, 1], [0.0, 0.0], 0.0)


def test_clustered_share_interval_is_wilson_over_the_effective_number_of_clusters():
    # ten clusters of four: Kish's n_eff is 10, so a share of 0.3 is 3 of 10 all-or-nothing clusters
    assert clustered_share_interval(0.3, [4] * 10) == pytest.approx(wilson_interval(3, 10))
    # unequal clusters count less than their number: n_eff = 124^2 / 1976 for the survey's 9 questions
    sizes = [24, 20, 18, 14, 11, 11, 11, 9, 6]
    low, high = clustered_share_interval(0.5, sizes)
    assert (low, high) == pytest.approx(wilson_interval(0.5 * 124**2 / 1976, 124**2 / 1976))
    assert all(math.isnan(x) for x in clustered_share_interval(0.5, []))
    # an interval holds its estimate: statsmodels' bounds at 0 and 1 are off by rounding (1.4e-17, 0.9999999999999999)
    for share, sizes in [(0.0, [3, 7, 2, 9, 4]), (1.0, [3, 7, 2, 9, 4]), (0.0, [1] * 37), (1.0, [5] * 11)]:
        low, high = clustered_share_interval(share, sizes)
        assert low <= share <= high and 0.0 <= low and high <= 1.0
