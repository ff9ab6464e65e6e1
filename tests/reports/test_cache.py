"""reports/cache.py and what uses it: per-log samples, summaries and run figures cached by the log's bytes and the
code; a changed log, a changed benchmark or a corrupt entry is recomputed; cached and fresh reports are the same.
Also the fast sample reader, inspect's task metrics from the headers, and summaries in worker processes."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from leaderboard.site import build_site
from reports import logs as report_logs
from reports.cache import LogCache, code_fingerprint, default_cache_dir
from reports.logs import KEY, read_eval_zip, read_log_dir, read_samples, samples_frame
from reports.parallel import Failure, run_calls
from reports.tables import build_report, task_metrics_table
from reports.write import TABLES, markdown_summary, write_report
from tests.reports import toy_benchmark
from tests.reports.helpers import doubling, run_toy
from twinbench.cli import main

SUMMARIZED: list[str] = []  # model of each counted_summarize call
DRAWN: list[tuple[str, list[str]]] = []  # (model, summary metrics) of each run_plots call


def counted_summarize(samples: pd.DataFrame) -> pd.DataFrame:
    SUMMARIZED.append(str(len(samples)))
    return toy_benchmark.summarize(samples)


def failing_summarize(samples: pd.DataFrame) -> pd.DataFrame:
    raise ValueError("boom")


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, object]:
    DRAWN.append((str(samples["model"].iloc[0]), sorted(summary["metric"].unique())))
    accuracy = summary[(summary["metric"] == "correct") & (summary["group"] == "overall")]["value"].iloc[0]
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.bar([0], [accuracy])
    return {"Accuracy": fig}


@pytest.fixture(scope="module")
def toy_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs: mock/a right on every question, mock/b on the even ones (10 questions each)."""
    logs = tmp_path_factory.mktemp("toy-logs")
    run_toy(logs, "a", doubling(lambda i: True))
    run_toy(logs, "b", doubling(lambda i: i % 2 == 0))
    return logs


@pytest.fixture
def toy(registered) -> dict:
    """The toy benchmark alone, its summarize counted, without the hooks that read every run's samples (plots,
    summarize_runs)."""
    SUMMARIZED.clear()
    DRAWN.clear()
    return {"toy": replace(registered["toy"], summarize=counted_summarize, plots=None, summarize_runs=None)}


def assert_same_report(left, right) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name), obj=name)
    assert markdown_summary(left) == markdown_summary(right)
    assert [str(p) for p in left.problems] == [str(p) for p in right.problems]


def headline_value(report, model: str) -> float:
    rows = report.headline[(report.headline["model"] == model) & (report.headline["metric"] == "correct")]
    return float(rows["value"].iloc[0])


def test_cached_report_is_the_fresh_report_and_skips_the_work(toy, toy_logs: Path, tmp_path: Path, monkeypatch) -> None:
    fresh = build_report(toy_logs, toy)
    assert len(SUMMARIZED) == 2
    cold_cache = LogCache(tmp_path / "cache")
    cold = build_report(toy_logs, toy, cache=cold_cache)
    assert cold_cache.stats.computed == {"header": 2, "samples": 2, "scored": 2, "summary": 2, "outline": 2}
    assert not cold_cache.stats.hits and len(SUMMARIZED) == 4

    # warm: neither a log's samples nor summarize are read or run again
    def unread(*args, **kwargs):
        raise AssertionError("a cached log was read again")

    monkeypatch.setattr(report_logs, "_read_frame", unread)
    warm_cache = LogCache(tmp_path / "cache")
    warm = build_report(toy_logs, toy, cache=warm_cache)
    # nor are the cached samples and summaries loaded, only their counts and outlines, until someone asks for them
    assert warm_cache.stats.hits == {"header": 2, "scored": 2, "outline": 2} and not warm_cache.stats.computed
    assert len(SUMMARIZED) == 4 and not warm_cache.stats.invalid
    for report in (cold, warm):
        assert_same_report(report, fresh)
    assert warm_cache.stats.hits["samples"] == warm_cache.stats.hits["summary"] == 2
    assert "summary 2 from cache, 0 computed" in warm_cache.stats.line() and not warm_cache.stats.computed
    write_report(fresh, tmp_path / "fresh")
    write_report(warm, tmp_path / "warm")
    for name in [*(f"{t}.csv" for t in TABLES), "summary.md"]:
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


