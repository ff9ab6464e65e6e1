"""Rebuilding a site (leaderboard/files.py): with no change no file is written; with one log added only what that log
changes is (the index, its benchmark page and figures, its model page, its run page, the tables of every run, its own
data and the model pages whose ranks moved; no other run's page); a log removed takes its files along; the result is
the fresh build, byte for byte."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from leaderboard import site as site_module
from leaderboard.files import MANIFEST
from leaderboard.site import SiteBuilder, build_site, slug
from reports.cache import LogCache
from reports.tables import build_report
from tests.reports.helpers import doubling, run_toy


def run_plots(samples, summary):  # type: ignore[no-untyped-def]
    return {"Runs": f'<svg xmlns="http://www.w3.org/2000/svg"><text>{len(samples)}</text></svg>'}


def unassembled(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("assembled in a rebuild with no change")


def files(site: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file of the site: (mtime, inode, bytes)."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            st = path.stat()
            found[path.relative_to(site).as_posix()] = (st.st_mtime_ns, st.st_ino, path.read_bytes())
    return found


def rewritten(before: dict, after: dict) -> set[str]:
    """Files new or written again (another mtime or inode), and files removed."""
    changed = {name for name, state in after.items() if before.get(name, (None, None))[:2] != state[:2]}
    return changed | (set(before) - set(after))


@pytest.fixture
def toy(registered) -> dict:
    return {"toy": replace(registered["toy"], run_plots=run_plots)}


def build(logs: Path, site: Path, toy: dict, cache: Path) -> dict[str, tuple[int, int, bytes]]:
    time.sleep(0.05)  # beyond the file system's timestamp granularity: a rewrite shows as a new mtime
    log_cache = LogCache(cache)
    build_site(build_report(logs, toy, cache=log_cache), site, cache=log_cache)
    return files(site)


def test_a_rebuild_writes_only_what_changed(toy, tmp_path: Path) -> None:
    logs, site, cache = tmp_path / "logs", tmp_path / "site", tmp_path / "cache"
    poor = run_toy(logs, "poor", doubling(lambda i: i < 2))  # 2 of 10 right
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0))  # 5 of 10: its CI overlaps poor's and good's
    first = build(logs, site, toy, cache)
    assert MANIFEST in first and f"models/{slug('mock/poor')}.html" in first

    assert rewritten(first, build(logs, site, toy, cache)) == set()  # no change: nothing written
    with pytest.MonkeyPatch.context() as patch:  # nor is any page, figure or whole-site table even assembled
        for name in ("benchmark_page", "index_section", "model_page", "run_page", "figures"):
            patch.setattr(SiteBuilder, name, unassembled)
        patch.setattr(site_module, "markdown_summary", unassembled)
        patch.setattr(site_module, "table_files", unassembled)
        assert rewritten(first, build(logs, site, toy, cache)) == set()

    # mock/good (10 of 10) lies entirely above mock/poor: poor's rank moves from 1 to 2, half's stays 1
    good = run_toy(logs, "good", doubling(lambda i: True))
    added = build(logs, site, toy, cache)
    good_data, poor_data = (f"data/runs/{log.name}" for log in (good, poor))
    assert rewritten(first, added) == {
        MANIFEST,
        "index.html",
        "benchmarks/toy.html",
        f"benchmarks/toy/00-{slug('Accuracy by model')}.svg",  # the plots hook draws every run
        f"benchmarks/toy/run-{slug('mock/good: Runs')}.svg",
        f"models/{slug('mock/good')}.html",
        f"models/{slug('mock/poor')}.html",  # its rank moved
        f"runs/{good.name}.html",  # every number of the new run: on its own page, not on the benchmark page
        *(f"data/{table}.{suffix}" for table in ("headline", "logs", "task_metrics") for suffix in ("csv", "parquet")),
        "data/summary.md",
        *(f"{good_data}/{table}.{suffix}" for table in ("samples", "summary") for suffix in ("csv", "parquet")),
    }
    assert 'data-sort="2" class="num rank"' in (site / "models" / f"{slug('mock/poor')}.html").read_text()
    assert len(list((site / poor_data).iterdir())) == 4  # poor's data: written once, kept
    benchmark_page = (site / "benchmarks" / "toy.html").read_text()
    assert f'href="../runs/{good.name}.html"' in benchmark_page and 'id="numbers"' not in benchmark_page

    # a log removed: its model page, figure and data go; the site is the one built afresh without a cache
    os.unlink(poor)
    removed = build(logs, site, toy, cache)
    assert not (site / poor_data).exists() and f"models/{slug('mock/poor')}.html" not in removed
    assert f"runs/{poor.name}.html" not in removed and f"runs/{good.name}.html" in removed
    build_site(build_report(logs, toy), tmp_path / "fresh")
    fresh = files(tmp_path / "fresh")
    assert set(fresh) == set(removed)
    for name, (_, _, data) in fresh.items():
        assert name == MANIFEST or removed[name][2] == data, name


def test_files_changed_by_hand_are_made_again_and_named(toy, tmp_path: Path, capsys) -> None:
    logs, site, cache = tmp_path / "logs", tmp_path / "site", tmp_path / "cache"
    run_toy(logs, "half", doubling(lambda i: i % 2 == 0))
    first = build(logs, site, toy, cache)
    index, page = site / "index.html", site / "benchmarks" / "toy.html"
    os.utime(index, ns=(0, first["index.html"][0] + 10**9))  # touched, its bytes unchanged: not written again
    page.unlink()
    (site / "data" / "notes.txt").write_text("mine")
    capsys.readouterr()
    after = build(logs, site, toy, cache)
    assert rewritten(first, after) == {MANIFEST, "index.html", "benchmarks/toy.html"}  # index: the touch's mtime
    assert after["index.html"][0] == first["index.html"][0] + 10**9  # not written
    assert after["benchmarks/toy.html"][2] == first["benchmarks/toy.html"][2]
    err = capsys.readouterr().err
    assert "1 site file(s) made again (changed or removed by hand since the last build): benchmarks/toy.html" in err
    assert "1 site file(s) removed (put in the site's folders by hand): data/notes.txt" in err
    # an edit that keeps the size, mtime and inode passes a cached rebuild; --no-cache compares the bytes
    text, state = index.read_text(), index.stat()
    index.write_text(text.replace("twinbench leaderboard", "twinbench leaderboarD", 1))
    os.utime(index, ns=(state.st_atime_ns, state.st_mtime_ns))
    build(logs, site, toy, cache)
    assert "leaderboarD" in index.read_text()
    build_site(build_report(logs, toy), site)  # no cache
    assert index.read_text() == text and "index.html" in capsys.readouterr().err
