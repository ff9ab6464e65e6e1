import math

import numpy as np
from scipy import stats
from statsmodels.stats.power import TTestPower

from scorers.stats.calibration import CICase, TestCase, calibration_table, markdown_table, run_case


def _t_test(rng, shift):
    return float(stats.ttest_1samp(rng.normal(shift, 1, 30), 0).pvalue)


def test_a_valid_test_is_calibrated_and_shows_its_power():
    case = TestCase("t", "here", lambda r: _t_test(r, 0.0), lambda r: _t_test(r, 0.6), "d = 0.6, n = 30", n_sims=2000)
    row = run_case(case, seed=1)
    assert row["calibrated"] == "yes" and abs(row["observed"] - 0.05) < 3 * row["mc_se"]
    exact = TTestPower().power(effect_size=0.6, nobs=30, alpha=0.05)  # noncentral t: 0.89
    assert abs(row["power"] - exact) < 3 * math.sqrt(exact * (1 - exact) / 2000)


def test_an_anti_conservative_test_is_flagged():
    # a z-test with the sample sd on n = 5 rejects too often under H0
    def z(rng):
        x = rng.normal(0, 1, 5)
        return float(2 * stats.norm.sf(abs(x.mean() / (x.std(ddof=1) / math.sqrt(5)))))

    row = run_case(TestCase("z", "here", z, None, "n = 5", n_sims=2000), seed=2)
    assert row["calibrated"] == "NO" and row["observed"] > 0.08 and math.isnan(row["power"])


def test_a_conservative_test_is_labelled_so():
    row = run_case(TestCase("half", "here", lambda r: min(1.0, 2 * r.random()), None, "", n_sims=2000), seed=3)
    assert row["calibrated"] == "conservative"


def test_interval_coverage_and_callable_truth():
    def interval(rng, z=1.959964):
        x = rng.normal(2.0, 1.0, 50)
        half = z * x.std(ddof=1) / math.sqrt(50)
        return x.mean() - half, x.mean() + half

    good = CICase("mean", "here", interval, truth=lambda: 2.0, setting="n = 50", n_sims=2000)
    narrow = CICase("narrow", "here", lambda r: interval(r, z=1.0), truth=2.0, setting="n = 50", n_sims=2000)
    table = calibration_table([good, narrow], seed=4)
    assert list(table["calibrated"]) == ["yes", "NO"]
    assert 0.66 < table.loc[1, "observed"] < 0.71  # a ±1 SE interval covers about 68%
    text = markdown_table(table)
    assert "| mean | here | coverage | 0.950 |" in text and "**NO**" in text
    # a miss the case states and explains is reported as such (still not "yes"), and only a miss is
    why = "a ±1 SE interval, on purpose"
    stated = CICase("narrow", "here", lambda r: interval(r, z=1.0), 2.0, "n = 50", n_sims=2000, known_deviation=why)
    honest = CICase("mean", "here", interval, 2.0, "n = 50", n_sims=2000, known_deviation=why)
    assert list(calibration_table([stated, honest], seed=4)["calibrated"]) == ["known deviation", "yes"]


def test_seeded():
    case = TestCase("u", "here", lambda r: float(r.random()), None, "", n_sims=300)
    assert run_case(case, seed=5) == run_case(case, seed=5)
    assert np.isclose(run_case(case, seed=5)["observed"], 0.05, atol=0.04)
