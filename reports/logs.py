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
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
from inspect_ai.log import EvalLog, EvalSample

from reports.cache import Key, LogCache, cached, log_key, store
from reports.parallel import Failure, run_calls
from twinbench.registry import BenchmarkInfo, benchmark_for_task, load_benchmarks

T = TypeVar("T")
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
    scorer: str | None  # the task's first scorer (the contract's ``score``), None where the results name none

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
            scorer=_results_scorer(log),
        )


@dataclass
class LogSet:
    """The logs used (one row per run) and their samples, each run's read from the cache or its log when first
    asked for."""

    logs: pd.DataFrame  # LOG_COLUMNS, one row per log used
    problems: list[LogProblem] = field(default_factory=list)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # log -> inspect's task metrics (header)
    # log -> its samples_frame, or how to read it (when first asked): a rebuild needs only the new runs' samples
    frames: dict[str, pd.DataFrame | Callable[[], pd.DataFrame]] = field(default_factory=dict)

    @cached_property
    def samples(self) -> pd.DataFrame:
        """SAMPLE_COLUMNS, one row per scored sample of every run, in run order."""
        return self.samples_of(list(self.logs["log"]))

    def benchmark_samples(self, benchmark: str) -> pd.DataFrame:
        """The rows of one benchmark's runs."""
        return self.samples_of(list(self.logs.loc[self.logs["benchmark"] == benchmark, "log"]))

    def run_frame(self, log: str) -> pd.DataFrame:
        """One run's :func:`samples_frame` (read once)."""
        return loaded(self.frames, log)

    def samples_of(self, logs: list[str]) -> pd.DataFrame:
        """The rows (SAMPLE_COLUMNS) of the runs of these logs, in this order; each run's dtypes are its own, so a
        run's rows do not depend on which other runs are in the folder."""
        if not logs:
            samples = pd.DataFrame(columns=SAMPLE_COLUMNS)
            samples["epoch"] = samples["epoch"].astype("int64")
            return samples
        frames = [self.run_frame(log) for log in logs]
        samples = pd.concat(frames, ignore_index=True)
        # the run key and log of every row, set once on the whole frame (not on each log's frame)
        runs = self.logs.set_index("log").loc[logs].reset_index()
        counts = [len(frame) for frame in frames]
        for column in [*KEY, "log"]:
            samples[column] = np.repeat(runs[column].to_numpy(dtype=object), counts)
        samples = samples[SAMPLE_COLUMNS]
        samples["epoch"] = samples["epoch"].astype("int64")
        return samples


def loaded(values: dict[str, T | Callable[[], T]], key: str) -> T:
    """``values[key]``; where that is how to get the value (a rebuild's unchanged runs), got now and kept."""
    value = values[key]
    if callable(value):
        value = values[key] = value()
    return value


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
    return _frame(log.samples or [], _results_scorer(log))


def _frame(samples: Sequence[EvalSample], scorer: str | None) -> pd.DataFrame:
    """:func:`samples_frame` of these samples; ``scorer`` None: the first one a sample was scored by."""
    scorer = scorer or next((next(iter(s.scores)) for s in samples if s.scores), None)
    rows = []
    for sample in samples:
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
    headers = _cached_headers(locations, cache, jobs)
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

    log_rows: list[dict[str, object]] = []
    metrics: dict[str, dict[str, float]] = {}
    frames: dict[str, pd.DataFrame | Callable[[], pd.DataFrame]] = {}
    runs = sorted(chosen.items())
    keys = [log_key(cache, path, benchmarks[key[0]]) for key, (path, _) in runs]
    reads = [partial(_read_frame, path, header.scorer) for _, (path, header) in runs]
    # how many samples each run scored, from the cache; the runs not cached are read now, their frames kept
    counts = [cached(cache, "scored", k) for k in keys]
    missing = [i for i, count in enumerate(counts) if not isinstance(count, int)]
    read = dict(zip(missing, run_calls([reads[i] for i in missing], jobs)))
    for i, frame in read.items():
        if isinstance(frame, pd.DataFrame):
            counts[i] = len(frame)
            store(cache, "samples", keys[i], frame)
            store(cache, "scored", keys[i], len(frame))
    for i, (key, (path, header)) in enumerate(runs):
        frame = read.get(i)
        if isinstance(frame, Failure):
            problems.append(LogProblem(path, f"unreadable samples ({frame.kind}: {_first_line(frame.message)})"))
            continue
        if counts[i] == 0:
            problems.append(LogProblem(path, "no scored samples"))
            continue
        frames[path] = partial(_cached_frame, cache, keys[i], reads[i]) if frame is None else frame
        metrics[path] = header.metrics
        log_rows.append(
            {
                **dict(zip(KEY, key)),
                "log": path,
                "created": header.created,
                "samples": counts[i],
                "status": header.status,
                "commit": header.commit,
                "inspect_ai": header.inspect_ai,
                "model_args": header.model_args,
            }
        )
    if cache is not None:
        cache.save_hashes()  # every log was hashed above
    logs = pd.DataFrame(log_rows, columns=LOG_COLUMNS)
    return LogSet(logs=logs, problems=problems, metrics=metrics, frames=frames)


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


