"""Calibration cases of every test and interval Recon reports (``BenchmarkInfo.calibration``).

Simulated design, as the benchmark meets it: domains of individuals, each with a few held-out items that share the
individual's history traces. The difference of two strategies' fidelities on an item is

    d = shift + domain shift (+/-0.05) + individual shift (normal, sd INDIVIDUAL_SD, shared by its items)
        + ITEM_SCALE * t(4) item noise,

a win when d > TIE_MARGIN, a loss when d < -TIE_MARGIN (about 3% ties); H0 is shift = 0. The individual shift is what
makes items of one individual move together: the item-level sign test and Wilson interval ignore it and, at 5 items
per individual, rejected 16% under H0 and covered 0.83 (the clustered forms here: 4.1% and 0.94; the audit in the
README). The cases call the functions ``summarize`` uses: ``scorers.stats.winrate`` (the win rate's test and
interval with individuals as clusters; Bradley–Terry), ``summary.interval_of`` (the fidelity rows) and
``summary.leak_interval`` (the leak rate).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from benchmarks.recon.summary import interval_of, leak_interval
from scorers.stats.calibration import Case, CICase, TestCase
from scorers.stats.winrate import bradley_terry, bradley_terry_ci, win_rate

OWNER = "benchmarks/recon"
TIE_MARGIN = 0.02
ITEM_SCALE = 0.3  # t(4) item noise scale (sd 0.42)
INDIVIDUAL_SD = 0.3  # an individual's shift, shared by its items
DOMAIN_SHIFT = 0.05
GAIN = 0.1  # the true mean fidelity gain of the interval cases
PAPER_SHIFT = 0.0526  # the shift at which the win rate is 0.547 (the paper's Recon vs Backward), found by bisection
TRUTH_SIMS = 200_000  # individuals simulated for a truth that has no closed form
# (domains, individuals per domain, items per individual)
DEFAULT = (2, 4, 2)  # the default run: 8 individuals x 2 held-out items
MAIN_JOB = (2, 2, 1)  # the main job's size (-T recon.individuals=2 -T recon.test=1)
LARGE = (2, 25, 2)  # 100 held-out items
MANY_ITEMS = (2, 10, 5)  # 5 held-out items per individual (-T recon.test=5)
RESPONDENTS = (1, 4, 2)  # -T recon.domains=respondents at the default size
BT_THETA = np.array([0.6, 0.2, 0.0, -0.8])  # recon, forward, backward, none: log-strengths
BT_DESIGN = (2, 10, 2)
BT_INDIVIDUAL_SD = 0.5  # each individual's shift of each strategy's fidelity (shared by its items)
BT_RESAMPLES = 400


def layout(design: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(individual index per item, individual labels per item, domain labels per item)."""
    domains, per_domain, items = design
    individual = np.repeat(np.arange(domains * per_domain), items)
    domain = individual // per_domain
    return individual, np.char.add("i", individual.astype(str)), np.char.add("d", domain.astype(str))


def differences(rng: np.random.Generator, design: tuple[int, int, int], shift: float) -> np.ndarray:
    individual, _, domain_labels = layout(design)
    domain = np.unique(domain_labels, return_inverse=True)[1]
    domain_shift = np.where(domain % 2 == 0, DOMAIN_SHIFT, -DOMAIN_SHIFT) if design[0] > 1 else 0.0
    person = rng.normal(0.0, INDIVIDUAL_SD, design[0] * design[1])[individual]
    return shift + domain_shift + person + ITEM_SCALE * rng.standard_t(4, individual.size)


def outcome_win_rate(rng: np.random.Generator, design: tuple[int, int, int], shift: float):
    d = differences(rng, design, shift)
    return win_rate(d, np.zeros_like(d), TIE_MARGIN, clusters=layout(design)[1])


def sign_test(design: tuple[int, int, int], shift: float) -> Callable[[np.random.Generator], float]:
    def simulate(rng: np.random.Generator) -> float:
        result = outcome_win_rate(rng, design, shift)
        while not result.decisive:
            result = outcome_win_rate(rng, design, shift)
        return result.p_value

    return simulate


