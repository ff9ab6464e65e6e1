"""reports/: logs -> frames -> headline tables -> CSV/Parquet/Markdown, on real inspect logs of the mock model."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai import Task, task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import get_model
from inspect_ai.scorer import match
from inspect_ai.solver import generate

from reports.logs import SAMPLE_COLUMNS, read_log_dir
from reports.tables import build_report
from reports.write import TABLES, markdown_summary, write_report
from tests.reports.helpers import doubling, run_toy


@task
def unowned_task() -> Task:
    return Task(dataset=[Sample(id="a", input="x", target="y")], solver=generate(), scorer=match())


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    run_toy(logs, "good", doubling(lambda i: True))
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0, wrong="<script>alert(1)</script> no"))
    run_toy(logs, "good", doubling(lambda i: i < 3), version=2)  # another task version: never pooled with v1
    return logs


def test_per_sample_frame_follows_the_summarize_contract(registered, log_dir: Path) -> None:
    logset = read_log_dir(log_dir, registered)
    assert logset.problems == []
    samples = logset.samples
    assert list(samples.columns) == SAMPLE_COLUMNS
    assert len(samples) == 30 and len(logset.logs) == 3
    half = samples[samples["model"] == "mock/half"].set_index("sample_id")
    assert half.loc["q0", "score"] == {"correct": 1.0, "invalid": 0.0}
    assert half.loc["q1", "score"] == {"correct": 0.0, "invalid": 0.0}  # "<script>alert(1)..." parses the 1
    assert half.loc["q3", "metadata"] == {"parity": "odd"}
    assert half.loc["q3", "output"] == "<script>alert(1)</script> no"
    assert half.loc["q3", "answer"] == "1"
    assert set(samples["task_version"]) == {"1", "2"}
    assert set(samples["benchmark"]) == {"toy"} and set(samples["task"]) == {"toy_quiz"}
    assert samples["epoch"].tolist() == [1] * 30


def test_headline_table_values_cis_and_versions(registered, log_dir: Path) -> None:
    report = build_report(log_dir, registered)
    head = report.headline.set_index(["model", "task_version", "metric"])
    # 5 of 10 correct: the 95% Wilson interval is 0.5 +- 0.26344 (textbook: [0.2366, 0.7634]).
    half = head.loc[("mock/half", "1", "correct")]
    assert half["value"] == 0.5 and half["n"] == 10
    assert half["ci_low"] == pytest.approx(0.236593, abs=1e-6)
    assert half["ci_high"] == pytest.approx(0.763407, abs=1e-6)
    assert head.loc[("mock/good", "1", "correct"), "value"] == 1.0
    assert head.loc[("mock/good", "2", "correct"), "value"] == 0.3  # separate row, not averaged with v1
    assert head.loc[("mock/half", "1", "invalid"), "label"] == "Invalid rate"
    assert head.loc[("mock/half", "1", "invalid"), "direction"] == "lower"
    assert len(report.headline) == 6  # 3 runs x 2 headline metrics; breakdown groups are not headline rows
    assert Path(head.loc[("mock/half", "1", "correct"), "log"]).is_file()
    # The full summary keeps the breakdown rows.
    groups = report.summary.groupby("model")["group"].agg(set)
    assert groups["mock/half"] == {"overall", "even", "odd"}
    # inspect's own task metrics (evals_df) agree with summarize.
    metrics = report.task_metrics.set_index(["model", "task_version", "metric"])["value"]
    assert metrics[("mock/half", "1", "correct_mean")] == 0.5
    assert metrics[("mock/good", "2", "correct_mean")] == pytest.approx(0.3)


def test_bad_partial_unowned_and_superseded_logs_are_named_and_skipped(registered, log_dir: Path) -> None:
    (log_dir / "corrupt.eval").write_bytes(b"not a zip file")

    def explode(messages, config) -> str:  # type: ignore[no-untyped-def]
        raise RuntimeError("provider down")

    errored = run_toy(log_dir, "broken", explode)
    inspect_eval(unowned_task(), model=get_model("mock/x", text="y"), log_dir=str(log_dir), display="none")
    newer = run_toy(log_dir, "half", doubling(lambda i: True))  # rerun of mock/half v1 into the same dir

    report = build_report(log_dir, registered)
    reasons = {Path(p.log).name: p.reason for p in report.problems}
    assert "unreadable" in reasons["corrupt.eval"]
    assert "status 'error'" in reasons[errored.name]
    assert any("'unowned_task' belongs to no registered benchmark" in r for r in reasons.values())
    assert any(r.startswith(f"superseded by the newer log {newer.name}") for r in reasons.values())
    assert len(report.problems) == 4
    head = report.headline.set_index(["model", "task_version", "metric"])
    assert head.loc[("mock/half", "1", "correct"), "value"] == 1.0  # the newest run, not a pooled 0.75
    assert "mock/broken" not in set(report.headline["model"])


def test_a_partial_log_that_a_later_run_finished_is_not_a_problem(registered, log_dir: Path) -> None:
    """An interrupted run resumed to the end (eval-set writes the finished run as a new log): the partial log is
    superseded quietly; a partial log without a later finished run is still named."""

    def explode(messages, config) -> str:  # type: ignore[no-untyped-def]
        raise RuntimeError("provider down")

    errored = run_toy(log_dir, "flaky", explode)
    lonely = run_toy(log_dir, "down", explode)
    run_toy(log_dir, "flaky", doubling(lambda i: True))
    reasons = {Path(p.log).name: p.reason for p in build_report(log_dir, registered).problems}
    assert errored.name not in reasons
    assert reasons[lonely.name] == "status 'error' (partial results), skipped"
    runs = build_report(log_dir, registered).logs.set_index("model")
    assert runs.loc["mock/flaky", "status"] == "success" and runs.loc["mock/flaky", "inspect_ai"]  # run metadata
    assert "commit" in runs.columns and "model_args" in runs.columns  # (the commit is "" outside a git checkout)


def test_a_failing_summarize_is_reported_not_fatal(registered, log_dir: Path, monkeypatch) -> None:
    def broken(samples: pd.DataFrame) -> pd.DataFrame:
        if (samples["sample_id"] == "q9").any() and len(samples) == 10 and samples["score"].iloc[1]["correct"] == 0:
            raise ZeroDivisionError("bad group")
        return registered["toy"].summarize(samples)

    benchmarks = {"toy": replace(registered["toy"], summarize=broken)}
    report = build_report(log_dir, benchmarks)
    assert set(report.headline["model"]) == {"mock/good"}  # only mock/half v1 (q1 wrong) failed
    assert [p.reason for p in report.problems] == ["toy.summarize failed: ZeroDivisionError: bad group"]


def test_write_csv_parquet_and_markdown(registered, log_dir: Path, tmp_path: Path) -> None:
    (log_dir / "corrupt.eval").write_bytes(b"junk")
    report = build_report(log_dir, registered)
    written = write_report(report, tmp_path / "out")
    names = {p.name for p in written}
    assert names == {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"summary.md"}
    for table in TABLES:
        from_csv = pd.read_csv(tmp_path / "out" / f"{table}.csv")
        from_parquet = pd.read_parquet(tmp_path / "out" / f"{table}.parquet")
        assert len(from_csv) == len(from_parquet) == len(getattr(report, table))
    headline = pd.read_parquet(tmp_path / "out" / "headline.parquet")
    assert headline["value"].tolist() == report.headline["value"].tolist()
    samples = pd.read_csv(tmp_path / "out" / "samples.csv")
    assert json.loads(samples["score"].iloc[0]) in ({"correct": 1.0, "invalid": 0.0}, {"correct": 0.0, "invalid": 0.0})
    md = (tmp_path / "out" / "summary.md").read_text()
    assert md == markdown_summary(report)
    # The v2 run was given a non-default task argument: the table gains a "task args" column (no "roles" column:
    # no run has model roles).
    assert "| task | version | model | task args | metric | value | 95% CI | n | log |" in md
    assert "| toy_quiz | 1 | mock/half | – | Accuracy | 0.500 | [0.237, 0.763] | 10 |" in md
    assert "| toy_quiz | 2 | mock/good | version=2 | Accuracy | 0.300 |" in md
    assert "Across runs" not in md  # the toy's summarize_runs compares runs with an opponent only: none here
    assert "- `corrupt.eval`: unreadable" in md


def test_missing_log_dir_is_a_clear_error(registered, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="log directory not found"):
        read_log_dir(tmp_path / "nope", registered)
    (tmp_path / "one.eval").write_text("")
    with pytest.raises(FileNotFoundError, match=r"not a log directory: .*one\.eval \(a file: give its folder\)"):
        read_log_dir(tmp_path / "one.eval", registered)


def test_markdown_shows_p_and_wins_losses_ties_where_headline_rows_have_them(registered, log_dir: Path) -> None:
    def with_test(samples: pd.DataFrame) -> pd.DataFrame:
        table = registered["toy"].summarize(samples)
        correct = int(sum(s["correct"] for s in samples["score"]))
        return table.assign(p_value=0.0004, wins=correct, losses=len(samples) - correct, ties=0)

    report = build_report(log_dir, {"toy": replace(registered["toy"], summarize=with_test)})
    md = markdown_summary(report)
    assert "| metric | value | 95% CI | n | p | W-L-T | log |" in md
    assert "| toy_quiz | 1 | mock/half | – | Accuracy | 0.500 | [0.237, 0.763] | 10 | 4.0e-04 | 5-5-0 |" in md