def _read_frame(path: str, scorer: str | None) -> pd.DataFrame:
    """The :func:`samples_frame` of a log whose header is read already (``scorer``: its ``LogHeader.scorer``): the
    fast path reads its samples only."""
    from inspect_ai.log import read_eval_log

    samples = _fast_samples(path)
    if samples is None:
        return samples_frame(read_eval_log(path, exclude_fields=_EXCLUDE_FIELDS))
    return _frame(samples, scorer)


def _cached_headers(locations: list[str], cache: LogCache | None, jobs: int) -> list[LogHeader | Failure]:
    """Each log's :class:`LogHeader` from ``cache`` when it holds it, else read (in up to ``jobs`` processes) and
    stored; a :class:`reports.parallel.Failure` for a log that could not be read."""
    keys = [log_key(cache, log_path(location)) for location in locations]
    headers: list[Any] = [cached(cache, "header", key) for key in keys]
    missing = [i for i, header in enumerate(headers) if not isinstance(header, LogHeader)]
    for i, header in zip(missing, run_calls([partial(_read_header, locations[i]) for i in missing], jobs)):
        headers[i] = header
        if isinstance(header, LogHeader):
            store(cache, "header", keys[i], header)
    return headers


def _cached_frame(cache: LogCache | None, key: Key | None, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A run's samples frame from the cache; read from its log (and stored) where the entry is gone or invalid."""
    frame = cached(cache, "samples", key)
    if not isinstance(frame, pd.DataFrame):
        frame = read()
        store(cache, "samples", key, frame)
    return frame


def read_samples(path: str, header: EvalLog | None = None) -> EvalLog:
    """The log at ``path`` with its samples, without their events, messages, store and attachments (a report never
    needs them): ``inspect_ai.log.read_eval_log(path, exclude_fields=...)``, computed faster for ``.eval`` files
    (:func:`read_eval_zip`; ``header`` is the log read with ``header_only=True``, read here when not given).
    Anything the fast path cannot read (a ``.json`` log, a compression zipfile does not know) goes to inspect's
    reader, which also names the error of a broken file."""
    from inspect_ai.log import read_eval_log

    samples = _fast_samples(path)
    if samples is None:
        return read_eval_log(path, exclude_fields=_EXCLUDE_FIELDS)
    return _with_header(path, header, samples)


def read_eval_zip(path: str, header: EvalLog | None = None) -> EvalLog:
    """The fast path of :func:`read_samples` for an ``.eval`` (zip) log; raises what it cannot read."""
    return _with_header(path, header, zip_samples(path))


def _with_header(path: str, header: EvalLog | None, samples: list[EvalSample]) -> EvalLog:
    from inspect_ai.log import read_eval_log

    log = header if header is not None else read_eval_log(path, header_only=True)
    return log.model_copy(update={"samples": samples})


def _fast_samples(path: str) -> list[EvalSample] | None:
    """:func:`zip_samples` of an ``.eval`` log; None where it cannot read them (inspect's reader decides)."""
    if str(path).endswith(".eval"):
        try:
            return zip_samples(path)
        except Exception:
            pass
    return None


def zip_samples(path: str) -> list[EvalSample]:
    """The samples of an ``.eval`` (zip) log without their events, messages, store and attachments, in inspect's
    order (epoch, then id). inspect drops the excluded fields while it parses each sample with a streaming JSON
    parser, about four times slower than parsing the sample whole; here each ``samples/*.json`` member is parsed
    whole, the fields dropped and the rest validated as inspect's ``EvalSample``."""
    import zipfile

    from inspect_ai._util.constants import get_deserializing_context  # the context inspect validates samples in

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
    return samples


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


def _results_scorer(log: EvalLog) -> str | None:
    """The name of the task's first scorer in the log's results, as the ``summarize`` contract defines ``score``."""
    results = getattr(log, "results", None)
    return results.scores[0].scorer if results is not None and results.scores else None


def _first_line(ex: BaseException | str) -> str:
    text = str(ex).strip()
    return text.splitlines()[0][:200] if text else "no message"
