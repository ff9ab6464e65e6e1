"""The survey's tests and intervals in the calibration harness (reduced simulation counts)."""

import pytest

from benchmarks.survey.calibration import cases
from scorers.stats.calibration import run_case

CASES = {c.name: c for c in cases()}


@pytest.mark.parametrize("name", [n for n in CASES if "goodness of fit" in n])
def test_goodness_of_fit_is_calibrated_at_every_invalid_mass(name):
    row = run_case(CASES[name], seed=11, n_sims=400)
    assert row["calibrated"] == "yes", row
    assert row["power"] > 0.6, row  # the audit: about 80% at w = 0.2 over the real items


def test_samples_mode_homogeneity_is_valid():
    row = run_case(CASES["survey homogeneity (10 samples, 30% invalid)"], seed=12, n_sims=400)
    assert row["calibrated"] in ("yes", "conservative"), row


@pytest.mark.parametrize("name", [n for n in CASES if "bootstrap" in n])
def test_cluster_bootstrap_intervals_cover(name):
    row = run_case(CASES[name], seed=13, n_sims=150)
    assert row["observed"] >= 0.88, row  # 150 simulations: nominal 0.95 minus 3 SE (0.053)
