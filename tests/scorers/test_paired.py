import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar

from scorers.stats.bootstrap import stratified_draws
from scorers.stats.paired import (
    cohens_h,
    mcnemar_exact,
    min_discordant_clusters,
    minimal_detectable_change,
    paired_difference_arrays,
    paired_difference_test,
    randomisation_p,
    swap_patterns,
    wilcoxon_signed_rank,
)


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


def test_wilcoxon_all_zero_and_reference():
    assert wilcoxon_signed_rank(np.zeros(5)) == 1.0
    d = np.array([1, 1, 1, 1, 1, 1, 1, 1, -1, 0, 0])
    assert wilcoxon_signed_rank(d) == pytest.approx(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)


# -- paired two-run test ----------------------------------------------------------------------------------------


def units(values, *, clusters=None, strata=None, prefix="u") -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "unit": [f"{prefix}{i:02d}" for i in range(n)],
        "cluster": clusters or [f"{prefix}{i:02d}" for i in range(n)],
        "stratum": strata or [""] * n,
        "x": np.asarray(values, dtype=float),
    })  # fmt: skip


def mean_x(frame: pd.DataFrame) -> dict[str, float]:
    return {"m": float(frame["x"].mean())}


def test_paired_difference_identical_runs_p_one_and_zero_interval():
    frame = units([0, 1, 1, 0, 1])
    result = paired_difference_test(frame, frame.copy(), mean_x, {"m": "higher"}, n_resamples=200)["m"]
    assert (result.p_value, result.signed_p_value, result.exact, result.n_discordant) == (1.0, 1.0, True, 0)
    assert (result.estimate, result.ci_low, result.ci_high, result.se, result.mdc) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_paired_difference_exact_randomisation_p_by_hand():
    # Four discordant units change by +1, +1, +1, -1 (sum +2). A swap flips a unit's sign; of the 16 patterns the
    # sum is 0 in C(4, 2) = 6 and |sum| >= 2 in the other 10: p = 10 / 16, exactly.
    base = units([0, 0, 0, 1, 5])
    cur = units([1, 1, 1, 0, 5])
    result = paired_difference_test(base, cur, mean_x, {"m": "higher"}, n_resamples=16)["m"]
    signs = np.array([[1 if (k >> j) & 1 else -1 for j in range(4)] for k in range(16)])
    by_hand = np.mean(np.abs(signs @ np.array([1, 1, 1, -1])) >= 2)
    assert by_hand == 10 / 16
    assert result.exact and result.n_discordant == 4 and result.p_value == by_hand
    assert result.estimate == pytest.approx(2 / 5)


def test_paired_difference_monte_carlo_p_formula():
    observed = np.array([2.0, 0.5])
    null = np.array([[1.0, 0.5], [-2.0, 0.1], [3.0, -0.6], [0.0, 0.0]])
    assert randomisation_p(observed, null, exact=False).tolist() == [(2 + 1) / 5, (2 + 1) / 5]
    assert randomisation_p(observed, null, exact=True).tolist() == [2 / 4, 2 / 4]
    # 11 discordant units, 2^11 > 1000 draws: random swaps, p = (count + 1) / 1001.
    base = units([0] * 11 + [1] * 9)
    cur = units([1] * 11 + [1] * 9)
    result = paired_difference_test(base, cur, mean_x, {"m": "higher"}, n_resamples=1000)["m"]
    assert not result.exact and result.p_value * 1001 == pytest.approx(round(result.p_value * 1001))
    assert result.p_value <= 3 / 1001  # only the identity and the full swap are as extreme: 2 / 2048 each draw


def test_swap_patterns_enumerate_only_discordant_clusters():
    swap, exact = swap_patterns(np.array([False, True, False, True]), 8, np.random.default_rng(0))
    assert exact and swap.shape == (4, 4)
    assert not swap[:, [0, 2]].any()
    assert {tuple(r) for r in swap[:, [1, 3]].astype(int).tolist()} == {(0, 0), (1, 0), (0, 1), (1, 1)}
    swap, exact = swap_patterns(np.ones(5, bool), 8, np.random.default_rng(0))
    assert not exact and swap.shape == (8, 5)


