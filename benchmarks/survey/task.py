"""Survey-simulation fidelity: does a model answer survey questions the way a sub-population really did?

Method: Hong, Caldas & Leqi (2025), hypothesis-test misalignment, and OpinionQA (Santurkar et al., 2023).
"""

from __future__ import annotations

import random

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from benchmarks.survey.items import SurveyItem, offline_items
from benchmarks.survey.prompts import build_messages
from benchmarks.survey.public_sets import PUBLIC_SETS, load_opinionqa
from benchmarks.survey.scorer import survey_fidelity
from benchmarks.survey.solver import survey_answer
from benchmarks.survey.surveys import SURVEYS

# 2: goodness-of-fit test on the valid options; invalid share reported, never tested.
# 3: log layout only (numbers in Score.value, the model's distribution in Score.metadata); the same statistics.
# 4: the goodness-of-fit test allows every split of the mass outside the top-k list (was: an upper bound plugged in
#    for a missing letter, invalid); letter masses in Score.metadata for pooled epochs; question-level CIs.
TASK_VERSION = 4
# logs of older versions: version 3's p-values used the invalid bound and its logs lack the letter masses that the
# pooled test needs; older ones keep structures in Score.value. summarize cannot read them correctly.
OLDEST_LOG_VERSION = 4
DEFAULT_SURVEYS = tuple(SURVEYS)


def _names(surveys) -> list[str]:
    if surveys is None:
        return list(DEFAULT_SURVEYS)
    names = [s.strip() for s in surveys.split(",")] if isinstance(surveys, str) else [str(s) for s in surveys]
    unknown = [s for s in names if s not in SURVEYS and s not in PUBLIC_SETS]
    if unknown or not names:
        raise ValueError(f"unknown survey(s) {unknown}; choose from {sorted(SURVEYS) + sorted(PUBLIC_SETS)}")
    return names


def load_items(
    surveys=None, *, min_n: int = 30, max_items: int | None = None, seed: int = 0, opinionqa_dir: str | None = None
) -> list[SurveyItem]:
    names = _names(surveys)
    items = offline_items([s for s in names if s in SURVEYS], min_n=min_n) if any(s in SURVEYS for s in names) else []
    for name in names:
        if name == "opinionqa":  # respondent-level data, so min_n applies
            items.extend(load_opinionqa(opinionqa_dir, min_n=min_n))
        elif name in PUBLIC_SETS:
            items.extend(PUBLIC_SETS[name]())
    if max_items is not None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items}")
        conditioned = [i for i in items if i.conditioned]
        random.Random(seed).shuffle(conditioned)
        keep = {i.id for i in conditioned[:max_items]}
        questions = {i.question_id for i in items if i.id in keep}
        # keep each chosen question's unconditioned item too (steerability needs it)
        items = [i for i in items if i.id in keep or (not i.conditioned and i.question_id in questions)]
    return items


def item_sample(item: SurveyItem, persona: str) -> Sample:
    return Sample(
        id=item.id,
        input=build_messages(
            context=item.context,
            question=item.question,
            options=item.options,
            describe=item.describe,
            bio=item.bio,
            persona=persona,
        ),
        target="",
        metadata=item.metadata(),
    )


@task
def survey(
    surveys: str | list[str] | None = None,
    min_n: int = 30,
    persona: str = "portray",
    mode: str = "auto",
    k: int = 10,
    max_items: int | None = None,
    seed: int = 0,
    opinionqa_dir: str | None = None,
) -> Task:
    """One sample per (question, sub-population) plus one unconditioned sample per question.

    Args:
        surveys: comma-separated subset of wvs, ces11, beps, chile, anes96 (offline, default all) and
            globalopinionqa, subpop (need the network) and opinionqa (needs opinionqa_dir).
        min_n: smallest sub-population (respondents answering the question) that gets a sample.
        persona: prompt template: portray (default), bio or system.
        mode: auto (log-probabilities, else samples), logprobs or samples.
        k: answers sampled per item in samples mode.
        max_items: keep this many (question, sub-population) items, seeded random choice.
        seed: seeds the item choice and the Monte-Carlo p-values.
        opinionqa_dir: the human_resp folder of a local copy of OpinionQA's release.
    """
    items = load_items(surveys, min_n=int(min_n), max_items=max_items, seed=seed, opinionqa_dir=opinionqa_dir)
    samples = [item_sample(item, persona) for item in items]
    return Task(
        dataset=MemoryDataset(samples, name="survey"),
        solver=survey_answer(mode=mode, k=int(k)),
        scorer=survey_fidelity(seed=int(seed)),
        version=TASK_VERSION,
        metadata={"persona": persona, "mode": mode, "min_n": min_n},
    )
