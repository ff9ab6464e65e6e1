"""Loaders for the large public opinion sets, from the Hugging Face Hub at pinned revisions (``scorers.hub``).

They need network access the first time (and, for SubPOP, a token with access to the gated set); offline they fail
with one line naming the set and revision (:class:`scorers.hub.HubUnavailable`). OpinionQA is not on the Hugging
Face hub: its release (respondent-level Pew answers, under the authors' and Pew's terms) is read from a local copy.
The converters take data in the published schema and are tested on fixtures in ``tests/benchmarks/survey/fixtures/``.
"""

from __future__ import annotations

import ast
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.survey.items import SurveyItem, shares_item, survey_items
from benchmarks.survey.surveys import Question, Survey, group_table
from scorers.hub import hub_rows

GLOBAL_OPINIONS = "Anthropic/llm_global_opinions"
GLOBAL_OPINIONS_REVISION = "5c87e48d8db8ffc9ae8a6738f958d5130ee116e5"  # "added data folder", 2023-06-26
SUBPOP = "jjssuh/subpop"
SUBPOP_REVISION: str | None = None  # no revision could be verified from this project's offline machines

logger = logging.getLogger(__name__)

REFUSAL = re.compile(r"^(refused|dk/refused|don't know/refused|no answer)$", re.IGNORECASE)


class PublicSetUnavailable(RuntimeError):
    """OpinionQA's release is not on the Hub: it must be downloaded and its folder given."""


def _literal(text, what: str, where: str):
    if not isinstance(text, str):
        return text
    body = text.strip()
    match = re.match(r"^defaultdict\(<class '(?:list|dict)'>,\s*(.*)\)$", body, re.DOTALL)
    if match:
        body = match.group(1)
    try:
        return ast.literal_eval(body)
    except (ValueError, SyntaxError) as ex:
        raise ValueError(f"{where}: could not parse {what} {text[:60]!r}") from ex


# --- GlobalOpinionQA (Durmus et al., 2023) ---------------------------------------------------------------------


def global_opinion_items(rows: Iterable[dict], *, countries: list[str] | None = None) -> list[SurveyItem]:
    """Rows with ``question``, ``selections`` (a ``defaultdict`` repr: country -> shares), ``options`` (a list
    repr) and ``source``. Sub-populations are countries; the options are nominal (JS distance, as the paper).
    The set publishes shares without sample sizes, so its items are untestable by chi-square."""
    items: list[SurveyItem] = []
    for index, row in enumerate(rows):
        where = f"{GLOBAL_OPINIONS} row {index}"
        for field in ("question", "selections", "options"):
            if field not in row:
                raise ValueError(f"{where}: missing field {field!r}")
        options = [str(o) for o in _literal(row["options"], "options", where)]
        selections = _literal(row["selections"], "selections", where)
        if not isinstance(selections, dict) or not selections:
            raise ValueError(f"{where}: selections is not a country -> shares mapping")
        keep = {c: s for c, s in selections.items() if countries is None or c in countries}
        if not keep:
            continue
        population = np.mean([np.asarray(s, dtype=float) / np.sum(s) for s in keep.values()], axis=0)
        common: dict[str, Any] = dict(
            source="globalopinionqa",
            question_key=f"q{index}",
            question=str(row["question"]).strip(),
            options=options,
            ordinal=False,
            context=f"This question is from a cross-national opinion survey ({row.get('source', 'unknown source')}).",
            population_shares=list(population),
        )
        items.append(
            shares_item(attribute=None, label="all", describe=None, bio=None, shares=list(population), **common)
        )
        for country, shares in sorted(keep.items()):
            items.append(
                shares_item(
                    attribute="country",
                    label=str(country).replace("/", "-"),
                    describe=f"a person living in {country}",
                    bio=f"I live in {country}.",
                    shares=list(shares),
                    **common,
                )
            )
    return items


def load_global_opinions(revision: str = GLOBAL_OPINIONS_REVISION, **kwargs) -> list[SurveyItem]:
    return global_opinion_items(hub_rows(GLOBAL_OPINIONS, split="train", revision=revision), **kwargs)


# --- SubPOP (Suh et al., 2025) ---------------------------------------------------------------------------------