def test_paired_difference_bootstrap_equals_explicit_stratified_cluster_loop():
    rng = np.random.default_rng(3)
    strata = ["a"] * 6 + ["b"] * 4
    base = units(rng.integers(0, 2, 10).tolist(), strata=strata)
    cur = units(rng.integers(0, 2, 10).tolist(), strata=strata)
    result = paired_difference_test(base, cur, mean_x, {"m": "higher"}, n_resamples=300, seed=7)["m"]
    draws = stratified_draws(np.array(strata), 300, np.random.default_rng(7))
    diffs = cur["x"].to_numpy()[draws].mean(axis=1) - base["x"].to_numpy()[draws].mean(axis=1)
    assert (draws[:, :6] < 6).all() and (draws[:, 6:] >= 6).all()  # within strata
    assert result.ci_low == pytest.approx(np.percentile(diffs, 2.5))
    assert result.ci_high == pytest.approx(np.percentile(diffs, 97.5))
    assert result.se == pytest.approx(np.std(diffs, ddof=1))
    # The array version draws the same resamples.
    (arrays,) = paired_difference_arrays(base[["x"]].to_numpy(), cur[["x"]].to_numpy(),
                                         lambda a: a.mean(axis=-2), ["higher"], strata=np.array(strata),
                                         n_resamples=300, seed=7)  # fmt: skip
    assert (arrays.ci_low, arrays.ci_high, arrays.se, arrays.p_value) == pytest.approx(
        (result.ci_low, result.ci_high, result.se, result.p_value)
    )


def test_paired_difference_clusters_move_together():
    # Two clusters of two units: the units of a cluster are resampled and swapped together.
    base = units([0, 0, 1, 1], clusters=["c1", "c1", "c2", "c2"])
    cur = units([1, 1, 1, 1], clusters=["c1", "c1", "c2", "c2"])
    result = paired_difference_test(base, cur, mean_x, {"m": "higher"}, n_resamples=100)["m"]
    assert (result.n_clusters, result.n_discordant, result.exact) == (2, 1, True)
    assert result.p_value == 1.0  # one discordant cluster: the swap gives -0.5, as extreme as +0.5
    # A resample holds 0, 2 or 4 units of c1, always in pairs: the current-minus-base mean is 0, 0.5 or 1.
    assert {result.ci_low, result.ci_high} <= {0.0, 0.5, 1.0}


def test_paired_difference_zero_direction_and_unit_counts():
    base = units([1] * 6 + [0] * 4)
    cur = units([-1] * 6 + [0] * 4 + [3, 3], prefix="u")  # two extra units only in the current run
    result = paired_difference_test(base, cur, mean_x, {"m": "zero"}, n_resamples=64)["m"]
    assert (result.n_shared, result.n_only_base, result.n_only_current) == (10, 0, 2)
    assert (result.base, result.current) == (pytest.approx(0.6), pytest.approx(-0.6))
    assert result.estimate == pytest.approx(0.0) and result.p_value == 1.0  # |0.6| -> |-0.6|
    assert result.signed_estimate == pytest.approx(-1.2) and result.signed_p_value == 2 / 64  # exact, 6 units


def test_paired_difference_errors():
    frame = units([1, 0])
    with pytest.raises(ValueError, match="lack column"):
        paired_difference_test(frame.drop(columns="stratum"), frame, mean_x, {"m": "higher"})
    with pytest.raises(ValueError, match="repeat a unit id"):
        paired_difference_test(pd.concat([frame, frame]), frame, mean_x, {"m": "higher"})
    with pytest.raises(ValueError, match="share no unit"):
        paired_difference_test(frame, units([1, 0], prefix="v"), mean_x, {"m": "higher"})
    with pytest.raises(ValueError, match="returned no value"):
        paired_difference_test(frame, frame, lambda u: {}, {"m": "higher"}, n_resamples=10)


def test_minimal_detectable_change_and_resolution():
    # (z_{1 - alpha / 2m} + z_{power}) * SE: 1.959964 + 0.841621 for one test; 2.575829 + 0.841621 for five.
    assert minimal_detectable_change(1.0) == pytest.approx(2.801585, abs=1e-6)
    assert minimal_detectable_change(2.0, family_size=5) == pytest.approx(2 * 3.417450, abs=1e-5)
    # 2 / 2^k < alpha / m: 2^k > 40 for one test (k = 6), > 200 for five (k = 8).
    assert min_discordant_clusters(0.05, 1) == 6
    assert min_discordant_clusters(0.05, 5) == 8
