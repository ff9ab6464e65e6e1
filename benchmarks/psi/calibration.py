"""Calibration cases of the simulated-vs-real comparisons PSI reports (``BenchmarkInfo.calibration``).

Simulated design, matched pairs like a PSI run's: conversation i has a latent verbosity level (log-normal around
the ESConv seekers' 14 words per turn, SD 0.5 on the log scale, as the per-conversation means of the shipped
profiles spread); its real seeker and its simulated patient each write ``TURNS`` turns whose lengths are Poisson
around that level times their own conversation-level noise (log-SD 0.3). Under H0 the two sides are exchangeable
within a pair; the alternative multiplies the simulated side's level by ``EFFECT``. The cases call what
``summarize`` calls: :func:`benchmarks.psi.summary.paired_test` (Wilcoxon signed-rank on the per-conversation
differences) and :func:`benchmarks.psi.summary.bootstrap` (the expanded percentile interval of the PSI-Bench
words-per-turn difference over resampled pairs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.psi.diagnostics import EMPTY_TALLY
from benchmarks.psi.summary import Side, bootstrap, paired_test
from scorers.stats.calibration import Case, CICase, TestCase

OWNER = "benchmarks/psi"
REAL_WORDS = 14.0
LEVEL_SD = 0.5
SIDE_SD = 0.3
TURNS = 8
EFFECT = 1.3  # PSI-Bench's simulators are "too long": power is shown at 30% more words per turn
DEFAULT_N = 4  # the default run's conversations
N_TEST = 40
CI_RESAMPLES = 500
CI_SHIFT = 1.2  # simulated side 20% longer for the interval case


def _diagnostics(words: np.ndarray) -> dict:
    n = len(words)
    return {
        "turns": n, "words": [int(w) for w in words], "words_per_sentence": [None] * n, "mtld": None,
        "markers": {"counts": dict(EMPTY_TALLY.counts), "tokens": 0, "messages": 0, "marked_messages": 0},
        "valence": [0.0] * n, "valence_labels": ["neutral"] * n, "resolution_turn": None,
        "uniform_trajectory": False,
    }  # fmt: skip


def draw_pairs(rng: np.random.Generator, n: int, effect: float) -> tuple[Side, Side]:
    """n matched (simulated, real) conversations of TURNS turns each; simulated levels times ``effect``."""
    level = REAL_WORDS * np.exp(rng.normal(0, LEVEL_SD, n))
    sides = []
    for factor in (effect, 1.0):
        own = level * factor * np.exp(rng.normal(0, SIDE_SD, n))
        words = np.maximum(1, rng.poisson(own[:, None], size=(n, TURNS)))
        sides.append(Side.of([_diagnostics(w) for w in words], [[] for _ in range(n)]))
    return sides[0], sides[1]


def words_test(n: int, effect: float) -> Callable[[np.random.Generator], float]:
    def p_value(rng: np.random.Generator) -> float:
        sim, real = draw_pairs(rng, n, effect)
        return paired_test("words_per_turn", sim, real)[0]

    return p_value


def difference_truth(n: int = 4000, seed: int = 12345) -> float:
    """The words-per-turn difference (PSI-Bench's per-index statistic) of a very large matched population."""
    sim, real = draw_pairs(np.random.default_rng(seed), n, CI_SHIFT)
    return bootstrap(sim, real, n_resamples=1)["words_per_turn_difference"][0]


def difference_interval(n: int) -> Callable[[np.random.Generator], tuple[float, float]]:
    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        sim, real = draw_pairs(rng, n, CI_SHIFT)
        _, low, high = bootstrap(sim, real, n_resamples=CI_RESAMPLES, seed=int(rng.integers(2**31)))[
            "words_per_turn_difference"
        ]
        return low, high

    return simulate


def cases() -> list[Case]:
    design = (
        f"matched pairs, {TURNS} turns each, log-normal conversation levels around {REAL_WORDS:g} words per turn "
        f"(log-SD {LEVEL_SD}), side noise log-SD {SIDE_SD}, Poisson turn lengths"
    )
    return [
        TestCase(
            "psi.wilcoxon_words_per_turn", OWNER, words_test(N_TEST, 1.0), words_test(N_TEST, EFFECT),
            f"Wilcoxon signed-rank of simulated − real mean words per turn, {N_TEST} conversations; {design}; "
            f"power at a simulator {EFFECT:g}x as long as its real counterpart",
        ),
        TestCase(
            "psi.wilcoxon_words_per_turn_default", OWNER, words_test(DEFAULT_N, 1.0), words_test(DEFAULT_N, 2.0),
            f"the same at the default run's {DEFAULT_N} conversations (exact sign-flip distribution: the smallest "
            "p-value is 0.125, so it never rejects at 0.05); power at 2x as long",
        ),
        CICase(
            "psi.words_per_turn_difference_ci", OWNER, difference_interval(N_TEST), difference_truth,
            f"expanded percentile bootstrap ({CI_RESAMPLES} resamples of matched pairs) of PSI-Bench's words-per-turn "
            f"difference simulated − real, {N_TEST} conversations; {design}; simulated side {CI_SHIFT:g}x",
            n_sims=300,
        ),
    ]  # fmt: skip
