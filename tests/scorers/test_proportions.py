import pytest

from scorers.stats.proportions import wilson_interval


def test_wilson_textbook_values():
    # 5 of 10: 0.5 +- 1.96 sqrt(0.25 * 10 + 1.96^2 / 4) / (10 + 1.96^2) = [0.2366, 0.7634]
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    # 0 of 10: the upper bound is z^2 / (n + z^2) = 3.8415 / 13.8415
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    # a 90% interval is narrower (z = 1.645)
    low, high = wilson_interval(5, 10, confidence=0.9)
    assert (low, high) == pytest.approx((0.2693, 0.7307), abs=1e-4)


def test_wilson_bounds_are_exactly_0_and_1_at_the_extremes():
    assert wilson_interval(0, 12)[0] == 0.0  # statsmodels leaves 2.8e-17
    assert wilson_interval(12, 12)[1] == 1.0
    low, high = wilson_interval(0, 7)
    assert low == 0.0 and high == pytest.approx(0.3543304, abs=1e-7)
