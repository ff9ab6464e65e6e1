"""Loaders for the large public opinion sets, through Hugging Face ``datasets`` with pinned revisions.

They need network access the first time (and, for SubPOP, a token with access to the gated set); offline they fail
with one line naming the set. The converters (``*_items``) take plain rows in the published schema and are tested
on fixtures in ``tests/benchmarks/survey/fixtures/``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from benchmarks.survey.items import SurveyItem, shares_item

GLOBAL_OPINIONS = "Anthropic/llm_global_opinions"
GLOBAL_OPINIONS_REVISION = "5c87e48d8db8ffc9ae8a6738f958d5130ee116e5"  # "added data folder", 2023-06-26
SUBPOP = "jjssuh/subpop"
SUBPOP_REVISION: str | None = None  # no revision could be verified from this project's offline machines

REFUSAL = re.compile(r"^(refused|dk/refused|don't know/refused|no answer)$", re.IGNORECASE)


class PublicSetUnavailable(RuntimeError):
    pass


def hf_rows(dataset: str, revision: str | None, split: str) -> list[dict]:
    if revision is None:
        raise PublicSetUnavailable(
            f"{dataset}: no pinned revision; pass revision=<commit sha> from its Hugging Face page"
        )
    try:
        from datasets import load_dataset

        return [dict(r) for r in load_dataset(dataset, split=split, revision=revision)]
    except Exception as ex:
        first_line = str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__
        raise PublicSetUnavailable(
            f"{dataset}@{revision[:12]} could not be loaded ({type(ex).__name__}: {first_line}); it needs network "
            "access to the Hugging Face hub (and access rights for gated sets)"
        ) from ex


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
        common = dict(
            source="globalopinionqa",
            question_key=f"q{index}",
            question=str(row["question"]).strip(),
            options=options,
            ordinal=False,
            context=f"This question is from a cross-national opinion survey ({row.get('source', 'unknown source')}).",
            population_shares=list(population),
        )
        items.append(shares_item(attribute=None, label="all", describe=None, bio=None, shares=list(population), **common))
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
    return global_opinion_items(hf_rows(GLOBAL_OPINIONS, revision, "train"), **kwargs)


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
        common = dict(
            source=name,
            question_key=qkey,
            question=str(first["question"]).strip(),
            options=first["options"],
            ordinal=bool(first.get("ordinal", False)),
            context="This question is from a survey of adults in the United States.",
            population_shares=list(population),
        )
        items.append(shares_item(attribute=None, label="all", describe=None, bio=None, shares=list(population), **common))
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


def load_subpop(split: str = "test", revision: str | None = SUBPOP_REVISION) -> list[SurveyItem]:
    return subpop_items(hf_rows(SUBPOP, revision, split))


PUBLIC_SETS = {"globalopinionqa": load_global_opinions, "subpop": load_subpop}
