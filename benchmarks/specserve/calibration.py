"""Calibration cases of the tests and intervals specserve reports (``BenchmarkInfo.calibration``).

Simulated design, paired by prompt as a run is: prompt i is served by plain decoding at ``plain_i`` tokens/s
(log-normal around 20 tokens/s, log-SD 0.3: prompts differ in length and content) and by a speculative setting at
``plain_i * r_i``, where the per-prompt speedup ``r_i`` is log-normal around ``s`` with log-SD :data:`RATIO_SD`
(acceptance differs between prompts: the embedded run's 7 per-prompt speedups spread 0.3 on the log scale; the
heterogeneous case doubles it). The headline speedup is the ratio of mean tokens/s, whose population value is
``s * exp(RATIO_SD**2 / 2)`` (the two factors are independent); the Wilcoxon test's H0 is a log ratio symmetric
about 0 (``s = 1``), its power is shown at ``s = 1.3``.

RaLMSpec: question i's baseline takes ``base_i`` seconds (log-normal, log-SD 0.4: answers and retrievals differ)
and RaLMSpec ``base_i * q_i``; ``q_i`` log-normal around 1 / 1.1 with log-SD 0.1 (speculation saves a similar
share on every question). The headline is total baseline over total RaLMSpec seconds (population value
``E[base] / E[base q] = 1 / E[q]``).

The cases call what ``summary.py`` and ``ralm_summary.py`` call: ``cluster_ratio_ci`` with the expanded
percentile interval and ``wilcoxon_signed_rank``. Measured at 1000 simulations (``scripts/calibrate.py``): the
plain percentile interval covered 0.84 / 0.90 / 0.90 at 6 / 12 / 24 prompts, the expanded one 0.92 / 0.945 / 0.93,
which is why the summaries use the expanded one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from scorers.stats.bootstrap import cluster_ratio_ci
from scorers.stats.calibration import Case, CICase, TestCase
from scorers.stats.paired import wilcoxon_signed_rank

OWNER = "benchmarks/specserve"
PLAIN_TOKENS_PER_S = 20.0
PROMPT_SD = 0.3  # log-SD of plain decoding's tokens/s across prompts
RATIO_SD = 0.3  # log-SD of the per-prompt speedup
EFFECT = 1.3  # power is shown at a 1.3x median speedup
MAIN_JOB_PROMPTS = 6  # the main job: one prompt per Spec-Bench group
PROMPTS = 24  # a run of four prompts a group
QUESTION_SD = 0.4
RALM_SAVING = 1.1
RALM_SD = 0.1
MAIN_JOB_QUESTIONS = 4
QUESTIONS = 12
SMALL_N_DEVIATION = (
    "a bootstrap over {n} units cannot cover nominally (the expanded percentile interval "
    "widens toward it); runs meant to be cited should use 24+ prompts"
)


def _prompts(rng: np.random.Generator, n: int, speedup: float, ratio_sd: float) -> tuple[np.ndarray, np.ndarray]:
    plain = np.exp(rng.normal(math.log(PLAIN_TOKENS_PER_S), PROMPT_SD, n))
    return plain, plain * np.exp(rng.normal(math.log(speedup), ratio_sd, n))


def speedup_interval(n: int, ratio_sd: float = RATIO_SD) -> Callable[[np.random.Generator], tuple[float, float]]:
    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        plain, spec = _prompts(rng, n, 1.0, ratio_sd)
        ci = cluster_ratio_ci(spec, plain, np.arange(n), expanded=True, seed=int(rng.integers(2**31)))
        return ci.low, ci.high

    return simulate


def speedup_test(n: int, speedup: float) -> Callable[[np.random.Generator], float]:
    def simulate(rng: np.random.Generator) -> float:
        plain, spec = _prompts(rng, n, speedup, RATIO_SD)
        return wilcoxon_signed_rank(np.log(spec / plain))

    return simulate


def _questions(rng: np.random.Generator, n: int, saving: float) -> tuple[np.ndarray, np.ndarray]:
    base = np.exp(rng.normal(math.log(8.0), QUESTION_SD, n))
    return base, base * np.exp(rng.normal(-math.log(saving), RALM_SD, n))


def ralm_interval(n: int) -> Callable[[np.random.Generator], tuple[float, float]]:
    def simulate(rng: np.random.Generator) -> tuple[float, float]:
        base, spec = _questions(rng, n, RALM_SAVING)
        ci = cluster_ratio_ci(base, spec, np.arange(n), expanded=True, seed=int(rng.integers(2**31)))
        return ci.low, ci.high

    return simulate


def ralm_test(n: int, saving: float) -> Callable[[np.random.Generator], float]:
    def simulate(rng: np.random.Generator) -> float:
        base, spec = _questions(rng, n, saving)
        return wilcoxon_signed_rank(base - spec)

    return simulate


def cases() -> list[Case]:
    speedup_truth = math.exp(RATIO_SD**2 / 2)
    ralm_truth = RALM_SAVING * math.exp(-(RALM_SD**2) / 2)  # 1 / E[q]
    return [
        TestCase(
            "specserve.speedup_wilcoxon", OWNER, speedup_test(12, 1.0), speedup_test(12, EFFECT),
            f"Wilcoxon signed-rank test of the per-prompt log speedup, 12 prompts, log-SD {RATIO_SD} between "
            f"prompts; H0 median speedup 1, power at {EFFECT}x",
        ),
        CICase(
            "specserve.speedup_ci", OWNER, speedup_interval(PROMPTS), speedup_truth,
            f"speedup (ratio of mean tokens/s), paired expanded percentile bootstrap over {PROMPTS} prompts, "
            f"per-prompt speedup log-SD {RATIO_SD}, true value {speedup_truth:.3f}",
            n_sims=500,
        ),
        CICase(
            "specserve.speedup_ci_heterogeneous", OWNER, speedup_interval(PROMPTS, 2 * RATIO_SD),
            math.exp((2 * RATIO_SD) ** 2 / 2),
            f"the same with per-prompt speedups twice as spread (log-SD {2 * RATIO_SD}), {PROMPTS} prompts",
            n_sims=500,
        ),
        CICase(
            "specserve.speedup_ci_main_job", OWNER, speedup_interval(MAIN_JOB_PROMPTS), speedup_truth,
            SMALL_N_DEVIATION.format(n=MAIN_JOB_PROMPTS) + f"; the main job's {MAIN_JOB_PROMPTS} prompts",
            n_sims=500,
            known_deviation=SMALL_N_DEVIATION.format(n=MAIN_JOB_PROMPTS),
        ),
        TestCase(
            "specserve.ralm_wilcoxon", OWNER, ralm_test(QUESTIONS, 1.0), ralm_test(QUESTIONS, RALM_SAVING),
            f"Wilcoxon signed-rank test of the seconds RaLMSpec saves per question, {QUESTIONS} questions; H0 no "
            f"saving, power at {RALM_SAVING}x (log-SD {RALM_SD} of the per-question saving)",
        ),
        CICase(
            "specserve.ralm_speedup_ci", OWNER, ralm_interval(QUESTIONS), ralm_truth,
            f"RaLMSpec speedup (total baseline / total RaLMSpec seconds), expanded percentile bootstrap over "
            f"{QUESTIONS} questions, true value {ralm_truth:.3f}",
            n_sims=500,
        ),
        CICase(
            "specserve.ralm_speedup_ci_main_job", OWNER, ralm_interval(MAIN_JOB_QUESTIONS), ralm_truth,
            SMALL_N_DEVIATION.format(n=MAIN_JOB_QUESTIONS) + f"; the main job's {MAIN_JOB_QUESTIONS} questions",
            n_sims=500,
            known_deviation=SMALL_N_DEVIATION.format(n=MAIN_JOB_QUESTIONS),
        ),
    ]  # fmt: skip
