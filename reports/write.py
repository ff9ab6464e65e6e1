"""Write a :class:`reports.tables.Report` as CSV, Parquet and a Markdown summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reports.tables import Report, format_ci, format_value, jsonable

TABLES = ("headline", "summary", "task_metrics", "samples", "logs")


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


def write_report(report: Report, out_dir: str | Path) -> list[Path]:
    """``<table>.csv`` and ``<table>.parquet`` for each table, and ``summary.md``. Returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        table = flat(getattr(report, name))
        csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
        table.to_csv(csv_path, index=False)
        table.to_parquet(parquet_path, index=False)
        written += [csv_path, parquet_path]
    md_path = out_dir / "summary.md"
    md_path.write_text(markdown_summary(report), encoding="utf-8")
    written.append(md_path)
    return written


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_summary(report: Report) -> str:
    """One headline table per benchmark (model rows, value, 95% CI, n, task version, log), then skipped logs."""
    lines = [f"# twinbench report: {report.log_dir}", ""]
    if report.headline.empty:
        lines += ["No headline results could be computed from these logs.", ""]
    for benchmark, table in report.headline.groupby("benchmark", sort=True):
        info = report.benchmarks.get(benchmark)
        title = f"{benchmark}: {info.title}" if info else benchmark
        lines += [f"## {title}", ""]
        lines += ["| task | version | model | metric | value | 95% CI | n | log |", "|---|---|---|---|---|---|---|---|"]
        for row in table.to_dict("records"):
            cells = [
                row["task"],
                row["task_version"],
                row["model"],
                row["label"],
                format_value(row["value"]),
                format_ci(row["ci_low"], row["ci_high"]),
                format_value(row["n"]),
                Path(str(row["log"])).name,
            ]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    if report.problems:
        lines += ["## Skipped logs", ""]
        lines += [f"- `{Path(p.log).name}`: {_md_cell(p.reason)}" for p in report.problems]
        lines.append("")
    return "\n".join(lines)
