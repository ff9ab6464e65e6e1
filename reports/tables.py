"""Per-sample frames -> each benchmark's tables: the full summary, the headline table, per-task metrics.

No statistic is computed here: every value, CI and n comes from the benchmark's own ``summarize`` (which uses
``scorers.stats``) or from inspect's task metrics. This module only groups, calls and labels.
"""

from __future__ import annotations

import inspect as pyinspect
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reports.cache import LogCache
from reports.logs import KEY, LogProblem, LogSet, args_text, parse_json_text, read_log_dir
from reports.parallel import Failure, run_calls
from twinbench.registry import BenchmarkInfo, load_benchmarks, registered_task_name

SUMMARY_REQUIRED = ["metric", "value", "ci_low", "ci_high", "n", "group"]
HEADLINE_COLUMNS = [
    "benchmark",
    "task",
    "task_version",
    "model",
    "model_roles",
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
    "degenerate",  # the benchmark's rule (BenchmarkInfo.degenerate): why the run is degenerate, "" if it is not
]
REFERENCE_COLUMNS = ["benchmark", "reference", "metric", "label", "value", "ci_low", "ci_high", "n"]
CONTRACT_COLUMNS = ["sample_id", "epoch", "score", "score_metadata", "answer", "metadata"]  # summarize, units
RUN_COLUMNS = ["model", "model_roles", "task", "task_version", "task_args", "log"]  # + what summarize_runs receives
ACROSS_REQUIRED = [*SUMMARY_REQUIRED, "scope"]
ACROSS_COLUMNS = ["benchmark", "scope", "group", "metric", "value", "ci_low", "ci_high", "n"]


@dataclass
class Report:
    """Everything a user sees, derived from one log directory."""

    log_dir: str
    samples: pd.DataFrame  # per sample (reports.logs.SAMPLE_COLUMNS)
    logs: pd.DataFrame  # per log used
    summary: pd.DataFrame  # every row of every summarize() call + KEY + log
    headline: pd.DataFrame  # HEADLINE_COLUMNS: the registry's headline metrics, group == "overall", + run key
    task_metrics: pd.DataFrame  # inspect's own per-task metrics (evals_df), tidy
    benchmarks: dict[str, BenchmarkInfo] = field(default_factory=dict)
    problems: list[LogProblem] = field(default_factory=list)
    # every row of every summarize_runs() call (ACROSS_COLUMNS first): statistics over several runs of a benchmark
    across_runs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACROSS_COLUMNS))
    # each benchmark's reference rows (BenchmarkInfo.references), headline and diagnostic metrics only
    references: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERENCE_COLUMNS))


def build_report(
    log_dir: str | Path,
    benchmarks: Mapping[str, BenchmarkInfo] | None = None,
    *,
    cache: LogCache | None = None,
    jobs: int = 1,
) -> Report:
    """The report of every usable log under ``log_dir``. With ``cache`` (``reports.cache``), each log's samples
    frame and summary are taken from it when the log and the code are unchanged, and stored when computed;
    ``jobs`` > 1 reads the missing logs and runs the missing ``summarize`` calls in that many processes."""
    if benchmarks is None:
        benchmarks = load_benchmarks()
    logset = read_log_dir(log_dir, benchmarks, cache=cache, jobs=jobs)
    problems = list(logset.problems)
    summary = summary_table(logset, benchmarks, problems, cache=cache, jobs=jobs)
    headline = headline_table(summary, benchmarks, logset.logs)
    reasons = degenerate_reasons(summary, benchmarks, problems, cache=cache)
    headline["degenerate"] = [reasons.get(str(log), "") for log in headline["log"]]
    used = sorted(set(headline["benchmark"]))
    return Report(
        log_dir=str(log_dir),
        samples=logset.samples,
        logs=logset.logs,
        summary=summary,
        headline=headline,
        task_metrics=task_metrics_table(logset),
        benchmarks=dict(benchmarks),
        problems=problems,
        across_runs=across_runs_table(logset.samples, benchmarks, problems),
        references=references_table([benchmarks[name] for name in used], problems, cache=cache),
    )


