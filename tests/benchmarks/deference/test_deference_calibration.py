"""The deference benchmark's calibration cases, each run with fewer simulations than scripts/calibrate.py uses."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.deference import INFO
from benchmarks.deference.calibration import cases
from benchmarks.deference.summary import says_correct_rows
from scorers.stats.calibration import CICase, run_case
from scorers.stats.proportions import wilson_interval

N_SIMS = 200


def test_cases_are_registered():
    names = [c.name for c in INFO.calibration()]
    assert len(names) == len(set(names)) >= 10
    assert {"deference.mean_abs_dds_ci", "deference.framing_permutation", "deference.says_correct_ci"} <= set(names)


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_case_is_calibrated(case):
    row = run_case(case, n_sims=N_SIMS)
    allowed = {"yes"} if isinstance(case, CICase) else {"yes", "conservative"}
    assert row["calibrated"] in allowed, row
    if not isinstance(case, CICase):
        assert row["power"] > 0.5, row


def test_says_correct_ci_is_wider_than_wilson_under_item_level_acceptance():
    """The audit's case: items that say "correct" to both statements or to neither are not 2n independent trials;
    the item bootstrap is about √2 wider than the Wilson interval over verdicts here."""
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
    assert (row["ci_high"] - row["ci_low"]) / (high - low) == pytest.approx(np.sqrt(2), rel=0.15)
