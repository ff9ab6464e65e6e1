import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from scorers.stats.distances import distribution_distance, js_distance, ordinal_distance, representativeness


def test_ordinal_extremes_and_hand_case():
    assert representativeness([1, 0, 0], [0, 0, 1], ordinal=True) == 0.0
    assert representativeness([0.2, 0.3, 0.5], [0.2, 0.3, 0.5], ordinal=True) == 1.0
    # all mass moves one step: W1 = 1, N - 1 = 2
    assert ordinal_distance([0.5, 0.5, 0], [0, 0.5, 0.5]) == pytest.approx(0.5)


def test_ordinal_matches_scipy_wasserstein():
    rng = np.random.default_rng(7)
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(7))
    idx = np.arange(7)
    assert ordinal_distance(p, q) == pytest.approx(wasserstein_distance(idx, idx, p, q) / 6)


def test_js_hand_computed():
    # M = (0.75, 0.25); JSD = (log2(4/3) + 0.5 log2(2/3) + 0.5 log2(2)) / 2 = 0.311278 bits
    jsd = (math.log2(4 / 3) + 0.5 * math.log2(2 / 3) + 0.5) / 2
    assert js_distance([1, 0], [0.5, 0.5]) == pytest.approx(math.sqrt(jsd))
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert representativeness([0.3, 0.7], [0.3, 0.7], ordinal=False) == pytest.approx(1.0)
    assert js_distance([0.1, 0.6, 0.3], [0.5, 0.2, 0.3]) == pytest.approx(
        jensenshannon([0.1, 0.6, 0.3], [0.5, 0.2, 0.3], base=2)
    )


def test_js_of_identical_distributions_is_zero_despite_round_off():
    # these differ in the last bit only; scipy's jensenshannon returns NaN (sqrt of a negative round-off) here
    p = [0.19502916324278835, 0.7236425341636187, 0.08132830259359297]
    q = [0.19502916324278835, 0.7236425341636187, 0.08132830259359296]
    with np.errstate(invalid="ignore"):
        assert np.isnan(jensenshannon(p, q, base=2))
    assert js_distance(p, q) == 0.0


def test_inputs_are_normalised_and_checked():
    assert distribution_distance([2, 2], [1, 1], ordinal=True) == 0.0
    with pytest.raises(ValueError, match="different numbers"):
        js_distance([1, 0], [1, 0, 0])
    with pytest.raises(ValueError):
        ordinal_distance([0, 0], [1, 0])
