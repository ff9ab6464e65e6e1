"""Ship Spec-Bench's 480 prompts (Xia et al., 2024) for the speculative-serving benchmark.

    python -m benchmarks.specserve.build_data --spec-bench SPEC_BENCH [--out datasets/specserve]

``SPEC_BENCH`` is a copy of github.com/hemingkx/Spec-Bench: a bare git directory (its HEAD is read and its commit
recorded), a checkout, or a plain folder with the same layout. Nothing is downloaded. The prompt file
``data/spec_bench/question.jsonl`` is Apache-2.0, so it is shipped whole and unchanged (byte for byte, so its
sha256 is upstream's), with upstream's licence text beside it and a dataset card. Every line is checked first: a
malformed row is one error line naming the line.
"""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from twinbench.data import checkout_dataset_dir, jsonl_records
from twinbench.upstream import Upstream, UpstreamError

REPO = "hemingkx/Spec-Bench"
QUESTIONS = "data/spec_bench/question.jsonl"
LICENSE = "LICENSE"
OUT_FILE = "question.jsonl"
LICENSE_FILE = "LICENSE.spec-bench"
# Spec-Bench's six task groups: its eight MT-bench categories count as one, "multi-turn conversation"
MT_BENCH = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")
GROUPS = ("mt_bench", "translation", "summarization", "qa", "math_reasoning", "rag")
CITATION = """@inproceedings{xia-etal-2024-unlocking,
  title = {Unlocking Efficiency in Large Language Model Inference: A Comprehensive Survey of Speculative Decoding},
  author = {Xia, Heming and Yang, Zhe and Dong, Qingxiu and Wang, Peiyi and Li, Yongqi and Ge, Tao and Liu, Tianyu
            and Li, Wenjie and Sui, Zhifang},
  booktitle = {Findings of the Association for Computational Linguistics: ACL 2024},
  year = {2024}
}"""


class SpecBenchError(ValueError):
    """An upstream copy without the expected layout, or a malformed row: one line naming it."""


def group_of(category: str) -> str:
    """Spec-Bench's task group of a category (``writing`` -> ``mt_bench``)."""
    return "mt_bench" if category in MT_BENCH else category


def check_rows(text: str, where: str) -> list[dict[str, Any]]:
    """The parsed rows of a question file; a row without an integer ``question_id``, a known category and a list of
    non-empty string ``turns``, or a repeated id, is a :class:`SpecBenchError` naming its line."""
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for number, row in jsonl_records(text.splitlines(), where, SpecBenchError):
        if not isinstance(row, dict):
            raise SpecBenchError(f"{where}:{number}: a row must be a JSON object")
        qid, category, turns = row.get("question_id"), row.get("category"), row.get("turns")
        if not isinstance(qid, int) or isinstance(qid, bool):
            raise SpecBenchError(f"{where}:{number}: question_id must be an integer, got {qid!r}")
        if qid in seen:
            raise SpecBenchError(f"{where}:{number}: question_id {qid} occurs twice")
        if not isinstance(category, str) or group_of(category) not in GROUPS:
            raise SpecBenchError(f"{where}:{number}: unknown category {category!r}")
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise SpecBenchError(f"{where}:{number}: turns must be a list of non-empty strings")
        seen.add(qid)
        rows.append(row)
    return rows


def build(source_path: Path, out: Path) -> dict[str, Any]:
    try:
        source = Upstream(source_path, "Spec-Bench")
    except UpstreamError as exc:
        raise SpecBenchError(str(exc)) from None
    questions, licence = (blob for _, blob in source.read([QUESTIONS, LICENSE]))
    if questions is None:
        raise SpecBenchError(f"{source_path}: {QUESTIONS} is absent (is this a copy of {REPO}?)")
    if licence is None or b"Apache License" not in licence:
        raise SpecBenchError(f"{source_path}: {LICENSE} is absent or not the Apache-2.0 text")
    rows = check_rows(questions.decode("utf-8"), QUESTIONS)
    out.mkdir(parents=True, exist_ok=True)
    (out / OUT_FILE).write_bytes(questions)
    (out / LICENSE_FILE).write_bytes(licence)
    info = {
        "repository": f"github.com/{REPO}",
        "revision": source.revision,
        "commit_date": source.commit_date,
        "bytes": len(questions),
        "sha256": hashlib.sha256(questions).hexdigest(),
        "prompts": len(rows),
        "groups": dict(Counter(group_of(r["category"]) for r in rows)),
        "multi_turn": sum(len(r["turns"]) > 1 for r in rows),
    }
    (out / "README.md").write_text(card(info), encoding="utf-8", newline="\n")
    return info


def card(info: dict[str, Any]) -> str:
    date = f" ({info['commit_date']})" if info["commit_date"] else ""
    groups = "\n".join(f"| `{g}` | {info['groups'].get(g, 0)} |" for g in GROUPS)
    return f"""# Specserve: Spec-Bench prompts (`datasets/specserve/`)

The prompts of the speculative-serving benchmark (`benchmarks/specserve`): Spec-Bench's
`{QUESTIONS}`, shipped whole and unchanged. Built by
`python -m benchmarks.specserve.build_data --spec-bench SPEC_BENCH` from a local copy of the upstream repository
(a test rebuilds a fixture and compares bytes). `benchmarks.specserve.data` reads it.

## Files

| file | bytes | sha256 | upstream | commit |
|---|---|---|---|---|
| `{OUT_FILE}` | {info["bytes"]} | `{info["sha256"]}` | {info["repository"]} | `{info["revision"]}`{date} |
| `{LICENSE_FILE}` | | | upstream's `{LICENSE}` (Apache License 2.0) | same |

One JSON object per line: `question_id` (int), `category`, `turns` (the user turns, in order; MT-bench prompts have
two), and for some categories `reference`. {info["prompts"]} prompts, {info["multi_turn"]} of them multi-turn.
Spec-Bench reports six task groups; its eight MT-bench categories (`{"`, `".join(MT_BENCH)}`, 10 prompts each)
form the multi-turn conversation group `mt_bench`:

| group | prompts |
|---|---|
{groups}

Where the prompts come from (Spec-Bench's paper): MT-bench (multi-turn conversation), WMT14 DE-EN (translation),
CNN/Daily Mail (summarisation), Natural Questions (question answering), GSM8K (mathematical reasoning) and Natural
Questions with retrieved passages in the prompt (RAG).

## Licence and attribution

Spec-Bench by Xia, Yang, Dong, Wang, Li, Ge, Liu, Li and Sui (2024), {info["repository"]}, is licensed under the
**Apache License 2.0**; its text is `{LICENSE_FILE}` here, and the file is redistributed unmodified. Cite:

```
{CITATION}
```

The prompts were drawn by Spec-Bench's authors from the public datasets above, under their own terms.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.specserve.build_data", description=__doc__)
    parser.add_argument("--spec-bench", type=Path, required=True, help="a copy of github.com/" + REPO)
    parser.add_argument("--out", type=Path, default=checkout_dataset_dir("specserve"))
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required outside a source checkout")
    try:
        info = build(args.spec_bench, args.out)
    except SpecBenchError as exc:
        parser.exit(2, f"error: {exc}\n")
    print(f"wrote {info['prompts']} prompts to {args.out} (commit {info['revision']})")


if __name__ == "__main__":
    main()
