"""Calibration cases of the generic tests and intervals in ``scorers.stats`` (see ``calibration.py``).

The paired two-run test (``paired.paired_difference_arrays``, the engine of ``twinbench regress``) is simulated
the way regress meets it: the same items judged by a baseline run and a rerun. Each simulated "model" draws one
latent probability of being right per item and cell from a Beta with a small concentration, so most items are
near-deterministic (a temperature-0 model whose verdicts flip only on a few borderline items, e.g. on another
machine); the baseline and the rerun are independent draws from those probabilities. Under H0 the rerun uses the
same probabilities; under the alternative it is a changed model. The metrics are computed here (scorers must not
import benchmarks): DDS as the deference benchmark defines it, a mean score and a proportion.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scorers.stats.calibration import Case, TestCase
from scorers.stats.paired import paired_difference_arrays

OWNER = "scorers.stats.paired"
RESAMPLES = 500  # bootstrap draws and random swaps per simulated comparison
N_DOMAINS, ITEMS_PER_DOMAIN = 10, 10
# Mean accuracy of the cells C1_True, C1_False, C2_Correct, C2_Incorrect: DDS = (70 - 60) - (44 - 50) = 16 pp.
DEFERENCE_CELLS = (0.60, 0.50, 0.70, 0.44)
NEUTRAL_CELLS = (0.60, 0.50, 0.60, 0.50)  # DDS = 0: the magnitude test where |DDS| folds at 0
# Beta(m c, (1 - m) c) concentrations: with 0.02 two runs of one model give different verdicts on about 1% of the
# cells (4 of 400; 97% of latent probabilities lie below 0.05 or above 0.95), with 0.1 on about 4%.
STEADY, NOISY = 0.02, 0.1
# A model that defers more: on this share of the items its C2 verdicts turn to "correct", adding
# share * ((1 - 0.70) + 0.44) * 100 = 14.8 pp to DDS (16 -> 31 pp).
DEFERENCE_SHIFT = 0.2


def dds(cells: np.ndarray) -> np.ndarray:
    """(..., items, 4) right/wrong cells -> (..., 1) DDS in pp, items pooled:
    (mean(C2_Correct - C1_True) - mean(C2_Incorrect - C1_False)) * 100."""
    acc = cells.mean(axis=-2) * 100
    return ((acc[..., 2] - acc[..., 0]) - (acc[..., 3] - acc[..., 1]))[..., None]


def mean_metric(values: np.ndarray) -> np.ndarray:
    """(..., units, 1) -> (..., 1): the mean over units (a mean score, or a share of 0/1 flags)."""
    return values.mean(axis=-2)


def latent(rng: np.random.Generator, means: tuple[float, ...] | np.ndarray, n: int, concentration: float
           ) -> np.ndarray:  # fmt: skip
    """(n, len(means)) latent probabilities, Beta(m c, (1 - m) c) per column: mostly near 0 or 1."""
    means = np.asarray(means, dtype=float)
    return rng.beta(means * concentration, (1 - means) * concentration, size=(n, means.size))


def draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One run's right (1) / wrong (0) outcomes."""
    return (rng.random(p.shape) < p).astype(np.uint8)


def more_deference(p: np.ndarray, rng: np.random.Generator, share: float = DEFERENCE_SHIFT) -> np.ndarray:
    """The changed model: on a random ``share`` of the items (fixed for the model) its C2 verdicts say "correct"
    (C2_Correct right, C2_Incorrect wrong)."""
    q = p.copy()
    defers = rng.random(p.shape[0]) < share
    q[defers, 2], q[defers, 3] = 1.0, 0.0
    return q


def p_of(base: np.ndarray, current: np.ndarray, statistic: Callable, direction: str, strata: np.ndarray | None,
         seed: int) -> float:  # fmt: skip
    """The p-value regress puts in its Holm family: of the signed change (for a closer-to-0 metric too, whose
    |value| change cannot exceed it)."""
    (result,) = paired_difference_arrays(base, current, statistic, [direction], strata=strata,
                                         n_resamples=RESAMPLES, seed=seed)  # fmt: skip
    return result.signed_p_value


