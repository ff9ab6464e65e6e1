"""(question, sub-population) items with their human answer distributions.

Every source (the offline surveys and the large public sets) is turned into :class:`SurveyItem` rows; the task
makes one inspect Sample per item. Each question also gets one *unconditioned* item (no persona, compared with all
respondents) for steerability.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from benchmarks.survey.surveys import SURVEYS, Survey, answer_index
from scorers.stats.contingency import kish_effective_n, largest_remainder_counts

UNCONDITIONED = "all"  # sub-population name of the unconditioned item


@dataclass(frozen=True)
class SurveyItem:
    id: str  # "<question_id>/<attribute>=<label>" or "<question_id>/all"
    source: str  # survey or data set name
    question_id: str  # "<source>/<question key>"
    question: str
    options: tuple[str, ...]
    ordinal: bool
    context: str  # survey setting sentence shown with every prompt
    subpop: str  # "<attribute>=<label>" or "all"
    attribute: str | None
    describe: str | None  # persona phrases (None for the unconditioned item)
    bio: str | None
    human_counts: tuple[float, ...]  # raw respondents per option (unweighted)
    human_shares: tuple[float, ...]  # survey-weighted shares where weights exist, else counts / n
    n: int | None  # respondents (None: the source does not publish it)
    n_eff: float | None  # Kish effective sample size (= n without weights)
    test_counts: tuple[int, ...] | None  # integer counts for the chi-square test: n_eff x shares
    weighted: bool
    population_shares: tuple[float, ...]  # the whole sample's (weighted) shares, for steerability

    @property
    def conditioned(self) -> bool:
        return self.subpop != UNCONDITIONED

    def metadata(self) -> dict:
        return asdict(self)


def human_distribution(answers: pd.Series, n_options: int, weights: pd.Series | None = None) -> dict:
    """Counts, (weighted) shares, n, Kish n_eff and test counts for one group of respondents.

    ``answers`` holds option indices (NaN = missing, dropped). With weights the shares are weighted and the test
    counts are the shares rescaled to the Kish effective sample size, rounded by largest remainder.
    """
    valid = answers.notna()
    idx = answers[valid].astype(int).to_numpy()
    counts = np.bincount(idx, minlength=n_options).astype(float)
    n = int(valid.sum())
    if n == 0:
        raise ValueError("no respondents answered")
    if weights is None:
        shares = counts / n
        n_eff = float(n)
        test_counts = counts.astype(int)
    else:
        w = weights[valid].to_numpy(dtype=float)
        weighted = np.bincount(idx, weights=w, minlength=n_options)
        if weighted.sum() <= 0:
            raise ValueError("survey weights of this group sum to zero")
        shares = weighted / weighted.sum()
        n_eff = kish_effective_n(w)
        test_counts = largest_remainder_counts(shares, int(round(n_eff)))
    return {
        "human_counts": tuple(float(c) for c in counts),
        "human_shares": tuple(float(s) for s in shares),
        "n": n,
        "n_eff": n_eff,
        "test_counts": tuple(int(c) for c in test_counts),
    }


def survey_items(survey: Survey, *, min_n: int = 30) -> list[SurveyItem]:
    """All (question, sub-population) items of one survey whose sub-population has at least ``min_n`` answers."""
    frame = survey.load()
    weights = None
    if survey.weight_column is not None:
        if survey.weight_column not in frame.columns:
            raise KeyError(f"survey {survey.name!r}: weight column {survey.weight_column!r} is missing")
        weights = frame[survey.weight_column]
    items: list[SurveyItem] = []
    for question in survey.questions:
        answers = answer_index(frame, question)
        k = len(question.options)
        everyone = human_distribution(answers, k, weights)
        common = dict(
            source=survey.name,
            question_id=f"{survey.name}/{question.key}",
            question=question.text,
            options=tuple(question.options),
            ordinal=question.ordinal,
            context=survey.context,
            weighted=weights is not None,
            population_shares=everyone["human_shares"],
        )
        items.append(
            SurveyItem(
                id=f"{survey.name}/{question.key}/{UNCONDITIONED}",
                subpop=UNCONDITIONED,
                attribute=None,
                describe=None,
                bio=None,
                **everyone,
                **common,
            )
        )
        for attr_name in question.attributes:
            for group in (g for g in survey.groups if g.attribute == attr_name):
                if group.column not in frame.columns:
                    raise KeyError(f"survey {survey.name!r}: group column {group.column!r} is missing")
                members = group.members(frame)
                if int(answers[members].notna().sum()) < min_n:
                    continue
                dist = human_distribution(answers[members], k, None if weights is None else weights[members])
                items.append(
                    SurveyItem(
                        id=f"{survey.name}/{question.key}/{attr_name}={group.label}",
                        subpop=f"{attr_name}={group.label}",
                        attribute=attr_name,
                        describe=group.describe,
                        bio=group.bio,
                        **dist,
                        **common,
                    )
                )
    return items


def offline_items(surveys: list[str] | None = None, *, min_n: int = 30) -> list[SurveyItem]:
    names = list(SURVEYS) if surveys is None else list(surveys)
    unknown = [s for s in names if s not in SURVEYS]
    if unknown:
        raise ValueError(f"unknown survey(s) {unknown}; offline surveys are {sorted(SURVEYS)}")
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    items: list[SurveyItem] = []
    for name in names:
        items.extend(survey_items(SURVEYS[name], min_n=min_n))
    return items


def shares_item(
    *,
    source: str,
    question_key: str,
    question: str,
    options: list[str],
    ordinal: bool,
    context: str,
    attribute: str | None,
    label: str,
    describe: str | None,
    bio: str | None,
    shares: list[float],
    population_shares: list[float],
    n: int | None = None,
) -> SurveyItem:
    """An item from a published distribution (the large public sets publish shares, not microdata).

    Without ``n`` the chi-square test cannot be run for it (its p-value will be NaN and it is reported as
    untestable); representativeness still is.
    """
    s = np.asarray(shares, dtype=float)
    if s.size != len(options) or np.any(s < 0) or s.sum() <= 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"{source}/{question_key} [{label}]: shares {shares!r} do not fit options {options!r}")
    s = s / s.sum()
    test_counts = None if n is None else tuple(int(c) for c in largest_remainder_counts(s, int(n)))
    subpop = UNCONDITIONED if attribute is None else f"{attribute}={label}"
    return SurveyItem(
        id=f"{source}/{question_key}/{subpop}",
        source=source,
        question_id=f"{source}/{question_key}",
        question=question,
        options=tuple(options),
        ordinal=ordinal,
        context=context,
        subpop=subpop,
        attribute=attribute,
        describe=describe,
        bio=bio,
        human_counts=tuple(float(x) for x in (test_counts or [math.nan] * s.size)),
        human_shares=tuple(float(x) for x in s),
        n=n,
        n_eff=None if n is None else float(n),
        test_counts=test_counts,
        weighted=False,
        population_shares=tuple(float(x) for x in population_shares),
    )
