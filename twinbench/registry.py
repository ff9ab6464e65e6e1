"""The benchmark registry: every benchmark, ours or a plugin's, is found through one entry-point group.

A benchmark package declares, in its ``pyproject.toml``::

    [project.entry-points."twinbench.benchmarks"]
    survey = "benchmarks.survey:INFO"

where ``INFO`` is a :class:`BenchmarkInfo`. That line is the only registration: the CLI, reports, leaderboard and
``regress`` read only this registry, and inspect finds the tasks through it too (``twinbench/_registry.py``, our
``inspect_ai`` entry point, loads every registered benchmark, which imports its ``@task`` functions). So a plugin
benchmark appears everywhere, ``inspect eval`` included, without code changes here.

The ``summarize`` contract
--------------------------
``summarize(samples) -> DataFrame`` turns the per-sample scores of ONE run into the benchmark's headline table. A
run is one (task, task version, model, model roles, task arguments): the reports' run key
(``reports.logs.KEY``); two runs of a model against different ``--model-role`` opponents, or with different
``-T`` arguments, are two runs and are never pooled. ``samples`` has one row per scored sample and at least these
columns:

* ``sample_id`` (str), ``epoch`` (int)
* ``score``: the ``Score.value`` of the task's first scorer (a number or a dict of numbers, which inspect's
  standard reducers and metrics aggregate)
* ``score_metadata``: that score's ``Score.metadata`` (dict; ``{}`` for none): the structures and labels of a
  sample's result that are not aggregated (a distribution, a mode, a test's name)
* ``answer``: the ``Score.answer`` (str or None)
* ``metadata``: the sample's metadata (dict)

The returned frame has one row per reported number with columns ``metric`` (str), ``value`` (float),
``ci_low``, ``ci_high`` (float, NaN where no CI applies), ``n`` (int: the units the CI is over) and ``group``
(``"overall"`` for the headline rows; a domain, question or sub-population name for breakdown rows). Extra columns
(``p_value``, ``test``, ``note`` …) are kept. Headline metrics are the ``group == "overall"`` rows whose ``metric``
is named in :attr:`BenchmarkInfo.headline`.

The optional ``plots`` hook
---------------------------
``plots(samples) -> dict[str, matplotlib.figure.Figure]`` draws the benchmark's figures for the leaderboard's
benchmark page (saved there as SVG, one per key; the key is the figure's caption). ``samples`` is the per-sample
frame of EVERY run of this benchmark: the ``summarize`` columns plus the run key (``model``, ``model_roles``,
``task``, ``task_version``, ``task_args``), ``log``, ``output`` and ``error``. It must not compute new headline
statistics (those come from ``summarize``, or ``summarize_runs`` for comparisons of runs); a hook that raises is
reported and the page is built without its figures.

The optional ``run_plots`` hook
-------------------------------
``run_plots(samples, summary) -> dict[str, str | matplotlib.figure.Figure]`` draws the figures of ONE run, each as
SVG text (``leaderboard.charts`` draws one in milliseconds, the suite's benchmarks use it) or a matplotlib figure
(written to SVG by the leaderboard, 0.4-0.6 s of CPU each: slow for hundreds of runs): ``samples``
is that run's per-sample frame (as ``plots`` receives it, one run only) and ``summary`` the table its
``summarize`` returned, so a figure of the run's statistics reads them instead of computing them again. The
leaderboard calls it once per run, captions each figure with the run (``local/smollm2-135m: <caption>``) and
caches the SVGs with the run's summary (``reports/cache.py``), so a rebuilt site draws only new runs' figures.
Prefer it to ``plots`` for figures of one run; ``plots`` is for figures that compare runs.

The optional ``summarize_runs`` hook
------------------------------------
``summarize_runs(samples) -> DataFrame`` computes what no single run can: statistics over SEVERAL runs of the
benchmark at once (a transfer matrix of synthesiser x reconstructor models, Plackett-Luce strengths from a
tournament's games, the speedup of each serving configuration over the plain one). It is called once per report
with the per-sample rows of ALL runs of this benchmark, one row per scored sample of each run, columns:

* the ``summarize`` columns: ``sample_id``, ``epoch``, ``score``, ``answer``, ``metadata``;
* the run key: ``model`` (str, the main ``--model``), ``model_roles`` (str: the run's ``--model-role`` bindings as
  canonical JSON, ``"{}"`` for none, ``{"opponent": "mock/o"}``; a role given model args or a generate config is
  ``{"role": {"model": ..., "args": {...}, "config": {...}}}``; ``reports.logs.role_models`` reduces it to model
  names), ``task``, ``task_version`` (str), ``task_args`` (str: canonical JSON of the run's task arguments,
  defaults included);
* ``log`` (str: the run's log file; the run key and ``log`` are one-to-one).

Group by the run-key columns (strings, so they group and compare) to separate the runs; never pool samples of
runs the statistic should keep apart. It returns the ``summarize`` format, one row per reported number:
``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``, ``group`` (a matrix cell such as ``"mock/a -> mock/b"``, or
``"overall"``), plus ``scope`` (str: which runs the row compares, in words: ``"toy_quiz v1: 2 runs with an
opponent"``); extra columns are kept. An empty frame means nothing to compare (e.g. only one run). Statistics
come from ``scorers.stats`` as in ``summarize``. The rows go to the report (``across_runs.csv``, an "Across runs"
table per benchmark in ``summary.md``) and to the leaderboard's benchmark page ("Across runs"); they are not
headline metrics, are not ranked and ``regress`` does not check them. A hook that raises or lacks a column is
named among the report's problems and its rows are left out.

The optional units hooks
------------------------
``units(samples) -> DataFrame`` gives the run's item-level outcomes, one row per unit: ``unit`` (str, stable
across runs: the item's id), ``cluster`` (str: units resampled together; the unit itself when they are
independent), ``stratum`` (str: clusters are resampled within it; ``""`` for none) and the numeric columns the
benchmark needs. ``headline_from_units(units) -> {metric: value}`` recomputes every headline metric from such a
frame, equal to ``summarize``'s overall values on the full frame; it must accept a resample (repeated rows).
``regress`` stores the units in the baseline and tests each headline difference with a paired bootstrap over the
units both runs share.

What a headline number means: ``diagnostics``, ``degenerate``, ``references``
--------------------------------------------------------------------------
A headline number alone can mislead: a judge that says "correct" to everything has no framing effect at all (DDS 0,
the best value), a survey model that answers off the options is tested on what little mass is left. Three optional
declarations put the number in context on the leaderboard and in the report:

* ``diagnostics``: :class:`Diagnostic` s, ``summarize``'s overall rows shown beside the headline (how often the
  judge says "correct", unreadable answers); not ranked, not checked by ``regress``;
* ``degenerate(summary) -> str | None``: the benchmark's own rule, given one run's ``summarize`` table: why the run
  is degenerate (constant verdicts, mostly invalid answers), or None. A flagged run carries the reason next to its
  model everywhere, is not ranked and takes no part in others' ranks; ``regress`` fails on it;
* ``references() -> DataFrame``: reference rows computed by the benchmark with the SAME ``summarize`` on scripted
  answers over its default items (an always-"correct" judge, uniform answers, the real sub-population itself):
  ``summarize``'s rows plus ``reference`` (str, the reference's name). Shown under each headline table, unranked.
  A reference of a quantity no headline or diagnostic column holds (real people measured otherwise, published
  figures) is a row with a metric of its own and a ``label`` column naming it: listed in its own table below.
  Called once per report (cached with the benchmark's code fingerprint).

The optional ``calibration`` hook
---------------------------------
``calibration() -> list[TestCase | CICase]`` registers the benchmark's own tests and intervals in the calibration
harness (``scorers/stats/calibration.py``): simulated under H0 a test must reject at about alpha, an interval must
cover its truth at about the nominal rate. ``scripts/calibrate.py`` runs every registered case.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import entry_points
from typing import Any, Literal

import numpy as np
import pandas as pd

ENTRY_POINT_GROUP = "twinbench.benchmarks"


class Direction(StrEnum):
    """Which way is better: higher, lower, or closer to zero (e.g. a deference score).

    The one place that knows what a direction means: the CLI, reports, leaderboard (sorting and ranks) and
    ``regress`` ask it. A metric is compared by its :meth:`sort_key`, the value itself, or |value| for ``zero``.
    Equal to its text (``Direction.ZERO == "zero"``), as tables and baseline files store it.
    """

    HIGHER = "higher"
    LOWER = "lower"
    ZERO = "zero"

    @property
    def label(self) -> str:
        """``higher is better`` / ``lower is better`` / ``closer to 0 is better``."""
        return "closer to 0 is better" if self is Direction.ZERO else f"{self.value} is better"

    @property
    def arrow(self) -> str:
        return {Direction.HIGHER: "↑", Direction.LOWER: "↓", Direction.ZERO: "→0"}[self]

    def sort_key(self, value: Any) -> Any:
        """What the metric is sorted and ranked by: |value| for ``zero``, else the value (floats or arrays)."""
        return np.abs(value) if self is Direction.ZERO else value

    def change(self, base: Any, current: Any) -> Any:
        """The change of the sort key, current - base (|current| - |base| for ``zero``): > 0 is worse for
        ``lower`` and ``zero``, better for ``higher``."""
        return self.sort_key(current) - self.sort_key(base)

    def is_better(self, a: float, b: float) -> bool:
        """Whether value ``a`` is strictly better than value ``b``."""
        change = float(self.change(b, a))
        return change > 0 if self is Direction.HIGHER else change < 0

    def best_in(self, low: float, high: float) -> float:
        """The best value of the interval [low, high] (for ``zero`` its distance from 0: 0 when it holds 0)."""
        if self is Direction.ZERO:
            return 0.0 if low <= 0.0 <= high else min(abs(low), abs(high))
        return high if self is Direction.HIGHER else low

    def worst_in(self, low: float, high: float) -> float:
        """The worst value of the interval [low, high] (for ``zero`` its largest distance from 0)."""
        if self is Direction.ZERO:
            return max(abs(low), abs(high))
        return low if self is Direction.HIGHER else high


@dataclass(frozen=True)
class HeadlineMetric:
    """A number the leaderboard shows and ``regress`` guards."""

    name: str  # matches the ``metric`` column of summarize()'s output
    label: str  # human-readable column title
    direction: Direction  # the text ("higher", "lower", "zero") is accepted and converted
    kind: Literal["proportion", "mean"] = "mean"  # proportions get exact/binomial tests in regress
    description: str = ""
    digits: int = 3  # decimals shown on the leaderboard (1 for percentage points, 0 for counts)

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))  # an unknown direction fails here


@dataclass(frozen=True)
class Diagnostic:
    """A number of ``summarize``'s overall rows shown beside the headline to say what it means; not ranked."""

    name: str  # matches the ``metric`` column of summarize()'s output
    label: str
    description: str = ""
    digits: int = 3  # decimals shown on the leaderboard


