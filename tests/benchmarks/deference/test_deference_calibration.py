"""The deference benchmark's calibration cases, each run with fewer simulations than scripts/calibrate.py uses."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmarks.deference import INFO
from benchmarks.deference.calibration import cases
from benchmarks.deference.summary import says_correct_interval, says_correct_rows, says_correct_share
from scorers.stats.bootstrap import paired_bootstrap
from scorers.stats.calibration import CICase, run_case
from scorers.stats.proportions import wilson_interval

N_SIMS = 200


def test_cases_are_registered():
    names = [c.name for c in INFO.calibration()]
    assert len(names) == len(set(names)) >= 10
    assert {"deference.rms_dds_ci", "deference.framing_permutation", "deference.says_correct_ci"} <= set(names)


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_case_is_calibrated(case):
    row = run_case(case, n_sims=N_SIMS)
    allowed = {"yes"} if isinstance(case, CICase) else {"yes", "conservative"}
    assert row["calibrated"] in allowed, row
    if not isinstance(case, CICase):
        assert row["power"] > 0.5, row


def test_says_correct_ci_is_wider_than_wilson_under_item_level_acceptance():
    """The audit's case: items that say "correct" to both statements or to neither are not 2n independent trials;
    the item bootstrap is about √2 wider than the Wilson interval over verdicts here, and the expanded percentile
    interval (4 domains of 10 items) a further √(10/9)·t_36/z ≈ 1.09 wider."""
    rows = []
    for i in range(40):
        says = i % 2 == 0  # half the items say "correct" to both claims, half to neither
        for cell in ("C1_True", "C1_False", "C2_Correct", "C2_Incorrect"):
            truth = cell in ("C1_True", "C2_Correct")
            rows.append({"item_id": f"i{i}", "domain": f"d{i // 2 % 4}", "cell": cell, "correct": says == truth,
                         "parsed": True})  # fmt: skip
    row = says_correct_rows(pd.DataFrame(rows))[0]
    low, high = wilson_interval(40, 80)
    assert row["value"] == 0.5 and row["n"] == 40
    expansion = np.sqrt(10 / 9) * stats.t.ppf(0.975, 36) / stats.norm.ppf(0.975)
    assert expansion == pytest.approx(1.091, abs=1e-3)
    assert (row["ci_high"] - row["ci_low"]) / (high - low) == pytest.approx(np.sqrt(2) * expansion, rel=0.15)


def test_says_correct_ci_is_the_expanded_percentile_interval():
    """The interval is the expanded percentile interval of the stratified item bootstrap: tails at
    Φ(√(n/(n − 1))·t_{items − domains, 0.025}) with n the harmonic mean of the domain sizes (here 5 and 10)."""
    rng = np.random.default_rng(1)
    codes = np.repeat([0, 1], [5, 10])
    says = rng.binomial(2, rng.uniform(0.2, 1.0, size=15)).astype(float)
    counts = np.column_stack([says, np.full(15, 2.0), says, np.full(15, 2.0)])
    boot = says_correct_interval(counts, codes, n_resamples=1000, seed=4)
    plain = paired_bootstrap(counts, says_correct_share, n_resamples=1000, seed=4, strata=codes, vectorized=True)
    np.testing.assert_array_equal(boot.draws, plain.draws)
    harmonic = 2 / (1 / 5 + 1 / 10)
    tail = stats.norm.cdf(np.sqrt(harmonic / (harmonic - 1)) * stats.t.ppf(0.025, 15 - 2))
    assert tail == pytest.approx(0.00956, abs=1e-5)  # instead of 0.025
    assert boot.low[0] == pytest.approx(np.percentile(plain.draws[:, 0], 100 * tail))
    assert boot.high[0] == pytest.approx(np.percentile(plain.draws[:, 0], 100 * (1 - tail)))
    assert boot.low[0] <= plain.low[0] and boot.high[0] >= plain.high[0]
