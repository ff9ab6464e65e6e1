"""Export a Recon log's scored traces as JSONL rewards for RL training of a trace synthesiser.

    python -m benchmarks.recon.export LOG.eval -o rewards.jsonl [--strategies recon,forward] [--include-leaked]

One line per scored trace: ``prompt`` (the forward-synthesis chat messages that produced it, as role/content
dicts), ``context``, ``trace`` (as scored: masked where it quoted the action), ``reward`` (its reconstruction
fidelity: the reconstructor's mean log-likelihood per token of the true action, or chrF under the fallback), and
``method``, ``strategy``, ``candidate``, ``chosen``, ``leaked``, ``domain``, ``individual``, ``example``, ``model``.
Recon's candidates all carry a reward (every candidate is scored, the best kept), so they are the main signal;
forward and backward traces carry one only from runs with ``-T trace_fidelity=true``. Backward traces are left out
by default: they were written seeing the action, so their prompt is not the one a forward synthesiser gets. Leaked
traces are left out unless ``--include-leaked``.

A GRPO-style trainer (e.g. TRL's ``GRPOTrainer``) can use the rows as prompts with a reward function that looks up
or recomputes ``reward``; a preference trainer can pair the candidates of one ``example`` by reward.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.recon.prompts import forward_messages
from benchmarks.recon.solver import STRATEGIES
from twinbench.providers.scoring import chat_dicts

DEFAULT_STRATEGIES = ("recon", "forward")
TRACED = tuple(s for s in STRATEGIES if s != "none")  # strategies that write traces


def reward_rows(
    log_path: str | Path, strategies: tuple[str, ...] = DEFAULT_STRATEGIES, include_leaked: bool = False
) -> Iterator[dict[str, Any]]:
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(log_path))
    if log.eval.task.split("/")[-1] != "recon":
        raise ValueError(f"{log_path}: not a recon log (task {log.eval.task!r})")
    context_chars = int((log.eval.task_args or {}).get("context_chars", 1500))
    for sample in log.samples or []:
        if sample.epoch != 1:
            continue
        score = next(iter((sample.scores or {}).values()), None)
        if score is None or not score.metadata:
            continue
        meta = score.metadata
        method = meta.get("methods", {}).get("reconstructor", "")
        model = meta.get("models", {}).get("synthesizer", "")
        examples = {e["id"]: e for e in sample.metadata["history"]}
        for trace in meta.get("traces", []):
            if trace["strategy"] not in strategies:
                continue
            example = examples[trace["example"]]
            candidates = trace.get("candidates") if trace["strategy"] == "recon" else None
            entries = candidates if candidates is not None else [trace]
            for index, entry in enumerate(entries):
                reward = (entry.get("fidelity") or {}).get("value", math.nan)
                if not entry.get("trace") or reward is None or not math.isfinite(reward):
                    continue
                if entry.get("leaked") and not include_leaked:
                    continue
                yield {
                    "prompt": chat_dicts(forward_messages(example["speaker"], example["context"], context_chars)),
                    "context": example["context"],
                    "trace": entry["trace"],
                    "reward": float(reward),
                    "method": method,
                    "strategy": trace["strategy"],
                    "candidate": index if candidates is not None else None,
                    "chosen": (index == trace.get("chosen")) if candidates is not None else None,
                    "leaked": bool(entry.get("leaked")),
                    "domain": sample.metadata["domain"],
                    "individual": sample.metadata["individual"],
                    "example": trace["example"],
                    "model": model,
                }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recon.export", description=__doc__.split("\n")[0])
    parser.add_argument("log", help="a recon .eval log")
    parser.add_argument("-o", "--output", required=True, help="JSONL file to write")
    parser.add_argument(
        "--strategies", default=",".join(DEFAULT_STRATEGIES), help="comma-separated (default %(default)s)"
    )
    parser.add_argument("--include-leaked", action="store_true", help="keep traces that quoted the action")
    args = parser.parse_args(argv)
    strategies = tuple(s.strip() for s in args.strategies.split(",") if s.strip())
    unknown = [s for s in strategies if s not in TRACED]
    problem = (
        f"--strategies: {', '.join(unknown) or 'none given'} (traced strategies: {', '.join(TRACED)})"
        if unknown or not strategies
        else None
        if Path(args.log).is_file()
        else f"{args.log}: not a file (give one recon .eval log)"
    )
    if problem:
        print(f"recon export: {problem}", file=sys.stderr)
        return 1
    try:
        rows = list(reward_rows(args.log, strategies, args.include_leaked))
    except (OSError, ValueError) as ex:
        print(f"recon export: {' '.join(str(ex).split())}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"recon export: {len(rows)} rows -> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