def subpop_items(rows: Iterable[dict], *, name: str = "subpop") -> list[SurveyItem]:
    """Rows with ``qkey``, ``question``, ``options``, ``attribute``, ``group`` and ``responses`` (shares in option
    order; a trailing refusal option without a share is dropped) and optionally ``ordinal``. The unconditioned
    item of a question is compared with the unweighted mean of its groups' distributions (the set does not
    publish the whole-sample distribution)."""
    by_question: dict[str, list[dict]] = defaultdict(list)
    for index, row in enumerate(rows):
        where = f"{name} row {index}"
        for field in ("qkey", "question", "options", "attribute", "group", "responses"):
            if field not in row:
                raise ValueError(f"{where}: missing field {field!r}")
        options = [str(o) for o in _literal(row["options"], "options", where)]
        shares = [float(x) for x in _literal(row["responses"], "responses", where)]
        if len(options) == len(shares) + 1 and REFUSAL.match(options[-1].strip()):
            options = options[:-1]
        if len(options) != len(shares):
            raise ValueError(f"{where}: {len(shares)} response shares for {len(options)} options")
        by_question[str(row["qkey"])].append({**row, "options": options, "responses": shares})
    items: list[SurveyItem] = []
    for qkey, group_rows in sorted(by_question.items()):
        first = group_rows[0]
        population = np.mean([np.asarray(r["responses"]) / np.sum(r["responses"]) for r in group_rows], axis=0)
        common: dict[str, Any] = dict(
            source=name,
            question_key=qkey,
            question=str(first["question"]).strip(),
            options=first["options"],
            ordinal=bool(first.get("ordinal", False)),
            context="This question is from a survey of adults in the United States.",
            population_shares=list(population),
        )
        items.append(
            shares_item(attribute=None, label="all", describe=None, bio=None, shares=list(population), **common)
        )
        for r in group_rows:
            attribute, group = str(r["attribute"]), str(r["group"])
            items.append(
                shares_item(
                    attribute=attribute,
                    label=group.replace("/", "-"),
                    describe=f"a person whose {attribute.lower()} is {group}",
                    bio=f"My {attribute.lower()} is {group}.",
                    shares=r["responses"],
                    **common,
                )
            )
    return items


def load_subpop(
    split: str = "test", revision: str | None = SUBPOP_REVISION, *, allow_unpinned: bool = False
) -> list[SurveyItem]:
    return subpop_items(hub_rows(SUBPOP, split=split, revision=revision, allow_unpinned=allow_unpinned))


# --- OpinionQA (Santurkar et al., 2023) -----------------------------------------------------------------------

OPINIONQA_RELEASE = "https://worksheets.codalab.org/worksheets/0x6fb693719477478aac73fc07db333f69"
OPINIONQA_WAVES = (26, 27, 29, 32, 34, 36, 41, 42, 43, 45, 49, 50, 54, 82, 92)
# metadata.csv attribute key -> what the persona calls it ("a person whose <phrase> is <group>")
OPINIONQA_ATTRIBUTES = {
    "CREGION": "region of residence in the United States",
    "AGE": "age group",
    "SEX": "sex",
    "EDUCATION": "highest level of education",
    "INCOME": "annual family income",
    "POLIDEOLOGY": "political ideology",
    "POLPARTY": "political party",
    "RACE": "race or ethnicity",
    "RELIG": "religion",
}
OPINIONQA_CONTEXT = (
    "This question is from the Pew Research Center's American Trends Panel, a survey of adults in the United States."
)


def _wave_dir(wave: int) -> str:
    return f"American_Trends_Panel_W{wave}"


def _read_csv(file: Path, **kwargs) -> pd.DataFrame:
    if not file.is_file():
        raise FileNotFoundError(f"OpinionQA: {file} not found (expected the release's human_resp folder)")
    try:
        return pd.read_csv(file, **kwargs)
    except (ValueError, pd.errors.ParserError) as ex:
        raise ValueError(f"OpinionQA: {file} could not be read ({ex})") from ex


def _ordinal(option_ordinal, k: int) -> bool:
    """OpinionQA codes each option's place on the scale; options off the scale ("It depends") get half steps and
    nominal questions repeat one value. Only a plain 1..k scale is treated as ordinal here."""
    return [float(x) for x in option_ordinal] == [float(i) for i in range(1, k + 1)]


