"""The calibration harness: every hypothesis test and CI method the suite reports, checked by simulation.

A :class:`TestCase` simulates data under its null hypothesis and under a stated alternative and returns a p-value
per simulation; the harness reports the rejection rate at ``alpha`` under H0 (calibrated when within
alpha ± 3 Monte-Carlo SE) and the power under the alternative. A :class:`CICase` simulates data with a known truth
and returns an interval; the harness reports its coverage (calibrated when within nominal ± 3 SE).

Cases are registered where the statistic lives: generic methods in ``scorers/stats/calibration_cases.py``,
benchmark-specific ones through the registry's ``calibration`` hook (``BenchmarkInfo.calibration``), so a plugin
registers its tests the same way. ``scripts/calibrate.py`` prints the table that ``scorers/README.md`` carries.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorers.stats.settings import ALPHA, CONFIDENCE, SEED

TOLERANCE_SE = 3.0  # a case is calibrated when its rate is within 3 Monte-Carlo standard errors of nominal


@dataclass(frozen=True)
class TestCase:
    """A hypothesis test: ``null(rng)`` and ``alternative(rng)`` each simulate one dataset and return its p-value."""

    __test__ = False  # not a pytest test class

    name: str
    owner: str  # where the test lives (module or benchmark)
    null: Callable[[np.random.Generator], float]
    alternative: Callable[[np.random.Generator], float] | None
    effect: str  # the stated alternative, in words ("w = 0.3, n = 200")
    n_sims: int = 1000
    alpha: float = ALPHA
    known_deviation: str = ""  # why the test is expected to miss nominal (the verdict is then "known deviation")


@dataclass(frozen=True)
class CICase:
    """A confidence interval: ``simulate(rng)`` returns (low, high) for data drawn with the known ``truth``."""

    name: str
    owner: str
    simulate: Callable[[np.random.Generator], tuple[float, float]]
    truth: float | Callable[[], float]  # a callable when the truth itself is found by simulation
    setting: str  # the simulated setting, in words
    n_sims: int = 1000
    confidence: float = CONFIDENCE
    known_deviation: str = ""  # why the interval is expected to miss nominal (the verdict is then "known deviation")


Case = TestCase | CICase


def _rate(hits: np.ndarray) -> tuple[float, float]:
    n = hits.size
    rate = float(hits.mean()) if n else math.nan
    return rate, math.sqrt(rate * (1 - rate) / n) if n else math.nan


def _verdict(observed: float, nominal: float, se: float, *, one_sided: bool, known_deviation: str = "") -> str:
    """ "yes" within nominal ± 3 SE; a test rejecting less often is valid but "conservative" (exact tests on
    discrete data); a case that states why it misses nominal "known deviation"; anything else "NO"."""
    if abs(observed - nominal) <= TOLERANCE_SE * se:
        return "yes"
    if one_sided and observed < nominal:
        return "conservative"
    return "known deviation" if known_deviation else "NO"


def run_case(case: Case, *, seed: int = SEED, n_sims: int | None = None) -> dict:
    """One row of the calibration table. ``n_sims`` overrides the case's own count (tests use fewer)."""
    sims = n_sims or case.n_sims
    rng = np.random.default_rng(seed)
    if isinstance(case, TestCase):
        p_null = np.array([case.null(rng) for _ in range(sims)], dtype=float)
        if np.isnan(p_null).any():
            raise ValueError(f"calibration case {case.name!r}: the test returned NaN under H0")
        size, size_se = _rate(p_null < case.alpha)
        nominal_se = math.sqrt(case.alpha * (1 - case.alpha) / sims)
        power = math.nan
        if case.alternative is not None:
            p_alt = np.array([case.alternative(rng) for _ in range(sims)], dtype=float)
            power, _ = _rate(p_alt < case.alpha)
        return {
            "case": case.name,
            "owner": case.owner,
            "kind": "test",
            "nominal": case.alpha,
            "observed": size,
            "mc_se": nominal_se,
            "calibrated": _verdict(size, case.alpha, nominal_se, one_sided=True, known_deviation=case.known_deviation),
            "power": power,
            "setting": case.effect,
            "n_sims": sims,
        }
    truth = case.truth() if callable(case.truth) else case.truth
    hits = []
    for _ in range(sims):
        low, high = case.simulate(rng)
        hits.append(low <= truth <= high)
    coverage, _ = _rate(np.array(hits))
    nominal_se = math.sqrt(case.confidence * (1 - case.confidence) / sims)
    return {
        "case": case.name,
        "owner": case.owner,
        "kind": "ci",
        "nominal": case.confidence,
        "observed": coverage,
        "mc_se": nominal_se,
        "calibrated": _verdict(
            coverage, case.confidence, nominal_se, one_sided=False, known_deviation=case.known_deviation
        ),
        "power": math.nan,
        "setting": case.setting,
        "n_sims": sims,
    }


def all_cases() -> list[Case]:
    """Generic cases plus every registered benchmark's (through ``BenchmarkInfo.calibration``)."""
    from scorers.stats.calibration_cases import CASES
    from twinbench.registry import load_benchmarks

    cases: list[Case] = list(CASES)
    for info in load_benchmarks().values():
        if info.calibration is not None:
            cases.extend(info.calibration())
    return cases


def calibration_table(
    cases: Iterable[Case],
    *,
    seed: int = SEED,
    scale: float = 1.0,
    progress: Callable[[Case, dict, float], None] | None = None,
) -> pd.DataFrame:
    """Run the cases (``scale`` multiplies each case's simulation count, at least 50) into one table;
    ``progress(case, row, seconds)`` is called after each."""
    rows = []
    for case in cases:
        start = time.perf_counter()
        rows.append(run_case(case, seed=seed, n_sims=max(50, int(case.n_sims * scale))))
        if progress is not None:
            progress(case, rows[-1], time.perf_counter() - start)
    return pd.DataFrame(rows)


def markdown_table(table: pd.DataFrame) -> str:
    lines = [
        "| case | where | kind | nominal | observed (± MC SE) | calibrated | power | setting | sims |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.to_dict("records"):
        power = "" if math.isnan(r["power"]) else f"{r['power']:.3f}"
        what = "size" if r["kind"] == "test" else "coverage"
        lines.append(
            f"| {r['case']} | {r['owner']} | {what} | {r['nominal']:.3f} | {r['observed']:.3f} ± {r['mc_se']:.3f} "
            f"| {r['calibrated'] if r['calibrated'] != 'NO' else '**NO**'} | {power} | {r['setting']} | {r['n_sims']} |"
        )
    return "\n".join(lines)