def degenerate_reasons(
    summary: pd.DataFrame,
    benchmarks: Mapping[str, BenchmarkInfo],
    problems: list[LogProblem],
    *,
    cache: LogCache | None = None,
) -> dict[str, str]:
    """``{log: reason}`` for every run its benchmark's ``degenerate`` rule flags (given the run's summary rows),
    taken from ``cache`` (kind ``degenerate``, "" for a run not flagged) when the log and the code are unchanged.
    A rule that raises is named among the problems and flags nothing."""
    reasons: dict[str, str] = {}
    runs = summary[["benchmark", "log"]].drop_duplicates()
    todo: list[tuple[str, str]] = []
    for name, log in zip(runs["benchmark"], runs["log"]):
        info = benchmarks[str(name)]
        if info.degenerate is None:
            continue
        cached = cache.load("degenerate", cache.log_hash(log), cache.fingerprint(info)) if cache else None
        if isinstance(cached, str):
            reasons[str(log)] = cached
        else:
            todo.append((str(name), str(log)))
    if todo:
        groups = summary[summary["log"].isin([log for _, log in todo])].groupby("log", sort=False)
        for name, log in todo:
            info = benchmarks[name]
            rule = info.degenerate
            assert rule is not None  # only runs of benchmarks with a rule are to do
            rows = groups.get_group(log)
            table = rows.drop(columns=[c for c in [*KEY, "log"] if c in rows.columns]).reset_index(drop=True)
            try:
                reason = str(rule(table) or "")
            except Exception as ex:
                problems.append(LogProblem(log, f"{name}.degenerate failed: {type(ex).__name__}: {ex}"))
                continue
            reasons[log] = reason
            if cache is not None:
                cache.store("degenerate", cache.log_hash(log), cache.fingerprint(info), reason)
    return {log: reason for log, reason in reasons.items() if reason}


_REFERENCES: dict[Any, pd.DataFrame] = {}  # hook -> its rows, once per process (also without a cache)


