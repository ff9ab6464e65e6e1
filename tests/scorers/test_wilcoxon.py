"""scorers.stats.paired.wilcoxon_signed_rank: scipy's method="auto" p-values, its small-sample permutation case
(ties or zeros, n <= 13) counted exactly instead of enumerated."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from scorers.stats.paired import sign_flip_signed_rank_p, wilcoxon_signed_rank


def scipy_p(d: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about ties and small samples
        return float(stats.wilcoxon(d, zero_method="wilcox").pvalue)


def test_the_same_p_values_as_scipy_auto_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    cases = 0
    for trial in range(60):
        n = int(rng.integers(1, 17))
        kind = trial % 4
        if kind == 0:  # per-item DDS contributions: -200..200 pp in steps of 100, many zeros and ties
            d = rng.integers(-2, 3, size=n) * 100.0
        elif kind == 1:  # C2 - C1 correct counts
            d = rng.integers(-2, 3, size=n).astype(float)
        elif kind == 2:  # rounded: ties, few zeros
            d = np.round(rng.normal(size=n), 1)
        else:  # continuous: scipy's exact distribution
            d = rng.normal(size=n)
        if np.all(d == 0):
            continue
        assert wilcoxon_signed_rank(d) == scipy_p(d), d
        cases += 1
    assert cases > 50


def test_exact_conditional_values_by_hand() -> None:
    # five equal positive differences: only the all-positive of 2**5 sign patterns reaches W+ = 15
    assert wilcoxon_signed_rank(np.array([1.0, 1, 1, 1, 1])) == pytest.approx(2 / 32)
    # zeros are dropped: the same as the five alone
    assert wilcoxon_signed_rank(np.array([0.0, 1, 1, 0, 1, 1, 1])) == pytest.approx(2 / 32)
    # |d| = 1, 1, 2 have ranks 1.5, 1.5, 3 and W+ = 1.5 + 3 = 4.5; the 8 sign patterns give W+ = 0, 1.5, 1.5, 3, 3,
    # 4.5, 4.5, 6, so P(W+ >= 4.5) = 3/8 (the lower tail is 7/8) and p = 2 * 3/8
    assert sign_flip_signed_rank_p(np.array([1.0, -1, 2])) == pytest.approx(0.75)
    assert scipy_p(np.array([1.0, -1, 2])) == pytest.approx(0.75)
    assert wilcoxon_signed_rank(np.zeros(4)) == 1.0
    assert np.isnan(wilcoxon_signed_rank(np.array([])))
    with pytest.raises(ValueError):
        sign_flip_signed_rank_p(np.array([1.0, 0.0]))