def wilson(design: tuple[int, int, int], shift: float) -> Callable[[np.random.Generator], tuple[float, float]]:
    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        result = outcome_win_rate(rng, design, shift)
        while not result.decisive:
            result = outcome_win_rate(rng, design, shift)
        return result.interval()

    return simulate


@cache
def win_share(shift: float) -> float:
    """The true win rate (wins / decisive items, pooled over infinitely many individuals) at ``shift``."""
    rng = np.random.default_rng(12345)
    domain = np.where(np.arange(TRUTH_SIMS) % 2 == 0, DOMAIN_SHIFT, -DOMAIN_SHIFT)  # two domains of equal size
    d = (
        shift
        + np.repeat(domain + rng.normal(0.0, INDIVIDUAL_SD, TRUTH_SIMS), 2)
        + ITEM_SCALE * rng.standard_t(4, 2 * TRUTH_SIMS)
    )
    wins, losses = int(np.sum(d > TIE_MARGIN)), int(np.sum(d < -TIE_MARGIN))
    return wins / (wins + losses)


def items_of(design: tuple[int, int, int], values: np.ndarray) -> pd.DataFrame:
    _, individual, domain = layout(design)
    return pd.DataFrame({"individual": individual, "domain": domain, "value": values})


def gain_interval(design: tuple[int, int, int]) -> Callable[[np.random.Generator], tuple[float, float]]:
    """The overall row's interval of the mean fidelity gain (domains +/-0.05 around GAIN, so the truth is GAIN)."""

    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        frame = items_of(design, differences(rng, design, GAIN))
        _, low, high, _, _ = interval_of(frame, frame["value"].to_numpy(), per_individual=False)
        return low, high

    return simulate


def individual_interval(items: int) -> Callable[[np.random.Generator], tuple[float, float]]:
    """An individual's row: its own items' gains, GAIN + t(4) noise (given its traces, the items are independent)."""

    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        frame = items_of((1, 1, items), GAIN + ITEM_SCALE * rng.standard_t(4, items))
        _, low, high, _, _ = interval_of(frame, frame["value"].to_numpy(), per_individual=True)
        return low, high

    return simulate


def respondent_gains(rng: np.random.Generator, n_individuals: int, items: int) -> np.ndarray:
    """Discrete items: the probability of the true option with no trace (an individual's level ~ Beta(2, 6) plus item
    noise) and with Recon's traces (the individual's lift ~ N(0.05, 0.05) plus item noise), clipped to (0, 1); the
    gain is their difference."""
    base = np.repeat(rng.beta(2, 6, n_individuals), items)
    lift = np.repeat(rng.normal(0.05, 0.05, n_individuals), items)
    none = np.clip(base + rng.normal(0, 0.08, base.size), 0.001, 0.999)
    recon = np.clip(none + lift + rng.normal(0, 0.05, base.size), 0.001, 0.999)
    return recon - none


@cache
def respondent_gain_truth() -> float:
    return float(respondent_gains(np.random.default_rng(54321), TRUTH_SIMS, 2).mean())


def respondents_interval(rng: np.random.Generator) -> tuple[float, float]:
    domains, per_domain, items = RESPONDENTS
    frame = items_of(RESPONDENTS, respondent_gains(rng, domains * per_domain, items))
    _, low, high, _, _ = interval_of(frame, frame["value"].to_numpy(), per_individual=False)
    return low, high


LEAK_MEAN, LEAK_CONCENTRATION = 0.3, 2.0  # an individual's leak propensity ~ Beta(0.6, 1.4): mean 0.3


def leak_rate_interval(rng: np.random.Generator) -> tuple[float, float]:
    """8 individuals x 2 history traces; each individual's traces leak with its own propensity (an individual whose
    actions are long quotes leaks more), so the two traces of one individual are dependent; truth = mean propensity."""
    domains, per_domain, traces = DEFAULT
    n = domains * per_domain
    propensity = rng.beta(LEAK_MEAN * LEAK_CONCENTRATION, (1 - LEAK_MEAN) * LEAK_CONCENTRATION, n)
    leaked = rng.random((n, traces)) < propensity[:, None]
    frame = pd.DataFrame(
        [
            {"individual": f"i{i}", "strategy": "backward", "valid": True, "leaked": bool(leaked[i, t])}
            for i in range(n)
            for t in range(traces)
        ]
    )
    low, high, _ = leak_interval(frame, "backward", per_individual=False)
    return low, high


