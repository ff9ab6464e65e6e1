"""twinbench installs from a wheel (`pip install .`, not editable) and runs from any folder.

Fast checks read pyproject.toml: every package folder is listed (the listing is explicit because datasets/ is mapped
to twinbench/datasets/ in the wheel) and the wheel's top-level names are the five decided ones (README.md,
Development). The slow check builds the wheel from a copy of the tree, deletes the copy, installs the wheel into a
fresh venv and runs `twinbench list` and a 2-sample deference eval on the embedded model from a temporary folder.

The fresh venv must not download the dependencies (tests run offline), so it sees the dev venv's installed
distributions through a folder of links to them, minus everything of twinbench's own (its editable dist-info and
import hook). (A venv made with --system-site-packages by .venv's python would see the base interpreter's
site-packages, not .venv's.) pip installs the wheel with dependency resolution and --no-index, so the wheel's declared
dependencies must be satisfied by what is there; twinbench's own files can only come from the wheel, and the test
checks that every module and data file it imports is read from the venv's site-packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"twinbench", "benchmarks", "scorers", "reports", "leaderboard"}
WHEEL_CACHE = Path(os.environ.get("TWINBENCH_WHEEL_CACHE", Path.home() / ".cache" / "twinbench" / "wheels"))
NOT_COPIED = (".git", ".venv", "build", "logs", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".wheels")


def setuptools_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def folders(root: Path, prefix: str) -> set[str]:
    """Dotted names of ``root`` and every folder below it (setuptools counts data folders as packages too)."""
    found = {prefix}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if path.is_dir() and "__pycache__" not in rel.parts and not any(p.startswith(".") for p in rel.parts):
            found.add(".".join((prefix, *rel.parts)))
    return found


def test_pyproject_lists_every_package_folder() -> None:
    config = setuptools_config()
    listed = set(config["packages"])
    mapped = config.get("package-dir", {})
    expected: set[str] = set()
    for top in TOP_LEVEL:
        expected |= folders(REPO / top, top)
    for package, folder in mapped.items():
        expected |= folders(REPO / folder, package)
    missing, extra = sorted(expected - listed), sorted(listed - expected)
    assert not missing, f"pyproject.toml [tool.setuptools] packages lacks {missing}: add them, or the wheel lacks them"
    assert not extra, f"pyproject.toml [tool.setuptools] packages lists {extra}, which have no folder"


def test_wheel_top_level_names_are_the_decided_ones() -> None:
    # Keeping the generic names is a recorded decision (README.md, Development; pyproject.toml); a new one, and above
    # all `datasets` (it would shadow Hugging Face's package), must be a deliberate change of this set.
    tops = {name.split(".")[0] for name in setuptools_config()["packages"]}
    assert tops == TOP_LEVEL
    assert setuptools_config()["package-dir"] == {"twinbench.datasets": "datasets"}


@dataclass(frozen=True)
class Installed:
    wheel: Path
    data_files: list[str]  # datasets/ of the tree the wheel was built from, relative paths
    python: Path
    bin: Path
    site: Path
    work: Path  # a folder outside the repository to run from
    env: dict[str, str]


def run(cmd: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    shown = " ".join(map(str, cmd))
    assert done.returncode == 0, f"{shown} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    tmp = tmp_path_factory.mktemp("install")
    src, wheels, venv, deps, work = (tmp / n for n in ("src", "wheels", "venv", "deps", "work"))
    work.mkdir()

    # Build from a clean copy: an in-tree build reuses build/ and *.egg-info, which can carry stale files in.
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(*NOT_COPIED))
    data = src / "datasets"
    data_files = sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file())
    # --no-build-isolation: build with this venv's setuptools, so no network is needed.
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, src], cwd=tmp)
    shutil.rmtree(src)  # nothing can be read from the tree the wheel was built from
    (wheel,) = wheels.glob("twinbench-*.whl")

    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work).strip())

    # The dev venv's distributions, twinbench's own (dist-info, editable hook, .pth files) left out.
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name
        if name.lower().startswith(("twinbench", "__editable__")) or name.endswith(".pth") or name == "__pycache__":
            continue
        if name in TOP_LEVEL:
            continue
        (deps / name).symlink_to(entry)
    (site / "_twinbench_test_deps.pth").write_text(f"{deps}\n")

    links = [arg for d in (wheels, WHEEL_CACHE) if d.is_dir() for arg in ("--find-links", str(d))]
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index", *links, "twinbench"],
        cwd=work)  # fmt: skip

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    yield Installed(wheel, data_files, python, venv / "bin", site, work, env)


@pytest.mark.slow
def test_wheel_holds_the_data_and_the_entry_points(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        entry_points = next(whl.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "deference/capitals.jsonl" in installed.data_files and "survey/carData_WVS.md" in installed.data_files
    missing = [f for f in installed.data_files if f"twinbench/datasets/{f}" not in names]
    assert not missing, f"the wheel lacks datasets/ files {missing}"
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == TOP_LEVEL  # no top-level datasets/ (Hugging Face's name)
    assert "benchmarks = twinbench._registry" in entry_points and "twinbench = twinbench._registry" in entry_points
    assert "deference = benchmarks.deference:INFO" in entry_points


PROBE = """
import importlib, json
from importlib.metadata import distribution
import twinbench.data as data
mods = ["twinbench", "twinbench.data", "benchmarks", "benchmarks.deference.task", "benchmarks.survey.task", "scorers",
        "reports", "leaderboard"]
files = {m: importlib.import_module(m).__file__ for m in mods}
files["data"] = str(data.data_path("deference", "capitals.jsonl"))
files["dist"] = str(distribution("twinbench").locate_file("twinbench"))
print(json.dumps({"files": files, "checkout": str(data.checkout_root()),
                  "direct_url": distribution("twinbench").read_text("direct_url.json")}))
"""


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_repository(installed: Installed) -> None:
    from inspect_ai.log import list_eval_logs, read_eval_log

    probe = json.loads(run([installed.python, "-c", PROBE], cwd=installed.work, env=installed.env))
    site = installed.site.resolve()
    for what, file in probe["files"].items():
        assert Path(file).resolve().is_relative_to(site), f"{what} is read from {file}, not from the installed wheel"
    assert probe["checkout"] == "None"
    assert '"editable": true' not in (probe["direct_url"] or "")

    listed = run([installed.bin / "twinbench", "list"], cwd=installed.work, env=installed.env)
    assert "deference  (v" in listed and "survey  (v" in listed

    # How a user of the installed package names a task: inspect's registry name, `benchmarks/<name>`.
    logs = installed.work / "logs"
    command = [installed.python, "-m", "inspect_ai", "eval", "benchmarks/deference", "--limit", "2",
               "--model", "local/smollm2-135m", "--log-dir", logs, "--display", "plain"]  # fmt: skip
    run(command, cwd=installed.work, env=installed.env)
    (info,) = list_eval_logs(str(logs))
    log = read_eval_log(info)
    assert log.status == "success", log.error
    assert log.eval.task.split("/")[-1] == "deference" and log.eval.model == "local/smollm2-135m"
    assert log.samples is not None and len(log.samples) == 2
