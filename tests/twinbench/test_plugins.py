"""A scaffolded third-party plugin, pip-installed into this venv, shows up in list, run, inspect eval, report,
leaderboard and regress with no change to twinbench, and its own generated tests pass. Uninstalled afterwards."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from twinbench.scaffold import scaffold

NAME = "tbplugin_e2e"
DIST = "twinbench-tbplugin-e2e"


def run(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: entry points and the editable install's import hook are read at start-up.
    return run("-m", "twinbench.cli", *args)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    run("-m", "pip", "uninstall", "-y", "-q", DIST)  # a leftover from an interrupted run
    root = scaffold(NAME, tmp_path_factory.mktemp("plugin"))
    # --no-build-isolation: build with this venv's setuptools, so the test needs no network.
    installed = run("-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(root))
    assert installed.returncode == 0, installed.stderr[-2000:]
    try:
        yield root
    finally:
        removed = run("-m", "pip", "uninstall", "-y", "-q", DIST)
        assert removed.returncode == 0, removed.stderr[-2000:]


def test_plugin_appears_everywhere(plugin: Path, tmp_path: Path) -> None:
    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    assert f"{NAME}  (v1)  Tbplugin e2e" in listed.stdout
    assert "headline: correct (Accuracy; higher is better)" in listed.stdout

    logs = tmp_path / "logs"
    ran = cli("run", NAME, "--model", "mock/x", "-M", "text=I do not know", "--log-dir", str(logs), "--display", "none")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"{NAME} [mock/x]: success" in ran.stdout

    report = cli("report", str(logs), "-o", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    # 12 items, no number in any reply: accuracy 0, invalid rate 1 (Wilson CIs over n = 12).
    assert f"| {NAME} | 1 | mock/x | Accuracy | 0.000 | [0.000, 0.242] | 12 |" in report.stdout
    assert f"| {NAME} | 1 | mock/x | Invalid rate | 1.000 | [0.758, 1.000] | 12 |" in report.stdout

    board = cli("leaderboard", str(logs), "-o", str(tmp_path / "site"))
    assert board.returncode == 0, board.stderr
    index = (tmp_path / "site" / "index.html").read_text()
    assert f'id="headline-{NAME}"' in index
    page = (tmp_path / "site" / "benchmarks" / f"{NAME}.html").read_text()
    assert "<h2>Method</h2>" in page  # method notes from the plugin's README

    # inspect finds the task by its registry name through twinbench's own inspect entry point: the plugin declares
    # only the twinbench.benchmarks entry point (one registration step) and keeps no list of tasks
    assert not (plugin / f"twinbench_{NAME}" / "_registry.py").exists()
    inspect_logs = tmp_path / "inspect"
    evaluated = run("-m", "inspect_ai", "eval", f"twinbench_{NAME}/{NAME}", "--model", "mock/x", "-M", "text=7",
                    "--log-dir", str(inspect_logs), "--display", "none", cwd=tmp_path)  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stdout[-2000:] + evaluated.stderr[-2000:]
    (log,) = list_eval_logs(str(inspect_logs))
    header = read_eval_log(log, header_only=True)
    assert header.status == "success" and header.eval.task == f"twinbench_{NAME}/{NAME}"

    baseline = tmp_path / "baseline.json"
    assert cli("regress", "--baseline", str(baseline), "--update", str(logs)).returncode == 0
    checked = cli("regress", "--baseline", str(baseline), str(logs))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{NAME}" in checked.stdout and "0 significant regression(s)" in checked.stdout


def test_scaffolded_tests_pass(plugin: Path) -> None:
    result = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=plugin)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout
