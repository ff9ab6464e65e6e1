"""Negotiation's calibration cases, each run with fewer simulations than scripts/calibrate.py uses."""

import pytest

from benchmarks.negotiation import INFO
from benchmarks.negotiation.calibration import cases
from scorers.stats.calibration import CICase, run_case

N_SIMS = 300


def test_cases_are_registered():
    names = {c.name for c in INFO.calibration()}
    assert {"negotiation.targeted_fisher", "negotiation.win_rate_wilson", "negotiation.pl_strength_ci"} <= names


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_case_is_calibrated(case):
    row = run_case(case, n_sims=20 if case.name == "negotiation.pl_strength_ci" else N_SIMS)
    allowed = {"yes"} if isinstance(case, CICase) else {"yes", "conservative"}
    assert row["calibrated"] in allowed, row
    if not isinstance(case, CICase):
        assert row["observed"] <= 0.05 + 3 * row["mc_se"] and row["power"] > 0.5, row
