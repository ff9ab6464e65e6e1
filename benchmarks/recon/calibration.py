"""Calibration cases of the tests and intervals Recon reports (``BenchmarkInfo.calibration``).

Simulated design: held-out items whose pairwise outcome (strategy a against b) is a tie with probability
``TIES`` and otherwise a win with probability ``q`` (H0: q = 1/2). The cases call the functions ``summarize``
uses: ``scorers.stats.winrate`` (sign test, Wilson interval, Bradley–Terry bootstrap), ``summary.clustered_interval``
(the cluster-bootstrap CI of the mean fidelity gain, overall) and ``summary.mean_interval`` (an individual's own CI).
"""

from __future__ import annotations

import numpy as np

from benchmarks.recon.summary import MIN_ITEMS, clustered_interval, mean_interval
from scorers.stats.calibration import Case, CICase, TestCase
from scorers.stats.winrate import WinRate, bradley_terry_ci

OWNER = "benchmarks/recon"
DEFAULT_ITEMS = 16  # the default run: 2 domains x 4 individuals x 2 held-out items
DEFAULT_INDIVIDUALS = 8
INDIVIDUAL_SD = 0.15  # sd of an individual's shift of the gain (its traces are shared by its items)
LARGE_ITEMS = 100
TIES = 0.2
BT_THETA = np.array([0.6, 0.2, 0.0, -0.8])  # recon, forward, backward, none: log-strengths
BT_ITEMS = 40
BT_RESAMPLES = 400


def draw_outcomes(rng: np.random.Generator, n: int, q: float, ties: float = TIES) -> WinRate:
    tie = rng.random(n) < ties
    win = rng.random(n) < q
    return WinRate(wins=int((~tie & win).sum()), losses=int((~tie & ~win).sum()), ties=int(tie.sum()))


def sign_test(n: int, q: float):
    return lambda rng: draw_outcomes(rng, n, q).p_value


def wilson(n: int, q: float):
    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        result = draw_outcomes(rng, n, q)
        while result.decisive == 0:
            result = draw_outcomes(rng, n, q)
        return result.interval()

    return simulate


def gain_interval(rng: np.random.Generator) -> tuple[float, float]:
    """The default run: 8 individuals (4 per domain) x 2 items; per-item fidelity gain = 0.1 + a domain shift
    (+/-0.05) + the individual's shift (normal, sd 0.15, shared by its items) + t(4) item noise with scale 0.3;
    the overall row's interval (cluster bootstrap over individuals, stratified by domain)."""
    individual = np.repeat(np.arange(DEFAULT_INDIVIDUALS), DEFAULT_ITEMS // DEFAULT_INDIVIDUALS)
    strata = np.where(individual < DEFAULT_INDIVIDUALS // 2, "a", "b")
    shift = rng.normal(0.0, INDIVIDUAL_SD, DEFAULT_INDIVIDUALS)[individual]
    gains = 0.1 + np.where(strata == "a", 0.05, -0.05) + shift + 0.3 * rng.standard_t(4, DEFAULT_ITEMS)
    _, low, high, _, _ = clustered_interval(gains, individual.astype(str), strata)
    return low, high


def individual_interval(rng: np.random.Generator) -> tuple[float, float]:
    """One individual with MIN_ITEMS held-out items (the fewest that get an interval): gain 0.1 + t(4) noise with
    scale 0.3, its row's expanded percentile bootstrap over its items."""
    gains = 0.1 + 0.3 * rng.standard_t(4, MIN_ITEMS)
    _, low, high, _, _ = mean_interval(gains, np.full(MIN_ITEMS, "a"))
    return low, high


def bt_interval(rng: np.random.Generator) -> tuple[float, float]:
    """Every item compares all pairs of 4 strategies; fidelities are Gumbel draws around the log-strengths, so every
    pair follows Bradley–Terry exactly: P(i beats j) = 1 / (1 + exp(theta_j - theta_i))."""
    scores = BT_THETA + rng.gumbel(size=(BT_ITEMS, BT_THETA.size))
    result = bradley_terry_ci(scores, 0.0, n_resamples=BT_RESAMPLES, seed=int(rng.integers(2**31)))
    return float(result.low[0]), float(result.high[0])


def cases() -> list[Case]:
    design = f"{int(TIES * 100)}% ties"
    return [
        TestCase(
            "recon.sign_test_default", OWNER, sign_test(DEFAULT_ITEMS, 0.5), sign_test(DEFAULT_ITEMS, 0.85),
            f"exact sign test of a strategy pair, {DEFAULT_ITEMS} held-out items (the default run), {design}; "
            "power at a win share of 0.85 among decisive items (the default run detects only large effects)",
        ),
        TestCase(
            "recon.sign_test_100", OWNER, sign_test(LARGE_ITEMS, 0.5), sign_test(LARGE_ITEMS, 0.65),
            f"exact sign test, {LARGE_ITEMS} held-out items, {design}; power at a win share of 0.65",
        ),
        CICase(
            "recon.win_rate_wilson", OWNER, wilson(DEFAULT_ITEMS, 0.6), 0.6,
            f"Wilson interval of the win rate over decisive items, {DEFAULT_ITEMS} items, {design}, true rate 0.6",
        ),
        CICase(
            "recon.win_rate_wilson_100", OWNER, wilson(LARGE_ITEMS, 0.547), 0.547,
            f"Wilson interval, {LARGE_ITEMS} items, {design}, true rate 0.547 (the paper's Recon vs Backward)",
        ),
        CICase(
            "recon.fidelity_gain_ci", OWNER, gain_interval, 0.1,
            f"expanded percentile cluster-bootstrap CI (2,000 resamples of individuals, stratified by domain) of the "
            f"mean fidelity gain, {DEFAULT_INDIVIDUALS} individuals x 2 items in 2 domains, gain 0.1 +/- 0.05 by "
            f"domain, individual shift sd {INDIVIDUAL_SD}, t(4) item noise scale 0.3",
            n_sims=400,
        ),
        CICase(
            "recon.fidelity_individual_ci", OWNER, individual_interval, 0.1,
            f"one individual's expanded percentile bootstrap CI over its own {MIN_ITEMS} items (the fewest that get "
            "an interval; fewer, as the default 2, get none), gain 0.1, t(4) noise scale 0.3",
            n_sims=400,
        ),
        CICase(
            "recon.bt_strength_ci", OWNER, bt_interval, float(BT_THETA[0] - BT_THETA.mean()),
            f"Bradley–Terry strength of the strongest of 4 strategies (theta {BT_THETA.tolist()}), {BT_ITEMS} items "
            f"each comparing all 6 pairs (Gumbel fidelities, so exactly Bradley–Terry), {BT_RESAMPLES} bootstrap "
            "resamples over items, ridge 0.01",
            n_sims=150,
        ),
    ]  # fmt: skip
