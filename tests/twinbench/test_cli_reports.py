"""The CLI's report, leaderboard, regress and new commands: output, files and exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
from inspect_ai.log import read_eval_log

from tests.reports.helpers import doubling, run_toy
from twinbench.cli import main


def test_report_prints_summary_writes_tables_and_names_skipped_logs(registered, tmp_path: Path, capsys) -> None:
    logs = tmp_path / "logs"
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0))
    (logs / "bad.eval").write_text("truncated")
    out_dir = tmp_path / "out"
    assert main(["report", str(logs), "-o", str(out_dir)]) == 0
    captured = capsys.readouterr()
    assert "| toy_quiz | 1 | mock/half | Accuracy | 0.500 | [0.237, 0.763] | 10 |" in captured.out
    assert f"twinbench: skipped {logs / 'bad.eval'}: unreadable" in captured.err
    assert pd.read_csv(out_dir / "headline.csv")["value"].tolist() == [0.5, 0.0]
    assert (out_dir / "summary.md").read_text().startswith("# twinbench report")
    assert captured.out == (out_dir / "summary.md").read_text() + "\n"  # stdout is the summary alone
    assert "twinbench: wrote 15 files" in captured.err


def test_report_exit_codes(registered, tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "log directory not found" in capsys.readouterr().err
    (tmp_path / "only-bad").mkdir()
    (tmp_path / "only-bad" / "x.eval").write_text("junk")
    assert main(["report", str(tmp_path / "only-bad"), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "no usable results" in err and "(1 log(s) skipped)" in err


def test_leaderboard_command(registered, tmp_path: Path, capsys) -> None:
    logs = tmp_path / "logs"
    run_toy(logs, "good", doubling(lambda i: True))
    assert main(["leaderboard", str(logs), "-o", str(tmp_path / "site"), "--bundle"]) == 0
    assert "leaderboard of 1 log(s)" in capsys.readouterr().out
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'href="transcripts/index.html#/logs/' in index
    assert (tmp_path / "site" / "transcripts" / "index.html").is_file()
    bundled = list((tmp_path / "site" / "transcripts" / "logs").glob("*.eval"))
    assert len(bundled) == 1
    # each sample row (on the run's page) opens that sample in the viewer:
    # #/logs/<log>/samples/sample/<id, percent-encoded>/<epoch>/
    (model_page,) = (tmp_path / "site" / "models").glob("*.html")
    (run_page,) = (tmp_path / "site" / "runs").glob("*.html")
    routes = re.findall(r'href="\.\./transcripts/index\.html#/logs/([^"]+?)/samples/sample/([^"/]+)/(\d+)/"',
                        run_page.read_text())  # fmt: skip
    ids = {str(s.id) for s in read_eval_log(str(bundled[0])).samples or []}
    assert routes and {log for log, _, _ in routes} == {bundled[0].name}
    assert {unquote(sample) for _, sample, _ in routes} <= ids and {epoch for _, _, epoch in routes} == {"1"}
    assert "needs the site served over HTTP" in index and "--bundle --serve" in index
    assert main(["leaderboard", str(tmp_path / "empty-missing"), "-o", str(tmp_path / "s2")]) == 2
    # a rebuild into the same folder leaves nothing of what it no longer has (the bundle, a model gone)
    (tmp_path / "site" / "models" / "mock_gone-000000.html").write_text("old")
    assert main(["leaderboard", str(logs), "-o", str(tmp_path / "site")]) == 0
    assert not (tmp_path / "site" / "transcripts").exists()
    assert [p.name for p in (tmp_path / "site" / "models").iterdir()] == [model_page.name]
    assert "needs the site served" not in (tmp_path / "site" / "index.html").read_text()


def test_new_scaffolds_a_package_and_rejects_bad_names(tmp_path: Path, capsys) -> None:
    assert main(["new", "my_bench", "-o", str(tmp_path)]) == 0
    root = tmp_path / "twinbench-my-bench"
    expected = {
        "pyproject.toml",
        "README.md",
        "tests/test_my_bench.py",
        "twinbench_my_bench/__init__.py",
        "twinbench_my_bench/task.py",
        "twinbench_my_bench/scorer.py",
        "twinbench_my_bench/data/items.jsonl",
    }
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == expected
    pyproject = (root / "pyproject.toml").read_text()
    assert 'my_bench = "twinbench_my_bench:INFO"' in pyproject
    assert "inspect_ai" not in pyproject  # one registration: inspect finds the task through twinbench's entry point
    assert "${" not in "".join(p.read_text() for p in root.rglob("*") if p.is_file())
    capsys.readouterr()
    assert main(["new", "my_bench", "-o", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    for bad in ("My-Bench", "1x", "class", "survey"):
        assert main(["new", bad, "-o", str(tmp_path)]) == 2, bad
    err = capsys.readouterr().err
    assert "already registered" in err and "benchmark name 'class' is a Python keyword: choose another" in err


def test_regress_command_exit_codes_and_mdc(registered, tmp_path: Path, capsys) -> None:
    logs = tmp_path / "logs"
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0))
    baseline = tmp_path / "baseline.json"
    assert main(["regress", "--baseline", str(baseline), "--update", str(logs)]) == 0
    assert "wrote baseline" in capsys.readouterr().out
    # The run against its own baseline: identical item outcomes, p = 1, exit 0; the table has the MDC column.
    assert main(["regress", "--baseline", str(baseline), "--resamples", "100", str(logs)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[-4:] == ["(Holm)", "MDC", "status", "note"]
    assert out.count("paired randomisation (0/10 clusters differ)  1  1") == 2
    # One error line, exit 2, for a bad option or an unreadable baseline.
    baseline.write_text("{")
    assert main(["regress", "--baseline", str(baseline), str(logs)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("twinbench: error: baseline file") and "not valid JSON" in err[0]
