"""Spec-Bench's prompts (``datasets/specserve/question.jsonl``, see its card) and the selection a run measures."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.specserve.build_data import GROUPS, OUT_FILE, check_rows, group_of
from twinbench.data import data_path


@dataclass(frozen=True)
class Prompt:
    id: str  # "<group>-<question_id>", stable across runs
    question_id: int
    category: str  # upstream's category (writing, translation, ...)
    group: str  # Spec-Bench's task group: mt_bench, translation, summarization, qa, math_reasoning, rag
    turns: tuple[str, ...]  # user turns, in order (two for MT-bench)


def load_prompts(path: Path | None = None) -> list[Prompt]:
    """Every prompt of the shipped file (or of ``path``, a file in the same format), in file order."""
    file = path or data_path("specserve", OUT_FILE)
    rows = check_rows(file.read_text(encoding="utf-8"), str(file))
    return [
        Prompt(
            id=f"{group_of(r['category'])}-{r['question_id']}",
            question_id=r["question_id"],
            category=r["category"],
            group=group_of(r["category"]),
            turns=tuple(r["turns"]),
        )
        for r in rows
    ]


def parse_groups(value: str | Sequence[str] | None) -> list[str]:
    """``"summarization,rag"`` or a list -> groups, checked; None or ``"all"`` -> all six."""
    if value is None or value == "all":
        return list(GROUPS)
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if str(v).strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown or not names:
        raise ValueError(f"specserve: unknown category {unknown[0] if unknown else value!r}; use {', '.join(GROUPS)}")
    return names


def select(prompts: list[Prompt], groups: list[str], per_group: int | None, seed: int) -> list[Prompt]:
    """``per_group`` prompts of each group (all when None or 0), in a seeded order per group (CRC-32 of seed and id:
    a smaller run is a prefix of a larger one), groups in the order given."""
    chosen: list[Prompt] = []
    for group in groups:
        members = sorted(
            (p for p in prompts if p.group == group), key=lambda p: (zlib.crc32(f"{seed}/{p.id}".encode()), p.id)
        )
        chosen += members[:per_group] if per_group else members
    return chosen