@dataclass(frozen=True)
class BenchmarkInfo:
    name: str  # short id, also the folder name: benchmarks/<name>
    title: str
    paper: str  # citation or URL of the method's source
    version: str  # bump when scores change
    tasks: tuple[Callable[..., Any], ...]  # inspect @task functions
    headline: tuple[HeadlineMetric, ...]
    summarize: Callable[[pd.DataFrame], pd.DataFrame]
    description: str = ""
    # Task arguments used by the main job (`twinbench run` with no size options): a default size that finishes
    # on the embedded CPU model in minutes.
    default_task_args: dict[str, Any] = field(default_factory=dict)
    readme: str | None = None  # path of the benchmark's README.md, for the leaderboard's method notes
    # Optional figures for the leaderboard (see "The optional plots hook" above): samples -> {caption: Figure}.
    plots: Callable[[pd.DataFrame], dict[str, Any]] | None = None
    # Optional figures of one run (see "The optional run_plots hook" above): (samples, summary) -> {caption: SVG}.
    run_plots: Callable[[pd.DataFrame, pd.DataFrame], dict[str, Any]] | None = None
    # Optional item-level outcomes for paired regression tests (see "The optional units hooks" above).
    units: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    headline_from_units: Callable[[pd.DataFrame], dict[str, float]] | None = None
    # Optional calibration cases of the benchmark's own tests and CIs (scorers.stats.calibration).
    calibration: Callable[[], list[Any]] | None = None
    # Optional statistics over several runs at once (see "The optional summarize_runs hook" above): the samples of
    # all runs of this benchmark -> rows in the summarize format plus ``scope``.
    summarize_runs: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    # The oldest task version whose logs the hooks read; reports skip older logs by name and version (None: all).
    oldest_log_version: int | None = None
    # What a headline number means (see "What a headline number means" above): diagnostic columns, the rule that
    # flags a degenerate run (its summary -> reason or None) and reference rows computed with the same statistics.
    diagnostics: tuple[Diagnostic, ...] = ()
    # The model roles its tasks read (``get_model(role=...)``); ``twinbench run --model-role`` refuses others, which
    # would otherwise be recorded in the log and split the run key without changing anything the task does.
    roles: tuple[str, ...] = ()
    degenerate: Callable[[pd.DataFrame], str | None] | None = None
    references: Callable[[], pd.DataFrame] | None = None

    @property
    def task_names(self) -> list[str]:
        return [registered_task_name(t) for t in self.tasks]

    def headline_metric(self, name: str) -> HeadlineMetric:
        for metric in self.headline:
            if metric.name == name:
                return metric
        raise KeyError(f"benchmark {self.name!r} has no headline metric {name!r}")


