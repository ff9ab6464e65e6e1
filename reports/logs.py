"""Inspect logs -> tidy pandas frames: one row per scored sample, one row per log used.

Which logs are used (the rules every report, leaderboard and ``regress`` shares):

* Every ``.eval``/``.json`` log under the directory (recursively) is listed by ``inspect_ai.log.list_eval_logs``.
* A log that cannot be read, or whose status is not ``success`` (started, cancelled, error: partial results),
  is named in :attr:`LogSet.problems` and skipped.
* A log of a task that no registered benchmark owns is named and skipped.
* A log older than its benchmark's ``oldest_log_version`` (a layout its hooks no longer read) is named, with its
  task version, and skipped.
* Logs are keyed by the run key :data:`KEY`: (benchmark, task, task version, model, model roles, task arguments).
  When several successful logs share a key (a rerun into the same directory), the newest (``eval.created``) is
  used and the older ones are named as superseded: samples of different runs are never pooled, and logs of
  different task versions, model roles or task arguments are never averaged together (they are different keys).
  Two negotiation runs of one model against different opponents are two runs.

``model_roles`` is the log's ``eval.model_roles`` (``twinbench run --model-role ROLE=MODEL``) as canonical JSON
(:func:`canonical_model_roles`): ``{}`` for none, else ``{"role": "provider/model"}``; a role that was given model
args or a generate config is ``{"role": {"model": ..., "args": {...}, "config": {...}}}`` (only the non-empty parts;
connection settings such as ``max_connections`` and arguments that were not recorded are left out), a role bound
to several models a list of those. ``task_args`` is the log's ``eval.task_args`` (defaults included), plus the
sample selection of ``--limit``, ``--sample-id`` and ``--epochs`` when set (:data:`SELECTION_ARGS`), as canonical
JSON (:func:`canonical_task_args`). Both are text so that they compare, sort and group as strings; ``json.loads``
them to read them (:func:`role_models` gives each role's model name).

The per-sample frame holds the columns of the registry's ``summarize`` contract (``sample_id``, ``epoch``,
``score``, ``score_metadata``, ``answer``, ``metadata``) plus bookkeeping: the run key, ``log``, ``output`` (the
model's final completion, for transcripts) and ``error`` (a sample error, if any). The per-log frame has one row
per log used. ``inspect_ai.analysis.samples_df`` is not used for it because it flattens dict-valued scores and
metadata into ``score_*``/``metadata_*`` columns that cannot be turned back into the dicts ``summarize`` receives;
:func:`header_metrics` gives inspect's per-task metrics as ``evals_df`` names them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
from inspect_ai.log import EvalLog

from reports.cache import LogCache
from reports.parallel import Failure, run_calls
from twinbench.registry import BenchmarkInfo, benchmark_for_task, load_benchmarks

KEY = ["benchmark", "task", "task_version", "model", "model_roles", "task_args"]
"""The run key: one run of a benchmark's task. Samples of different keys are never pooled."""
SAMPLE_COLUMNS = [
    *KEY,
    "sample_id",
    "epoch",
    "score",
    "score_metadata",
    "answer",
    "metadata",
    "output",
    "error",
    "log",
]
LOG_COLUMNS = [*KEY, "log", "created", "samples", "status", "commit", "inspect_ai", "model_args"]
NO_ROLES = "{}"  # model_roles of a run without roles
# Generate-config fields that say how a role's model is reached, not what it answers (inspect's eval-set leaves the
# same fields out of a task's identity): not part of a run's key.
_ROLE_CONFIG_IGNORED = frozenset(
    {
        "max_retries",
        "timeout",
        "attempt_timeout",
        "stream_idle_timeout",
        "max_connections",
        "adaptive_connections",
        "batch",
        "cache",
        "cache_prompt",
    }
)
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


