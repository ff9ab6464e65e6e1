"""Calibration cases of the tests and intervals negotiation reports (``BenchmarkInfo.calibration``).

Simulated design: the model under test holds one seat per game against fixed opponents (the design the
intervention test is meant for), so its seat-games are independent; a game's full ranking follows Plackett–Luce.
The cases call the functions ``summarize`` uses: ``scorers.stats.proportions.two_proportion_test`` (the Fisher exact
test of the targeted-prompting effect), ``summary.win_interval`` (the win rate's Wilson interval over
games) and ``scorers.stats.rankings.plackett_luce_ci``.
"""

from __future__ import annotations

import numpy as np

from benchmarks.negotiation.summary import win_interval
from scorers.stats.calibration import Case, CICase, TestCase
from scorers.stats.proportions import two_proportion_test
from scorers.stats.rankings import plackett_luce_ci

OWNER = "benchmarks/negotiation"
C2C_PLAIN, C2C_TARGETED = 0.222, 0.327  # the paper's LM win rates without and with targeted prompting
ARM_GAMES = 300  # seat-games per arm: about 80% power at the paper's effect
SMALL_ARM = 40
PL_THETA = np.array([0.8, 0.2, -0.2, -0.8])
PL_GAMES = 40
PL_RESAMPLES = 100  # each refits choix (about 10 ms)


def fisher(n: int, p_targeted: float, p_plain: float):
    def simulate(rng: np.random.Generator) -> float:
        return two_proportion_test(int(rng.binomial(n, p_targeted)), n, int(rng.binomial(n, p_plain)), n)

    return simulate


def win_rate_interval(games: int, p: float, seats: int):
    """``seats`` of the model per game; exactly one of the four seats wins, with probability p for each of the
    model's seats (so the model's wins in a game are 0 or 1: all-or-nothing clusters when seats > 1)."""

    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        winner = rng.random(games) < p * seats  # one of the model's seats won this game
        return win_interval(winner.astype(float), np.full(games, seats))

    return simulate


def pl_rankings(rng: np.random.Generator, games: int) -> list[list[int]]:
    """Plackett–Luce rankings by Gumbel noise: sorting theta + Gumbel draws gives exactly PL(theta)."""
    return [list(np.argsort(-(PL_THETA + rng.gumbel(size=PL_THETA.size)))) for _ in range(games)]


def pl_interval(rng: np.random.Generator) -> tuple[float, float]:
    fit = plackett_luce_ci(pl_rankings(rng, PL_GAMES), PL_THETA.size, n_resamples=PL_RESAMPLES,
                           seed=int(rng.integers(2**31)))  # fmt: skip
    return float(fit.low[0]), float(fit.high[0])


def cases() -> list[Case]:
    return [
        TestCase(
            "negotiation.targeted_fisher", OWNER, fisher(ARM_GAMES, C2C_PLAIN, C2C_PLAIN),
            fisher(ARM_GAMES, C2C_TARGETED, C2C_PLAIN),
            f"Fisher exact test of the targeted-prompting effect on win rate, {ARM_GAMES} seat-games per arm (one "
            f"model seat per game), H0 both {C2C_PLAIN}; power at the paper's {C2C_PLAIN} -> {C2C_TARGETED}",
        ),
        TestCase(
            "negotiation.targeted_fisher_small", OWNER, fisher(SMALL_ARM, C2C_PLAIN, C2C_PLAIN),
            fisher(SMALL_ARM, 0.5, C2C_PLAIN),
            f"the same test with {SMALL_ARM} seat-games per arm; power at {C2C_PLAIN} -> 0.5 (small runs detect "
            "only large effects)",
        ),
        CICase(
            "negotiation.win_rate_wilson", OWNER, win_rate_interval(SMALL_ARM, C2C_PLAIN, 1), C2C_PLAIN,
            f"Wilson interval of the win rate, {SMALL_ARM} games with one model seat, true rate {C2C_PLAIN}",
        ),
        CICase(
            "negotiation.win_rate_wilson_2_seats", OWNER, win_rate_interval(SMALL_ARM, 0.3, 2), 0.3,
            f"Wilson interval of games won / 2, {SMALL_ARM} games with two model seats whose wins are exclusive (one "
            "winner per game), true rate 0.3 per seat",
        ),
        CICase(
            "negotiation.pl_strength_ci", OWNER, pl_interval, float(PL_THETA[0] - PL_THETA.mean()),
            f"Plackett–Luce strength of the strongest of 4 players (theta {PL_THETA.tolist()}), {PL_GAMES} games' "
            f"full rankings (exactly PL by Gumbel noise), expanded percentile bootstrap over games "
            f"({PL_RESAMPLES} resamples), ridge 0.01",
            n_sims=100,
        ),
    ]  # fmt: skip
