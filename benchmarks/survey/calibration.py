"""Calibration cases of the survey benchmark's tests and intervals (registry ``calibration`` hook).

The tests run through the benchmark's own code path: a log-probability reply goes through ``letter_probabilities``
(which splits off the invalid mass) and ``alignment_test``; human counts are drawn with the real items' n_eff and
option counts, as in the audit that found the old homogeneity test invalid.
"""

from __future__ import annotations

import math
from functools import cache, partial

import numpy as np
from inspect_ai.model import ChatCompletionChoice, ChatMessageAssistant, Logprob, Logprobs, ModelOutput, TopLogprob

from benchmarks.survey.analysis import alignment_test
from benchmarks.survey.items import offline_items
from benchmarks.survey.prompts import option_letters
from benchmarks.survey.solver import letter_probabilities
from scorers.stats.bootstrap import cluster_mean_ci, cluster_statistic_ci
from scorers.stats.calibration import CICase, TestCase
from scorers.stats.multiple_testing import benjamini_hochberg

OWNER = "survey"
INVALID_MASSES = (0.0, 0.02, 0.05, 0.30)  # the audit's settings
POWER_W = 0.2


@cache
def _real_items() -> list[tuple[float, np.ndarray]]:
    """(n_eff, population shares) of every testable conditioned item of the offline surveys."""
    return [
        (float(i.n_eff), np.asarray(i.population_shares, float)) for i in offline_items() if i.conditioned and i.n_eff
    ]


def _reply(shares: np.ndarray, invalid: float) -> ModelOutput:
    """A one-token reply whose top log-probabilities put ``(1 - invalid) * shares`` on the letters (in several
    token forms) and ``invalid`` on a non-letter token."""
    letters = option_letters(shares.size)
    top = []
    for i, (letter, share) in enumerate(zip(letters, shares)):
        forms = (f" {letter}", f"{letter})") if i % 2 else (letter,)  # mass split over token forms
        for form in forms:
            mass = (1 - invalid) * share / len(forms)
            if mass > 0:
                top.append(TopLogprob(token=form, logprob=math.log(mass)))
    if invalid > 0:
        top.append(TopLogprob(token="The", logprob=math.log(invalid)))
    first = Logprob(token=top[0].token, logprob=top[0].logprob, top_logprobs=top)
    choice = ChatCompletionChoice(message=ChatMessageAssistant(content=first.token), logprobs=Logprobs(content=[first]))
    return ModelOutput(model="calibration", choices=[choice])


def _shifted(p0: np.ndarray, w: float, rng: np.random.Generator) -> np.ndarray:
    """A distribution at Cohen's w from ``p0`` in a random direction (bisection on the step)."""
    direction = rng.normal(size=p0.size)
    direction -= direction.mean()
    lo, hi = 0.0, 1.0
    for _ in range(60):
        t = (lo + hi) / 2
        p1 = np.clip(p0 + t * direction, 1e-9, None)
        p1 /= p1.sum()
        lo, hi = (t, hi) if math.sqrt(np.sum((p1 - p0) ** 2 / p0)) < w else (lo, t)
    return p1


def _gof_p(rng: np.random.Generator, invalid: float, w: float) -> float:
    items = _real_items()
    n_eff, model = items[rng.integers(len(items))]
    model = np.clip(model, 1e-3, None) / np.clip(model, 1e-3, None).sum()  # the model gives every option some mass
    human = model if w == 0 else _shifted(model, w, rng)
    counts = rng.multinomial(int(round(n_eff)), human)
    result = letter_probabilities(_reply(model, invalid), option_letters(model.size))
    assert result is not None  # _reply always carries first-token log-probabilities
    result["mode"] = "logprobs"
    return alignment_test(result, counts, seed=int(rng.integers(2**31))).p_value


def _samples_p(rng: np.random.Generator, w: float, k: int = 10, invalid: float = 0.3) -> float:
    """Samples mode: K answers, each invalid with probability ``invalid``; a two-sample test on the valid ones."""
    items = _real_items()
    n_eff, human = items[rng.integers(len(items))]
    model = human if w == 0 else _shifted(np.clip(human, 1e-3, None) / np.clip(human, 1e-3, None).sum(), w, rng)
    answers = rng.multinomial(k, [*((1 - invalid) * model), invalid])
    counts = rng.multinomial(int(round(n_eff)), human)
    result = {"mode": "samples", "option_counts": answers[:-1]}
    test = alignment_test(result, counts, seed=int(rng.integers(2**31)))
    return 1.0 if test is None else test.p_value  # no valid answer: untestable, never a rejection


