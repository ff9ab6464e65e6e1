"""Inspect logs -> tidy pandas frames: one row per scored sample, one row per log used.

Which logs are used (the rules every report, leaderboard and ``regress`` shares):

* Every ``.eval``/``.json`` log under the directory (recursively) is listed by ``inspect_ai.log.list_eval_logs``.
* A log that cannot be read, or whose status is not ``success`` (started, cancelled, error: partial results),
  is named in :attr:`LogSet.problems` and skipped.
* A log of a task that no registered benchmark owns is named and skipped.
* Logs are keyed by (benchmark, task, task version, model). When several successful logs share a key (a rerun into
  the same directory), the newest (``eval.created``) is used and the older ones are named as superseded: samples
  of different runs are never pooled, and logs of different task versions are never averaged together (they are
  different keys).

The per-sample frame holds the columns of the registry's ``summarize`` contract (``sample_id``, ``epoch``,
``score``, ``answer``, ``metadata``) plus bookkeeping: ``log``, ``benchmark``, ``task``, ``task_version``,
``model``, ``output`` (the model's final completion, for transcripts) and ``error`` (a sample error, if any). The
per-log frame records each log's task arguments (``eval.task_args``) as canonical JSON (``task_args``).
``inspect_ai.analysis.samples_df`` is not used for it because it flattens dict-valued scores and metadata into
``score_*``/``metadata_*`` columns that cannot be turned back into the dicts ``summarize`` receives;
:func:`reports.tables.task_metrics_table` uses ``evals_df`` for the per-task metrics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd

from inspect_ai.log import EvalLog

from twinbench.registry import BenchmarkInfo, benchmark_for_task, load_benchmarks

SAMPLE_COLUMNS = [
    "benchmark",
    "task",
    "task_version",
    "model",
    "sample_id",
    "epoch",
    "score",
    "answer",
    "metadata",
    "output",
    "error",
    "log",
]
LOG_COLUMNS = ["benchmark", "task", "task_version", "model", "log", "created", "samples", "status", "task_args"]
KEY = ["benchmark", "task", "task_version", "model"]
# Fields a report never needs: skipping them keeps reading 200 logs fast.
_EXCLUDE_FIELDS = {"events", "messages", "store", "attachments"}
_OUTPUT_CHARS = 4000  # completions are kept for transcripts in the leaderboard, truncated


@dataclass(frozen=True)
class LogProblem:
    """A log that was skipped, and why (shown to the user by name)."""

    log: str
    reason: str

    def __str__(self) -> str:
        return f"{self.log}: {self.reason}"


@dataclass
class LogSet:
    samples: pd.DataFrame  # SAMPLE_COLUMNS, one row per scored sample
    logs: pd.DataFrame  # LOG_COLUMNS, one row per log used
    problems: list[LogProblem] = field(default_factory=list)


def log_path(location: str) -> str:
    """A log location as a plain filesystem path when it is a local file (``file:///a/b`` -> ``/a/b``)."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return location


def samples_frame(log: EvalLog) -> pd.DataFrame:
    """One row per scored sample of one log, with the columns of the registry's ``summarize`` contract
    (``sample_id``, ``epoch``, ``score`` = Score.value of the task's first scorer, ``answer``, ``metadata``) plus
    ``output`` (the final completion, truncated) and ``error``. Unscored (e.g. errored) samples are left out."""
    scorer = _first_scorer(log)
    rows = []
    for sample in log.samples or []:
        score = (sample.scores or {}).get(scorer) if scorer else None
        if score is None:
            continue
        output = sample.output.completion if sample.output else ""
        rows.append(
            {
                "sample_id": str(sample.id),
                "epoch": int(sample.epoch),
                "score": score.value,
                "answer": score.answer,
                "metadata": dict(sample.metadata or {}),
                "output": output[:_OUTPUT_CHARS],
                "error": sample.error.message if sample.error else None,
            }
        )
    return pd.DataFrame(rows, columns=["sample_id", "epoch", "score", "answer", "metadata", "output", "error"])


def read_log_dir(log_dir: str | Path, benchmarks: Mapping[str, BenchmarkInfo] | None = None) -> LogSet:
    """Read every usable log under ``log_dir`` (see the module docstring for which are used)."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    if benchmarks is None:
        benchmarks = load_benchmarks()
    log_dir = Path(log_dir)
    if not log_dir.is_dir():
        raise FileNotFoundError(f"log directory not found: {log_dir}")

    problems: list[LogProblem] = []
    chosen: dict[tuple[str, str, str, str], tuple[str, object]] = {}  # key -> (path, header)
    for info in list_eval_logs(str(log_dir), recursive=True):
        path = log_path(info.name)
        try:
            header = read_eval_log(info.name, header_only=True)
        except Exception as ex:  # a corrupt or truncated file must not take the report down
            problems.append(LogProblem(path, f"unreadable ({type(ex).__name__}: {_first_line(ex)})"))
            continue
        if header.status != "success":
            problems.append(LogProblem(path, f"status {header.status!r} (partial results), skipped"))
            continue
        owner = benchmark_for_task(header.eval.task, benchmarks)
        if owner is None:
            problems.append(LogProblem(path, f"task {header.eval.task!r} belongs to no registered benchmark"))
            continue
        key = (owner.name, header.eval.task.split("/")[-1], str(header.eval.task_version), header.eval.model)
        previous = chosen.get(key)
        if previous is not None:
            older, newer = sorted([previous, (path, header)], key=lambda ph: ph[1].eval.created)
            problems.append(LogProblem(older[0], f"superseded by the newer log {Path(newer[0]).name} of {key}"))
            chosen[key] = newer
        else:
            chosen[key] = (path, header)

    sample_frames: list[pd.DataFrame] = []
    log_rows: list[dict[str, object]] = []
    for key, (path, _header) in sorted(chosen.items()):
        try:
            log = read_eval_log(path, exclude_fields=_EXCLUDE_FIELDS)
        except Exception as ex:
            problems.append(LogProblem(path, f"unreadable samples ({type(ex).__name__}: {_first_line(ex)})"))
            continue
        bookkeeping = dict(zip(KEY, key))
        rows = samples_frame(log).assign(**bookkeeping, log=path)
        if rows.empty:
            problems.append(LogProblem(path, "no scored samples"))
            continue
        sample_frames.append(rows)
        log_rows.append(
            {**bookkeeping, "log": path, "created": log.eval.created, "samples": len(rows), "status": log.status,
             "task_args": canonical_task_args(log.eval.task_args)}
        )

    samples = pd.concat(sample_frames, ignore_index=True) if sample_frames else pd.DataFrame(columns=SAMPLE_COLUMNS)
    samples = samples[SAMPLE_COLUMNS]
    samples["epoch"] = samples["epoch"].astype("int64")
    return LogSet(samples=samples, logs=pd.DataFrame(log_rows, columns=LOG_COLUMNS), problems=problems)


def canonical_task_args(task_args: Mapping[str, object] | None) -> str:
    """The task arguments recorded in a log's eval spec as canonical JSON (sorted keys), so that two runs with
    the same arguments compare equal as strings (``regress`` refuses to compare runs whose arguments differ)."""
    return json.dumps(dict(task_args or {}), sort_keys=True, default=str, ensure_ascii=False)


def _first_scorer(log: EvalLog) -> str | None:
    """The name of the task's first scorer, as the ``summarize`` contract defines ``score``."""
    results = getattr(log, "results", None)
    if results is not None and results.scores:
        return results.scores[0].scorer
    for sample in getattr(log, "samples", None) or []:
        if sample.scores:
            return next(iter(sample.scores))
    return None


def _first_line(ex: BaseException) -> str:
    text = str(ex).strip()
    return text.splitlines()[0][:200] if text else "no message"
