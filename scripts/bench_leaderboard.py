"""Time `twinbench leaderboard` on N real-size logs: cold (empty summary cache), then with one log added.

The logs are copies of real ones (a main job's, e.g. `twinbench run` at the default sizes): every usable log under
TEMPLATES is copied round-robin, each copy under its own model name (``<model>-copy007``, in the log's header and
start journal), so every copy is a separate run, leaderboard row and model page, and a different file (its own
content hash, so the cache cannot serve one copy's summary for another). The samples inside are the template's.

Prints, side by side: the cold build (report = read logs + summaries, site = pages + figures), its cost per log,
a rebuild with no change, then ``--repeat`` times (default: one log of each template, so each benchmark's ratio is
printed) the cost of adding one log to the built site (warm cache) next to what that log costs alone (read +
summarize + figures), which is what the incremental build should be close to, as a ratio of the whole rebuild and
of what it costs beyond a rebuild with no change (the part that grows with the new log, not with the site), with the
files each rebuild wrote. Each measured step runs in a fresh interpreter with the suite imported
(``--step``; untimed), as ``twinbench leaderboard`` would: no step inherits another's heap or lazy imports. Exit 1
when the cold build misses the budget.

    .venv/bin/python scripts/bench_leaderboard.py TEMPLATES [--logs 200] [--jobs N] [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
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


def step(*args: object) -> dict:
    """Run one measured step (:func:`run_step`) in a fresh interpreter; returns what it measured."""
    done = subprocess.run([sys.executable, __file__, "--step", *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"step {args[0]} failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def run_step(name: str, *args: str) -> dict:
    """``build LOGDIR SITE CACHE JOBS``: one `twinbench leaderboard` build (report s, site s, CPU s, cache counts,
    logs used, problems); ``alone LOG``: one log on its own, without the cache (read, summarize, figures, CPU s)."""
    from leaderboard.figures import draw_run
    from leaderboard.site import build_site
    from reports.cache import LogCache
    from reports.logs import read_samples, samples_frame
    from reports.parallel import frozen_heap
    from reports.tables import build_report, contract_samples
    from twinbench.registry import benchmark_for_task, load_benchmarks

    load_benchmarks()  # imports every benchmark package: not part of a build
    cpu, start = cpu_seconds(), time.perf_counter()
    if name == "build":
        log_dir, site, cache_dir, jobs = args
        cache = LogCache(cache_dir)
        report = build_report(log_dir, cache=cache, jobs=int(jobs))
        report_s, start = time.perf_counter() - start, time.perf_counter()
        build_site(report, site, cache=cache, jobs=int(jobs))
        site_s, problems = time.perf_counter() - start, [str(p) for p in report.problems]
        return {"report": report_s, "site": site_s, "cpu": cpu_seconds() - cpu, "stats": cache.stats.line(),
                "logs": len(report.logs), "problems": problems}  # fmt: skip
    with frozen_heap():  # as a build is
        log = read_samples(args[0])
        frame = samples_frame(log)
        read_s, start = time.perf_counter() - start, time.perf_counter()
        info = benchmark_for_task(log.eval.task)
        assert info is not None
        summary = info.summarize(contract_samples(frame))
        summarize_s, start = time.perf_counter() - start, time.perf_counter()
        if info.run_plots is not None:
            run = frame.assign(model=log.eval.model, model_roles="{}", task=log.eval.task, task_version="",
                               task_args="{}")  # fmt: skip
            draw_run(info, run.assign(log=args[0]), summary)
    return {
        "read": read_s,
        "summarize": summarize_s,
        "figures": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu,
    }


def site_files(site: Path) -> dict[Path, tuple[int, int]]:
    """Every file of the site: (mtime, size)."""
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in site.rglob("*") if p.is_file()}


def written(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]]) -> str:
    """The files a rebuild wrote (new or another mtime) and removed, for people."""
    new = [p for p, state in after.items() if before.get(p) != state]
    size = sum(after[p][1] for p in new) / 1e6
    return f"{len(new)} files written ({size:.1f} MB), {len(set(before) - set(after))} removed, of {len(after)}"


def main() -> int:
    from reports.parallel import default_jobs

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("templates", help="folder of real logs to copy (e.g. a main job's log folder)")
    parser.add_argument("--logs", type=int, default=200, help="logs in the cold build (default 200)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes (default: the CPUs)")
    parser.add_argument("--repeat", type=int, help="logs added one at a time after the cold build (default: one of "
                        "each template, so each benchmark's ratio is printed; at least 2)")  # fmt: skip
    parser.add_argument("--keep", help="write logs, site and cache here instead of a temporary folder")
    args = parser.parse_args()

    templates = template_logs(Path(args.templates))
    if not templates:
        print(f"no usable template logs in {args.templates}")
        return 2
    if args.repeat is None:
        args.repeat = max(2, len(templates))
    with tempfile.TemporaryDirectory(prefix="twinbench-bench-") as tmp_name:
        base = Path(args.keep) if args.keep else Path(tmp_name)
        log_dir, site, cache_dir = base / "logs", base / "site", base / "cache"
        for folder in (log_dir, site, cache_dir):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        start = time.perf_counter()
        make_logs(templates, log_dir, 0, args.logs)
        size = sum(p.stat().st_size for p in log_dir.iterdir()) / 1e6
        print(f"{args.logs} logs ({size:.0f} MB) copied from {len(templates)} template(s) in "
              f"{time.perf_counter() - start:.1f}s; jobs={args.jobs}")  # fmt: skip

        cold = step("build", log_dir, site, cache_dir, args.jobs)
        if cold["logs"] != args.logs or cold["problems"]:
            print(f"expected {args.logs} usable logs, got {cold['logs']}: {cold['problems'][:3]}")
            return 1
        print(f"cold:   {cold['stats']}")
        before = site_files(site)
        again = step("build", log_dir, site, cache_dir, args.jobs)
        print(f"again:  {again['stats']}; {written(before, site_files(site))}")
        added = []  # (log, its rebuild, the log alone)
        for k in range(args.repeat):
            (log,) = make_logs(templates, log_dir, args.logs + k, 1)
            before = site_files(site)
            warm = step("build", log_dir, site, cache_dir, args.jobs)
            print(f"+1 log: {warm['stats']}; {written(before, site_files(site))}")
            added.append((log, warm, step("alone", log)))  # right after its rebuild: the load changes over minutes

    cold_s = cold["report"] + cold["site"]
    rows = [
        (f"cold, {args.logs} logs", cold["report"], cold["site"], cold["cpu"], f"{cold_s / args.logs:.3f} a log"),
        ("again, no change", again["report"], again["site"], again["cpu"], ""),
    ]
    ratios = []
    again_s = again["report"] + again["site"]
    for k, (log, warm, alone) in enumerate(added):
        alone_s, warm_s = alone["read"] + alone["summarize"] + alone["figures"], warm["report"] + warm["site"]
        name = log.stem.split("_")[1]
        ratios.append(f"{name} {warm_s / alone_s:.1f}x wall, {warm['cpu'] / alone['cpu']:.1f}x CPU")
        rows.append((f"+1 {name} log -> {args.logs + k + 1} (warm)", warm["report"], warm["site"], warm["cpu"],
                     f"{warm_s / alone_s:.1f}x wall, {warm['cpu'] / alone['cpu']:.1f}x CPU that log alone; beyond "
                     f"a no-change rebuild {(warm_s - again_s) / alone_s:.1f}x wall, "
                     f"{(warm['cpu'] - again['cpu']) / alone['cpu']:.1f}x CPU"))  # fmt: skip
        rows.append(("  that log alone, no cache", alone["read"] + alone["summarize"], alone["figures"], alone["cpu"],
                     f"read {alone['read']:.2f}, summarize {alone['summarize']:.2f}"))  # fmt: skip
    print(f"\n{'build':<36}{'wall s':>8}{'report s':>10}{'site s':>8}{'CPU s':>8}  notes")
    for name, report_s, site_s, cpu, note in rows:
        print(f"{name:<36}{report_s + site_s:>8.2f}{report_s:>10.2f}{site_s:>8.2f}{cpu:>8.2f}  {note}")
    verdict = "within" if cold_s < BUDGET_S else "OVER"
    print(f"\ncold build {cold_s:.1f}s: {verdict} the {BUDGET_S:.0f}s budget for {args.logs} logs; adding one log "
          f"costs {'; '.join(ratios)} that log alone")  # fmt: skip
    return 0 if cold_s < BUDGET_S else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--step"]:
        print(json.dumps(run_step(*sys.argv[2:])))
        sys.exit(0)
    sys.exit(main())