# -- the misaligned share's interval: a super-population of questions with clustered misalignment -------------

N_QUESTIONS, SUBPOPS = 30, 4  # about the main job's 124 conditioned items
MISALIGNED_QUESTIONS = 0.4


def _question_p_values(rng: np.random.Generator) -> np.ndarray:
    """(questions, sub-populations) p-values: a misaligned question is misaligned for every sub-population, with
    evidence varying by sub-population; an aligned one gives uniform p-values."""
    misaligned = rng.random(N_QUESTIONS) < MISALIGNED_QUESTIONS
    strength = rng.gamma(2.0, 1.5, size=(N_QUESTIONS, 1))  # question-level effect, shared by its sub-populations
    z = rng.normal(size=(N_QUESTIONS, SUBPOPS)) + misaligned[:, None] * strength
    return 2 * (1 - _normal_cdf(np.abs(z)))


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    return norm.cdf(x)


def _bh_share(p: np.ndarray) -> float:
    return float(benjamini_hochberg(p)[0].mean())


@cache
def _true_share() -> float:
    rng = np.random.default_rng(12345)
    return float(np.mean([_bh_share(_question_p_values(rng).ravel()) for _ in range(20_000)]))


def _share_interval(rng: np.random.Generator) -> tuple[float, float]:
    p = _question_p_values(rng).ravel()
    clusters = np.repeat(np.arange(N_QUESTIONS), SUBPOPS)
    interval = cluster_statistic_ci(
        lambda rows: _bh_share(p[rows]), clusters, n_resamples=500, seed=int(rng.integers(2**31))
    )
    return interval.low, interval.high


# -- representativeness' interval: item values correlated within questions ------------------------------------


def _mean_interval(rng: np.random.Generator) -> tuple[float, float]:
    question_mean = rng.beta(6, 3, size=N_QUESTIONS)  # super-population mean 6/9
    values = np.clip(question_mean[:, None] + rng.normal(0, 0.05, size=(N_QUESTIONS, SUBPOPS)), 0, 1).ravel()
    interval = cluster_mean_ci(
        values, np.repeat(np.arange(N_QUESTIONS), SUBPOPS), n_resamples=1000, seed=int(rng.integers(2**31))
    )
    return interval.low, interval.high


def cases() -> list:
    found: list = []
    for invalid in INVALID_MASSES:
        found.append(
            TestCase(
                name=f"survey goodness of fit (log-probs), invalid mass {invalid:.2f}",
                owner=OWNER,
                null=partial(_gof_p, invalid=invalid, w=0.0),
                alternative=partial(_gof_p, invalid=invalid, w=POWER_W),
                effect=f"real items' n_eff and options; power at one-sample w = {POWER_W}",
            )
        )
    found.append(
        TestCase(
            name="survey homogeneity (10 samples, 30% invalid)",
            owner=OWNER,
            null=lambda rng: _samples_p(rng, 0.0),
            alternative=lambda rng: _samples_p(rng, 0.5),
            effect="real items' n_eff; K = 10 model answers; power at w = 0.5",
        )
    )
    found.append(
        CICase(
            name="survey misaligned share, question-cluster bootstrap (BH per resample)",
            owner=OWNER,
            simulate=_share_interval,
            truth=_true_share,
            setting=f"{N_QUESTIONS} questions x {SUBPOPS} sub-populations, {MISALIGNED_QUESTIONS:.0%} of questions "
            "misaligned for all their sub-populations; truth = expected BH share; 500 resamples",
            n_sims=400,
        )
    )
    found.append(
        CICase(
            name="survey representativeness mean, question-cluster bootstrap",
            owner=OWNER,
            simulate=_mean_interval,
            truth=6 / 9,
            setting=f"{N_QUESTIONS} questions x {SUBPOPS} sub-populations, question means ~ Beta(6, 3), "
            "within-question sd 0.05; 1000 resamples",
            n_sims=400,
        )
    )
    return found
