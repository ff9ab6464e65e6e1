"""Time `report` + `leaderboard` on 200 real inspect logs (budget: well under 60 s).

The logs come from the benchmark that ``twinbench new`` scaffolds (12 samples a log), run on 200 mock models with
different scripted accuracies, so every log is a separate leaderboard row, model page and transcript link. The
scaffolded package is imported from a temporary folder, not installed.

    .venv/bin/python scripts/bench_leaderboard.py [--logs 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 60.0


def generate_logs(n_logs: int, log_dir: Path, tmp: Path) -> object:
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    from twinbench.scaffold import scaffold

    root = scaffold("lbbench", tmp)
    sys.path.insert(0, str(root))
    plugin = importlib.import_module("twinbench_lbbench")
    answers = {s.input: s.target for s in plugin.task.load_samples()}

    def responder(skill: int):  # type: ignore[no-untyped-def]
        # Model i answers the first (i mod 13) questions right, then says it does not know.
        order = sorted(answers)

        def respond(messages, config) -> str:  # type: ignore[no-untyped-def]
            question = messages[-1].text
            return answers[question] if order.index(question) < skill else "I do not know"

        return respond

    models = [get_model(f"mock/bench{i:03d}", responder=responder(i % 13), memoize=False) for i in range(n_logs)]
    logs = inspect_eval(plugin.INFO.tasks[0](), model=models, log_dir=str(log_dir), display="none", max_tasks=8)
    failed = [log.location for log in logs if log.status != "success"]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(logs)} runs failed, e.g. {failed[0]}")
    return plugin.INFO


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", type=int, default=200, help="number of logs (default 200)")
    parser.add_argument("--keep", help="write logs and site here instead of a temporary folder")
    args = parser.parse_args()

    from leaderboard.site import build_site
    from reports.tables import build_report

    with tempfile.TemporaryDirectory(prefix="twinbench-bench-") as tmp_name:
        base = Path(args.keep) if args.keep else Path(tmp_name)
        base.mkdir(parents=True, exist_ok=True)
        log_dir, site = base / "logs", base / "site"
        start = time.perf_counter()
        info = generate_logs(args.logs, log_dir, Path(tmp_name))
        print(f"generated {args.logs} logs in {time.perf_counter() - start:.1f}s -> {log_dir}")

        start = time.perf_counter()
        report = build_report(log_dir, {info.name: info})
        report_s = time.perf_counter() - start
        start = time.perf_counter()
        index = build_site(report, site)
        site_s = time.perf_counter() - start
        if len(report.logs) != args.logs or report.problems:
            print(f"expected {args.logs} usable logs, got {len(report.logs)}; problems: {report.problems[:3]}")
            return 1
        total = report_s + site_s
        pages = len(list(site.rglob("*.html")))
        print(f"report (read {len(report.logs)} logs, {len(report.samples)} samples): {report_s:.2f}s")
        print(f"leaderboard ({pages} pages): {site_s:.2f}s -> {index}")
        print(f"total {total:.2f}s = {total / BUDGET_S:.1%} of the {BUDGET_S:.0f}s budget")
        return 0 if total < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