def test_a_changed_log_is_summarised_again(toy, toy_logs: Path, tmp_path: Path) -> None:
    logs = shutil.copytree(toy_logs, tmp_path / "logs")
    build_report(logs, toy, cache=LogCache(tmp_path / "cache"))
    log_a = read_log_dir(logs, toy).logs.set_index("model").loc["mock/a", "log"]
    # a rerun of mock/a (3 of 10 right) written over the same file: same path and run key, other bytes
    rerun = run_toy(tmp_path / "rerun", "a", doubling(lambda i: i < 3))
    shutil.copyfile(rerun, log_a)
    cache = LogCache(tmp_path / "cache")
    report = build_report(logs, toy, cache=cache)
    assert cache.stats.hits == {"header": 1, "scored": 1, "outline": 1}  # the unchanged log's samples: not read
    assert cache.stats.computed == {"header": 1, "samples": 1, "scored": 1, "summary": 1, "outline": 1}
    assert headline_value(report, "mock/a") == pytest.approx(0.3)
    assert headline_value(report, "mock/b") == pytest.approx(0.5)
    assert_same_report(report, build_report(logs, toy))


def test_corrupt_and_foreign_entries_are_recomputed_never_used(toy, toy_logs: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    fresh = build_report(toy_logs, toy, cache=LogCache(cache_dir))
    summaries = sorted((cache_dir / "summary").glob("*.pkl"))
    samples = sorted((cache_dir / "samples").glob("*.pkl"))
    assert len(summaries) == len(samples) == 2
    truncated = summaries[0].read_bytes()
    summaries[0].write_bytes(truncated[: len(truncated) // 2])  # checksum no longer matches
    shutil.copyfile(samples[1], summaries[1])  # a sound entry, stored for another kind
    samples[0].write_bytes(b"junk")  # not an entry at all
    cache = LogCache(cache_dir)
    report = build_report(toy_logs, toy, cache=cache)
    assert not cache.stats.invalid  # summaries and samples are loaded when used
    assert_same_report(report, fresh)
    reasons = sorted(entry.split(": ", 1)[1] for entry in cache.stats.invalid)
    assert reasons == [
        "checksum mismatch (truncated or corrupted)",
        "not a twinbench cache entry",
        "stored for another log, code or format",
    ]
    assert cache.stats.computed == {"samples": 1, "summary": 2}
    assert "3 invalid entries recomputed" in cache.stats.line()
    again = LogCache(cache_dir)  # the recomputed entries were stored again, sound
    assert_same_report(build_report(toy_logs, toy, cache=again), fresh)
    assert again.stats.hits == {"header": 2, "scored": 2, "outline": 2, "samples": 2, "summary": 2}
    assert not again.stats.invalid


def test_a_rebuild_reads_the_small_entries_from_the_folders_pack(toy, toy_logs: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    fresh = build_report(toy_logs, toy, cache=LogCache(cache_dir))
    (pack,) = (cache_dir / "packs").glob("*.pkl")
    for kind in ("header", "scored", "outline"):  # the entries a rebuild loads for every run
        for entry in (cache_dir / kind).glob("*.pkl"):
            entry.unlink()
    cache = LogCache(cache_dir)
    assert_same_report(build_report(toy_logs, toy, cache=cache), fresh)
    assert cache.stats.hits == {"header": 2, "scored": 2, "outline": 2, "samples": 2, "summary": 2}
    assert not cache.stats.computed  # all from the pack, nothing read or computed again
    pack.write_bytes(pack.read_bytes()[:-10])  # a broken pack is named, and the run goes on without it
    cache = LogCache(cache_dir)
    assert_same_report(build_report(toy_logs, toy, cache=cache), fresh)
    assert [e.split(": ", 1)[1] for e in cache.stats.invalid] == ["checksum mismatch (truncated or corrupted)"]
    assert cache.stats.computed == {"header": 2, "samples": 2, "scored": 2, "outline": 2}  # their files were gone
    again = LogCache(cache_dir)  # the pack was written again, sound
    build_report(toy_logs, toy, cache=again)
    assert not again.stats.invalid and not again.stats.computed


def test_across_runs_rows_are_cached_by_the_runs(registered, toy_logs: Path, tmp_path: Path, monkeypatch) -> None:
    calls = []

    def counted(samples: pd.DataFrame) -> pd.DataFrame:
        calls.append(sorted(samples["model"].unique()))
        return toy_benchmark.summarize_runs(samples)

    benchmarks = {"toy": replace(registered["toy"], summarize_runs=counted)}
    fresh = build_report(toy_logs, benchmarks)
    assert calls == [["mock/a", "mock/b"]]
    logs = shutil.copytree(toy_logs, tmp_path / "logs")
    for _ in range(2):  # computed once, then from the cache
        report = build_report(logs, benchmarks, cache=LogCache(tmp_path / "cache"))
        pd.testing.assert_frame_equal(report.across_runs, fresh.across_runs)
    assert len(calls) == 2
    run_toy(logs, "c", doubling(lambda i: i < 3))  # another run: computed again, over all three
    build_report(logs, benchmarks, cache=LogCache(tmp_path / "cache"))
    assert calls[-1] == ["mock/a", "mock/b", "mock/c"]


def test_other_code_is_another_key(toy, toy_logs: Path, tmp_path: Path) -> None:
    info = toy["toy"]
    bumped = replace(info, version="2")
    other_hook = replace(info, summarize=toy_benchmark.summarize)
    assert len({code_fingerprint(info), code_fingerprint(bumped), code_fingerprint(other_hook)}) == 3
    assert code_fingerprint(info) == code_fingerprint(replace(info))  # the same code, the same key
    build_report(toy_logs, toy, cache=LogCache(tmp_path / "cache"))
    cache = LogCache(tmp_path / "cache")
    build_report(toy_logs, {"toy": bumped}, cache=cache)
    assert cache.stats.hits == {"header": 2}  # headers do not depend on the benchmark
    assert cache.stats.computed == {"samples": 2, "scored": 2, "summary": 2, "outline": 2}


def test_run_figures_read_the_summary_and_are_drawn_once_per_run(toy, toy_logs: Path, tmp_path: Path) -> None:
    benchmarks = {"toy": replace(toy["toy"], run_plots=run_plots)}
    cache = LogCache(tmp_path / "cache")
    report = build_report(toy_logs, benchmarks, cache=cache)
    build_site(report, tmp_path / "site1", cache=cache)
    metrics = sorted(report.summary[report.summary["model"] == "mock/a"]["metric"].unique())
    assert DRAWN == [("mock/a", metrics), ("mock/b", metrics)]
    page = (tmp_path / "site1" / "benchmarks" / "toy.html").read_text()
    assert "<figcaption>mock/a: Accuracy</figcaption>" in page and "<figcaption>mock/b: Accuracy</figcaption>" in page
    svgs = sorted((tmp_path / "site1" / "benchmarks" / "toy").glob("run-*.svg"))
    assert len(svgs) == 2 and all(p.read_text().lstrip().startswith("<?xml") for p in svgs)

    warm = LogCache(tmp_path / "cache")
    build_site(build_report(toy_logs, benchmarks, cache=warm), tmp_path / "site2", cache=warm)
    assert len(DRAWN) == 2 and warm.stats.hits["figures"] == 2  # drawn once per run
    for svg in svgs:
        assert (tmp_path / "site2" / "benchmarks" / "toy" / svg.name).read_bytes() == svg.read_bytes()

    def broken(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, object]:
        raise ValueError("no data to draw")

    build_site(build_report(toy_logs, {"toy": replace(toy["toy"], run_plots=broken)}), tmp_path / "site3")
    index = (tmp_path / "site3" / "index.html").read_text()
    assert "toy: run_plots hook failed for " in index and "ValueError: no data to draw" in index


def test_a_site_from_the_cache_is_the_site_without_it(toy, toy_logs: Path, tmp_path: Path) -> None:
    benchmarks = {"toy": replace(toy["toy"], run_plots=run_plots)}
    build_site(build_report(toy_logs, benchmarks), tmp_path / "fresh")
    for name in ("cold", "warm"):
        cache = LogCache(tmp_path / "cache")
        build_site(build_report(toy_logs, benchmarks, cache=cache), tmp_path / name, cache=cache, jobs=2)
    # only the index's section of the benchmark is made for a new site folder (its links to the logs depend on it)
    assert cache.stats.computed == {"html": 1}
    files = sorted(
        p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*") if p.suffix in {".html", ".svg"}
    )
    assert len(files) == 8  # index, benchmark page, 2 model pages, 2 run pages, 2 figures
    for name in files:
        fresh = (tmp_path / "fresh" / name).read_bytes()
        assert (tmp_path / "cold" / name).read_bytes() == fresh, name
        assert (tmp_path / "warm" / name).read_bytes() == fresh, name


def test_summaries_in_worker_processes_are_the_same(toy, toy_logs: Path) -> None:
    serial = build_report(toy_logs, toy, jobs=1)
    assert_same_report(build_report(toy_logs, toy, jobs=2), serial)
    failing = {"toy": replace(toy["toy"], summarize=failing_summarize)}
    problems = [str(p) for p in build_report(toy_logs, failing, jobs=2).problems]
    assert problems == [str(p) for p in build_report(toy_logs, failing, jobs=1).problems]
    assert len(problems) == 2 and all(p.endswith("toy.summarize failed: ValueError: boom") for p in problems)


def test_what_workers_cannot_send_back_is_computed_here_and_not_stored(tmp_path: Path) -> None:
    results = run_calls([lambda: lambda: 1, lambda: 2, lambda: 1 / 0], jobs=2)
    assert results[0]() == 1 and results[1] == 2  # a lambda cannot be pickled back from a worker
    assert isinstance(results[2], Failure) and str(results[2]) == "ZeroDivisionError: division by zero"
    cache = LogCache(tmp_path / "cache")
    cache.store("summary", "0" * 64, "f" * 64, results[0])
    assert cache.stats.not_stored and cache.load("summary", "0" * 64, "f" * 64) is None
    assert "1 result(s) not storable" in cache.stats.line()


def test_fast_reader_reads_what_inspect_reads(toy_logs: Path, tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    for path in sorted(toy_logs.glob("*.eval")):
        inspect_frame = samples_frame(read_eval_log(str(path), exclude_fields=report_logs._EXCLUDE_FIELDS))
        pd.testing.assert_frame_equal(samples_frame(read_eval_zip(str(path))), inspect_frame)
    # a .json log goes to inspect's reader
    json_log = run_toy(tmp_path / "json", "a", doubling(lambda i: True), log_format="json")
    assert json_log.suffix == ".json"
    frame = samples_frame(read_samples(str(json_log)))
    assert len(frame) == 10 and frame["score"].map(lambda s: s["correct"]).sum() == 10


def test_task_metrics_are_named_as_evals_df_names_them(registered, toy_logs: Path) -> None:
    from inspect_ai.analysis import evals_df

    logset = read_log_dir(toy_logs, registered)
    evals = evals_df(logset.logs["log"].tolist(), quiet=True)
    columns = [c for c in evals.columns if c.startswith("score_") and not c.startswith("score_headline_")]
    tidy = evals[["log", *columns]].melt(id_vars="log", var_name="metric", value_name="value").dropna()
    tidy["metric"] = tidy["metric"].str.removeprefix("score_")
    expected = logset.logs[[*KEY, "log"]].merge(tidy, on="log").sort_values([*KEY, "metric"]).reset_index(drop=True)
    ours = task_metrics_table(logset)
    assert len(ours) > 0
    pd.testing.assert_frame_equal(ours, expected[ours.columns], check_dtype=False)


def test_cli_caches_in_the_cache_dir_and_no_cache_bypasses_it(
    registered, toy_logs: Path, tmp_path: Path, capsys
) -> None:
    cache_dir = default_cache_dir()
    assert cache_dir.name.startswith("summary-cache")  # tests/conftest.py: a fresh folder, never ~/.cache
    assert main(["report", str(toy_logs), "-o", str(tmp_path / "r1"), "--no-cache"]) == 0
    assert not any(cache_dir.iterdir()) and "twinbench: cache" not in capsys.readouterr().err
    assert main(["report", str(toy_logs), "-o", str(tmp_path / "r2")]) == 0
    assert "summary 0 from cache, 2 computed" in capsys.readouterr().err
    assert len(list((cache_dir / "summary").glob("*.pkl"))) == 2
    assert main(["leaderboard", str(toy_logs), "-o", str(tmp_path / "site"), "--jobs", "2"]) == 0
    assert "summary 2 from cache, 0 computed" in capsys.readouterr().err
    for name in ("headline.csv", "summary.csv", "samples.csv", "summary.md"):
        assert (tmp_path / "r1" / name).read_bytes() == (tmp_path / "r2" / name).read_bytes(), name