def references_table(
    infos: list[BenchmarkInfo], problems: list[LogProblem], *, cache: LogCache | None = None
) -> pd.DataFrame:
    """The ``references`` rows of each benchmark (group "overall": those of headline and diagnostic metrics, and
    those of other metrics that carry a ``label`` of their own), taken from ``cache`` when its code is unchanged.
    A hook that raises is named among the problems."""
    frames = []
    for info in infos:
        if info.references is None:
            continue
        rows = cache.load("references", "references", cache.fingerprint(info)) if cache else None
        if not isinstance(rows, pd.DataFrame):
            rows = _REFERENCES.get(info.references)
        if not isinstance(rows, pd.DataFrame):
            try:
                rows = _REFERENCES[info.references] = info.references()
                missing = [c for c in [*SUMMARY_REQUIRED, "reference"] if c not in rows.columns]
                if missing:
                    raise ValueError(f"returned no column(s) {missing}")
            except Exception as ex:
                problems.append(LogProblem(info.name, f"{info.name}.references failed: {type(ex).__name__}: {ex}"))
                continue
            if cache is not None:
                cache.store("references", "references", cache.fingerprint(info), rows)
        shown = {m.name: m.label for m in info.headline} | {d.name: d.label for d in info.diagnostics}
        own = rows["label"] if "label" in rows.columns else pd.Series(None, index=rows.index, dtype=object)
        label = rows["metric"].map(shown).fillna(own)  # a declared metric's label, else the row's own
        keep = (rows["group"] == "overall") & label.notna()
        frames.append(rows[keep].assign(benchmark=info.name, label=label[keep])[REFERENCE_COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REFERENCE_COLUMNS)


def summary_table(
    logset: LogSet,
    benchmarks: Mapping[str, BenchmarkInfo],
    problems: list[LogProblem] | None = None,
    *,
    cache: LogCache | None = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """Call each benchmark's ``summarize`` once per run (:data:`reports.logs.KEY`: benchmark, task, task version,
    model, model roles, task arguments), or take its table from ``cache`` (keyed by the run's log bytes and the
    code, ``reports.cache``); the calls not cached run in up to ``jobs`` processes.

    A ``summarize`` that raises or breaks the contract is reported as a problem of that log and skipped (and not
    cached).
    """
    problems = problems if problems is not None else []
    runs = []
    for key, group in logset.samples.groupby(KEY, sort=True):
        key_values = dict(zip(KEY, key))
        runs.append((key_values, benchmarks[key_values["benchmark"]], group["log"].iloc[0], group))
    tables: dict[int, pd.DataFrame] = {}
    missing_runs = []
    for i, (_, info, log, _) in enumerate(runs):
        cached = cache.load("summary", cache.log_hash(log), cache.fingerprint(info)) if cache else None
        if isinstance(cached, pd.DataFrame):
            tables[i] = cached
        else:
            missing_runs.append(i)
    calls = [partial(_checked_summary, runs[i][1], contract_samples(runs[i][3])) for i in missing_runs]
    for i, result in zip(missing_runs, run_calls(calls, jobs)):
        _, info, log, _ = runs[i]
        if isinstance(result, Failure):
            problems.append(LogProblem(log, f"{info.name}.summarize failed: {result}"))
            continue
        tables[i] = result
        if cache is not None:
            cache.store("summary", cache.log_hash(log), cache.fingerprint(info), result)
    done = [i for i in range(len(runs)) if i in tables]
    if not done:
        return pd.DataFrame(columns=[*KEY, *SUMMARY_REQUIRED, "log"])
    summary = pd.concat([tables[i] for i in done], ignore_index=True)
    # each row's run key and log, set once on the whole table (inserting them run by run cost more than the rest)
    counts = [len(tables[i]) for i in done]

    def repeated(values: dict[str, list[Any]]) -> pd.DataFrame:
        return pd.DataFrame({c: np.repeat(np.array(v, dtype=object), counts) for c, v in values.items()})

    keys = repeated({column: [runs[i][0][column] for i in done] for column in KEY})
    summary = pd.concat([keys, summary, repeated({"log": [runs[i][2] for i in done]})], axis=1)
    for column in ("value", "ci_low", "ci_high"):
        summary[column] = pd.to_numeric(summary[column], errors="coerce").astype(float)
    summary["n"] = pd.to_numeric(summary["n"], errors="coerce").astype("Int64")
    return summary


def _checked_summary(info: BenchmarkInfo, contract: pd.DataFrame) -> pd.DataFrame:
    """``info.summarize(contract)``, checked against the contract's required columns."""
    table = info.summarize(contract)
    missing = [c for c in SUMMARY_REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"summarize() returned no column(s) {missing}")
    return table


def contract_samples(group: pd.DataFrame) -> pd.DataFrame:
    """One run's per-sample rows as the registry's hooks (``summarize``, ``units``) receive them."""
    return group[CONTRACT_COLUMNS].reset_index(drop=True)


def runs_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Every run's per-sample rows of one benchmark as ``summarize_runs`` receives them: the contract columns and
    the run key (``model``, ``model_roles``, ``task``, ``task_version``, ``task_args``) with ``log``."""
    return samples[[*CONTRACT_COLUMNS, *RUN_COLUMNS]].reset_index(drop=True)


def across_runs_table(
    samples: pd.DataFrame, benchmarks: Mapping[str, BenchmarkInfo], problems: list[LogProblem] | None = None
) -> pd.DataFrame:
    """Call each benchmark's optional ``summarize_runs`` once, on the samples of ALL its runs.

    A hook that raises or breaks the contract is reported as a problem (named by the benchmark) and skipped."""
    problems = problems if problems is not None else []
    frames = []
    for name in sorted(set(samples["benchmark"])):
        info = benchmarks.get(name)
        if info is None or info.summarize_runs is None:
            continue
        try:
            table = info.summarize_runs(runs_samples(samples[samples["benchmark"] == name]))
            missing = [c for c in ACROSS_REQUIRED if c not in table.columns]
            if missing and not table.empty:  # no rows (one run, nothing to compare) need no columns
                raise ValueError(f"summarize_runs() returned no column(s) {missing}")
        except Exception as ex:
            problems.append(LogProblem(f"benchmark {name}", f"{name}.summarize_runs failed: {type(ex).__name__}: {ex}"))
            continue
        if table.empty:
            continue
        table = table.copy()
        table.insert(0, "benchmark", name)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=ACROSS_COLUMNS)
    across = pd.concat(frames, ignore_index=True)
    for column in ("value", "ci_low", "ci_high"):
        across[column] = pd.to_numeric(across[column], errors="coerce").astype(float)
    across["n"] = pd.to_numeric(across["n"], errors="coerce").astype("Int64")
    across["scope"] = across["scope"].astype(str)
    return across[[*ACROSS_COLUMNS, *[c for c in across.columns if c not in ACROSS_COLUMNS]]]


def headline_table(
    summary: pd.DataFrame, benchmarks: Mapping[str, BenchmarkInfo], logs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The registry's headline metrics (``group == "overall"``), labelled, in the registry's metric order.

    ``model_roles`` and ``task_args`` are the run's (canonical JSON, part of the run key); a summary without them
    takes ``task_args`` from ``logs`` (the per-log frame) by log path. ``regress`` refuses to compare runs whose
    arguments differ."""
    task_args = {} if logs is None or "task_args" not in logs else dict(zip(logs["log"], logs["task_args"]))
    rows = []
    overall = summary[summary["group"] == "overall"] if "group" in summary.columns else summary.iloc[0:0]
    for record in overall.to_dict("records"):
        info = benchmarks[record["benchmark"]]
        order = [m.name for m in info.headline]
        if record["metric"] not in order:
            continue
        metric = info.headline_metric(record["metric"])
        rows.append(
            {
                **{c: record.get(c) for c in HEADLINE_COLUMNS},
                "label": metric.label,
                "direction": metric.direction.value,
                "kind": metric.kind,
                "model_roles": record.get("model_roles", "{}"),
                "task_args": record["task_args"] if "task_args" in record else task_args.get(record.get("log")),
                "degenerate": "",
                "_order": order.index(metric.name),
            }
        )
    if not rows:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    table = pd.DataFrame(rows)
    table["_roles"] = table["model_roles"].ne("{}")  # runs without roles first
    table = table.sort_values(
        ["benchmark", "task", "_order", "model", "_roles", "model_roles", "task_version", "task_args"], kind="stable"
    )
    return table.drop(columns=["_order", "_roles"]).reset_index(drop=True)[HEADLINE_COLUMNS]


def task_metrics_table(logset: LogSet) -> pd.DataFrame:
    """Inspect's own metrics for each log used (named as ``inspect_ai.analysis.evals_df`` names them,
    :func:`reports.logs.header_metrics`), one row per (log, metric)."""
    columns = [*KEY, "log", "metric", "value"]
    rows = [
        {"log": log, "metric": metric, "value": float(value)}
        for log, values in logset.metrics.items()
        for metric, value in values.items()
        if value is not None and not (isinstance(value, float) and math.isnan(value))
    ]
    if logset.logs.empty or not rows:
        return pd.DataFrame(columns=columns)
    tidy = logset.logs[[*KEY, "log"]].merge(pd.DataFrame(rows), on="log", how="inner")
    return tidy[columns].sort_values([*KEY, "metric"]).reset_index(drop=True)


_DEFAULT_ARGS: dict[tuple[int, str], tuple[BenchmarkInfo, dict[str, Any]]] = {}


def default_task_args(info: BenchmarkInfo, task: str) -> dict[str, Any]:
    """The arguments ``twinbench run`` gives a task when no ``-T`` is set: the task function's defaults, then the
    benchmark's ``default_task_args`` (as JSON values, to compare with a log's). Worked out once per benchmark and
    task (every table cell of a run asks)."""
    known = _DEFAULT_ARGS.get((id(info), task))
    if known is None or known[0] is not info:
        known = (info, _default_task_args(info, task))
        _DEFAULT_ARGS[(id(info), task)] = known
    return dict(known[1])


def _default_task_args(info: BenchmarkInfo, task: str) -> dict[str, Any]:
    for task_fn in info.tasks:
        if registered_task_name(task_fn) != task:
            continue
        params = pyinspect.signature(task_fn).parameters
        defaults = {k: p.default for k, p in params.items() if p.default is not pyinspect.Parameter.empty}
        defaults.update({k: v for k, v in info.default_task_args.items() if k in params})
        return json.loads(json.dumps(defaults, default=str))
    return {}


def non_default_args(info: BenchmarkInfo | None, task: str, task_args: object) -> dict[str, Any]:
    """The run's task arguments that differ from :func:`default_task_args` (all of them without ``info``)."""
    args = parse_json_text(task_args)
    if info is None:
        return args
    defaults = default_task_args(info, task)
    return {k: v for k, v in args.items() if k not in defaults or defaults[k] != v}


def args_label(info: BenchmarkInfo | None, task: str, task_args: object) -> str:
    """A run's non-default task arguments for people: ``n=20, version=2``; ``""`` when all are defaults."""
    return args_text(non_default_args(info, task, task_args))


def _fixed(value: float, digits: int) -> str:
    """``value`` to ``digits`` decimals, without the sign of a value that rounds to zero ("-0.000")."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_value(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, float):
        return _fixed(value, digits)
    return str(value)


def format_count(value: object) -> str:
    """A count (an ``n``) as a whole number: ``17289``, not ``17289.000`` (a column of counts turns float where
    some row has none); "–" for none."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return str(int(value))
    return format_value(value)


def auto_digits(*values: object) -> int:
    """Decimals for numbers of no declared precision: one where the largest is 10 or more in size (percentage
    points, words, tokens: "52.9", not "52.915"), else three (shares, rates: "0.880")."""
    sizes = [abs(float(v)) for v in values if isinstance(v, (int, float)) and not math.isnan(float(v))]
    return 1 if sizes and max(sizes) >= 10 else 3


def format_p(value: object) -> str:
    """A p-value: three decimals, or two significant digits below 0.001 ("1.2e-69", never "0.000")."""
    if isinstance(value, float) and not math.isnan(value) and 0 < value < 0.001:
        return f"{value:.1e}"
    return format_value(value)


def format_ci(low: object, high: object, digits: int = 3) -> str:
    if any(v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return "–"
    return f"[{_fixed(float(low), digits)}, {_fixed(float(high), digits)}]"  # type: ignore[arg-type]


_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)  # built once: json.dumps builds one a call


def jsonable(value: object) -> str:
    """Dict/list cells as JSON text (for CSV/Parquet, which cannot hold mixed dicts)."""
    return _JSON.encode(value)
