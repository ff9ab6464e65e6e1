"""Per-sample frames -> each benchmark's tables: the full summary, the headline table, per-task metrics.

No statistic is computed here: every value, CI and n comes from the benchmark's own ``summarize`` (which uses
``scorers.stats``) or from inspect's task metrics. This module only groups, calls and labels.
"""

from __future__ import annotations

import hashlib
import inspect as pyinspect
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reports.cache import Key, LogCache, cached, log_key, store
from reports.logs import KEY, LogProblem, LogSet, args_text, loaded, parse_json_text, read_log_dir
from reports.parallel import Failure, frozen_heap, run_calls
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


@dataclass(frozen=True)
class Outline:
    """What every build uses of a run's ``summarize`` table, small enough to load for every run each time (cached
    with it, kind ``outline``): its "overall" rows (headline and diagnostic values, as records), its number of rows
    and its columns. The table itself is loaded only where it is used (:meth:`Report.run_table`)."""

    overall: list[dict[str, Any]]  # value, CI and n as numbers (as in Report.summary); no run key, no log
    rows: int
    columns: list[str]

    @classmethod
    def of(cls, table: pd.DataFrame) -> Outline:
        numbers = _as_numbers(table.copy())
        overall = numbers[numbers["group"] == "overall"] if "group" in numbers.columns else numbers.iloc[0:0]
        return cls(overall.to_dict("records"), len(table), [str(c) for c in table.columns])