@dataclass(frozen=True)
class LogHeader:
    """What a report needs of a log's header, read once (and cached) instead of inspect's whole ``EvalLog`` header,
    which is ~100 KB of pickled pydantic models a log: on a warm rebuild unpickling those cost more than the rest."""

    task: str
    task_version: str
    model: str
    model_roles: str  # canonical JSON (canonical_model_roles)
    task_args: str  # canonical JSON (canonical_task_args)
    status: str
    created: str
    commit: str  # "<sha>[+dirty]" or ""
    inspect_ai: str
    model_args: str  # args_text
    metrics: dict[str, float]  # header_metrics

    @classmethod
    def of(cls, log: EvalLog) -> LogHeader:
        spec, revision = log.eval, log.eval.revision
        return cls(
            task=spec.task,
            task_version=str(spec.task_version),
            model=spec.model,
            model_roles=canonical_model_roles(spec.model_roles),
            task_args=canonical_task_args({**(spec.task_args or {}), **sample_selection(spec.config)}),
            status=log.status,
            created=spec.created,
            commit=(revision.commit + ("+dirty" if revision.dirty else "")) if revision else "",
            inspect_ai=(spec.packages or {}).get("inspect_ai", ""),
            model_args=args_text(spec.model_args or {}),
            metrics=header_metrics(log),
        )


@dataclass
class LogSet:
    samples: pd.DataFrame  # SAMPLE_COLUMNS, one row per scored sample
    logs: pd.DataFrame  # LOG_COLUMNS, one row per log used
    problems: list[LogProblem] = field(default_factory=list)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # log -> inspect's task metrics (header)


