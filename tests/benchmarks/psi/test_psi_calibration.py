"""PSI's calibration cases, each run with fewer simulations than scripts/calibrate.py uses (same seed, so a case's
first simulations are the full run's): the tests are calibrated, the intervals' known deviations are what
calibration.MEASURED says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.psi.calibration import (
    KNOWN_DEVIATIONS,
    LONGER,
    MEASURED,
    REAL,
    TURNS,
    cases,
    draw_pairs,
    truth,
)
from benchmarks.psi.summary import bootstrap
from benchmarks.psi.task import DEFAULT_MAX_TURNS
from scorers.stats.calibration import CICase, run_case

TEST_SIMS = 500  # a test: 500 under H0 and 500 under the alternative (about 4 s)
CI_SIMS = 150  # an interval: 150 (about 3 s each); the tolerance below is 3 Monte-Carlo SE at that count
FULL_SIMS = 1000

CASES = {case.name: case for case in cases()}


def test_the_design_is_a_default_run():
    assert TURNS == DEFAULT_MAX_TURNS
    sim, real = draw_pairs(np.random.default_rng(0), 20, LONGER)
    stats = bootstrap(sim, real, n_resamples=1)
    for score in ("verbosity_score", "marker_score", "valence_score", "mtld_score"):
        assert 0 < stats[score][0] <= 100, score  # every fidelity score of the aggregate is defined
    assert truth("aggregate_fidelity", REAL) == 100.0
    assert 75 < truth("aggregate_fidelity", LONGER) < 86
    assert 4 < truth("words_per_turn_difference", LONGER) < 6  # 1.3x of about 16 words


def test_every_interval_case_states_its_deviation_and_its_measured_coverage():
    intervals = {name for name, case in CASES.items() if isinstance(case, CICase)}
    expected = {f"psi.words_per_turn_difference_ci_n{n}" for n in (4, 10, 20, 40)}
    expected |= {f"psi.aggregate_fidelity_ci_n{n}" for n in (4, 10, 20)} | {"psi.aggregate_fidelity_ci_perfect_n20"}
    assert intervals == expected
    assert set(KNOWN_DEVIATIONS) == set(MEASURED) == intervals
    for name in intervals:
        case = CASES[name]
        assert isinstance(case, CICase)
        assert case.known_deviation == KNOWN_DEVIATIONS[name], name
        # the deviation is real at full counts: below nominal by more than 3 Monte-Carlo SE
        assert MEASURED[name] < case.confidence - 3 * math.sqrt(case.confidence * (1 - case.confidence) / FULL_SIMS)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if not isinstance(c, CICase)])
def test_the_wilcoxon_cases_are_calibrated(name):
    row = run_case(CASES[name], n_sims=TEST_SIMS)
    assert row["calibrated"] in {"yes", "conservative"}, row
    if name == "psi.wilcoxon_words_per_turn":
        assert row["power"] > 0.75, row
    else:  # 4 pairs: the smallest exact p-value is 0.125
        assert row["observed"] == 0.0 and row["power"] == 0.0, row


@pytest.mark.parametrize("name", sorted(MEASURED))
def test_interval_coverage_is_the_measured_one(name):
    row = run_case(CASES[name], n_sims=CI_SIMS)
    measured = MEASURED[name]
    tolerance = max(3 * math.sqrt(measured * (1 - measured) / CI_SIMS), 0.02)
    assert abs(row["observed"] - measured) <= tolerance, row
