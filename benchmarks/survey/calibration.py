"""Calibration cases of the survey benchmark's tests and intervals (registry ``calibration`` hook).

The tests run through the benchmark's own code path: a log-probability reply goes through ``letter_probabilities``
(which splits off the invalid mass) and ``alignment_test``; human counts are drawn with the real items' n_eff and
option counts, as in the audit that found the old homogeneity test invalid. Replies either list every token (the
letters in one or two token forms, the invalid mass on one token) or are cut to the top 20 tokens like a real
provider's, with the invalid mass spread over 200 tokens, so that letters and token forms fall off the list.

The intervals run through ``summary``'s own functions on the shipped items' design (their questions and how many
sub-populations each has) and, for comparison, on 30 questions of 4 sub-populations.
"""

from __future__ import annotations

import math
from functools import cache, partial

import numpy as np
from inspect_ai.model import ChatCompletionChoice, ChatMessageAssistant, Logprob, Logprobs, ModelOutput, TopLogprob
from scipy.stats import norm

from benchmarks.survey.analysis import alignment_test
from benchmarks.survey.items import offline_items
from benchmarks.survey.prompts import option_letters
from benchmarks.survey.solver import TOP_LOGPROBS, letter_probabilities
from benchmarks.survey.summary import mean_interval, misaligned_share_interval
from scorers.stats.calibration import CICase, TestCase
from scorers.stats.multiple_testing import benjamini_hochberg

OWNER = "survey"
INVALID_MASSES = (0.0, 0.02, 0.05, 0.30)  # the audit's settings
# (invalid mass, token forms per letter) of replies cut to the top 20 (the audit's truncation settings)
TRUNCATED = ((0.30, 2), (0.90, 2), (0.95, 2), (0.60, 6))
POWER_W = 0.2


@cache
def _real_items() -> list[tuple[float, np.ndarray]]:
    """(n_eff, population shares) of every testable conditioned item of the offline surveys."""
    return [
        (float(i.n_eff), np.asarray(i.population_shares, float)) for i in offline_items() if i.conditioned and i.n_eff
    ]


@cache
def _real_design() -> np.ndarray:
    """The question of each testable conditioned item of the offline surveys (the shipped design: 9 questions)."""
    return np.array([f"{i.source}/{i.question_id}" for i in offline_items() if i.conditioned and i.n_eff])


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


FORMS = ("{}", " {}", "{})", "({}", " ({}", "{}.")  # token forms a letter can take


def _truncated_reply(shares: np.ndarray, invalid: float, forms: int, rng: np.random.Generator) -> ModelOutput:
    """A reply cut to the top ``TOP_LOGPROBS`` tokens, as a provider returns it: each letter's mass split over
    ``forms`` token forms (two forms: 90% / 10%; more: Dirichlet(0.5) shares), the invalid mass over 200 tokens
    (Dirichlet(0.3) shares), so that whole letters and some forms of listed letters fall off the list."""
    tokens: list[tuple[str, float]] = []
    for letter, share in zip(option_letters(shares.size), shares):
        split = np.array([0.9, 0.1]) if forms == 2 else rng.dirichlet(np.full(forms, 0.5))
        tokens += [(form.format(letter), (1 - invalid) * share * f) for form, f in zip(FORMS, split)]
    tokens += [(f"w{j}", invalid * x) for j, x in enumerate(rng.dirichlet(np.full(200, 0.3)))]
    tokens = sorted((t for t in tokens if t[1] > 0), key=lambda t: -t[1])[:TOP_LOGPROBS]
    top = [TopLogprob(token=t, logprob=math.log(m)) for t, m in tokens]
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


def _gof_p(rng: np.random.Generator, invalid: float, w: float, forms: int = 0) -> float:
    """One item's goodness-of-fit p-value; ``forms`` > 0: the reply cut to the top 20 (:func:`_truncated_reply`)."""
    items = _real_items()
    n_eff, model = items[rng.integers(len(items))]
    model = np.clip(model, 1e-3, None) / np.clip(model, 1e-3, None).sum()  # the model gives every option some mass
    human = model if w == 0 else _shifted(model, w, rng)
    counts = rng.multinomial(int(round(n_eff)), human)
    reply = _truncated_reply(model, invalid, forms, rng) if forms else _reply(model, invalid)
    result = letter_probabilities(reply, option_letters(model.size))
    assert result is not None  # _reply always carries first-token log-probabilities
    result["mode"] = "logprobs"
    test = alignment_test(result, counts, seed=int(rng.integers(2**31)))
    return 1.0 if test is None else test.p_value  # no listed letter at all: untestable, never a rejection


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
# The audit's effect model: each question is misaligned (for all its sub-populations) with probability ``share``,
# with a question-level strength ~ Gamma(shape, scale) shared by its sub-populations; each item's z-score is that
# strength plus N(0, 1), its p-value two-sided; BH at 5% over all items decides. The truth is the expected BH share.

