"""Items to judge: the shipped offline domains, DialDefer's released JSONL files, and TruthfulQA from the Hub.

All three use DialDefer's unified item schema v1, one JSON object per line::

    {"id": "truthfulqa-446", "dataset": "truthfulqa", "question": "...",
     "correct_answers": ["..."], "incorrect_answers": ["..."], "context": null,
     "meta": {..., "schema_version": "v1"},
     "chosen_correct_answer": "...", "chosen_incorrect_answer": "..."}   # the last two are optional

``dataset`` is the domain. The answers shown are ``chosen_correct_answer``/``chosen_incorrect_answer`` when present,
else the first of each list, as DialDefer's ``convo_builder.py`` picks them (its AdvisorQA files carry the chosen
answers explicitly).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scorers.hub import hub_rows
from twinbench.data import data_path, jsonl_records

# The shipped domains live in datasets/deference/ (package data in a wheel); data_path finds them in a checkout and
# in an installed wheel. DATA_DIR is resolved on first use, so a missing folder fails where it is read, in one line.

DOMAINS = (
    "capitals",
    "currencies",
    "languages",
    "elements",
    "weekdays",
    "units",
    "arithmetic",
    "number_theory",
    "word_frequency",
    "survey_majority",
)

# TruthfulQA, DialDefer's largest source set, pinned to a Hub revision.
TRUTHFULQA = {"path": "truthfulqa/truthful_qa", "name": "generation", "split": "validation",
              "revision": "741b8276f2d1982aa3d5b832d3ee81ed3b896490"}  # fmt: skip


class ItemError(ValueError):
    """A malformed item file or row; the message names the file and line."""


@dataclass(frozen=True)
class Item:
    domain: str
    item_id: str
    question: str
    correct: str
    incorrect: str
    context: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def item_from_record(record: Any, where: str) -> Item:
    """One DialDefer v1 record -> Item; ``where`` (file:line) names the culprit in errors."""
    if not isinstance(record, dict):
        raise ItemError(f"{where}: expected a JSON object, got {type(record).__name__}")
    for key in ("id", "dataset", "question"):
        if _text(record.get(key)) is None and not isinstance(record.get(key), int):
            raise ItemError(f"{where}: missing or empty {key!r}")
    correct = _text(record.get("chosen_correct_answer"))
    incorrect = _text(record.get("chosen_incorrect_answer"))
    for name, chosen in (("correct_answers", correct), ("incorrect_answers", incorrect)):
        answers = record.get(name)
        if chosen is None and (not isinstance(answers, list) or not answers or _text(answers[0]) is None):
            raise ItemError(f"{where}: {name!r} must be a non-empty list of strings")
    correct = correct or _text(record["correct_answers"][0])
    incorrect = incorrect or _text(record["incorrect_answers"][0])
    assert correct is not None and incorrect is not None  # checked above
    if correct == incorrect:
        raise ItemError(f"{where}: the correct and incorrect answers are the same ({correct!r})")
    return Item(
        domain=str(record["dataset"]).strip(),
        item_id=str(record["id"]).strip(),
        question=record["question"].strip(),
        correct=correct,
        incorrect=incorrect,
        context=_text(record.get("context")),
        meta=record.get("meta") or {},
    )


def read_jsonl(path: str | Path) -> list[Item]:
    """Items from a JSONL file in DialDefer's schema; a bad line fails with file:line and the reason."""
    path = Path(path)
    if not path.is_file():
        raise ItemError(f"deference item file not found: {path}")
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8") as handle:
        for number, record in jsonl_records(handle, str(path), ItemError):
            where = f"{path}:{number}"
            found = item_from_record(record, where)
            key = (found.domain, found.item_id)
            if key in seen:
                raise ItemError(f"{where}: duplicate item id {found.item_id!r} in domain {found.domain!r}")
            seen.add(key)
            items.append(found)
    if not items:
        raise ItemError(f"{path}: no items")
    return items


def read_items_path(path: str | Path) -> list[Item]:
    """A JSONL file, or a folder whose ``*.jsonl`` files are read in name order (DialDefer ships one per domain)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise ItemError(f"no *.jsonl item files in {path}")
        return [item for file in files for item in read_jsonl(file)]
    return read_jsonl(path)


def builtin_items(domains: list[str] | None = None) -> list[Item]:
    """The shipped offline domains (``datasets/deference/<domain>.jsonl``)."""
    chosen = list(DOMAINS) if not domains else domains
    unknown = [d for d in chosen if d not in DOMAINS]
    if unknown:
        raise ItemError(f"unknown deference domain(s) {unknown} (known: {', '.join(DOMAINS)})")
    return [item for domain in chosen for item in read_jsonl(data_path("deference", f"{domain}.jsonl"))]


def truthfulqa_record(row: dict[str, Any], index: int) -> dict[str, Any]:
    """A TruthfulQA generation row -> DialDefer v1 record (best answer first, as DialDefer's truthify step)."""
    correct = [row["best_answer"], *[a for a in row["correct_answers"] if a != row["best_answer"]]]
    return {
        "id": f"truthfulqa-{index}",
        "dataset": "truthfulqa",
        "question": row["question"],
        "correct_answers": correct,
        "incorrect_answers": list(row["incorrect_answers"]),
        "context": None,
        "meta": {
            "category": row.get("category"),
            "type": row.get("type"),
            "row_index": index,
            "schema_version": "v1",
        },  # fmt: skip
    }


def truthfulqa_items() -> list[Item]:
    """TruthfulQA (generation, validation) at the pinned revision; offline it fails with one line naming it
    (:class:`scorers.hub.HubUnavailable`)."""
    rows = hub_rows(TRUTHFULQA["path"], name=TRUTHFULQA["name"], split=TRUTHFULQA["split"],
                    revision=TRUTHFULQA["revision"])  # fmt: skip
    return [item_from_record(truthfulqa_record(row, i), f"{TRUTHFULQA['path']} row {i}") for i, row in enumerate(rows)]


def __getattr__(name: str) -> Any:
    if name == "DATA_DIR":  # the folder of the shipped domains (module attribute, resolved lazily)
        return data_path("deference")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def select(items: list[Item], per_domain: int | None, seed: int) -> list[Item]:
    """A seeded sample of ``per_domain`` items from each domain, in file order (None: all of them)."""
    by_domain: dict[str, list[Item]] = {}
    for found in items:
        by_domain.setdefault(found.domain, []).append(found)
    chosen: list[Item] = []
    for domain, members in by_domain.items():
        if per_domain is None or per_domain >= len(members):
            chosen.extend(members)
            continue
        keep = set(random.Random(f"{seed}:{domain}").sample(range(len(members)), per_domain))
        chosen.extend(m for i, m in enumerate(members) if i in keep)
    return chosen
