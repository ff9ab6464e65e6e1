"""Figures of one run each (the registry's ``run_plots`` hook) as SVG text: drawn once per run, cached with the
run's summary (``reports.cache``, kind ``figures``), drawn in worker processes when several are missing.

The hook receives the run's samples and the table its ``summarize`` returned (from the report, so the statistics are
never computed again for a figure). A run whose ``summarize`` failed has no figures (its failure is already among the
report's problems); a hook that raises is named with the run's log and the rest of the site is built.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from reports.cache import LogCache, cached, log_key, store
from reports.logs import roles_label
from reports.parallel import Failure, run_calls
from reports.tables import Report, args_label, records
from twinbench.registry import BenchmarkInfo


def svg_text(figure: Any) -> str:
    """A matplotlib figure as SVG text, without a creation date and with ids from a fixed salt (matplotlib salts
    them at random), so the same figure gives the same bytes whether drawn now or taken from the cache.

    Text stays text (``svg.fonttype`` "none": the browser's sans-serif instead of every glyph as a path) and the
    figure is drawn once, at its own layout (no ``bbox_inches="tight"``, which draws it twice): the two took most
    of a figure's time (survey: 2.6 s of CPU before, see leaderboard/README.md)."""
    import matplotlib

    matplotlib.use("Agg")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "twinbench", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def draw_run(info: BenchmarkInfo, samples: pd.DataFrame, summary: pd.DataFrame) -> list[tuple[str, str]]:
    """``[(caption, svg)]`` of one run's ``run_plots`` figures: SVG text as the hook returned it, or a matplotlib
    figure written with :func:`svg_text` (and closed)."""
    assert info.run_plots is not None
    rendered = []
    for caption, figure in info.run_plots(samples, summary).items():
        if isinstance(figure, str):
            rendered.append((str(caption), figure))
            continue
        import matplotlib.pyplot as plt

        try:
            rendered.append((str(caption), svg_text(figure)))
        except Exception as ex:
            raise RuntimeError(f"figure {caption!r}: {type(ex).__name__}: {ex}") from ex
        finally:
            plt.close(figure)
    return rendered


def run_label(info: BenchmarkInfo, run: Mapping[str, Any]) -> str:
    """The run for people: ``mock/a [opponent=mock/o] [n=20]`` (roles and non-default task arguments if any)."""
    label = str(run["model"])
    for text in (roles_label(run["model_roles"]), args_label(info, str(run["task"]), run["task_args"])):
        if text:
            label += f" [{text}]"
    return label


def run_figures(
    report: Report,
    info: BenchmarkInfo,
    cache: LogCache | None = None,
    jobs: int = 1,
    samples: Callable[[str], pd.DataFrame] | None = None,
) -> tuple[list[tuple[str, str]], list[str]]:
    """``[(caption, svg)]`` of every run of ``info`` in the report's run order, each caption prefixed with the run
    (:func:`run_label`), and the problems met (one line each); ``samples`` gives a run's rows of the report's samples
    (default :meth:`Report.run_samples`)."""
    run_samples = samples or report.run_samples
    if info.run_plots is None:
        return [], []
    logs = report.logs[report.logs["benchmark"] == info.name]  # in run order
    # a run whose summarize failed has no figures
    runs = [(str(r["log"]), run_label(info, r)) for r in records(logs) if r["log"] in report.outlines]
    drawn: dict[int, list[tuple[str, str]]] = {}
    missing = []
    for i, (log, _) in enumerate(runs):
        figures = cached(cache, "figures", log_key(cache, log, info))
        if isinstance(figures, list):
            drawn[i] = figures
        else:
            missing.append(i)

    def inputs(log: str) -> tuple[pd.DataFrame, pd.DataFrame]:  # a run's samples and summary table
        return run_samples(log), report.run_table(log).reset_index(drop=True)

    problems = []
    calls = [partial(draw_run, info, *inputs(runs[i][0])) for i in missing]
    for i, result in zip(missing, run_calls(calls, jobs)):
        log = runs[i][0]
        if isinstance(result, Failure):
            problems.append(f"{info.name}: run_plots hook failed for {Path(log).name}: {result}")
            continue
        drawn[i] = result
        store(cache, "figures", log_key(cache, log, info), result)
    figures = [(f"{label}: {caption}", svg) for i, (_, label) in enumerate(runs) for caption, svg in drawn.get(i, [])]
    return figures, problems
