"""Win rates with ties, the sign test, Wilson intervals and Bradley–Terry strengths against references."""

import math

import numpy as np
import pytest

from scorers.stats.winrate import WinRate, bradley_terry, bradley_terry_ci, outcomes, sign_test, win_rate


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
    assert sign_test(0, 0) == 1.0
    assert sign_test(60, 40) == pytest.approx(0.056887933640980, rel=1e-9)  # R: binom.test(60, 100)$p.value


def test_no_decisive_item_gives_nan_rate_and_interval():
    result = win_rate([1.0, 2.0], [1.0, 2.0])
    assert result.ties == 2 and math.isnan(result.rate) and all(math.isnan(x) for x in result.interval())
    assert result.p_value == 1.0


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


def test_bradley_terry_never_losing_system_stays_finite_and_ties_are_left_out():
    scores = np.array([[2.0, 1.0, 1.0]] * 10)  # system 0 always wins; 1 and 2 always tie
    theta = bradley_terry(scores)
    assert np.all(np.isfinite(theta)) and theta[0] > theta[1] == pytest.approx(theta[2])
    assert np.isnan(bradley_terry(np.ones((4, 3)))).all()