def log_path(location: str) -> str:
    """A log location as a plain filesystem path when it is a local file (``file:///a/b`` -> ``/a/b``)."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return location


def samples_frame(log: EvalLog) -> pd.DataFrame:
    """One row per scored sample of one log, with the columns of the registry's ``summarize`` contract
    (``sample_id``, ``epoch``, ``score`` = Score.value of the task's first scorer, ``score_metadata`` = its
    Score.metadata, ``answer``, ``metadata``) plus ``output`` (the final completion, truncated) and ``error``.
    Unscored (e.g. errored) samples are left out."""
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
                "score_metadata": dict(score.metadata or {}),
                "answer": score.answer,
                "metadata": dict(sample.metadata or {}),
                "output": output[:_OUTPUT_CHARS],
                "error": sample.error.message if sample.error else None,
            }
        )
    columns = ["sample_id", "epoch", "score", "score_metadata", "answer", "metadata", "output", "error"]
    return pd.DataFrame(rows, columns=columns)


def read_log_dir(
    log_dir: str | Path,
    benchmarks: Mapping[str, BenchmarkInfo] | None = None,
    *,
    cache: LogCache | None = None,
    jobs: int = 1,
) -> LogSet:
    """Read every usable log under ``log_dir`` (see the module docstring for which are used). With ``cache``, a
    log's header and per-sample frame are taken from it when the log's bytes and the code are unchanged
    (``reports.cache``); the ones not cached are read in up to ``jobs`` processes."""
    from inspect_ai.log import list_eval_logs

    if benchmarks is None:
        benchmarks = load_benchmarks()
    log_dir = Path(log_dir)
    if not log_dir.is_dir():
        raise FileNotFoundError(
            f"not a log directory: {log_dir} (a file: give its folder)" if log_dir.is_file()
            else f"log directory not found: {log_dir}"
        )  # fmt: skip

    problems: list[LogProblem] = []
    chosen: dict[tuple[str, ...], tuple[str, LogHeader]] = {}  # run key -> (path, header)
    unfinished: list[tuple[tuple[str, ...], str, LogHeader]] = []  # logs of runs that did not finish
    locations = [info.name for info in list_eval_logs(str(log_dir), recursive=True)]
    headers = _cached_results("header", locations, [partial(_read_header, loc) for loc in locations], cache, None, jobs)
    for location, header in zip(locations, headers):
        path = log_path(location)
        if isinstance(header, Failure):  # a corrupt or truncated file must not take the report down
            problems.append(LogProblem(path, f"unreadable ({header.kind}: {_first_line(header.message)})"))
            continue
        owner = benchmark_for_task(header.task, benchmarks)
        if owner is None:
            problems.append(LogProblem(path, f"task {header.task!r} belongs to no registered benchmark"))
            continue
        if _too_old(header.task_version, owner.oldest_log_version):
            problems.append(
                LogProblem(
                    path,
                    f"{owner.name} task version {header.task_version}: this twinbench reads {owner.name} logs of "
                    f"version {owner.oldest_log_version} and later (the log layout changed); rerun the task",
                )
            )
            continue
        key: tuple[str, ...] = (
            owner.name,
            header.task.split("/")[-1],
            header.task_version,
            header.model,
            header.model_roles,
            header.task_args,
        )
        if header.status != "success":
            unfinished.append((key, path, header))
            continue
        previous = chosen.get(key)
        if previous is not None:
            older, newer = sorted([previous, (path, header)], key=lambda ph: ph[1].created)
            problems.append(
                LogProblem(
                    older[0],
                    f"superseded by the newer log {Path(newer[0]).name} of the same "
                    f"run ({describe_run(dict(zip(KEY, key)))})",
                )
            )
            chosen[key] = newer
        else:
            chosen[key] = (path, header)

    for key, path, header in unfinished:
        done = chosen.get(key)
        if done is not None and done[1].created >= header.created:
            continue  # an interrupted run that a later run of the same key finished (eval-set resumes write anew)
        problems.append(LogProblem(path, f"status {header.status!r} (partial results), skipped"))

    sample_frames: list[pd.DataFrame] = []
    log_rows: list[dict[str, object]] = []
    metrics: dict[str, dict[str, float]] = {}
    runs = sorted(chosen.items())
    reads = [partial(_read_frame, path) for _, (path, _) in runs]
    owners = [benchmarks[key[0]] for key, _ in runs]
    frames = _cached_results("samples", [path for _, (path, _) in runs], reads, cache, owners, jobs)
    for (key, (path, header)), frame in zip(runs, frames):
        if isinstance(frame, Failure):
            problems.append(LogProblem(path, f"unreadable samples ({frame.kind}: {_first_line(frame.message)})"))
            continue
        bookkeeping = dict(zip(KEY, key))
        if frame.empty:
            problems.append(LogProblem(path, "no scored samples"))
            continue
        sample_frames.append(frame)
        metrics[path] = header.metrics
        log_rows.append(
            {
                **bookkeeping,
                "log": path,
                "created": header.created,
                "samples": len(frame),
                "status": header.status,
                "commit": header.commit,
                "inspect_ai": header.inspect_ai,
                "model_args": header.model_args,
            }
        )

    if sample_frames:
        samples = pd.concat(sample_frames, ignore_index=True)
        # the run key and log of every row, set once on the whole frame (not on each log's frame)
        counts = [len(frame) for frame in sample_frames]
        for column in [*KEY, "log"]:
            samples[column] = np.repeat(np.array([row[column] for row in log_rows], dtype=object), counts)
    else:
        samples = pd.DataFrame(columns=SAMPLE_COLUMNS)
    samples = samples[SAMPLE_COLUMNS]
    samples["epoch"] = samples["epoch"].astype("int64")
    logs = pd.DataFrame(log_rows, columns=LOG_COLUMNS)
    return LogSet(samples=samples, logs=logs, problems=problems, metrics=metrics)


def header_metrics(header: EvalLog) -> dict[str, float]:
    """inspect's task metrics of a log, named as ``inspect_ai.analysis.evals_df`` names its ``score_*`` columns
    without the prefix: ``<scorer>_<metric>``, ``<scorer>_<reducer>_<metric>`` where two reducers of a scorer
    report the same metric. Read from the header already in hand (``evals_df`` reads every header again and
    builds its schema on each call)."""
    scores = header.results.scores if header.results is not None else []
    counts: dict[tuple[str, str], int] = {}
    for score in scores:
        for name in score.metrics:
            counts[(score.name, name)] = counts.get((score.name, name), 0) + 1
    values: dict[str, float] = {}
    for score in scores:
        for name, metric in score.metrics.items():
            prefix = score.name
            if counts[(score.name, name)] > 1 and score.reducer is not None:
                prefix = f"{score.name}_{score.reducer}"
            values[f"{prefix}_{name}"] = metric.value
    return values


def _read_header(location: str) -> LogHeader:
    from inspect_ai.log import read_eval_log

    return LogHeader.of(read_eval_log(location, header_only=True))


def _read_frame(path: str) -> pd.DataFrame:
    return samples_frame(read_samples(path))


def _cached_results(
    kind: str,
    locations: list[str],
    calls: Sequence[Callable[[], Any]],
    cache: LogCache | None,
    owners: list[BenchmarkInfo] | None,
    jobs: int,
) -> list[Any]:
    """Per log: the ``kind`` ("header" or "samples") from ``cache`` when it holds it, else computed (in up to
    ``jobs`` processes by its entry of ``calls``) and stored; a :class:`reports.parallel.Failure` for a log that
    could not be read. ``owners``: the logs' benchmarks, whose code keys the samples (headers, read before the
    benchmark is known, are keyed by the reader's code)."""
    keys: list[tuple[str, str] | None] = []
    for i, location in enumerate(locations):
        path = log_path(location)
        if cache is None or not Path(path).is_file():
            keys.append(None)
            continue
        fingerprint = cache.reader_fingerprint() if owners is None else cache.fingerprint(owners[i])
        keys.append((cache.log_hash(path), fingerprint))
    results: list[Any] = [None] * len(locations)
    expected = LogHeader if kind == "header" else pd.DataFrame
    for i, key in enumerate(keys):
        if key is not None and cache is not None:
            stored = cache.load(kind, *key)
            if isinstance(stored, expected):
                results[i] = stored
    missing = [i for i, result in enumerate(results) if result is None]
    for i, result in zip(missing, run_calls([calls[i] for i in missing], jobs)):
        results[i] = result
        key = keys[i]
        if key is not None and cache is not None and not isinstance(result, Failure):
            cache.store(kind, *key, result)
    return results


