"""Recon's calibration cases, each run with fewer simulations than scripts/calibrate.py uses."""

import pytest

from benchmarks.recon import INFO
from benchmarks.recon.calibration import cases
from scorers.stats.calibration import CICase, run_case

N_SIMS = 150


def test_cases_are_registered():
    assert INFO.calibration is not None
    names = [c.name for c in INFO.calibration()]
    assert len(names) == len(set(names)) == 7
    assert {"recon.sign_test_default", "recon.win_rate_wilson", "recon.bt_strength_ci"} <= set(names)
    assert "recon.fidelity_individual_ci" in names


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_case_is_calibrated(case):
    row = run_case(case, n_sims=30 if case.name == "recon.bt_strength_ci" else N_SIMS)
    allowed = {"yes"} if isinstance(case, CICase) else {"yes", "conservative"}
    assert row["calibrated"] in allowed, row
    if not isinstance(case, CICase):
        assert row["observed"] <= 0.05 + 3 * row["mc_se"] and row["power"] > 0.5, row