def opinionqa_wave(folder: Path, wave: int) -> tuple[Survey, int]:
    """One wave of the release as a :class:`Survey` over its respondent-level answers (``responses.csv``: one
    column per question holding the answer text, the attribute columns of ``metadata.csv`` and the Pew survey weight
    ``WEIGHT_W<wave>``), and the number of ``info.csv`` questions left out (no column or no answer)."""
    where = f"OpinionQA wave {wave}"
    info = _read_csv(folder / "info.csv")
    metadata = _read_csv(folder / "metadata.csv")
    responses = _read_csv(folder / "responses.csv", low_memory=False)
    for frame, name, fields in ((info, "info.csv", ("key", "question", "references", "option_ordinal")),
                                (metadata, "metadata.csv", ("key", "options"))):  # fmt: skip
        missing = [f for f in fields if f not in frame.columns]
        if missing:
            raise ValueError(f"{where}: {name} lacks column(s) {missing}")
    rows = []
    for key, options in zip(metadata["key"], metadata["options"]):
        if key in OPINIONQA_ATTRIBUTES and key in responses.columns:
            phrase = OPINIONQA_ATTRIBUTES[key]
            rows += [(key, key, g, str(g).replace("/", "-"), f"a person whose {phrase} is {g}", f"My {phrase} is {g}.")
                     for g in _literal(options, "options", f"{where} metadata.csv {key}")]  # fmt: skip
    groups = group_table(*rows)
    attributes = tuple(dict.fromkeys(g.attribute for g in groups))
    questions = []
    for row in info.itertuples(index=False):
        if row.key not in responses.columns or responses[row.key].isna().all():
            continue
        references = [str(o) for o in _literal(row.references, "references", f"{where} {row.key}")]
        options = tuple(o for o in references if not REFUSAL.match(o.strip()))  # refusals are dropped as missing
        ordinal = _ordinal(_literal(row.option_ordinal, "option_ordinal", f"{where} {row.key}"), len(options))
        questions.append(
            Question(
                key=row.key,
                text=str(row.question).strip(),
                options=options,
                column=row.key,
                codes=options,  # the answers are stored as option texts
                ordinal=ordinal,
                attributes=attributes,
            )
        )
    survey = Survey(
        name="opinionqa",
        title=f"Pew American Trends Panel wave {wave} (OpinionQA)",
        context=OPINIONQA_CONTEXT,
        load=lambda: responses,
        questions=tuple(questions),
        groups=groups,
        weight_column=f"WEIGHT_W{wave}",
        card="datasets/survey/OpinionQA.md",
    )
    return survey, len(info) - len(questions)


def load_opinionqa(path: str | Path | None, waves: Iterable[int] | None = None, *, min_n: int = 30) -> list[SurveyItem]:
    """OpinionQA's questions and respondents from a local copy of the release's ``human_resp`` folder (by default
    every wave found there), weighted with Pew's survey weights as in the paper."""
    if path is None:
        raise PublicSetUnavailable(
            "OpinionQA is not on the Hugging Face hub: download its release from the CodaLab worksheet "
            f"{OPINIONQA_RELEASE} and pass opinionqa_dir=<its human_resp folder>"
        )
    path = Path(path).expanduser()
    if waves is None:
        waves = [w for w in OPINIONQA_WAVES if (path / _wave_dir(w)).is_dir()]
        if not waves:
            raise FileNotFoundError(f"OpinionQA: no American_Trends_Panel_W<wave> folder in {path}")
    chosen = list(waves)
    unknown = [w for w in chosen if w not in OPINIONQA_WAVES]
    if unknown or not chosen:
        raise ValueError(f"unknown OpinionQA wave(s) {unknown}; waves are {list(OPINIONQA_WAVES)}")
    items: list[SurveyItem] = []
    skipped = 0
    for wave in chosen:
        survey, left_out = opinionqa_wave(path / _wave_dir(wave), wave)
        items.extend(survey_items(survey, min_n=min_n))
        skipped += left_out
    if skipped:
        logger.warning("OpinionQA: %d question(s) of info.csv left out (no answer column or no answers)", skipped)
    return items


PUBLIC_SETS: dict[str, Callable[..., list[SurveyItem]]] = {
    "globalopinionqa": load_global_opinions,
    "opinionqa": load_opinionqa,
    "subpop": load_subpop,
}