def read_samples(path: str, header: EvalLog | None = None) -> EvalLog:
    """The log at ``path`` with its samples, without their events, messages, store and attachments (a report never
    needs them): ``inspect_ai.log.read_eval_log(path, exclude_fields=...)``, computed faster for ``.eval`` files.

    inspect drops the excluded fields while it parses each sample with a streaming JSON parser, about four times
    slower than parsing the sample whole; here each ``samples/*.json`` member is parsed whole, the fields dropped
    and the rest validated as inspect's ``EvalSample``, in inspect's order (epoch, then id). ``header`` is the log
    read with ``header_only=True`` (read here when not given). Anything this path cannot read (a ``.json`` log, a
    compression zipfile does not know) goes to inspect's reader, which also names the error of a broken file."""
    from inspect_ai.log import read_eval_log

    if str(path).endswith(".eval"):
        try:
            return read_eval_zip(path, header)
        except Exception:  # inspect's reader decides
            pass
    return read_eval_log(path, exclude_fields=_EXCLUDE_FIELDS)


def read_eval_zip(path: str, header: EvalLog | None = None) -> EvalLog:
    """The fast path of :func:`read_samples` for an ``.eval`` (zip) log; raises what it cannot read."""
    import zipfile

    from inspect_ai._util.constants import get_deserializing_context  # the context inspect validates samples in
    from inspect_ai.log import EvalSample, read_eval_log

    log = header if header is not None else read_eval_log(path, header_only=True)
    samples = []
    with zipfile.ZipFile(path) as archive:
        # a re-logged sample appends a second member of the same name; the last one counts, as in inspect
        for name in dict.fromkeys(archive.namelist()):
            if name.startswith("samples/") and name.endswith(".json"):
                data = json.loads(archive.read(name))
                for excluded in _EXCLUDE_FIELDS:
                    data.pop(excluded, None)
                samples.append(EvalSample.model_validate(data, context=get_deserializing_context()))
    samples.sort(key=lambda s: (s.epoch, s.id if isinstance(s.id, str) else str(s.id).zfill(20)))
    return log.model_copy(update={"samples": samples})


SELECTION_ARGS = ("--limit", "--sample-id", "--epochs")
"""The eval options that run a task on other samples (or other repeats) than its arguments say: part of a run's
``task_args`` (written like the options, so no task argument can take their names), so that a ``--limit 40`` run is
a different run from a full one, labelled as such and never ranked or compared against it."""


def sample_selection(config: Any) -> dict[str, Any]:
    """``{"--limit": 40, "--sample-id": [...], "--epochs": 3}`` from a log's ``eval.config``, for the options set
    (epochs only above 1)."""
    chosen: dict[str, Any] = {}
    if getattr(config, "limit", None) is not None:
        chosen["--limit"] = config.limit
    if getattr(config, "sample_id", None) is not None:
        chosen["--sample-id"] = config.sample_id
    if (getattr(config, "epochs", None) or 1) > 1:
        chosen["--epochs"] = config.epochs
    return chosen


def canonical_task_args(task_args: Mapping[str, object] | None) -> str:
    """The task arguments recorded in a log's eval spec as canonical JSON (sorted keys), so that two runs with
    the same arguments compare equal as strings (``regress`` refuses to compare runs whose arguments differ)."""
    return json.dumps(dict(task_args or {}), sort_keys=True, default=str, ensure_ascii=False)


