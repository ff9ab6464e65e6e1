"""The model's answer distribution for one item: from option-letter log-probabilities or from K samples."""

from __future__ import annotations

import asyncio
import re
from typing import Literal

from inspect_ai.model import GenerateConfig, ModelOutput, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from benchmarks.survey.prompts import option_letters
from twinbench.providers.scoring import first_token_option_mass

MODES = ("auto", "logprobs", "samples")
TOP_LOGPROBS = 20

LOGPROB_CONFIG = GenerateConfig(logprobs=True, top_logprobs=TOP_LOGPROBS, max_tokens=1, temperature=0.0)
SAMPLE_CONFIG = GenerateConfig(temperature=1.0, max_tokens=8)

_LEADING = re.compile(r"^\W*([A-Z])(?![A-Za-z])")
_ANSWER_IS = re.compile(r"answer\s*(?:is|:)?\s*\(?([A-Z])(?![A-Za-z])", re.IGNORECASE)


class SurveyAnswer(StoreModel):
    """The model's answer distribution for one item, handed from the solver to the scorer in the sample store."""

    mode: Literal["", "logprobs", "samples"] = ""  # "" until the solver has run
    calls: int = 0
    option_shares: list[float] = Field(default_factory=list)  # renormalised over the options
    invalid_share: float = 1.0  # answer mass off the option letters
    # logprobs mode: the first token, each letter's listed mass and the mass outside the top-k list
    first_token: str | None = None
    letter_mass: list[float] | None = None
    unlisted_mass: float | None = None
    # samples mode: answers per option, invalid answers and the answers' first 40 characters
    option_counts: list[int] | None = None
    invalid_count: int | None = None
    answers: list[str] | None = None


def letter_probabilities(output: ModelOutput, letters: tuple[str, ...]) -> dict | None:
    """Option shares from the first token's top log-probabilities, or None if the reply has none.

    Probability mass on tokens that are not an option letter (and mass outside the top-k list) is the invalid
    share; the option shares are renormalised over the options (OpinionQA). ``letter_mass`` is each letter's listed
    mass (all its listed token forms) and ``unlisted_mass`` the mass outside the list: any part of it may belong to
    any letter (a letter missing from the list, or a cut token form of a listed one), so the test allows every
    split of it (``benchmarks.survey.analysis.alignment_test``).
    """
    found = first_token_option_mass(output, letters)
    if found is None:
        return None
    total = sum(found.letters.values())
    return {
        "option_shares": [found.letters[x] / total if total > 0 else 0.0 for x in letters],
        "invalid_share": found.off_letters,
        "first_token": found.token,
        "letter_mass": [found.letters[x] for x in letters],
        "unlisted_mass": found.unlisted,
    }


def parse_letter(text: str, letters: tuple[str, ...]) -> str | None:
    """The option letter a sampled answer gives ("B", "B. Too much", "(B)", "The answer is B"), else None."""
    for pattern in (_LEADING, _ANSWER_IS):
        match = pattern.search(text.strip())
        if match and match.group(1).upper() in letters:
            return match.group(1).upper()
    return None


async def sample_counts(model, messages, letters: tuple[str, ...], k: int) -> dict:
    outputs = await asyncio.gather(*(model.generate(messages, config=SAMPLE_CONFIG) for _ in range(k)))
    counts = dict.fromkeys(letters, 0)
    invalid = 0
    answers = []
    for out in outputs:
        text = out.completion
        answers.append(text[:40])
        letter = parse_letter(text, letters)
        if letter is None:
            invalid += 1
        else:
            counts[letter] += 1
    valid = sum(counts.values())
    return {
        "option_counts": [counts[x] for x in letters],
        "invalid_count": invalid,
        "option_shares": [counts[x] / valid if valid else 0.0 for x in letters],
        "invalid_share": invalid / k,
        "answers": answers,
    }


@solver
def survey_answer(mode: str = "auto", k: int = 10) -> Solver:
    """Record the model's answer distribution as the sample's :class:`SurveyAnswer`.

    logprobs: ONE generate (max_tokens=1, temperature 0, top_logprobs=20). samples: K generates at temperature 1.
    auto: logprobs, falling back to samples when the provider returns no log-probabilities.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {MODES}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        letters = option_letters(len(state.metadata["options"]))
        result: dict | None = None
        calls = 0
        if mode in ("auto", "logprobs"):
            output = await model.generate(state.messages, config=LOGPROB_CONFIG)
            calls += 1
            state.output = output
            result = letter_probabilities(output, letters)
            if result is None and mode == "logprobs":
                raise RuntimeError(
                    f"model {model.name} returned no log-probabilities; use mode='auto' or mode='samples'"
                )
            if result is not None:
                result["mode"] = "logprobs"
        if result is None:
            result = await sample_counts(model, state.messages, letters, k)
            result["mode"] = "samples"
            calls += k
        answer = state.store_as(SurveyAnswer)
        for name, value in {**result, "calls": calls}.items():
            setattr(answer, name, value)  # pydantic validates each field against SurveyAnswer
        return state

    return solve
