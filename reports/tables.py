"""Per-sample frames -> each benchmark's tables: the full summary, the headline table, per-task metrics.

No statistic is computed here: every value, CI and n comes from the benchmark's own ``summarize`` (which uses
``scorers.stats``) or from inspect's task metrics. This module only groups, calls and labels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reports.logs import KEY, LogProblem, LogSet, read_log_dir
from twinbench.registry import BenchmarkInfo, load_benchmarks

SUMMARY_REQUIRED = ["metric", "value", "ci_low", "ci_high", "n", "group"]
HEADLINE_COLUMNS = [
    "benchmark",
    "task",
    "task_version",
    "model",
    "metric",
    "label",
    "direction",
    "kind",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "log",
    "task_args",
]
CONTRACT_COLUMNS = ["sample_id", "epoch", "score", "answer", "metadata"]  # what summarize and units receive


@dataclass
class Report:
    """Everything a user sees, derived from one log directory."""

    log_dir: str
    samples: pd.DataFrame  # per sample (reports.logs.SAMPLE_COLUMNS)
    logs: pd.DataFrame  # per log used
    summary: pd.DataFrame  # every row of every summarize() call + KEY + log
    headline: pd.DataFrame  # HEADLINE_COLUMNS: the registry's headline metrics, group == "overall", + task args
    task_metrics: pd.DataFrame  # inspect's own per-task metrics (evals_df), tidy
    benchmarks: dict[str, BenchmarkInfo] = field(default_factory=dict)
    problems: list[LogProblem] = field(default_factory=list)


def build_report(log_dir: str | Path, benchmarks: Mapping[str, BenchmarkInfo] | None = None) -> Report:
    if benchmarks is None:
        benchmarks = load_benchmarks()
    logset = read_log_dir(log_dir, benchmarks)
    problems = list(logset.problems)
    summary = summary_table(logset, benchmarks, problems)
    return Report(
        log_dir=str(log_dir),
        samples=logset.samples,
        logs=logset.logs,
        summary=summary,
        headline=headline_table(summary, benchmarks, logset.logs),
        task_metrics=task_metrics_table(logset.logs),
        benchmarks=dict(benchmarks),
        problems=problems,
    )


def summary_table(
    logset: LogSet, benchmarks: Mapping[str, BenchmarkInfo], problems: list[LogProblem] | None = None
) -> pd.DataFrame:
    """Call each benchmark's ``summarize`` once per (benchmark, task, task_version, model) group.

    A ``summarize`` that raises or breaks the contract is reported as a problem of that log and skipped.
    """
    problems = problems if problems is not None else []
    frames = []
    for key, group in logset.samples.groupby(KEY, sort=True):
        key_values = dict(zip(KEY, key))
        info = benchmarks[key_values["benchmark"]]
        log = group["log"].iloc[0]
        contract = contract_samples(group)
        try:
            table = info.summarize(contract)
            missing = [c for c in SUMMARY_REQUIRED if c not in table.columns]
            if missing:
                raise ValueError(f"summarize() returned no column(s) {missing}")
        except Exception as ex:
            problems.append(LogProblem(log, f"{info.name}.summarize failed: {type(ex).__name__}: {ex}"))
            continue
        table = table.copy()
        for column, value in reversed(list(key_values.items())):
            table.insert(0, column, value)
        table["log"] = log
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=[*KEY, *SUMMARY_REQUIRED, "log"])
    summary = pd.concat(frames, ignore_index=True)
    for column in ("value", "ci_low", "ci_high"):
        summary[column] = pd.to_numeric(summary[column], errors="coerce").astype(float)
    summary["n"] = pd.to_numeric(summary["n"], errors="coerce").astype("Int64")
    return summary


def contract_samples(group: pd.DataFrame) -> pd.DataFrame:
    """One run's per-sample rows as the registry's hooks (``summarize``, ``units``) receive them."""
    return group[CONTRACT_COLUMNS].reset_index(drop=True)


def headline_table(
    summary: pd.DataFrame, benchmarks: Mapping[str, BenchmarkInfo], logs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The registry's headline metrics (``group == "overall"``), labelled, in the registry's metric order.

    ``task_args`` is the run's task arguments as canonical JSON, from ``logs`` (the per-log frame) by log path;
    ``regress`` refuses to compare runs whose arguments differ."""
    task_args = {} if logs is None or "task_args" not in logs else dict(zip(logs["log"], logs["task_args"]))
    rows = []
    for record in summary.to_dict("records"):
        if record.get("group") != "overall":
            continue
        info = benchmarks[record["benchmark"]]
        order = [m.name for m in info.headline]
        if record["metric"] not in order:
            continue
        metric = info.headline_metric(record["metric"])
        rows.append(
            {
                **{c: record.get(c) for c in HEADLINE_COLUMNS},
                "label": metric.label,
                "direction": metric.direction,
                "kind": metric.kind,
                "task_args": task_args.get(record.get("log")),
                "_order": order.index(metric.name),
            }
        )
    if not rows:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    table = pd.DataFrame(rows).sort_values(["benchmark", "task", "_order", "model", "task_version"])
    return table.drop(columns="_order").reset_index(drop=True)[HEADLINE_COLUMNS]


def task_metrics_table(logs: pd.DataFrame) -> pd.DataFrame:
    """Inspect's own metrics for each log used (``inspect_ai.analysis.evals_df``), one row per (log, metric)."""
    columns = [*KEY, "log", "metric", "value"]
    if logs.empty:
        return pd.DataFrame(columns=columns)
    from inspect_ai.analysis import evals_df

    evals = evals_df(logs["log"].tolist(), quiet=True)
    metric_columns = [c for c in evals.columns if c.startswith("score_") and not c.startswith("score_headline_")]
    tidy = evals[["log", *metric_columns]].melt(id_vars="log", var_name="metric", value_name="value")
    tidy["metric"] = tidy["metric"].str.removeprefix("score_")
    tidy = tidy.dropna(subset=["value"])
    tidy = logs[[*KEY, "log"]].merge(tidy, on="log", how="inner")
    return tidy[columns].sort_values([*KEY, "metric"]).reset_index(drop=True)


def format_value(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_ci(low: object, high: object, digits: int = 3) -> str:
    if any(v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return "–"
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def jsonable(value: object) -> str:
    """Dict/list cells as JSON text (for CSV/Parquet, which cannot hold mixed dicts)."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