SHARE_SETTINGS = ((0.4, 2.0, 1.5), (0.9, 4.0, 2.0))  # (misaligned questions, strength shape, scale)
N_QUESTIONS, SUBPOPS = 30, 4  # the comparison design
# The worst-case (all-or-nothing) variance over-covers where the data carry more information than the shipped 9
# questions: 30 x 4 at 90% misaligned covered 0.974 in 1,000 simulations, which the harness (over-coverage beyond
# 3 SE is "NO") does not accept, so the comparison design registers the 40% setting only (both in the README).
COMPARISON_SHARE_SETTINGS = SHARE_SETTINGS[:1]


def _design(name: str) -> np.ndarray:
    """Each item's question: the shipped items' (``real``) or 30 questions x 4 sub-populations."""
    return _real_design() if name == "real" else np.repeat(np.arange(N_QUESTIONS), SUBPOPS).astype(str)


def _rejections(rng: np.random.Generator, questions: np.ndarray, share: float, shape: float, scale: float):
    names, question = np.unique(questions, return_inverse=True)
    misaligned = rng.random(names.size) < share
    strength = rng.gamma(shape, scale, size=names.size)
    z = rng.normal(size=questions.size) + (misaligned * strength)[question]
    return benjamini_hochberg(2 * norm.sf(np.abs(z)))[0]


@cache
def _true_share(design: str, share: float, shape: float, scale: float) -> float:
    rng = np.random.default_rng(12345)
    questions = _design(design)
    return float(np.mean([_rejections(rng, questions, share, shape, scale).mean() for _ in range(20_000)]))


def _share_interval(rng: np.random.Generator, design: str, share: float, shape: float, scale: float):
    questions = _design(design)
    interval = misaligned_share_interval(_rejections(rng, questions, share, shape, scale), questions)
    return interval.low, interval.high


# -- representativeness' interval: item values correlated within questions ------------------------------------


def _mean_interval(rng: np.random.Generator, design: str) -> tuple[float, float]:
    questions = _design(design)
    names, question = np.unique(questions, return_inverse=True)
    question_mean = rng.beta(6, 3, size=names.size)  # super-population mean 6/9
    values = np.clip(question_mean[question] + rng.normal(0, 0.05, size=questions.size), 0, 1)
    interval = mean_interval(values, questions)
    return interval.low, interval.high


def _design_words(design: str) -> str:
    if design == "real":
        sizes = np.unique(_real_design(), return_counts=True)[1]
        return f"the shipped design: {sizes.size} questions, {sizes.sum()} items ({'/'.join(map(str, sorted(sizes)))})"
    return f"{N_QUESTIONS} questions x {SUBPOPS} sub-populations"


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
    for invalid, forms in TRUNCATED:
        found.append(
            TestCase(
                name=f"survey goodness of fit (log-probs), top-20 list, invalid mass {invalid:.2f}, {forms} forms",
                owner=OWNER,
                null=partial(_gof_p, invalid=invalid, w=0.0, forms=forms),
                alternative=partial(_gof_p, invalid=invalid, w=POWER_W, forms=forms),
                effect=f"reply cut to the top {TOP_LOGPROBS} tokens: each letter in {forms} token forms "
                f"({'90/10' if forms == 2 else 'Dirichlet(0.5) shares'}), the invalid mass over 200 tokens "
                f"(Dirichlet(0.3)), so letters and forms fall off the list; real items' n_eff; power at w = {POWER_W}",
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
    for design in ("real", "30x4"):
        for share, shape, scale in SHARE_SETTINGS if design == "real" else COMPARISON_SHARE_SETTINGS:
            found.append(
                CICase(
                    name=f"survey misaligned share, Wilson over effective questions, {design} design, "
                    f"{share:.0%} misaligned",
                    owner=OWNER,
                    simulate=partial(_share_interval, design=design, share=share, shape=shape, scale=scale),
                    truth=partial(_true_share, design, share, shape, scale),
                    setting=f"{_design_words(design)}; {share:.0%} of questions misaligned for all their "
                    f"sub-populations, strength ~ Gamma({shape}, {scale}); truth = expected BH share",
                    n_sims=1000,
                )
            )
        found.append(
            CICase(
                name=f"survey representativeness mean, expanded question bootstrap, {design} design",
                owner=OWNER,
                simulate=partial(_mean_interval, design=design),
                truth=6 / 9,
                setting=f"{_design_words(design)}; question means ~ Beta(6, 3), within-question sd 0.05; 4000 "
                "resamples",
                n_sims=400,
            )
        )
    return found
