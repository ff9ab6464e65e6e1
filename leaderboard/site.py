"""Build the static leaderboard site from a :class:`reports.tables.Report`.

Layout (self-contained, no network, works from ``file://``)::

    SITE/index.html                   one sortable table per benchmark: runs x headline metrics (value, CI, n, rank)
    SITE/benchmarks/<name>.html       method notes (from the README), headline and across-runs tables, figures, a
                                      link to each run's page
    SITE/benchmarks/<name>/*.svg      figures from the benchmark's optional ``plots`` and ``run_plots`` hooks
    SITE/models/<model>.html          one model across benchmarks: its runs and headline rows
    SITE/runs/<log>.html              one run (the log's path in the log folder): every number its ``summarize``
                                      reported, its samples' answers and outputs; made from that run alone, so it is
                                      written once, and a new run rewrites no other run's numbers
    SITE/data/                        the report tables (CSV, Parquet, summary.md); each run's samples and summary
                                      rows in data/runs/<log>/
    SITE/transcripts/                 ``inspect view bundle`` of the logs (only with ``bundle=True``)

Values, CIs and n come from the report (the benchmarks' ``summarize`` and ``summarize_runs``); this module
computes no statistic. Ranks follow :data:`leaderboard.ranks.RANK_RULE`. A row is a run (the report's run key): its
model cell shows the run's ``--model-role`` bindings, its task cell the task arguments that differ from the
defaults of ``twinbench run``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from leaderboard.figures import run_figures, run_label, svg_text
from leaderboard.files import SiteFiles, digest
from leaderboard.html import ASSETS, Cell, Markup, cell, esc, link, page, relative_url, table
from leaderboard.ranks import RANK_RULE, add_ranks
from reports.cache import LogCache
from reports.logs import roles_label
from reports.parallel import frozen_heap
from reports.tables import (
    ACROSS_COLUMNS,
    Report,
    args_label,
    auto_digits,
    format_ci,
    format_count,
    format_p,
    format_value,
    jsonable,
    records,
)
from reports.write import TABLES, markdown_summary, table_files
from scorers.stats.settings import CI_LABEL
from twinbench.registry import BenchmarkInfo

_FRAGMENT = re.compile(r"<!--fragment ([0-9a-f]{64}) ([0-9a-f]{64})-->")  # escaped text never holds "<"
RUN_TABLES = ("samples", "summary")  # report tables written per run into data/runs/<log>/
SAMPLES_PER_RUN = 100  # sample rows shown on a run's page; all are in data/runs/<log>/
_OUTPUT_CHARS = 600
METHOD_SECTIONS = ("method", "deviation")  # README sections shown as method notes


@cache  # asked for every link to a model page
def slug(name: str) -> str:
    """A file name for a model or benchmark name, unique even when two names clean up the same."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:60] or "x"
    return f"{clean}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def method_notes(readme: str | None) -> str:
    """The README's introduction and its Method/Deviations sections, rendered from Markdown with raw HTML off."""
    if not readme or not Path(readme).is_file():
        return ""
    from markdown_it import MarkdownIt

    text = Path(readme).read_text(encoding="utf-8")
    sections = re.split(r"(?m)^(?=## )", text)
    intro, rest = sections[0], sections[1:]
    chosen = [s for s in rest if s[3:].strip().lower().startswith(METHOD_SECTIONS)] or rest[:1]
    # Drop the README's own H1 (the page has one) and keep the rest.
    intro = re.sub(r"(?m)\A# .*\n?", "", intro)
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(intro + "".join(chosen))
    # A README's relative links (../../datasets/...) point into the repository, not the site: keep their text.
    return re.sub(r'<a href="(?!https?://|#)[^"]*">(.*?)</a>', r"\1", html)


def value_ci_n(row: dict, digits: int = 3) -> Markup:
    """``value [low, high] n=…`` of a headline-like row, to ``digits`` decimals."""
    value, ci = format_value(row["value"], digits), format_ci(row["ci_low"], row["ci_high"], digits)
    return Markup(
        f'{esc(value)} <span class="ci">{esc(ci)}</span> <span class="n">n={esc(format_count(row["n"]))}</span>'
    )


def number_cells(row: dict, extra: list[str]) -> list[Cell]:
    """The metric, value, CI and n cells of a summary-like row (to :func:`auto_digits` decimals), then its ``extra``
    columns (sortable by number; p-values by :func:`format_p`, whole numbers as counts)."""
    digits = auto_digits(row["value"], row["ci_low"], row["ci_high"])
    cells = [
        cell(row["metric"]),
        cell(format_value(row["value"], digits), sort=row["value"], css="num"),
        cell(format_ci(row["ci_low"], row["ci_high"], digits), sort=row["ci_low"], css="num"),
        cell(format_count(row["n"]), sort=row["n"], css="num"),
    ]
    values = [row.get(c, math.nan) for c in extra]  # a run's table lacks the columns only other benchmarks have
    return cells + [
        cell(extra_text(c, v), sort=v if isinstance(v, (int, float)) else None) for c, v in zip(extra, values)
    ]


def extra_text(column: str, value: object) -> str:
    """A summary table's extra column value for people: p-values with :func:`format_p`, counts whole."""
    if column.startswith("p_"):
        return format_p(value)
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return format_count(value)
    return format_value(value, auto_digits(value))