def bt_scores(rng: np.random.Generator, individuals: int, items: int) -> np.ndarray:
    """Fidelities of 4 strategies: each individual shifts each strategy (sd BT_INDIVIDUAL_SD, shared by its items),
    plus Gumbel item noise (without the shifts, exactly Bradley–Terry)."""
    person = np.repeat(rng.normal(0.0, BT_INDIVIDUAL_SD, (individuals, BT_THETA.size)), items, axis=0)
    return BT_THETA + person + rng.gumbel(size=(individuals * items, BT_THETA.size))


@cache
def bt_truth() -> float:
    """The strongest strategy's population strength (the shifts attenuate it below BT_THETA's 0.6 - mean)."""
    return float(bradley_terry(bt_scores(np.random.default_rng(2024), 50_000, BT_DESIGN[2]), 0.0)[0])


def bt_interval(rng: np.random.Generator) -> tuple[float, float]:
    domains, per_domain, items = BT_DESIGN
    scores = bt_scores(rng, domains * per_domain, items)
    _, individual, domain = layout(BT_DESIGN)
    result = bradley_terry_ci(
        scores, 0.0, strata=domain, clusters=individual, n_resamples=BT_RESAMPLES, seed=int(rng.integers(2**31))
    )
    return float(result.low[0]), float(result.high[0])


FEW_CLUSTERS = (
    "slightly under nominal: a design effect estimated from 8 individuals is noisy and biased low (the audit measured "
    "0.92-0.96 over true rates 0.5-0.75 and individual sd 0-0.6; the plain Wilson interval 0.87-0.92 with individual "
    "effects, 0.91 for this leak rate; Korn & Graubard's degrees-of-freedom factor over-covers, 0.96-0.99)"
)


def describe(design: tuple[int, int, int]) -> str:
    domains, per_domain, items = design
    return f"{domains} domain(s) x {per_domain} individuals x {items} held-out item(s)"