def canonical_model_roles(model_roles: Mapping[str, Any] | None) -> str:
    """The model roles recorded in a log's eval spec (``eval.model_roles``: role -> ``ModelConfig`` or a list of
    them, or the same as plain dicts) as canonical JSON (sorted keys; see the module docstring): ``{}`` for none,
    ``{"role": "provider/model"}`` for a plain role, ``{"role": {"model", "args", "config"}}`` for one with model
    args or a generate config, a list for a role bound to several models."""

    def spec(config: Any) -> Any:
        data = config.model_dump(mode="json", exclude_none=True) if hasattr(config, "model_dump") else dict(config)
        args = {k: v for k, v in (data.get("args") or {}).items() if v is not None}
        generate = {k: v for k, v in (data.get("config") or {}).items()
                    if v is not None and k not in _ROLE_CONFIG_IGNORED}  # fmt: skip
        if not args and not generate:
            return str(data["model"])
        return {"model": str(data["model"]), **({"args": args} if args else {}),
                **({"config": generate} if generate else {})}  # fmt: skip

    roles = {
        str(role): [spec(c) for c in value] if isinstance(value, (list, tuple)) else spec(value)
        for role, value in (model_roles or {}).items()
    }
    return json.dumps(roles, sort_keys=True, default=str, ensure_ascii=False)


def parse_json_text(text: object) -> dict[str, Any]:
    """A canonical-JSON column value (``model_roles``, ``task_args``) as a dict; ``{}`` for empty or missing."""
    if text is None or (isinstance(text, float) and text != text) or text == "":
        return {}
    if isinstance(text, str):
        return dict(json.loads(text))
    if isinstance(text, Mapping):
        return dict(text)
    raise TypeError(f"expected JSON text or a mapping, got {type(text).__name__}: {text!r}")


def role_models(model_roles: object) -> dict[str, str | list[str]]:
    """Each role's model name(s) from a ``model_roles`` value, its args and config dropped:
    ``{"judge": {"model": "mock/j", "args": {...}}}`` -> ``{"judge": "mock/j"}``."""

    def name(spec: Any) -> str:
        return str(spec["model"]) if isinstance(spec, dict) else str(spec)

    return {role: [name(s) for s in value] if isinstance(value, list) else name(value)
            for role, value in parse_json_text(model_roles).items()}  # fmt: skip


def roles_label(model_roles: object) -> str:
    """A run's roles for people: ``judge=mock/j (text=yes); opponent=mock/o``; ``""`` for none. A role bound to
    several models lists them with commas, as ``--model-role`` takes them."""

    def one(spec: Any) -> str:
        if not isinstance(spec, dict):
            return str(spec)
        extra = {**spec.get("config", {}), **spec.get("args", {})}
        return f"{spec['model']} ({args_text(extra)})" if extra else str(spec["model"])

    parts = []
    for role, value in sorted(parse_json_text(model_roles).items()):
        parts.append(f"{role}=" + (",".join(one(s) for s in value) if isinstance(value, list) else one(value)))
    return "; ".join(parts)


def args_text(args: Mapping[str, Any]) -> str:
    """``key=value`` pairs, sorted, strings bare and everything else as JSON: ``n=20, persona=true``."""
    return ", ".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str, ensure_ascii=False)}"
        for k, v in sorted(args.items())
    )


def describe_run(run: Mapping[str, Any]) -> str:
    """One line naming a run by its key: ``toy/toy_quiz v1 mock/a [opponent=mock/o] {"n": 20}``."""
    text = f"{run['benchmark']}/{run['task']} v{run['task_version']} {run['model']}"
    roles = roles_label(run.get("model_roles"))
    if roles:
        text += f" [{roles}]"
    args = run.get("task_args")
    if args and args != "{}":
        text += f" {args}"
    return text


def _too_old(version: object, oldest: int | None) -> bool:
    """Whether a log's task version is below the benchmark's oldest readable one (versions that are not whole
    numbers are never too old)."""
    try:
        return oldest is not None and int(str(version)) < oldest
    except ValueError:
        return False


def _first_scorer(log: EvalLog) -> str | None:
    """The name of the task's first scorer, as the ``summarize`` contract defines ``score``."""
    results = getattr(log, "results", None)
    if results is not None and results.scores:
        return results.scores[0].scorer
    for sample in getattr(log, "samples", None) or []:
        if sample.scores:
            return next(iter(sample.scores))
    return None


def _first_line(ex: BaseException | str) -> str:
    text = str(ex).strip()
    return text.splitlines()[0][:200] if text else "no message"
