import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from scorers.stats.multiple_testing import benjamini_hochberg, holm


def test_bh_hand_computed():
    # sorted .005 .01 .03 .04 against .0125 .025 .0375 .05: all rejected;
    # adjusted: .04, min(.04, .03*4/3) = .04, min(.04, .01*4/2) = .02, min(.02, .005*4) = .02
    reject, adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert reject.tolist() == [True, True, True, True]
    assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])
    reject, _ = benjamini_hochberg([0.01, 0.02, 0.03, 0.5])
    assert reject.tolist() == [True, True, True, False]


def test_bh_matches_statsmodels_and_skips_nan():
    p = np.random.default_rng(0).uniform(0, 0.2, 40)
    reject, adjusted = benjamini_hochberg(p, alpha=0.1)
    ref = multipletests(p, alpha=0.1, method="fdr_bh")
    assert reject.tolist() == ref[0].tolist()
    assert adjusted == pytest.approx(ref[1])
    with_nan = np.array([0.001, np.nan, 0.2])
    reject, adjusted = benjamini_hochberg(with_nan)
    assert reject.tolist() == [True, False, False]
    assert np.isnan(adjusted[1]) and adjusted[0] == pytest.approx(0.002)


def test_bh_rejects_bad_p_values():
    with pytest.raises(ValueError):
        benjamini_hochberg([0.5, 1.5])


def test_bh_matches_statsmodels_with_ties_at_the_threshold():
    rng = np.random.default_rng(1)
    for _ in range(500):
        p = rng.uniform(0, 0.1, rng.integers(1, 40))
        p[rng.random(p.size) < 0.2] = 0.05  # ties exactly at alpha * rank / m, where float rounding decides
        reject, adjusted = benjamini_hochberg(p)
        ref = multipletests(p, alpha=0.05, method="fdr_bh")
        assert reject.tolist() == ref[0].tolist()
        assert adjusted == pytest.approx(ref[1])


def test_holm_hand_computed():
    # sorted .005 .01 .03 .04 against .05/4 .05/3 .05/2 .05: .03 > .025 stops the procedure (.04 is kept too);
    # adjusted: 4 * .005 = .02, max(.02, 3 * .01) = .03, max(.03, 2 * .03) = .06, max(.06, .04) = .06
    reject, adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert reject.tolist() == [True, False, False, True]
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.9, 0.8])[1] == pytest.approx([1.0, 1.0])  # 2 * 0.8 clipped at 1


def test_holm_matches_statsmodels_with_ties_and_skips_nan():
    rng = np.random.default_rng(2)
    for _ in range(500):
        p = rng.uniform(0, 0.1, rng.integers(1, 40))
        p[rng.random(p.size) < 0.2] = 0.05 / p.size  # ties at the first step's level
        reject, adjusted = holm(p)
        ref = multipletests(p, alpha=0.05, method="holm")
        assert reject.tolist() == ref[0].tolist()
        assert adjusted == pytest.approx(ref[1])
    reject, adjusted = holm(np.array([0.001, np.nan, 0.2]))
    assert reject.tolist() == [True, False, False]
    assert np.isnan(adjusted[1]) and adjusted[[0, 2]] == pytest.approx([0.002, 0.2])
    with pytest.raises(ValueError):
        holm([-0.1])