def cases() -> list[Case]:
    model = (
        f"item difference = shift + domain +/-{DOMAIN_SHIFT} + individual shift (sd {INDIVIDUAL_SD}, shared by its "
        f"items) + {ITEM_SCALE} t(4), tie margin {TIE_MARGIN}"
    )
    sign = "exact sign test flipping each individual's outcomes together"
    wil = "Wilson interval of the win rate at the individuals' design effect"
    return [
        TestCase(
            "recon.sign_test_default", OWNER, sign_test(DEFAULT, 0.0), sign_test(DEFAULT, 0.5),
            f"{sign}, {describe(DEFAULT)} (the default run); {model}; power at shift 0.5 (win rate 0.86): the "
            "default run detects only large effects",
        ),
        TestCase(
            "recon.sign_test_main_job", OWNER, sign_test(MAIN_JOB, 0.0), sign_test(MAIN_JOB, 0.5),
            f"{sign}, {describe(MAIN_JOB)} (the main job and the transfer table: one item each, the binomial sign "
            f"test); {model}; power at shift 0.5: none, the smallest p-value of 4 items is 0.125",
            known_deviation="4 decisive items at most: the smallest two-sided p-value is 0.125, it never rejects",
        ),
        TestCase(
            "recon.sign_test_100", OWNER, sign_test(LARGE, 0.0), sign_test(LARGE, 0.15),
            f"{sign}, {describe(LARGE)}; {model}; power at shift 0.15 (win rate 0.63)",
        ),
        TestCase(
            "recon.sign_test_5_items", OWNER, sign_test(MANY_ITEMS, 0.0), sign_test(MANY_ITEMS, 0.25),
            f"{sign}, {describe(MANY_ITEMS)}; {model}; power at shift 0.25 (win rate 0.71). The binomial sign test "
            "over the 100 items rejected 0.16 under H0 here",
        ),
        CICase(
            "recon.win_rate_wilson", OWNER, wilson(DEFAULT, 0.15), lambda: win_share(0.15),
            f"{FEW_CLUSTERS}; {wil}, {describe(DEFAULT)}; {model}; shift 0.15 (true win rate 0.63)",
            known_deviation=FEW_CLUSTERS,
        ),
        CICase(
            "recon.win_rate_wilson_100", OWNER, wilson(LARGE, PAPER_SHIFT), lambda: win_share(PAPER_SHIFT),
            f"{wil}, {describe(LARGE)}; {model}; true win rate 0.547 (the paper's Recon vs Backward)",
        ),
        CICase(
            "recon.win_rate_wilson_5_items", OWNER, wilson(MANY_ITEMS, 0.15), lambda: win_share(0.15),
            f"{wil}, {describe(MANY_ITEMS)}; {model}; true win rate 0.63. The plain Wilson interval covered 0.83 here",
        ),
        CICase(
            "recon.fidelity_gain_ci", OWNER, gain_interval(DEFAULT), GAIN,
            "cluster-robust t interval (CR1, t with G - 1 df) of the mean fidelity gain over individuals, overall row, "
            f"{describe(DEFAULT)} (the default run); {model}; gain {GAIN}",
            n_sims=1000,
        ),
        CICase(
            "recon.fidelity_gain_ci_main_job", OWNER, gain_interval(MAIN_JOB), GAIN,
            f"the same, {describe(MAIN_JOB)} (the main job: 4 individuals, t with 3 df); the expanded percentile "
            "cluster bootstrap of task version 3 covered 0.65 here",
            n_sims=1000,
        ),
        CICase(
            "recon.fidelity_gain_ci_two_individuals", OWNER, gain_interval((1, 2, 1)), GAIN,
            "the same, a domain row of 2 individuals x 1 item (the main job's domain rows: t with 1 df, quantile "
            "12.7); the bootstrap covered 0.49",
            n_sims=1000,
        ),
        CICase(
            "recon.fidelity_gain_ci_respondents", OWNER, respondents_interval, respondent_gain_truth,
            f"the same, {describe(RESPONDENTS)} (respondents at the default size): gain of the probability of the "
            "true option, no-trace level Beta(2, 6) per individual, lift N(0.05, 0.05) per individual, item noise, "
            "clipped to (0, 1)",
            n_sims=1000,
        ),
        CICase(
            "recon.fidelity_individual_ci", OWNER, individual_interval(2), GAIN,
            f"one individual's row: t interval over its 2 held-out items (the default; t with 1 df), gain {GAIN}, "
            f"{ITEM_SCALE} t(4) item noise",
            n_sims=1000,
        ),
        CICase(
            "recon.fidelity_individual_ci_5", OWNER, individual_interval(5), GAIN,
            f"the same over 5 items, gain {GAIN}, {ITEM_SCALE} t(4) item noise",
            n_sims=1000,
        ),
        CICase(
            "recon.leak_rate_ci", OWNER, leak_rate_interval, LEAK_MEAN,
            f"{FEW_CLUSTERS}; Wilson interval of the leak rate at the individuals' design effect, 2 domains x 4 "
            "individuals x 2 history traces; each "
            f"individual's traces leak with its own propensity ~ Beta({LEAK_MEAN * LEAK_CONCENTRATION:g}, "
            f"{(1 - LEAK_MEAN) * LEAK_CONCENTRATION:g}) (mean {LEAK_MEAN})",
            n_sims=1000,
            known_deviation=FEW_CLUSTERS,
        ),
        CICase(
            "recon.bt_strength_ci", OWNER, bt_interval, bt_truth,
            f"Bradley–Terry strength of the strongest of 4 strategies (theta {BT_THETA.tolist()}), "
            f"{describe(BT_DESIGN)} each comparing all 6 pairs (Gumbel fidelities, each individual shifting each "
            f"strategy by sd {BT_INDIVIDUAL_SD}), expanded percentile bootstrap over individuals within domains "
            f"({BT_RESAMPLES} resamples), ridge 0.01; truth = the strength fitted to 50,000 individuals",
            n_sims=150,
        ),
    ]  # fmt: skip