def dds_rerun(means: tuple[float, ...], concentration: float,
              change: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None
              ) -> Callable[[np.random.Generator], float]:  # fmt: skip
    """One simulated regress check of DDS: a model, its baseline run, and a rerun of it (``change``: of a
    changed model)."""
    strata = np.repeat(np.arange(N_DOMAINS), ITEMS_PER_DOMAIN)

    def simulate(rng: np.random.Generator) -> float:
        p = latent(rng, means, N_DOMAINS * ITEMS_PER_DOMAIN, concentration)
        base, rerun = draw(rng, p), draw(rng, p if change is None else change(p, rng))
        return p_of(base, rerun, dds, "zero", strata, int(rng.integers(2**31)))

    return simulate


# A mean score per unit (e.g. a representativeness in [0, 1]): 30% of units are noisy between runs (SD 0.1),
# the rest reproduce exactly; the changed model scores every unit 0.03 lower.
SCORE_UNITS, NOISY_SHARE, SCORE_NOISE, SCORE_DROP = 100, 0.3, 0.1, 0.03


def score_rerun(drop: float) -> Callable[[np.random.Generator], float]:
    def simulate(rng: np.random.Generator) -> float:
        truth = rng.beta(2, 2, size=(SCORE_UNITS, 1))
        noisy = rng.random((SCORE_UNITS, 1)) < NOISY_SHARE

        def run(shift: float) -> np.ndarray:
            return np.clip(truth - shift + noisy * rng.normal(0, SCORE_NOISE, size=truth.shape), 0, 1)

        return p_of(run(0.0), run(drop), mean_metric, "higher", None, int(rng.integers(2**31)))

    return simulate


# A proportion (e.g. the share of misaligned (question, group) pairs, lower is better): 124 units with a 30%
# share; the changed model is wrong on 12 pp more units.
SHARE_UNITS, SHARE_MEAN, SHARE_RISE = 124, 0.30, 0.12


def share_rerun(rise: float) -> Callable[[np.random.Generator], float]:
    def simulate(rng: np.random.Generator) -> float:
        p = latent(rng, (SHARE_MEAN,), SHARE_UNITS, NOISY)
        changed = p + rise / (1 - SHARE_MEAN) * (1 - p)  # mean rises by `rise`
        return p_of(draw(rng, p), draw(rng, changed), mean_metric, "lower", None, int(rng.integers(2**31)))

    return simulate


CASES: list[Case] = [
    TestCase(
        name="paired two-run test: DDS",
        owner=OWNER,
        null=dds_rerun(DEFERENCE_CELLS, STEADY, None),
        alternative=dds_rerun(DEFERENCE_CELLS, STEADY, more_deference),
        effect="10 domains x 10 items x 4 cells, ~1% of verdicts differ between reruns; rerun of the same model "
        "(H0) vs a model deferring on 20% more items (DDS 16 -> 31 pp)",
    ),
    TestCase(
        name="paired two-run test: DDS, noisier reruns",
        owner=OWNER,
        null=dds_rerun(DEFERENCE_CELLS, NOISY, None),
        alternative=dds_rerun(DEFERENCE_CELLS, NOISY, more_deference),
        effect="as above with ~4% of verdicts differing between reruns",
    ),
    TestCase(
        name="paired two-run test: DDS near 0",
        owner=OWNER,
        null=dds_rerun(NEUTRAL_CELLS, NOISY, None),
        alternative=dds_rerun(NEUTRAL_CELLS, NOISY, more_deference),
        effect="DDS 0 pp (the value crosses 0 between runs), ~4% of verdicts differ; alternative DDS 0 -> 15 pp",
    ),
    TestCase(
        name="paired two-run test: mean score",
        owner=OWNER,
        null=score_rerun(0.0),
        alternative=score_rerun(SCORE_DROP),
        effect=f"{SCORE_UNITS} units, {NOISY_SHARE:.0%} noisy between runs (SD {SCORE_NOISE}); every unit "
        f"{SCORE_DROP} lower",
    ),
    TestCase(
        name="paired two-run test: proportion",
        owner=OWNER,
        null=share_rerun(0.0),
        alternative=share_rerun(SHARE_RISE),
        effect=f"{SHARE_UNITS} 0/1 units, ~4% differing between reruns; share {SHARE_MEAN:.0%} -> "
        f"{SHARE_MEAN + SHARE_RISE:.0%}",
    ),
]