@dataclass
class Report:
    """Everything a user sees, derived from one log directory. Per-run tables (samples, summaries) are read when
    asked: a rebuild with one new log reads that log's only."""

    log_dir: str
    logset: LogSet  # the logs used; their samples are read when asked (samples, run_samples)
    headline: pd.DataFrame  # HEADLINE_COLUMNS: the registry's headline metrics, group == "overall", + run key
    task_metrics: pd.DataFrame  # inspect's own per-task metrics (evals_df), tidy
    benchmarks: dict[str, BenchmarkInfo] = field(default_factory=dict)
    problems: list[LogProblem] = field(default_factory=list)
    # every row of every summarize_runs() call (ACROSS_COLUMNS first): statistics over several runs of a benchmark
    across_runs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACROSS_COLUMNS))
    # each benchmark's reference rows (BenchmarkInfo.references), headline and diagnostic metrics only
    references: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERENCE_COLUMNS))
    # log -> the table its run's summarize() returned, or how to load it; in run order, runs summarised only
    run_tables: dict[str, pd.DataFrame | Callable[[], pd.DataFrame]] = field(default_factory=dict)
    outlines: dict[str, Outline] = field(default_factory=dict)  # log -> its Outline, the same runs

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Every row of every summarize() call + KEY + log (loads every run's table)."""
        return self.summary_of(list(self.run_tables))

    @property
    def samples(self) -> pd.DataFrame:
        """Per sample (reports.logs.SAMPLE_COLUMNS), every run (reads every run's samples)."""
        return self.logset.samples

    @property
    def logs(self) -> pd.DataFrame:
        """Per log used (reports.logs.LOG_COLUMNS)."""
        return self.logset.logs

    def run_samples(self, log: str) -> pd.DataFrame:
        """One run's rows of :attr:`samples` (only its samples are read)."""
        return self.logset.samples_of([log])

    def run_summary(self, log: str) -> pd.DataFrame:
        """One run's rows of :attr:`summary` (:meth:`summary_of`)."""
        return self.summary_of([log])

    def run_table(self, log: str) -> pd.DataFrame:
        """The table the run's summarize() returned (loaded once)."""
        return loaded(self.run_tables, log)

    def summary_of(self, logs: list[str]) -> pd.DataFrame:
        """The rows of :attr:`summary` of these runs, with the columns (and dtypes) of their own tables: one run's
        rows do not depend on which other runs the report holds."""
        if not logs:
            return pd.DataFrame(columns=[*KEY, *SUMMARY_REQUIRED, "log"])
        keys = self.logs.set_index("log").loc[logs, KEY].to_dict("records")
        return _keyed_summary([self.run_table(log) for log in logs], keys, logs)


def build_report(
    log_dir: str | Path,
    benchmarks: Mapping[str, BenchmarkInfo] | None = None,
    *,
    cache: LogCache | None = None,
    jobs: int = 1,
) -> Report:
    """The report of every usable log under ``log_dir``. With ``cache`` (``reports.cache``), each log's samples
    frame and summary are taken from it when the log and the code are unchanged, and stored when computed;
    ``jobs`` > 1 reads the missing logs and runs the missing ``summarize`` calls in that many processes. What is in
    memory already is kept out of the garbage collector's full collections meanwhile (:func:`frozen_heap`)."""
    if benchmarks is None:
        benchmarks = load_benchmarks()
    if cache is not None:
        cache.open_pack(log_dir)
    with frozen_heap():
        logset = read_log_dir(log_dir, benchmarks, cache=cache, jobs=jobs)
        problems = list(logset.problems)
        tables, outlines = summary_tables(logset, benchmarks, problems, cache=cache, jobs=jobs)
        headline = headline_table(logset.logs, outlines, benchmarks)
        reasons = degenerate_reasons(logset.logs, tables, benchmarks, problems, cache=cache)
        headline["degenerate"] = [reasons.get(str(log), "") for log in headline["log"]]
        used = sorted(set(headline["benchmark"]))
        report = Report(
            log_dir=str(log_dir),
            logset=logset,
            headline=headline,
            task_metrics=task_metrics_table(logset),
            benchmarks=dict(benchmarks),
            problems=problems,
            across_runs=across_runs_table(logset, benchmarks, problems, cache=cache),
            references=references_table([benchmarks[name] for name in used], problems, cache=cache, jobs=jobs),
            run_tables=tables,
            outlines=outlines,
        )
    if cache is not None:
        cache.save_pack()
    return report


def degenerate_reasons(
    logs: pd.DataFrame,
    tables: dict[str, pd.DataFrame | Callable[[], pd.DataFrame]],
    benchmarks: Mapping[str, BenchmarkInfo],
    problems: list[LogProblem],
    *,
    cache: LogCache | None = None,
) -> dict[str, str]:
    """``{log: reason}`` for every summarised run (``tables``: :attr:`Report.run_tables`) its benchmark's
    ``degenerate`` rule flags (given the run's summarize() table), taken from ``cache`` (kind ``degenerate``, ""
    for a run not flagged) when the log and the code are unchanged. A rule that raises is named among the problems
    and flags nothing."""
    reasons: dict[str, str] = {}
    for name, log in zip(logs["benchmark"], logs["log"]):
        info = benchmarks[name]
        rule = info.degenerate
        if rule is None or log not in tables:
            continue
        key = log_key(cache, log, info)
        reason = cached(cache, "degenerate", key)
        if not isinstance(reason, str):
            try:
                reason = str(rule(loaded(tables, log).reset_index(drop=True)) or "")
            except Exception as ex:
                problems.append(LogProblem(log, f"{name}.degenerate failed: {type(ex).__name__}: {ex}"))
                continue
            store(cache, "degenerate", key, reason)
        if reason:
            reasons[log] = reason
    return reasons


_REFERENCES: dict[Any, pd.DataFrame] = {}  # hook -> its rows, once per process (also without a cache)


def references_table(
    infos: list[BenchmarkInfo], problems: list[LogProblem], *, cache: LogCache | None = None, jobs: int = 1
) -> pd.DataFrame:
    """The ``references`` rows of each benchmark (group "overall": those of headline and diagnostic metrics, and
    those of other metrics that carry a ``label`` of their own), taken from ``cache`` when its code is unchanged;
    the hooks not cached run in up to ``jobs`` processes. A hook that raises is named among the problems."""
    hooked = [info for info in infos if info.references is not None]
    found: dict[str, Any] = {}
    for info in hooked:
        rows = cache.load("references", "references", cache.fingerprint(info)) if cache else None
        found[info.name] = rows if isinstance(rows, pd.DataFrame) else _REFERENCES.get(info.references)
    missing = [info for info in hooked if not isinstance(found[info.name], pd.DataFrame)]
    for info, rows in zip(missing, run_calls([partial(_checked_references, info) for info in missing], jobs)):
        if isinstance(rows, Failure):
            problems.append(LogProblem(info.name, f"{info.name}.references failed: {rows}"))
            continue
        found[info.name] = _REFERENCES[info.references] = rows
        if cache is not None:
            cache.store("references", "references", cache.fingerprint(info), rows)
    frames = []
    for info in hooked:
        rows = found[info.name]
        if not isinstance(rows, pd.DataFrame):
            continue
        shown = {m.name: m.label for m in info.headline} | {d.name: d.label for d in info.diagnostics}
        own = rows["label"] if "label" in rows.columns else pd.Series(None, index=rows.index, dtype=object)
        label = rows["metric"].map(shown).fillna(own)  # a declared metric's label, else the row's own
        keep = (rows["group"] == "overall") & label.notna()
        frames.append(rows[keep].assign(benchmark=info.name, label=label[keep])[REFERENCE_COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REFERENCE_COLUMNS)


def _checked_references(info: BenchmarkInfo) -> pd.DataFrame:
    """The benchmark's ``references()`` rows, checked against the columns they need."""
    assert info.references is not None
    rows = info.references()
    missing = [c for c in [*SUMMARY_REQUIRED, "reference"] if c not in rows.columns]
    if missing:
        raise ValueError(f"returned no column(s) {missing}")
    return rows


def summary_tables(
    logset: LogSet,
    benchmarks: Mapping[str, BenchmarkInfo],
    problems: list[LogProblem] | None = None,
    *,
    cache: LogCache | None = None,
    jobs: int = 1,
) -> tuple[dict[str, pd.DataFrame | Callable[[], pd.DataFrame]], dict[str, Outline]]:
    """Call each benchmark's ``summarize`` once per run (:data:`reports.logs.KEY`: benchmark, task, task version,
    model, model roles, task arguments), or take its table from ``cache`` (keyed by the run's log bytes and the
    code, ``reports.cache``); the calls not cached run in up to ``jobs`` processes. Returns, by log in run order,
    each table (or, for a run whose :class:`Outline` is cached, how to load it) and each outline.

    A ``summarize`` that raises or breaks the contract is reported as a problem of that log and skipped (and not
    cached).
    """
    problems = problems if problems is not None else []
    runs = list(zip(logset.logs["log"], [benchmarks[name] for name in logset.logs["benchmark"]]))
    keys = {log: log_key(cache, log, info) for log, info in runs}
    tables: dict[str, pd.DataFrame | Callable[[], pd.DataFrame]] = {}
    outlines: dict[str, Outline] = {}
    missing = []
    for log, info in runs:
        outline = cached(cache, "outline", keys[log])
        if isinstance(outline, Outline):  # the table is loaded only if used
            tables[log] = partial(_cached_summary, cache, keys[log], info, partial(logset.run_frame, log))
            outlines[log] = outline
            continue
        table = cached(cache, "summary", keys[log])
        if isinstance(table, pd.DataFrame):
            tables[log] = table
        else:
            missing.append((log, info))
    calls = [partial(_checked_summary, info, logset.run_frame(log)) for log, info in missing]
    for (log, info), result in zip(missing, run_calls(calls, jobs)):
        if isinstance(result, Failure):
            problems.append(LogProblem(log, f"{info.name}.summarize failed: {result}"))
            continue
        tables[log] = result
        store(cache, "summary", keys[log], result)
    for log, table in tables.items():
        if log not in outlines:
            assert isinstance(table, pd.DataFrame)
            outlines[log] = Outline.of(table)
            store(cache, "outline", keys[log], outlines[log])
    ordered = [log for log, _ in runs if log in tables]
    return {log: tables[log] for log in ordered}, {log: outlines[log] for log in ordered}


def _cached_summary(
    cache: LogCache | None, key: Key | None, info: BenchmarkInfo, samples: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """A run's summarize() table from the cache; computed again (and stored) where the entry is gone or invalid."""
    table = cached(cache, "summary", key)
    if not isinstance(table, pd.DataFrame):
        table = _checked_summary(info, samples())
        store(cache, "summary", key, table)
    return table


def _keyed_summary(tables: list[pd.DataFrame], keys: list[dict[str, Any]], logs: list[str]) -> pd.DataFrame:
    """Runs' ``summarize`` tables joined, each row with its run's key first and its log last, value, CI and n as
    numbers."""
    summary = pd.concat(tables, ignore_index=True)
    # each row's run key and log, set once on the whole table (inserting them run by run cost more than the rest)
    counts = [len(table) for table in tables]

    def repeated(values: dict[str, list[Any]]) -> pd.DataFrame:
        return pd.DataFrame({c: np.repeat(np.array(v, dtype=object), counts) for c, v in values.items()})

    keyed = repeated({column: [key[column] for key in keys] for column in KEY})
    return _as_numbers(pd.concat([keyed, summary, repeated({"log": logs})], axis=1))


def _as_numbers(summary: pd.DataFrame) -> pd.DataFrame:
    """Value and CI as floats, n as whole numbers (nullable), whatever types summarize() returned them in."""
    for column in ("value", "ci_low", "ci_high"):
        summary[column] = pd.to_numeric(summary[column], errors="coerce").astype(float)
    summary["n"] = pd.to_numeric(summary["n"], errors="coerce").astype("Int64")
    return summary


def _checked_summary(info: BenchmarkInfo, samples: pd.DataFrame) -> pd.DataFrame:
    """``info.summarize`` of a run's samples (its rows or its samples_frame), checked against the contract's
    required columns."""
    table = info.summarize(contract_samples(samples))
    missing = [c for c in SUMMARY_REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"summarize() returned no column(s) {missing}")
    return table


def contract_samples(group: pd.DataFrame) -> pd.DataFrame:
    """One run's per-sample rows (or its samples_frame) as the registry's hooks (``summarize``, ``units``) receive
    them."""
    return group[CONTRACT_COLUMNS].reset_index(drop=True)


def runs_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Every run's per-sample rows of one benchmark as ``summarize_runs`` receives them: the contract columns and
    the run key (``model``, ``model_roles``, ``task``, ``task_version``, ``task_args``) with ``log``."""
    return samples[[*CONTRACT_COLUMNS, *RUN_COLUMNS]].reset_index(drop=True)


def across_runs_table(
    logset: LogSet,
    benchmarks: Mapping[str, BenchmarkInfo],
    problems: list[LogProblem] | None = None,
    *,
    cache: LogCache | None = None,
) -> pd.DataFrame:
    """Call each benchmark's optional ``summarize_runs`` once, on the samples of ALL its runs (the samples of the
    other benchmarks are not read), or take its table from ``cache`` (kind ``across``, keyed by its runs' logs:
    their paths and hashes, :func:`runs_key`) when those runs and the code are unchanged.

    A hook that raises or breaks the contract is reported as a problem (named by the benchmark) and skipped."""
    problems = problems if problems is not None else []
    frames = []
    for name in sorted(set(logset.logs["benchmark"])):
        info = benchmarks.get(name)
        if info is None or info.summarize_runs is None:
            continue
        key = runs_key(cache, list(logset.logs.loc[logset.logs["benchmark"] == name, "log"]), info)
        table = cached(cache, "across", key)
        try:
            if not isinstance(table, pd.DataFrame):
                table = info.summarize_runs(runs_samples(logset.benchmark_samples(name)))
                missing = [c for c in ACROSS_REQUIRED if c not in table.columns]
                if missing and not table.empty:  # no rows (one run, nothing to compare) need no columns
                    raise ValueError(f"summarize_runs() returned no column(s) {missing}")
                store(cache, "across", key, table)
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


def runs_key(cache: LogCache | None, logs: list[str], info: BenchmarkInfo) -> Key | None:
    """The cache key of what is worked out from several runs of ``info`` at once: a digest of their logs' paths and
    hashes, in this order, with the code's fingerprint; None without a cache or when a log is no local file."""
    keys = [log_key(cache, log, info) for log in logs]
    if cache is None or any(key is None for key in keys):
        return None
    runs = "\0".join(f"{log}\0{key[0]}" for log, key in zip(logs, keys) if key is not None)
    return hashlib.sha256(runs.encode()).hexdigest(), cache.fingerprint(info)


def headline_table(
    logs: pd.DataFrame, outlines: Mapping[str, Outline], benchmarks: Mapping[str, BenchmarkInfo]
) -> pd.DataFrame:
    """The registry's headline metrics (``group == "overall"``) of each run (``logs``, its :class:`Outline` by log),
    labelled, in the registry's metric order.

    ``model_roles`` and ``task_args`` are the run's (canonical JSON, part of the run key). ``regress`` refuses to
    compare runs whose arguments differ."""
    rows = []
    for run in records(logs[[*KEY, "log"]]):
        info = benchmarks[run["benchmark"]]
        order = [m.name for m in info.headline]
        for record in outlines[run["log"]].overall if run["log"] in outlines else []:
            if record["metric"] not in order:
                continue
            metric = info.headline_metric(record["metric"])
            rows.append(
                {
                    **{c: record.get(c) for c in HEADLINE_COLUMNS},
                    **run,
                    "label": metric.label,
                    "direction": metric.direction.value,
                    "kind": metric.kind,
                    "degenerate": "",
                    "_order": order.index(metric.name),
                }
            )
    if not rows:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    # sorted in Python (stable; the key's columns are text, compared as pandas would): runs without roles first
    rows.sort(key=lambda r: (r["benchmark"], r["task"], r["_order"], r["model"], r["model_roles"] != "{}",
                             r["model_roles"], r["task_version"], r["task_args"]))  # fmt: skip
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def task_metrics_table(logset: LogSet) -> pd.DataFrame:
    """Inspect's own metrics for each log used (named as ``inspect_ai.analysis.evals_df`` names them,
    :func:`reports.logs.header_metrics`), one row per (log, metric)."""
    columns = [*KEY, "log", "metric", "value"]
    runs = {str(run["log"]): run for run in records(logset.logs[[*KEY, "log"]])}
    rows = [
        {**runs[log], "metric": metric, "value": float(value)}
        for log, values in logset.metrics.items()
        if log in runs
        for metric, value in values.items()
        if value is not None and not (isinstance(value, float) and math.isnan(value))
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    rows.sort(key=lambda r: tuple(r[c] for c in [*KEY, "metric"]))  # stable, in the order of logset.metrics
    return pd.DataFrame(rows, columns=columns)


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


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, ~15x faster where pandas keeps text in Arrow arrays (which ``to_dict`` reads
    one value at a time): the site and the summary turn every run's rows into dicts on every build."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*(frame[c].to_numpy(dtype=object).tolist() for c in frame))]


_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)  # built once: json.dumps builds one a call


def jsonable(value: object) -> str:
    """Dict/list cells as JSON text (for CSV/Parquet, which cannot hold mixed dicts)."""
    return _JSON.encode(value)
