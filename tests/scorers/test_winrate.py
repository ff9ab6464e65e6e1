"""Win rates with ties, the sign test, Wilson intervals and Bradley–Terry strengths against references."""

import math

import numpy as np
import pytest

from scorers.stats.winrate import (
    NO_COMPARISON,
    NOT_ESTIMABLE,
    UNBOUNDED_ABOVE,
    UNBOUNDED_BELOW,
    WinRate,
    bradley_terry,
    bradley_terry_ci,
    outcomes,
    sign_test,
    strongly_connected,
    win_rate,
)


def wilson_reference(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval from its formula (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_outcomes_apply_the_tie_margin_on_both_sides_and_keep_missing():
    a = [1.0, 1.0, 1.0, 1.0, np.nan]
    b = [0.5, 0.95, 1.05, 1.6, 0.0]
    assert outcomes(a, b, 0.1).tolist()[:4] == [1.0, 0.0, 0.0, -1.0]
    assert math.isnan(outcomes(a, b, 0.1)[4])
    assert outcomes([1.0], [0.9], 0.1).tolist() == [0.0]  # |difference| == margin is a tie
    with pytest.raises(ValueError, match="tie margin"):
        outcomes(a, b, -1)


def test_win_rate_excludes_ties_and_counts_them():
    result = win_rate([3, 3, 3, 3, 3, 3, np.nan], [1, 1, 1, 5, 3, 3, 1], margin=0.0)
    assert (result.wins, result.losses, result.ties, result.missing) == (3, 1, 2, 1)
    assert result.rate == 0.75
    assert result.interval() == pytest.approx(wilson_reference(3, 4))


@pytest.mark.parametrize("k,n", [(7, 10), (0, 5), (5, 5), (54, 100)])
def test_wilson_interval_matches_the_formula(k, n):
    assert WinRate(k, n - k, 3).interval() == pytest.approx(wilson_reference(k, n), abs=1e-12)


def test_sign_test_exact_reference_values():
    assert sign_test(9, 1) == pytest.approx(2 * 11 / 1024)  # 2 * P(X <= 1), X ~ Bin(10, 1/2)
    assert sign_test(5, 5) == pytest.approx(1.0)
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert math.isnan(sign_test(0, 0))  # nothing decisive: nothing to test
    assert sign_test(60, 40) == pytest.approx(0.056887933640980, rel=1e-9)  # R: binom.test(60, 100)$p.value


def test_no_decisive_item_gives_nan_rate_and_interval():
    result = win_rate([1.0, 2.0], [1.0, 2.0])
    assert result.ties == 2 and math.isnan(result.rate) and all(math.isnan(x) for x in result.interval())
    assert math.isnan(result.p_value)


def test_bradley_terry_two_systems_recovers_the_odds():
    # 30 items: system 0 beats system 1 on 22, loses on 8 -> MLE strength difference log(22 / 8)
    scores = np.array([[1.0, 0.0]] * 22 + [[0.0, 1.0]] * 8)
    theta = bradley_terry(scores, alpha=1e-6)
    assert theta.sum() == pytest.approx(0.0, abs=1e-9)
    assert theta[0] - theta[1] == pytest.approx(math.log(22 / 8), abs=1e-3)


def test_bradley_terry_orders_and_bootstrap_intervals_hold_the_estimate():
    rng = np.random.default_rng(1)
    scores = np.array([1.0, 0.5, 0.0]) + rng.gumbel(size=(200, 3))
    result = bradley_terry_ci(scores, n_resamples=300, seed=3)
    assert np.argsort(-result.estimate).tolist() == [0, 1, 2]
    assert np.all(result.low <= result.estimate) and np.all(result.estimate <= result.high)
    # Gumbel fidelities follow Bradley–Terry exactly: differences of strengths estimate 1.0 and 0.5
    assert result.estimate[0] - result.estimate[2] == pytest.approx(1.0, abs=0.3)


def test_bradley_terry_complete_ordering_has_no_finite_estimate():
    scores = np.array([[2.0, 1.0, 1.0]] * 10)  # system 0 always wins; 1 and 2 always tie
    assert np.isnan(bradley_terry(scores)).all()  # before: 0 finite, set by the ridge
    result = bradley_terry_ci(scores, n_resamples=50)
    assert np.isnan(result.low).all() and np.isnan(result.high).all()
    assert result.notes == (UNBOUNDED_ABOVE, UNBOUNDED_BELOW, UNBOUNDED_BELOW)
    chain = bradley_terry_ci(np.array([[3.0, 2.0, 1.0]] * 6), n_resamples=50)
    assert chain.notes == (UNBOUNDED_ABOVE, NOT_ESTIMABLE, UNBOUNDED_BELOW)
    assert np.isnan(bradley_terry(np.ones((4, 3)))).all()


def test_bradley_terry_leaves_out_a_system_without_decisive_comparisons():
    rng = np.random.default_rng(2)
    three = np.array([0.5, 0.0, -0.5]) + rng.gumbel(size=(30, 3))
    scores = np.column_stack([three, np.full(30, np.nan)])
    theta = bradley_terry(scores)
    assert math.isnan(theta[3]) and theta[:3] == pytest.approx(bradley_terry(three), abs=1e-12)
    result = bradley_terry_ci(scores, n_resamples=100, seed=1)
    assert result.notes[3] == NO_COMPARISON and math.isnan(result.low[3]) and result.notes[:3] == ("", "", "")
    assert np.all(result.low[:3] < theta[:3]) and np.all(theta[:3] < result.high[:3])


def test_bradley_terry_interval_is_the_percentile_of_a_fit_per_resample():
    """Repeated cluster resamples are fitted once: the interval equals one fitted per resample, written out here."""
    from scorers.stats.bootstrap import percentile_interval, stratified_draws
    from scorers.stats.winrate import bradley_terry_counts, win_matrices

    rng = np.random.default_rng(4)
    scores = np.array([0.6, 0.0, -0.6]) + rng.gumbel(size=(40, 3))
    clusters = np.repeat(["a", "b", "c", "d", "e"], 8)  # 5 clusters: 126 distinct resamples
    result = bradley_terry_ci(scores, clusters=clusters, n_resamples=300, seed=5)
    wins = win_matrices(scores, 0.0)
    per_cluster = np.stack([wins[clusters == c].sum(axis=0) for c in "abcde"])
    index = stratified_draws(np.zeros(5, dtype=int), 300, np.random.default_rng(5))
    draws = [bradley_terry_counts(per_cluster[rows].sum(axis=0)) for rows in index]  # every resample connected here
    low, high = percentile_interval(np.array(draws), n=5.0, df=4.0)
    assert np.array_equal(result.low, low) and np.array_equal(result.high, high)


def test_strongly_connected():
    assert strongly_connected(np.array([[0, 1], [1, 0]]))
    assert not strongly_connected(np.array([[0, 3], [0, 0]]))
    assert strongly_connected(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))  # a cycle
    assert not strongly_connected(np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0]]))
