"""The paired two-run test of ``regress`` in the calibration harness: false alarms on same-model reruns at most
alpha, and the planted changes caught (reduced simulation counts; ``scripts/calibrate.py`` runs the full ones)."""

from __future__ import annotations

import math

import pytest

from scorers.stats.calibration import ALPHA, TOLERANCE_SE, run_case
from scorers.stats.calibration_cases import CASES

N_SIMS = 200
# Cases whose stated alternative the test must catch at least 80% of the time (the noisier DDS reruns and DDS
# near 0 show the power lost to noise; their power is reported, not required).
POWERED = {"paired two-run test: DDS", "paired two-run test: mean score", "paired two-run test: proportion"}


@pytest.mark.parametrize("case", [c for c in CASES if c.name.startswith("paired two-run test")], ids=lambda c: c.name)
def test_paired_two_run_test_is_calibrated(case) -> None:
    row = run_case(case, seed=1, n_sims=N_SIMS)
    assert row["calibrated"] in ("yes", "conservative"), row
    assert row["observed"] <= ALPHA + TOLERANCE_SE * math.sqrt(ALPHA * (1 - ALPHA) / N_SIMS)
    if case.name in POWERED:
        assert row["power"] >= 0.8, row


def test_the_powered_cases_exist() -> None:
    assert POWERED <= {c.name for c in CASES}