class SiteBuilder:
    def __init__(
        self,
        report: Report,
        out_dir: Path,
        transcripts: dict[str, tuple[Path, str]] | None = None,
        *,
        cache: LogCache | None = None,
        jobs: int = 1,
    ) -> None:
        self.report = report
        self.cache = cache  # run figures are cached with the runs' summaries
        # without a cache every file is assembled: compare it with the site's file by bytes too
        self.files = SiteFiles(out_dir, ("benchmarks", "models", "runs", "data"), verify=cache is None)
        self._fragments: dict[str, Callable[[], str]] = {}  # marker -> how to render the fragment it stands for
        self._run_paths: dict[str, str] = {}
        self._run_summaries: dict[str, pd.DataFrame] = {}  # made for data/runs/, kept for the run's page
        self._run_samples: dict[str, pd.DataFrame] = {}  # made for data/runs/, kept for the run's figures
        self._records: dict[tuple[str, str], dict[object, list[dict[str, Any]]]] = {}
        self.jobs = jobs  # processes drawing run figures
        self.out = out_dir
        self.headline = add_ranks(report.headline)
        # the benchmarks and models with a page: those with headline rows
        self.paged = {"benchmark": set(self.headline["benchmark"]), "model": set(self.headline["model"])}
        # (log, metric) -> overall summary row: the diagnostic columns beside the headline
        self.overall = {(log, r["metric"]): r for log, o in report.outlines.items() for r in o.overall}
        self.transcripts = transcripts or {}  # log path -> the URL target inside the bundle, when bundled
        self.problems: list[str] = []
        self._figure_key: str | None = None  # the key figures are written with: their benchmark's (benchmark_key)
        self._benchmark_keys: dict[str, str | None] = {}  # asked by the index and by the benchmark's page
        # what every page's key holds: the site's place, the log folder (the pages' links) and the inlined assets
        self.place = (str(out_dir), report.log_dir, ASSETS)

    # -- links ---------------------------------------------------------------------------------------------

    def log_link(self, log: str, from_dir: Path, text: str = "transcript") -> Markup:
        target = self.transcripts.get(log)
        if target is not None:
            return link(relative_url(target[0], from_dir) + quote(target[1], safe="#/"), text)
        return link(relative_url(log, from_dir), text)

    def sample_url(self, log: str, from_dir: Path, sample_id: str, epoch: str) -> str | None:
        """The URL of one sample in the bundled viewer (its route ``#/logs/<log>/samples/sample/<id>/<epoch>/``, the
        id percent-encoded whole: ids hold slashes); None when the site has no bundle."""
        target = self.transcripts.get(log)
        if target is None:
            return None
        route = quote(target[1], safe="#/") + f"/samples/sample/{quote(sample_id, safe='')}/{quote(epoch, safe='')}/"
        return relative_url(target[0], from_dir) + route

    def model_link(self, model: str, from_dir: Path) -> Markup:
        return link(relative_url(f"{self.out}/models/{slug(model)}.html", from_dir), model)

    def benchmark_link(self, name: str, from_dir: Path, text: str | None = None) -> Markup:
        return link(relative_url(f"{self.out}/benchmarks/{name}.html", from_dir), text or name)

    def run_path(self, log: str) -> str:
        """The run's page, relative to the site: ``runs/<the log's path in the log folder>.html``."""
        path = self._run_paths.get(log)
        if path is None:
            path = self._run_paths[log] = f"runs/{relative_log(self.report.log_dir, log)}.html"
        return path

    def run_links(self, log: str, from_dir: Path) -> Markup:
        """The run's page ("numbers & samples": every number it reported, its samples) and its transcript."""
        page_link = link(relative_url(f"{self.out}/{self.run_path(log)}", from_dir), "numbers & samples")
        return Markup(f"{page_link} · {self.log_link(log, from_dir)}")

    # -- cells ---------------------------------------------------------------------------------------------

    def run_model_cell(self, model: str, model_roles: object, from_dir: Path) -> Cell:
        """The run's model, linked, and its model roles (``opponent=mock/o``) when it has any."""
        roles = roles_label(model_roles)
        if not roles:
            return cell(self.model_link(model, from_dir), sort=model)
        return cell(
            Markup(f'{self.model_link(model, from_dir)} <span class="note roles">{esc(roles)}</span>'),
            sort=f"{model} {roles}",
        )

    @staticmethod
    def run_task_cell(info: BenchmarkInfo, task: str, task_args: object) -> Cell:
        """The run's task and its non-default task arguments (``n=20``) when it has any."""
        args = args_label(info, task, task_args)
        if not args:
            return cell(task)
        return cell(Markup(f'{esc(task)} <span class="note args">{esc(args)}</span>'), sort=f"{task} {args}")

    # -- tables --------------------------------------------------------------------------------------------

    def records(self, table_name: str, by: str, key: object) -> list[dict[str, Any]]:
        """The rows, as dicts, of ``headline`` (ranked) or ``logs`` whose ``by`` column(s) ("benchmark",
        "benchmark+model", "model" or "log") equal ``key``, in table order. Converted and grouped once per table:
        every model and run page asks, and pandas filtering per page cost pages x rows (the much larger summary table
        is reached by run instead: :meth:`run_summary`)."""
        if (table_name, by) not in self._records:
            if (table_name, "") not in self._records:
                frame = self.headline if table_name == "headline" else getattr(self.report, table_name)
                self._records[(table_name, "")] = {None: records(frame)}
            columns = by.split("+")
            groups: dict[object, list[dict[str, Any]]] = {}
            for row in self._records[(table_name, "")][None]:
                group = tuple(row[c] for c in columns) if len(columns) > 1 else row[columns[0]]
                groups.setdefault(group, []).append(row)
            self._records[(table_name, by)] = groups
        return self._records[(table_name, by)].get(key, [])

    def headline_table(self, info: BenchmarkInfo, from_dir: Path, model: str | None = None) -> str:
        """One row per run: its headline metrics with CI, n and rank, the benchmark's diagnostic columns, a flag on
        a degenerate run; on benchmark pages (no ``model``), the benchmark's reference rows last."""
        rows = self.run_records("headline", info.name, model)
        if not rows:
            return '<p class="note">No results.</p>'
        present = {r["metric"] for r in rows}
        metrics = [m for m in info.headline if m.name in present]
        headers = ["Model", "Task", "Version"]
        for metric in metrics:
            headers += [f"{metric.label} {metric.direction.arrow}", f"Rank ({metric.label})"]
        headers += [f"{d.label} (diagnostic)" for d in info.diagnostics]
        headers.append("Run")
        body = []
        # in the report's order: by task, model, then runs without roles first (grouped in Python: a pandas
        # groupby per model page cost more than the rest of the page)
        runs: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for record in rows:
            key = tuple(record[c] for c in ("task", "task_version", "model", "model_roles", "task_args"))
            runs.setdefault(key, []).append(record)
        for (task, version, model_name, roles, args), group in runs.items():
            by_metric = {r["metric"]: r for r in group}
            model_cell = self.run_model_cell(model_name, roles, from_dir)
            reason = str(group[0].get("degenerate") or "")
            if reason:  # the benchmark's own rule: visible wherever the run's numbers are
                model_cell = Cell(
                    Markup(f'{model_cell.content} <span class="flag">⚠ degenerate</span>'
                           f'<span class="flag-reason">{esc(reason)}</span>'),
                    model_cell.sort,
                    model_cell.css,
                )  # fmt: skip
            line: list[Cell] = [model_cell, self.run_task_cell(info, task, args), cell(version, sort=version)]
            for metric in metrics:
                r = by_metric.get(metric.name)
                if r is None:
                    line += [cell("–", sort=""), cell("–", sort="")]
                    continue
                # closer-to-0 columns sort by |value|, as they rank
                line.append(cell(value_ci_n(r, metric.digits), sort=metric.direction.sort_key(r["value"]), css="num"))
                rank = r["rank"]  # none for a degenerate run: sorts with the empties, last
                line.append(cell(format_value(rank), sort="" if pd.isna(rank) else rank, css="num rank"))
            log = group[0]["log"]
            for diagnostic in info.diagnostics:
                d = self.overall.get((log, diagnostic.name))
                line.append(
                    cell("–", sort="")
                    if d is None
                    else cell(value_ci_n(d, diagnostic.digits), sort=d["value"], css="num")
                )
            line.append(cell(self.run_links(log, from_dir)))
            body.append(line)
        if model is None:
            body += self.reference_rows(info, metrics)
        return table(headers, body, css_id=f"headline-{info.name}")

    def reference_rows(self, info: BenchmarkInfo, metrics: list[Any]) -> list[list[Cell]]:
        """The benchmark's reference rows (same statistics on scripted answers), in the headline table's columns,
        unranked and marked as references."""
        refs = self.report.references
        columns = [m.name for m in metrics] + [d.name for d in info.diagnostics]
        mine = refs[(refs["benchmark"] == info.name) & refs["metric"].isin(columns)]  # others: other_references
        body = []
        for name, part in mine.groupby("reference", sort=False):
            by_metric = {r["metric"]: r for r in part.to_dict("records")}
            line = [
                cell(Markup(f'<span class="reference">reference: {esc(name)}</span>'), sort=f"~{name}"),
                cell("–"),
                cell("–"),
            ]
            for metric in metrics:
                r = by_metric.get(metric.name)
                line.append(
                    cell("–", sort="")
                    if r is None
                    else cell(
                        value_ci_n(r, metric.digits), sort=metric.direction.sort_key(r["value"]), css="num reference"
                    )
                )
                line.append(cell("–", sort=""))
            for diagnostic in info.diagnostics:
                d = by_metric.get(diagnostic.name)
                line.append(
                    cell("–", sort="")
                    if d is None
                    else cell(value_ci_n(d, diagnostic.digits), sort=d["value"], css="num reference")
                )
            line.append(cell("–"))
            body.append(line)
        return body

    def other_references(self, info: BenchmarkInfo) -> str:
        """Reference rows of metrics that no headline or diagnostic column holds (``references`` rows with a label
        of their own, e.g. people measured on another task), as a small table of their own; "" when none."""
        columns = {m.name for m in info.headline} | {d.name for d in info.diagnostics}
        refs = self.report.references
        rows = refs[(refs["benchmark"] == info.name) & ~refs["metric"].isin(list(columns))]
        if rows.empty:
            return ""
        body = [
            [cell(r["reference"]), cell(r["label"]), cell(value_ci_n(r), sort=r["value"], css="num reference")]
            for r in rows.to_dict("records")
        ]
        note = '<p class="note">References of quantities no column above holds: read each by its label.</p>'
        return "<h2>Other references</h2>" + note + table(["Reference", "Quantity", "Value"], body)

    def run_records(self, table_name: str, benchmark: str, model: str | None) -> list[dict[str, Any]]:
        """:meth:`records` of one benchmark, or of one model in it."""
        if model is None:
            return self.records(table_name, "benchmark", benchmark)
        return self.records(table_name, "benchmark+model", (benchmark, model))

    def run_summary(self, log: str) -> pd.DataFrame:
        """The run's rows of the report's summary, made once for its data files and its page."""
        summary = self._run_summaries.get(log)
        if summary is None:
            summary = self._run_summaries[log] = self.report.run_summary(log)
        return summary

    def run_samples(self, log: str) -> pd.DataFrame:
        """The run's rows of the report's samples, made once for its data files and its figures."""
        samples = self._run_samples.get(log)
        if samples is None:
            samples = self._run_samples[log] = self.report.run_samples(log)
        return samples

    def numbers_table(self, log: str, extra: list[str]) -> str:
        """Every row the run's ``summarize`` reported (breakdowns included), with a filter box; its ``extra``
        columns after the CI and n."""
        rows = self.run_summary(log).to_dict("records")
        body = [[cell(r["group"]), *number_cells(r, extra)] for r in rows]
        search = (
            f'<input class="filter" data-table="numbers" type="search" placeholder="filter {len(rows)} rows by '
            'group, metric (every word)" aria-label="filter the rows">'
        )
        return search + table(["Group", "Metric", "Value", CI_LABEL, "n", *extra], body, css_id="numbers")

    def marker(self, source: str, code: str, render: Callable[[], str]) -> str:
        """A marker for HTML cached (kind ``html``) by ``source`` (the SHA-256 of what it is made from) and ``code``,
        filled in only when the page is written (:meth:`write_page`): a page whose text around its markers is
        unchanged loads none of them."""
        marker = f"<!--fragment {source} {digest(code)}-->"
        self._fragments[marker] = render
        return marker

    def fragment(self, match: re.Match[str]) -> str:
        assert self.cache is not None  # markers are made only with a cache
        log_hash, fingerprint = match.groups()
        fragment = self.cache.load("html", log_hash, fingerprint)
        if not isinstance(fragment, str):
            fragment = str(self._fragments[match.group(0)]())
            self.cache.store("html", log_hash, fingerprint, fragment)
        return fragment

    def write_page(self, path: str, render: Callable[[], str], key: str | None = None) -> None:
        """Write a page (``path`` relative to the site) unless ``key`` (a digest of what it is made from; by default
        of its text with fragments as markers) is the one of its last write; the fragments are filled in from the
        cache only when it is written."""
        html = None
        if key is None:
            html = render()
            key = digest(html)
        if not self.files.current(path, key):
            self.files.write(path, _FRAGMENT.sub(self.fragment, html if html is not None else render()), key)

    def across_runs_table(self, info: BenchmarkInfo) -> str:
        """The rows of the benchmark's ``summarize_runs`` hook: statistics over several runs (empty without)."""
        across = self.report.across_runs
        rows = across[across["benchmark"] == info.name]
        if rows.empty:
            return ""
        extra = [c for c in rows.columns if c not in ACROSS_COLUMNS]
        headers = ["Scope", "Group", "Metric", "Value", CI_LABEL, "n", *extra]
        body = []
        for r in rows.to_dict("records"):
            line = [
                cell(r["scope"]),
                cell(r["group"]),
                *number_cells(r, extra),
            ]
            body.append(line)
        return table(headers, body, css_id=f"across-{info.name}")

    # -- pages ---------------------------------------------------------------------------------------------

    def index(self) -> str:
        parts = ["<h1>twinbench leaderboard</h1>"]
        parts.append(
            f'<p class="note">From the logs in <code>{esc(self.report.log_dir)}</code>. Values are the benchmarks\' '
            f"headline metrics with {CI_LABEL}s and the number of units n they are over. "
            "Arrows say which way is better: ↑ higher, ↓ lower, →0 closer to zero (sorted and ranked by |value|); "
            "each benchmark's page defines its metrics. "
            f"{esc(RANK_RULE)} Click a column header to sort. Report tables: "
            f"{link('data/summary.md', 'summary.md')}, {link('data/headline.csv', 'headline.csv')}, "
            f"{link('data/logs.csv', 'logs.csv')}; each run's samples and summary rows in "
            f"{link('data/runs/', 'data/runs/')}, a folder per log.</p>"
        )
        if self.transcripts:  # browsers block the viewer's requests from file:// pages: say how to open it
            parts.append(
                '<p class="note">The "transcript" links open the bundled log viewer, which needs the site served over '
                "HTTP (from a <code>file://</code> page it stays blank): <code>twinbench leaderboard LOGDIR -o SITE "
                "--bundle --serve</code>, or any static server of this folder.</p>"
            )
        shown = [
            info for name, info in sorted(self.report.benchmarks.items()) if name in set(self.headline["benchmark"])
        ]
        if not shown:
            parts.append('<p class="note">No benchmark results in these logs.</p>')
        for info in shown:
            key = self.benchmark_key(info)
            section = partial(self.index_section, info)
            parts.append(section() if key is None else self.marker(key, "index section", section))
        models = sorted(set(self.headline["model"]))
        if models:
            parts.append(
                "<h2>Models</h2><ul>" + "".join(f"<li>{self.model_link(m, self.out)}</li>" for m in models) + "</ul>"
            )
        parts.append(self.problems_section())
        return page("twinbench leaderboard", "\n".join(parts), root=".")

    def index_section(self, info: BenchmarkInfo) -> str:
        """The benchmark's part of the index: its headline table and a link to its cross-run rows."""
        parts = [f"<h2>{self.benchmark_link(info.name, self.out, info.title)}</h2>"]
        if info.description:
            parts.append(f'<p class="note">{esc(info.description)}</p>')
        parts.append(self.headline_table(info, self.out))
        if (self.report.across_runs["benchmark"] == info.name).any():
            target = relative_url(self.out / "benchmarks" / f"{info.name}.html", self.out) + "#across-runs"
            parts.append(f'<p class="note">Comparisons across runs: {link(target, "across runs")}.</p>')
        return "\n".join(parts)

    def problems_section(self) -> str:
        items = [f"{Path(p.log).name}: {p.reason}" for p in self.report.problems] + self.problems
        if not items:
            return ""
        return (
            '<h2>Skipped logs and problems</h2><ul class="problems">'
            + "".join(f"<li>{esc(i)}</li>" for i in items)
            + "</ul>"
        )

    def benchmark_key(self, info: BenchmarkInfo) -> str | None:
        """What the benchmark's page, its figures and its section of the index are made from, hashed: its runs (logs
        by hash, whether each was summarised, transcripts), the problems named by them or by the benchmark, the code,
        the README and the site's place; None without a cache. Nothing of another benchmark's runs: a run added there
        leaves these as they are, not even assembled."""
        if self.cache is None:
            return None
        if info.name not in self._benchmark_keys:
            runs = [str(r["log"]) for r in self.records("logs", "benchmark", info.name)]
            named = {*runs, info.name, f"benchmark {info.name}"}
            readme = Path(info.readme).read_bytes() if info.readme and Path(info.readme).is_file() else b""
            self._benchmark_keys[info.name] = digest(
                repr((self.place, info.name, self.cache.fingerprint(info), digest(readme),
                      [(log, self.cache.log_hash(log), log in self.report.outlines, self.transcripts.get(log))
                       for log in runs],
                      [str(p) for p in self.report.problems if p.log in named]))
            )  # fmt: skip
        return self._benchmark_keys[info.name]

    def write_benchmark_page(self, info: BenchmarkInfo) -> None:
        """The benchmark's page and figures, unless they were made from its :meth:`benchmark_key` and are untouched
        since; made again next time when drawing them met a problem (a figure that failed is not cached)."""
        path, key = f"benchmarks/{info.name}.html", self.benchmark_key(info)
        if (
            key is not None
            and self.files.current(path, key)
            and self.files.current_folder(f"benchmarks/{info.name}/", key)
        ):
            return
        problems, self._figure_key = len(self.problems), key
        html = self.benchmark_page(info)
        self._figure_key = None
        self.files.write(path, _FRAGMENT.sub(self.fragment, html), key if len(self.problems) == problems else None)

    def benchmark_page(self, info: BenchmarkInfo) -> str:
        here = self.out / "benchmarks"
        parts = [f"<h1>{esc(info.title)}</h1>"]
        parts.append(
            f'<p class="note">Benchmark <code>{esc(info.name)}</code>, version {esc(info.version)}. '
            f"Source: {esc(info.paper)}</p>"
        )
        if info.description:
            parts.append(f"<p>{esc(info.description)}</p>")
        parts.append("<h2>Headline metrics</h2>")
        for metric in info.headline:
            desc = f": {metric.description}" if metric.description else ""
            parts.append(f'<p class="note"><b>{esc(metric.label)}</b> ({esc(metric.direction.label)}){esc(desc)}</p>')
        for diagnostic in info.diagnostics:
            desc = f": {diagnostic.description}" if diagnostic.description else ""
            parts.append(f'<p class="note"><b>{esc(diagnostic.label)}</b> (diagnostic, not ranked){esc(desc)}</p>')
        parts.append(f'<p class="note">{esc(RANK_RULE)}</p>')
        parts.append(self.headline_table(info, here))
        parts.append(self.other_references(info))
        across = self.across_runs_table(info)
        if across:
            parts.append('<h2 id="across-runs">Across runs</h2>')
            parts.append(
                '<p class="note">Statistics over several runs of this benchmark at once (its '
                "<code>summarize_runs</code> hook); the scope says which runs a row compares. They are not headline "
                "metrics and are not ranked.</p>"
            )
            parts.append(across)
        figures = self.figures(info)
        if figures:
            parts.append("<h2>Figures</h2>" + "".join(figures))
        parts.append(self.runs_list(info, here))
        parts.append(self.method_section(info))
        return page(info.title, "\n".join(parts), root="..")

    def runs_list(self, info: BenchmarkInfo, from_dir: Path) -> str:
        """ "All reported numbers": a link to each run's page, which holds every number its ``summarize`` reported
        (on the run's own page, so that a new run rewrites no other run's rows)."""
        runs = self.records("logs", "benchmark", info.name)
        if not runs:
            return ""
        items = []
        for run in runs:
            log = str(run["log"])
            label = run_label(info, run)
            outline = self.report.outlines.get(log)
            numbers = f"{format_count(outline.rows)} numbers" if outline is not None else "no summary"
            items.append(
                f"<li>{link(relative_url(f'{self.out}/{self.run_path(log)}', from_dir), label)}: {esc(run['task'])} "
                f"v{esc(run['task_version'])} ({esc(numbers)}, {esc(format_count(run['samples']))} samples)</li>"
            )
        return (
            '<h2 id="all-numbers">All reported numbers</h2><p class="note">Every number a run\'s '
            "<code>summarize</code> reported (breakdowns included) and its samples are on the run's own page "
            '(also "numbers &amp; samples" in the table above); as data in <code>data/runs/&lt;log&gt;/</code>.</p>'
            f'<ul class="runs">{"".join(items)}</ul>'
        )

    def method_section(self, info: BenchmarkInfo) -> str:
        """The README's method notes, after the results, folded ("" without a README); cached by the README's bytes
        (Markdown rendering cost more than the rest of an unchanged page)."""

        def render() -> str:
            notes = method_notes(info.readme)
            return notes and (
                f'<details class="method"><summary><h2>Method notes</h2></summary><div class="method">{notes}</div>'
                "</details>"
            )

        if self.cache is None or not info.readme or not Path(info.readme).is_file():
            return render()
        return self.marker(digest(Path(info.readme).read_bytes()), f"{self.cache.fingerprint(info)}\0notes", render)

    def figures(self, info: BenchmarkInfo) -> list[str]:
        return self.plots_figures(info) + self.run_figures(info)

    def run_figures(self, info: BenchmarkInfo) -> list[str]:
        """The ``run_plots`` hook's figures, one run at a time (cached, ``leaderboard.figures``)."""
        drawn, problems = run_figures(self.report, info, self.cache, self.jobs, self.run_samples)
        self.problems += problems
        return [self.figure(info, f"run-{slug(caption)}.svg", svg, caption) for caption, svg in drawn]

    def figure(self, info: BenchmarkInfo, name: str, svg: str, caption: str) -> str:
        """Write a figure of the benchmark's page; returns its ``<figure>``."""
        path = f"benchmarks/{info.name}/{name}"
        self.files.write(path, svg, self._figure_key)
        src = relative_url(self.out / path, self.out / "benchmarks")
        return f'<figure><img src="{esc(src)}" alt="{esc(caption)}"><figcaption>{esc(caption)}</figcaption></figure>'

    def plots_figures(self, info: BenchmarkInfo) -> list[str]:
        """The ``plots`` hook's figures (all runs at once)."""
        if info.plots is None:
            return []
        samples = self.report.logset.benchmark_samples(info.name)
        if samples.empty:
            return []
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        try:
            drawn = info.plots(samples.reset_index(drop=True))
        except Exception as ex:  # a broken plot must not cost the leaderboard
            self.problems.append(f"{info.name}: plots hook failed: {type(ex).__name__}: {ex}")
            return []
        html_parts = []
        for i, (caption, figure) in enumerate(drawn.items()):
            try:
                svg = svg_text(figure)
            except Exception as ex:
                self.problems.append(f"{info.name}: figure {caption!r} failed: {type(ex).__name__}: {ex}")
                continue
            finally:
                plt.close(figure)
            html_parts.append(self.figure(info, f"{i:02d}-{slug(caption)}.svg", svg, caption))
        return html_parts

    def runs_table(self, model: str, here: Path) -> str:
        """The model's runs with what a reader needs to reproduce them: date, twinbench commit, inspect version,
        model arguments, task arguments and roles, samples, log."""
        logs = self.records("logs", "model", model)
        headers = ["Benchmark", "Task", "Version", "Roles", "Task arguments", "Date", "twinbench commit",
                   "inspect_ai", "Model arguments", "Samples", "Run"]  # fmt: skip
        body = []
        for r in logs:
            info = self.report.benchmarks.get(str(r["benchmark"]))
            body.append(
                [
                    cell(r["benchmark"]),
                    cell(r["task"]),
                    cell(r["task_version"]),
                    cell(roles_label(r["model_roles"]) or "–"),
                    cell(args_label(info, str(r["task"]), r["task_args"]) or "defaults"),
                    cell(str(r["created"])[:19].replace("T", " ")),
                    cell(r.get("commit") or "–"),
                    cell(r.get("inspect_ai") or "–"),
                    cell(r.get("model_args") or "–"),
                    cell(format_value(r["samples"]), sort=r["samples"], css="num"),
                    cell(self.run_links(str(r["log"]), here)),
                ]
            )
        return table(headers, body, css_id="runs")

    def model_page_key(self, model: str) -> str | None:
        """What the model's page is made from, hashed: its runs (their rows, logs' hashes, code, transcripts), their
        headline rows (ranks, which depend on every run, among them) and the site's place; None without a cache (the
        page's text is its key then). A page whose key is unchanged is not assembled."""
        if self.cache is None:
            return None
        runs = [
            (r, self.cache.log_hash(r["log"]), self.cache.fingerprint(self.report.benchmarks[r["benchmark"]]),
             self.transcripts.get(r["log"]))
            for r in self.records("logs", "model", model)
        ]  # fmt: skip
        names = sorted(self.report.benchmarks)
        headline = [self.run_records("headline", name, model) for name in names]
        return digest(repr((self.place, model, runs, headline)))

    def model_page(self, model: str) -> str:
        here = self.out / "models"
        parts = [f"<h1>{esc(model)}</h1>", "<h2>Runs</h2>"]
        parts.append(
            '<p class="note">Each run\'s page ("numbers &amp; samples") holds every number its <code>summarize</code> '
            "reported (breakdowns included) and its samples' answers and model outputs.</p>"
        )
        parts.append(self.runs_table(model, here))
        for name, info in sorted(self.report.benchmarks.items()):
            if not self.run_records("headline", name, model):
                continue
            parts.append(f"<h2>{self.benchmark_link(name, here, info.title)}</h2>")
            parts.append(self.headline_table(info, here, model=model))
        return page(model, "\n".join(parts), root="..")

    def run_page_key(self, log: str) -> str | None:
        """What the run's page is made from, hashed: the log (by hash), its row of the logs table, its degenerate
        reason, the code, its transcript and the site's place; None without a cache (the page's text is its key
        then). Nothing of another run: the page is written once."""
        if self.cache is None:
            return None
        (run,) = self.records("logs", "log", log)
        info = self.report.benchmarks[str(run["benchmark"])]
        degenerate = [r.get("degenerate") for r in self.records("headline", "log", log)[:1]]
        outline = self.report.outlines.get(log)
        columns = outline.columns if outline is not None else None
        linked = (run["benchmark"] in self.paged["benchmark"], run["model"] in self.paged["model"])
        return digest(
            repr((self.place, run, self.cache.log_hash(log), self.cache.fingerprint(info),
                  info.title, degenerate, columns, linked, self.transcripts.get(log)))
        )  # fmt: skip

    def run_page(self, log: str) -> str:
        """One run: what it ran (model, roles, task, arguments, versions), every number its ``summarize`` reported
        and its first :data:`SAMPLES_PER_RUN` samples; made from this run alone."""
        path = self.out / self.run_path(log)
        here = path.parent
        (run,) = self.records("logs", "log", log)
        info = self.report.benchmarks[str(run["benchmark"])]
        task, version, count = str(run["task"]), run["task_version"], run["samples"]
        # the benchmark's and the model's pages, where they have one (none without a run that has headline rows)
        benchmark = (
            f"{self.benchmark_link(info.name, here, info.title)} (ranks and other runs are there)"
            if info.name in self.paged["benchmark"]
            else esc(info.title)
        )
        model = (
            self.run_model_cell(str(run["model"]), run["model_roles"], here).content
            if run["model"] in self.paged["model"]
            else esc(" ".join(text for text in (str(run["model"]), roles_label(run["model_roles"])) if text))
        )
        parts = [
            f"<h1>{esc(info.title)}: {esc(run['model'])}</h1>",
            f'<p class="note">Benchmark {benchmark}; model {model}; task <code>{esc(task)}</code> v{esc(version)}.</p>',
        ]
        reason = next((str(r.get("degenerate") or "") for r in self.records("headline", "log", log)), "")
        if reason:
            parts.append(f'<p><span class="flag">⚠ degenerate</span> {esc(reason)}</p>')
        folder = f"data/runs/{relative_log(self.report.log_dir, log)}"
        outline = self.report.outlines.get(log)
        tables = ("samples", "summary") if outline is not None else ("samples",)
        data = ", ".join(
            link(relative_url(self.out / f"{folder}/{name}.{suffix}", here), f"{name}.{suffix}")
            for name in tables
            for suffix in ("csv", "parquet")
        )
        facts = [
            ("Task arguments", args_label(info, task, run["task_args"]) or "defaults"),
            ("Model roles", roles_label(run["model_roles"]) or "–"),
            ("Date", str(run["created"])[:19].replace("T", " ")),
            ("twinbench commit", run.get("commit") or "–"),
            ("inspect_ai", run.get("inspect_ai") or "–"),
            ("Model arguments", run.get("model_args") or "–"),
            ("Samples", format_value(count)),
        ]
        rows = [[cell(name), cell(value)] for name, value in facts]
        rows += [[cell("Log"), cell(self.log_link(log, here))], [cell("Data"), cell(Markup(data))]]
        parts.append(table(["Run", ""], rows, sortable=False, css_id="run"))
        parts.append('<h2 id="all-numbers">All reported numbers</h2>')
        if outline is None:
            parts.append('<p class="note">No summary: the benchmark\'s <code>summarize</code> failed on this run '
                         "(see the index's problems).</p>")  # fmt: skip
        else:
            shown = {"benchmark", "task", "task_version", "model", "model_roles", "task_args", "metric", "value",
                     "ci_low", "ci_high", "n", "group", "log"}  # fmt: skip
            parts.append(self.numbers_table(log, [c for c in outline.columns if c not in shown]))
        parts.append(
            f'<h2 id="samples">Samples ({min(count, SAMPLES_PER_RUN)} of {count}; '
            f"{self.log_link(log, here, 'full transcripts')})</h2>"
        )
        parts.append(table(["Sample", "Epoch", "Score", "Answer", "Model output"], self.sample_rows(log, here)))
        root = Path(os.path.relpath(self.out, here)).as_posix()
        return page(f"{info.title}: {run['model']} ({task})", "\n".join(parts), root=root)

    def sample_rows(self, log: str, from_dir: Path) -> list[list[Cell]]:
        """The run's first :data:`SAMPLES_PER_RUN` samples: score, answer, model output; each sample id links to that
        sample in the bundled viewer (``--bundle``)."""
        rows = []
        for r in self.report.logset.run_frame(log).head(SAMPLES_PER_RUN).to_dict("records"):
            url = self.sample_url(log, from_dir, str(r["sample_id"]), str(r["epoch"]))
            sample = cell(r["sample_id"]) if url is None else cell(link(url, r["sample_id"]))
            rows.append(
                [
                    sample,
                    cell(r["epoch"], sort=r["epoch"]),
                    cell(jsonable(r["score"])),
                    cell(r["answer"]),
                    cell(Markup(f'<pre class="output">{esc(str(r["output"] or "")[:_OUTPUT_CHARS])}</pre>')),
                ]
            )
        return rows

    # -- build ---------------------------------------------------------------------------------------------

    def data_key(self) -> str | None:
        """What the whole-site tables are made from, hashed: every run (log by hash, code), the problems and the
        site's place; None without a cache."""
        if self.cache is None:
            return None
        runs = [(log, self.cache.log_hash(log), self.cache.fingerprint(self.report.benchmarks[name]))
                for name, log in zip(self.report.logs["benchmark"], self.report.logs["log"])]  # fmt: skip
        return digest(repr((self.place, runs, [str(p) for p in self.report.problems])))

    def write_data(self) -> None:
        """``data/``: the report's tables (made again when a run or a problem is new or gone, :meth:`data_key`), but
        each run's samples and summary rows in ``data/runs/<log>/`` (the log's path in the log folder), written when
        the run is new or its log changed (by its hash, with a cache)."""
        key = self.data_key()
        names = [name for name in TABLES if name not in RUN_TABLES]
        paths = [f"data/{name}.{suffix}" for name in names for suffix in ("csv", "parquet")] + ["data/summary.md"]
        if key is None or not all(self.files.current(path, key) for path in paths):
            for name in names:
                for suffix, data in table_files(getattr(self.report, name)).items():
                    self.files.write(f"data/{name}.{suffix}", data, key)
            self.files.write("data/summary.md", markdown_summary(self.report), key)
        for benchmark, log in zip(self.report.logs["benchmark"], self.report.logs["log"]):
            folder = f"data/runs/{relative_log(self.report.log_dir, log)}"
            tables = {"samples": self.run_samples}
            if log in self.report.outlines:  # none where its summarize failed
                tables["summary"] = self.run_summary
            paths = [f"{folder}/{name}.{suffix}" for name in tables for suffix in ("csv", "parquet")]
            key = None
            if self.cache is not None:
                code = self.cache.fingerprint(self.report.benchmarks[benchmark])
                key = digest(f"{code}\0{self.cache.log_hash(log)}\0{log}")
                if all(self.files.current(path, key) for path in paths):
                    continue
            for name, rows in tables.items():
                for suffix, data in table_files(rows(log)).items():
                    self.files.write(f"{folder}/{name}.{suffix}", data, key)

    def build(self) -> Path:
        """Write the files whose content changed (``leaderboard.files``) and remove those no longer made."""
        self.write_data()
        for name in sorted(set(self.headline["benchmark"])):
            self.write_benchmark_page(self.report.benchmarks[name])
        for model in sorted(set(self.headline["model"])):
            self.write_page(f"models/{slug(model)}.html", partial(self.model_page, model), self.model_page_key(model))
        for log in self.report.logs["log"]:
            self.write_page(self.run_path(log), partial(self.run_page, log), self.run_page_key(log))
        # The index last: it lists problems met while building the other pages.
        self.write_page("index.html", self.index)
        self.files.finish()
        for what, paths in (("made again (changed or removed by hand since the last build)", self.files.restored),
                            ("removed (put in the site's folders by hand)", self.files.foreign)):  # fmt: skip
            if paths:
                more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
                print(f"twinbench: {len(paths)} site file(s) {what}: {', '.join(paths[:5])}{more}", file=sys.stderr)
        return self.out / "index.html"


