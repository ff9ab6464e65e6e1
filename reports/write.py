"""Write a :class:`reports.tables.Report` as CSV, Parquet (both through one Arrow table) and a Markdown summary."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from reports.logs import roles_label
from reports.tables import (
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
from scorers.stats.settings import CI_LABEL

TABLES = ("headline", "summary", "across_runs", "references", "task_metrics", "samples", "logs")


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Dict/list cells -> JSON text, so CSV and Parquet hold them faithfully."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, (dict, list, tuple))).any():
            out[column] = out[column].map(lambda v: v if v is None else jsonable(v))
    # Mixed str/int columns (task_version may be either) would make Parquet fail.
    for column in ("task_version", "sample_id"):
        if column in out.columns:
            out[column] = out[column].astype(str)
    return out


def table_files(frame: pd.DataFrame) -> dict[str, bytes]:
    """``{"csv": ..., "parquet": ...}``: the bytes of a table's two files (dict cells as JSON text: :func:`flat`)."""
    # one Arrow table for both files: Arrow's CSV writer is ~15x faster than pandas' on the samples table
    table = pa.Table.from_pandas(flat(frame), preserve_index=False)
    csv, parquet = pa.BufferOutputStream(), pa.BufferOutputStream()
    pa_csv.write_csv(table, csv)
    pq.write_table(table, parquet)
    return {"csv": csv.getvalue().to_pybytes(), "parquet": parquet.getvalue().to_pybytes()}


def write_report(report: Report, out_dir: str | Path) -> list[Path]:
    """``<table>.csv`` and ``<table>.parquet`` for each table, and ``summary.md``. Returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        for suffix, data in table_files(getattr(report, name)).items():
            path = out_dir / f"{name}.{suffix}"
            path.write_bytes(data)
            written.append(path)
    md_path = out_dir / "summary.md"
    md_path.write_text(markdown_summary(report), encoding="utf-8")
    written.append(md_path)
    return written


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(c) for c in cells) + " |" for cells in rows]
    return [*lines, ""]


def significance_cells(report: Report, row: dict[str, object]) -> tuple[str, str]:
    """A headline row's p-value and wins-losses-ties (win rates) from its summarize row, "–" where it has none."""
    outline = report.outlines.get(str(row["log"]))
    found = next((r for r in outline.overall if r.get("metric") == row["metric"]), {}) if outline else {}
    counts = [found.get(c) for c in ("wins", "losses", "ties")]
    numbers = [float(c) for c in counts if isinstance(c, (int, float)) and not math.isnan(c)]
    record = "-".join(format_count(c) for c in numbers) if len(numbers) == 3 else "–"
    return format_p(found.get("p_value")), record


def _by_benchmark(frame: pd.DataFrame) -> dict[str, list[dict[str, object]]]:
    """A table's rows as records, grouped by benchmark in table order (grouped once: a pandas filter per benchmark
    cost more than the rest of the summary)."""
    groups: dict[str, list[dict[str, object]]] = {}
    for row in records(frame):
        groups.setdefault(str(row["benchmark"]), []).append(row)
    return groups


def markdown_summary(report: Report) -> str:
    """One headline table per benchmark (run rows: task, version, model, and the run's model roles and non-default
    task arguments where any run has them; value, CI, n, and the p-value and wins-losses-ties where a benchmark's
    headline rows have them; log), its across-runs table, then skipped logs."""
    lines = [f"# twinbench report: {report.log_dir}", ""]
    if report.headline.empty:
        lines += ["No headline results could be computed from these logs.", ""]
    headline, across = _by_benchmark(report.headline), _by_benchmark(report.across_runs)
    references = _by_benchmark(report.references)
    for benchmark in sorted(set(headline) | set(across)):
        info = report.benchmarks.get(benchmark)
        title = f"{benchmark}: {info.title}" if info else benchmark
        lines += [f"## {title}", ""]
        table = headline.get(benchmark, [])
        # each metric to the decimals its benchmark declares (pp to one: "15.0", not "15.000")
        declared = (
            {m.name: m.digits for m in info.headline} | {d.name: d.digits for d in info.diagnostics} if info else {}
        )
        if table:
            roles = [roles_label(r["model_roles"]) for r in table]
            args = [args_label(info, str(r["task"]), r["task_args"]) for r in table]
            tests = [significance_cells(report, row) for row in table]
            has_p, has_record = any(p != "–" for p, _ in tests), any(r != "–" for _, r in tests)
            headers = ["task", "version", "model"]
            headers += ["roles"] * any(roles) + ["task args"] * any(args)
            headers += ["metric", "value", CI_LABEL, "n"] + ["p"] * has_p + ["W-L-T"] * has_record + ["log"]
            rows = []
            for row, role, arg, (p, record) in zip(table, roles, args, tests):
                cells = [row["task"], row["task_version"], row["model"]]
                cells += [role or "–"] * any(roles) + [arg or "–"] * any(args)
                digits = declared.get(str(row["metric"]), 3)
                cells += [
                    row["label"],
                    format_value(row["value"], digits),
                    format_ci(row["ci_low"], row["ci_high"], digits),
                    format_count(row["n"]),
                ]
                cells += [p] * has_p + [record] * has_record + [Path(str(row["log"])).name]
                rows.append(cells)
            lines += _md_table(headers, rows)
            flagged = {str(r["log"]): r for r in table if not pd.isna(r["degenerate"]) and r["degenerate"] != ""}
            for row in flagged.values():
                lines.append(f"- **degenerate** (not ranked): {row['model']}, {Path(str(row['log'])).name}: "
                             f"{_md_cell(row['degenerate'])}")  # fmt: skip
            if flagged:
                lines.append("")
        refs = references.get(benchmark, [])
        if refs:
            lines += ["### References (the same statistics on scripted answers)", ""]
            rows = []
            for r in refs:
                digits = declared.get(str(r["metric"]), auto_digits(r["value"], r["ci_low"], r["ci_high"]))
                rows.append([r["reference"], r["label"], format_value(r["value"], digits),
                             format_ci(r["ci_low"], r["ci_high"], digits), format_count(r["n"])])  # fmt: skip
            lines += _md_table(["reference", "metric", "value", CI_LABEL, "n"], rows)
        mine = across.get(benchmark, [])
        if mine:
            lines += ["### Across runs", ""]
            rows = [
                [
                    r["scope"],
                    r["group"],
                    r["metric"],
                    format_value(r["value"], auto_digits(r["value"], r["ci_low"], r["ci_high"])),
                    format_ci(r["ci_low"], r["ci_high"], auto_digits(r["value"], r["ci_low"], r["ci_high"])),
                    format_count(r["n"]),
                ]
                for r in mine
            ]
            lines += _md_table(["scope", "group", "metric", "value", CI_LABEL, "n"], rows)
    if report.problems:
        lines += ["## Skipped logs", ""]
        lines += [f"- `{Path(p.log).name}`: {_md_cell(p.reason)}" for p in report.problems]
        lines.append("")
    return "\n".join(lines)
