"""Time `twinbench leaderboard` on N real-size logs: cold (empty summary cache), then with one log added.

The logs are copies of real ones (a main job's, e.g. `twinbench run` at the default sizes): every usable log under
TEMPLATES is copied round-robin, each copy under its own model name (``<model>-copy007``, in the log's header and
start journal), so every copy is a separate run, leaderboard row and model page, and a different file (its own
content hash, so the cache cannot serve one copy's summary for another). The samples inside are the template's.

Prints, side by side: the cold build (report = read logs + summaries, site = pages + figures), its cost per log,
the cost of adding one log to the built site (warm cache), and what one log costs alone (read + summarize +
figures), which is what the incremental build should be close to. Exit 1 when the cold build misses the budget.

    .venv/bin/python scripts/bench_leaderboard.py TEMPLATES [--logs 200] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_S = 60.0


def template_logs(folder: Path) -> list[Path]:
    """The usable logs under ``folder`` (what ``twinbench report`` would use), in run-key order."""
    from reports.logs import read_log_dir

    logset = read_log_dir(folder)
    for problem in logset.problems:
        print(f"template skipped: {problem}")
    return [Path(p) for p in logset.logs["log"]]


def copy_log(template: Path, target: Path, model: str) -> None:
    """A copy of an ``.eval`` log whose header and start journal name ``model`` and new eval and run ids (inspect's
    zstd members too)."""
    import inspect_ai.log  # noqa: F401  (registers zstd with zipfile, as inspect writes logs with it)

    ids = {"eval_id": uuid.uuid4().hex[:22], "run_id": uuid.uuid4().hex[:22]}
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in ("header.json", "_journal/start.json"):
                document = json.loads(data)
                document["eval"].update(model=model, **ids)
                data = json.dumps(document).encode()
            copy.writestr(info, data, compress_type=info.compress_type)


def make_logs(templates: list[Path], log_dir: Path, first: int, count: int) -> list[Path]:
    from inspect_ai.log import read_eval_log

    models = {t: read_eval_log(str(t), header_only=True).eval.model for t in templates}
    made = []
    for i in range(first, first + count):
        template = templates[i % len(templates)]
        # inspect's file name (<time>_<task>_<id>.eval): inspect lists such logs without opening them
        parts = template.stem.split("_")
        target = log_dir / f"{parts[0]}_{'_'.join(parts[1:-1])}_copy{i:04d}.eval"
        copy_log(template, target, f"{models[template]}-copy{i // len(templates):03d}")
        made.append(target)
    return made


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def build(log_dir: Path, site: Path, cache_dir: Path, jobs: int) -> tuple[float, float, float, object, object]:
    """(report seconds, site seconds, CPU seconds, report, cache) of one `twinbench leaderboard` build."""
    from leaderboard.site import build_site
    from reports.cache import LogCache
    from reports.tables import build_report

    cache = LogCache(cache_dir)
    cpu, start = cpu_seconds(), time.perf_counter()
    report = build_report(log_dir, cache=cache, jobs=jobs)
    report_s = time.perf_counter() - start
    start = time.perf_counter()
    build_site(report, site, cache=cache, jobs=jobs)
    return report_s, time.perf_counter() - start, cpu_seconds() - cpu, report, cache


def one_log_alone(path: Path) -> tuple[float, float, float, float]:
    """(read, summarize, figures, CPU) seconds of one log on its own, without the cache."""
    from leaderboard.figures import draw_run
    from reports.logs import read_samples, samples_frame
    from reports.tables import contract_samples
    from twinbench.registry import benchmark_for_task

    cpu, start = cpu_seconds(), time.perf_counter()
    log = read_samples(str(path))
    frame = samples_frame(log)
    read_s = time.perf_counter() - start
    info = benchmark_for_task(log.eval.task)
    assert info is not None
    start = time.perf_counter()
    summary = info.summarize(contract_samples(frame))
    summarize_s = time.perf_counter() - start
    start = time.perf_counter()
    if info.run_plots is not None:
        run = frame.assign(model=log.eval.model, model_roles="{}", task=log.eval.task, task_version="", task_args="{}")
        draw_run(info, run.assign(log=str(path)), summary)
    return read_s, summarize_s, time.perf_counter() - start, cpu_seconds() - cpu


def main() -> int:
    from reports.parallel import default_jobs

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("templates", help="folder of real logs to copy (e.g. a main job's log folder)")
    parser.add_argument("--logs", type=int, default=200, help="logs in the cold build (default 200)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes (default: the CPUs)")
    parser.add_argument("--keep", help="write logs, site and cache here instead of a temporary folder")
    args = parser.parse_args()

    templates = template_logs(Path(args.templates))
    if not templates:
        print(f"no usable template logs in {args.templates}")
        return 2
    with tempfile.TemporaryDirectory(prefix="twinbench-bench-") as tmp_name:
        base = Path(args.keep) if args.keep else Path(tmp_name)
        log_dir, site, cache_dir = base / "logs", base / "site", base / "cache"
        for folder in (log_dir, site, cache_dir):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        start = time.perf_counter()
        copies = make_logs(templates, log_dir, 0, args.logs)
        size = sum(p.stat().st_size for p in log_dir.iterdir()) / 1e6
        print(f"{args.logs} logs ({size:.0f} MB) copied from {len(templates)} template(s) in "
              f"{time.perf_counter() - start:.1f}s; jobs={args.jobs}")  # fmt: skip

        cold_report, cold_site, cold_cpu, report, cache = build(log_dir, site, cache_dir, args.jobs)
        if len(report.logs) != args.logs or report.problems:  # type: ignore[attr-defined]
            print(f"expected {args.logs} usable logs, got {len(report.logs)}: {report.problems[:3]}")  # type: ignore[attr-defined]
            return 1
        print(f"cold:   {cache.stats.line()}")  # type: ignore[attr-defined]
        (added,) = make_logs(templates, log_dir, args.logs, 1)
        warm_report, warm_site, warm_cpu, report, cache = build(log_dir, site, cache_dir, args.jobs)
        print(f"+1 log: {cache.stats.line()}")  # type: ignore[attr-defined]
        # one log alone: the added one, and a copy of every other template (each benchmark's cost)
        others = [copies[k] for k in range(min(len(templates), args.logs)) if k != args.logs % len(templates)]
        alone_rows = [(path, *one_log_alone(path)) for path in [added, *others]]

    cold = cold_report + cold_site
    warm = warm_report + warm_site
    print()
    print(f"{'build':<34}{'wall s':>8}{'report s':>10}{'site s':>8}{'CPU s':>8}{'wall/log':>10}")
    rows = [
        (f"cold, {args.logs} logs", cold, cold_report, cold_site, cold_cpu, f"{cold / args.logs:.2f}"),
        (f"+1 log -> {args.logs + 1} logs (warm)", warm, warm_report, warm_site, warm_cpu, ""),
    ]
    for name, total, report_s, site_s, cpu, per in rows:
        print(f"{name:<34}{total:>8.1f}{report_s:>10.1f}{site_s:>8.1f}{cpu:>8.1f}{per:>10}")
    for path, read_s, summarize_s, figures_s, alone_cpu in alone_rows:
        task = path.stem.split("_")[1]
        alone = read_s + summarize_s + figures_s
        name = f"one {task} log alone, no cache"
        parts = f"read {read_s:.2f}, summarize {summarize_s:.2f}, figures {figures_s:.2f}"
        print(f"{name:<34}{alone:>8.1f}{read_s + summarize_s:>10.1f}{figures_s:>8.1f}{alone_cpu:>8.1f}   ({parts})")
    added_alone = sum(alone_rows[0][1:4])
    verdict = "within" if cold < BUDGET_S else "OVER"
    print(f"\ncold build {cold:.1f}s: {verdict} the {BUDGET_S:.0f}s budget for {args.logs} logs; adding one log "
          f"({added.name}) costs {warm:.1f}s = {warm / added_alone:.1f}x that log alone")  # fmt: skip
    return 0 if cold < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