def relative_log(log_dir: str | Path, log: str) -> str:
    """A log's path inside the log folder (with ``/``)."""
    return Path(os.path.relpath(os.path.abspath(log), os.path.abspath(log_dir))).as_posix()


def bundle_transcripts(log_dir: str | Path, out_dir: Path, logs: pd.Series) -> dict[str, tuple[Path, str]]:
    """``inspect view bundle`` the logs used into ``SITE/transcripts``; returns log -> (viewer page, fragment).

    Only the logs the report used are bundled (``inspect view bundle`` fails on a corrupt file), copied with their
    paths relative to the log directory, so ``#/logs/<relative path>`` opens each one in the viewer.
    """
    import tempfile

    target = out_dir / "transcripts"
    if target.exists():
        shutil.rmtree(target)
    links = {}
    with tempfile.TemporaryDirectory(prefix="twinbench-bundle-") as tmp:
        for log in logs:
            rel = relative_log(log_dir, log)
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(log, Path(tmp) / rel)
            links[log] = (target / "index.html", f"#/logs/{rel}")
        cmd = [sys.executable, "-m", "inspect_ai", "view", "bundle", "--log-dir", tmp, "--output-dir", str(target)]
        result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"inspect view bundle failed: {tail[0]}")
    return links


def build_site(
    report: Report, out_dir: str | Path, *, bundle: bool = False, cache: LogCache | None = None, jobs: int = 1
) -> Path:
    """Write the site; returns the path of ``index.html``. With ``cache`` each run's ``run_plots`` figures are
    taken from it when cached (stored when drawn); ``jobs`` > 1 draws missing ones in that many processes. What is
    in memory already (the report among it) is kept out of the garbage collector's full collections meanwhile
    (:func:`reports.parallel.frozen_heap`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not bundle:  # a rebuild leaves no bundle of an earlier build (pages of runs and models gone: SiteFiles)
        shutil.rmtree(out / "transcripts", ignore_errors=True)
    transcripts = bundle_transcripts(report.log_dir, out, report.logs["log"]) if bundle else None
    with frozen_heap():
        return SiteBuilder(report, out, transcripts, cache=cache, jobs=jobs).build()