class RegistryError(RuntimeError):
    pass


def registered_task_name(task_fn: Callable[..., Any]) -> str:
    """The name inspect registered a @task function under (e.g. ``survey``)."""
    from inspect_ai.util import registry_info

    return registry_info(task_fn).name.split("/")[-1]


def load_benchmarks(*, strict: bool = False) -> dict[str, BenchmarkInfo]:
    """All registered benchmarks by name.

    A plugin that fails to import is reported on stderr by name and skipped, so one broken plugin cannot take the
    whole suite down; ``strict=True`` raises instead (tests use it).
    """
    found: dict[str, BenchmarkInfo] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            info = ep.load()
        except Exception as ex:  # a plugin's import error must name the plugin
            message = f"twinbench: benchmark entry point {ep.name!r} ({ep.value}) failed to load: {ex}"
            if strict:
                raise RegistryError(message) from ex
            print(message, file=sys.stderr)
            continue
        if not isinstance(info, BenchmarkInfo):
            message = f"twinbench: entry point {ep.name!r} ({ep.value}) is not a BenchmarkInfo"
            if strict:
                raise RegistryError(message)
            print(message, file=sys.stderr)
            continue
        if info.name in found:
            raise RegistryError(f"two benchmarks are registered as {info.name!r}")
        found[info.name] = info
    return found


def select_benchmarks(names: Sequence[str]) -> list[BenchmarkInfo]:
    """The named benchmarks in the given order, or every registered one when none is named; an unknown name is a
    RegistryError that lists the registered ones."""
    benchmarks = load_benchmarks()
    unknown = [n for n in names if n not in benchmarks]
    if unknown:
        known = ", ".join(sorted(benchmarks)) or "none"
        raise RegistryError(f"unknown benchmark {unknown[0]!r} (registered: {known})")
    return [benchmarks[n] for n in names] if names else list(benchmarks.values())


def benchmark_for_task(task_name: str, benchmarks: Mapping[str, BenchmarkInfo] | None = None) -> BenchmarkInfo | None:
    """The benchmark that owns an inspect task name (``survey`` or ``twinbench/survey``)."""
    short = task_name.split("/")[-1]
    for info in (load_benchmarks() if benchmarks is None else benchmarks).values():
        if short in info.task_names:
            return info
    return None
