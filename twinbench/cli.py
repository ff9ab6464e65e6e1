"""The ``twinbench`` command line: list benchmarks, run them, and (see ``twinbench --help``) report on the logs."""

from __future__ import annotations

import argparse
import inspect as pyinspect
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scorers.stats.settings import ALPHA
from twinbench.models import DEFAULT_MODEL, LOCAL_MODELS
from twinbench.registry import BenchmarkInfo, RegistryError, load_benchmarks, select_benchmarks

DEFAULT_LOG_DIR = "logs"
INTERRUPTED = "twinbench: interrupted: rerun the same command to resume (finished samples are kept in the logs)"


class UsageError(Exception):
    """A bad command line or config: printed as one line, exit code 2."""


def count_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """argparse type: an integer >= ``low`` (and <= ``high``) (``--limit 0`` would "complete" without running
    anything, ``--limit -3`` run all but three samples)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {value}")
        return value

    return parse


# ---------------------------------------------------------------------------------------------------------- list


def cmd_list(args: argparse.Namespace) -> int:
    benchmarks = load_benchmarks()
    if not benchmarks:
        print("no benchmarks registered")
    for info in benchmarks.values():
        print(f"{info.name}  (v{info.version})  {info.title}")
        print(f"  paper:    {info.paper}")
        print(f"  tasks:    {', '.join(info.task_names)}")
        for metric in info.headline:
            print(f"  headline: {metric.name} ({metric.label}; {metric.direction.label})")
    if args.models:
        print("\nembedded models (local/<alias>, or local//path/to/model.gguf):")
        for alias, model in LOCAL_MODELS.items():
            default = "  [default]" if f"local/{alias}" == DEFAULT_MODEL else ""
            print(f"  local/{alias}{default}: {model.description}")
    return 0


# ----------------------------------------------------------------------------------------------------------- run


def parse_key_values(pairs: Sequence[str], flag: str) -> dict[str, Any]:
    """``key=value`` strings -> dict, with values parsed as YAML scalars/lists (as inspect's -T and -M do)."""
    import yaml

    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag} {pair!r}: expected key=value")
        parsed[key] = yaml.safe_load(value) if value else ""
    return parsed


def task_arguments(info: BenchmarkInfo, task_fn: Callable[..., Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The benchmark's main-job defaults, then ``-T`` overrides: ``key=v`` for every task that takes ``key``,
    ``bench.key=v`` for one benchmark's tasks that take it (:func:`build_tasks` checks that one does)."""
    params = pyinspect.signature(task_fn).parameters
    chosen = {k: v for k, v in info.default_task_args.items() if k in params}
    for key, value in overrides.items():
        bench, dot, name = key.rpartition(".")
        if dot and bench != info.name:
            continue
        if name in params:
            chosen[name] = value
    return chosen


def build_tasks(selected: list[BenchmarkInfo], overrides: dict[str, Any]) -> list[Any]:
    """The selected benchmarks' tasks with their arguments. A ``-T`` no selected task takes, one for a benchmark
    not selected, or a task that fails to build (a bad value, a missing data file) is one error line."""
    names = {info.name for info in selected}
    for key in overrides:
        bench, dot, _ = key.rpartition(".")
        if dot and bench not in names:
            raise UsageError(f"-T {key}: {bench!r} is not a selected benchmark ({', '.join(sorted(names))})")
    unused = {k for k in overrides if "." not in k}
    tasks = []
    for info in selected:
        for key in overrides:  # bench.key: some task of that benchmark must take it
            bench, dot, name = key.rpartition(".")
            if dot and bench == info.name and not any(name in pyinspect.signature(t).parameters for t in info.tasks):
                tasks_named = ", ".join(repr(t.__name__) for t in info.tasks)
                raise UsageError(f"-T {key}: no task of {info.name!r} ({tasks_named}) has a parameter {name!r}")
        for task_fn in info.tasks:
            args = task_arguments(info, task_fn, overrides)
            unused -= set(args)
            try:
                tasks.append(task_fn(**args))
            except Exception as ex:  # a bad -T value or data file: the benchmark, the arguments and the cause
                given = ", ".join(f"{k}={v!r}" for k, v in args.items()) or "defaults"
                raise UsageError(f"{info.name}: task {task_fn.__name__} ({given}): {one_line(ex)}") from None
    if unused:
        raise UsageError(f"-T {sorted(unused)[0]}: no selected task takes this parameter")
    return tasks


def one_line(ex: BaseException) -> str:
    """``Type: first line of the message`` without rich markup (inspect's messages carry ``[bold]`` tags)."""
    from rich.text import Text

    lines = [line.strip() for line in Text.from_markup(str(ex)).plain.splitlines() if line.strip()]
    return f"{type(ex).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def resolve_models(names: Sequence[str], model_args: dict[str, Any]) -> list[Any]:
    """Model objects for eval_set, so an unknown provider or model is one error line before anything runs."""
    from inspect_ai.model import get_model

    models = []
    for name in names:
        try:
            models.append(get_model(name, **model_args))
        except ValueError as ex:
            raise UsageError(f"model {name!r}: {ex}") from None
    return models


def parse_model_roles(pairs: Sequence[str]) -> dict[str, Any]:
    """``--model-role ROLE=MODEL`` values -> ``{role: Model | [Model, ...]}`` for eval_set, in the forms
    ``inspect eval --model-role`` takes:

    * a model name: ``opponent=mock/o``, ``judge=openai/gpt-4o``;
    * several models for one role, comma-separated or a YAML list: ``players=mock/a,mock/b``;
    * inline YAML/JSON with generate-config fields and model args:
      ``judge={model: mock/j, temperature: 0.5, model_args: {text: "yes"}}`` (also ``base_url``).

    Each role gets its own model instance (``memoize=False``, as inspect does), so per-role usage stays separate.
    ``-M`` model args apply to ``--model`` only, as in inspect. Every role is built here, so an unknown provider
    or a bad field is one error line before anything runs."""
    import yaml
    from inspect_ai.model import GenerateConfig, get_model
    from pydantic import ValidationError

    def build(role: str, spec: Any) -> Any:
        if isinstance(spec, dict):
            spec = dict(spec)
            name = spec.pop("model", None)
            model_args = spec.pop("model_args", None) or {}
            base_url = spec.pop("base_url", None)
            if not isinstance(name, str) or not name:
                raise UsageError(f"--model-role {role}: the inline form needs a model (e.g. {{model: mock/x}})")
            if not isinstance(model_args, dict):
                raise UsageError(f"--model-role {role}: model_args must be a mapping")
            try:
                config = GenerateConfig(**spec)
            except ValidationError as ex:
                fields = ", ".join(str(e["loc"][0]) for e in ex.errors() if e.get("loc")) or "config"
                raise UsageError(f"--model-role {role}: invalid generate config ({fields})") from None
        elif isinstance(spec, str) and spec.strip():
            name, model_args, base_url, config = spec.strip(), {}, None, GenerateConfig()
        else:
            raise UsageError(f"--model-role {role}: expected a model name or {{model: ..., ...}}, got {spec!r}")
        try:
            return get_model(name, config=config, base_url=base_url, memoize=False, **model_args)
        except (ValueError, TypeError) as ex:
            raise UsageError(f"--model-role {role}: model {name!r}: {ex}") from None

    roles: dict[str, Any] = {}
    for pair in pairs:
        role, sep, value = pair.partition("=")
        role = role.strip()
        if not sep or not role or not value.strip():
            raise UsageError(f"--model-role {pair!r}: expected ROLE=MODEL")
        if role in roles:
            raise UsageError(f"--model-role {role}: given twice (bind several models as {role}=model_a,model_b)")
        try:
            spec = yaml.safe_load(value)
        except yaml.YAMLError:
            raise UsageError(f"--model-role {role}: {value!r} is not a model name or valid YAML/JSON") from None
        if isinstance(spec, str) and "," in spec:
            spec = [part for part in (p.strip() for p in spec.split(",")) if part]
        if isinstance(spec, list):
            if not spec:
                raise UsageError(f"--model-role {role}: no model given")
            roles[role] = [build(role, item) for item in spec]
        else:
            roles[role] = build(role, spec)
    return roles


def describe_roles(roles: dict[str, Any]) -> str:
    """``opponent=mock/o; players=mock/a,mock/b`` (model names only)."""
    return "; ".join(
        f"{role}=" + (",".join(str(m) for m in value) if isinstance(value, list) else str(value))
        for role, value in roles.items()
    )


def cmd_run(args: argparse.Namespace) -> int:
    from inspect_ai import eval_set

    selected = select_benchmarks(args.benchmarks)
    if not selected:
        raise UsageError("no benchmarks registered")
    tasks = build_tasks(selected, parse_key_values(args.task_arg, "-T"))
    model_names = args.model or [DEFAULT_MODEL]
    models = resolve_models(model_names, parse_key_values(args.model_arg, "-M"))
    roles = parse_model_roles(args.model_role)
    for role in roles:
        if not any(role in info.roles for info in selected):
            used = "; ".join(f"{i.name}: {', '.join(i.roles) or 'none'}" for i in selected)
            raise UsageError(f"--model-role {role}: no selected benchmark reads this role (roles: {used})")
    log_dir = Path(args.log_dir)
    with_roles = f" with roles {describe_roles(roles)}" if roles else ""
    print(
        f"twinbench: running {', '.join(i.name for i in selected)} on {', '.join(model_names)}{with_roles}; "
        f"logs -> {log_dir}",
        flush=True,
    )
    success, logs = eval_set(
        tasks,
        log_dir=str(log_dir),
        model=models,
        model_roles=roles or None,
        limit=args.limit,
        epochs=args.epochs,
        max_samples=args.max_samples,
        retry_attempts=args.retry_attempts,
        display=args.display,
        # one folder for every run (reports read it recursively, the newest log of each run key counts): a run of
        # another selection leaves the other benchmarks' logs alone instead of refusing the folder
        log_dir_allow_dirty=True,
    )
    from reports.logs import canonical_model_roles, roles_label

    for log in logs:
        run_roles = roles_label(canonical_model_roles(log.eval.model_roles))
        print(
            f"  {log.eval.task} [{log.eval.model}{'; ' + run_roles if run_roles else ''}]: {log.status} -> "
            f"{log.location}"
        )
    print(f"twinbench: logs are in {log_dir.resolve()}")
    if any(log.status == "cancelled" for log in logs):  # inspect catches Ctrl-C and returns the partial logs
        print(INTERRUPTED, file=sys.stderr)
        return 130
    return 0 if success else 1


# -------------------------------------------------------------------------- report / leaderboard / regress / new


def report_cache(args: argparse.Namespace) -> Any:
    """The per-log cache of summaries (``reports/cache.py``), or None with ``--no-cache``."""
    from reports.cache import LogCache

    return None if getattr(args, "no_cache", False) else LogCache()


def load_report(log_dir: str, cache: Any = None, jobs: int = 1) -> Any:
    """Every usable log under ``log_dir`` as a report; skipped logs are named on stderr, one line each. With
    ``cache`` (a ``reports.cache.LogCache``) unchanged logs are not read or summarised again."""
    from reports.tables import build_report

    if not Path(log_dir).is_dir():
        raise UsageError(f"log directory not found: {log_dir}")
    report = build_report(log_dir, cache=cache, jobs=jobs)
    for problem in report.problems:
        print(f"twinbench: skipped {problem.log}: {problem.reason}", file=sys.stderr)
    return report


def print_cache_stats(cache: Any, *, counts: bool = True) -> None:
    """On stderr: one line of what came from the cache and what was computed (with ``counts``), and each invalid
    entry that was recomputed."""
    if cache is not None:
        if counts:
            print(f"twinbench: cache {cache.root}: {cache.stats.line()}", file=sys.stderr)
        for entry in cache.stats.invalid:
            print(f"twinbench: invalid cache entry recomputed: {entry}", file=sys.stderr)


def no_results(report: Any) -> bool:
    if report.headline.empty:
        print(
            f"twinbench: error: no usable results in {report.log_dir} ({len(report.problems)} log(s) skipped)",
            file=sys.stderr,
        )
        return True
    return False


def output_folder(path: str) -> Path:
    """``-o``: a folder (created if missing), never an existing file."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {path}: is a file, not a folder")
    return folder


def cmd_report(args: argparse.Namespace) -> int:
    from reports.write import markdown_summary, write_report

    output_folder(args.output)
    cache = report_cache(args)
    report = load_report(args.log_dir, cache, args.jobs)
    print_cache_stats(cache)
    if no_results(report):
        return 1
    print(markdown_summary(report))
    written = write_report(report, args.output)
    print(f"twinbench: wrote {len(written)} files (CSV, Parquet, summary.md) to {Path(args.output).resolve()}",
          file=sys.stderr)  # stdout is the Markdown summary alone  # fmt: skip
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    import time

    from leaderboard.site import build_site

    if args.serve and not args.bundle:  # the pages' transcript links would point outside the served folder
        raise UsageError("--serve needs --bundle (the transcripts it serves are the bundled ones)")
    start = time.perf_counter()
    output_folder(args.output)
    cache = report_cache(args)
    report = load_report(args.log_dir, cache, args.jobs)
    if no_results(report):
        print_cache_stats(cache)
        return 1
    try:
        index = build_site(report, args.output, bundle=args.bundle, cache=cache, jobs=args.jobs)
    except RuntimeError as ex:  # inspect view bundle failed
        raise UsageError(str(ex)) from None
    print_cache_stats(cache)
    print(
        f"twinbench: leaderboard of {len(report.logs)} log(s) in {time.perf_counter() - start:.1f}s: {index.resolve()}"
    )
    if not args.serve:
        if args.bundle:
            print(f"twinbench: the transcripts need a server: twinbench leaderboard {args.log_dir} -o {args.output} "
                  "--bundle --serve")  # fmt: skip
        return 0
    from leaderboard.serve import site_server, url

    try:
        server = site_server(args.output, args.port)
    except OSError as ex:
        raise UsageError(f"--port {args.port}: {ex.strerror}") from None
    print(f"twinbench: serving {Path(args.output).resolve()} at {url(server)} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_regress(args: argparse.Namespace) -> int:
    from reports.regress import (
        BaselineError,
        compare,
        failures,
        format_comparison,
        matched,
        read_baseline,
        run_units,
        write_baseline,
    )

    if not 0 < args.alpha < 1:
        raise UsageError(f"--alpha {args.alpha}: must be between 0 and 1")
    if args.resamples < 100:
        raise UsageError(f"--resamples {args.resamples}: must be at least 100")
    baseline_path = Path(args.baseline)
    if not args.update and not baseline_path.is_file():
        raise UsageError(f"baseline file not found: {baseline_path} (write one with --update)")
    cache = report_cache(args)
    report = load_report(args.log_dir, cache, args.jobs)
    print_cache_stats(cache, counts=False)
    if report.headline.empty:
        raise UsageError(f"no usable results in {args.log_dir} to compare ({len(report.problems)} log(s) skipped)")
    units, problems = run_units(report)
    for problem in problems:
        print(f"twinbench: no item outcomes for {problem}", file=sys.stderr)
    try:
        baseline = read_baseline(baseline_path) if baseline_path.is_file() else None
    except BaselineError as ex:
        if not args.update:
            raise UsageError(str(ex)) from None
        baseline = None
    if baseline is not None:
        table = compare(
            baseline,
            report.headline,
            alpha=args.alpha,
            units=units,
            benchmarks=report.benchmarks,
            n_resamples=args.resamples,
        )
        print(format_comparison(table, args.alpha))
    if args.update:
        count = write_baseline(report.headline, baseline_path, str(args.log_dir), units=units)
        print(
            f"twinbench: wrote baseline {baseline_path} ({count} headline metrics, item outcomes of "
            f"{len(units)} run(s))"
        )
        return 0
    if not matched(table):
        raise UsageError("no headline metric of the run matches the baseline (see the status column)")
    return 1 if len(failures(table)) else 0


def cmd_new(args: argparse.Namespace) -> int:
    from twinbench.scaffold import ScaffoldError, scaffold

    try:
        root = scaffold(args.name, Path(args.output))
    except ScaffoldError as ex:
        raise UsageError(str(ex)) from None
    print(f"twinbench: created the benchmark plugin {args.name!r} in {root}")
    print(f"  install it:  pip install -e {root}")
    print(f"  then:        twinbench list; twinbench run {args.name} --model mock/x -M text=42")
    return 0


# ---------------------------------------------------------------------------------------------------------- main


def add_cache_options(p: argparse.ArgumentParser) -> None:
    from reports.parallel import default_jobs

    p.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the per-log summary cache ($TWINBENCH_CACHE_DIR, else "
        "~/.cache/twinbench/summaries; see reports/README.md)",
    )
    p.add_argument(
        "--jobs", type=int, default=default_jobs(), help="processes for summaries and figures (default: the CPUs)"
    )


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("twinbench")
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twinbench",
        description="List benchmarks, run them, and report on their logs: Markdown and CSV reports, a static "
        "leaderboard, regression checks against a baseline, and new benchmark plugins.",
    )
    parser.add_argument("--version", action="version", version=f"twinbench {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="registered benchmarks, their tasks and headline metrics")
    p.add_argument("--models", action="store_true", help="also list the embedded local models")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("run", help="run benchmarks (default: all) through inspect eval-set")
    p.add_argument("benchmarks", nargs="*", help="benchmark names (default: every registered benchmark)")
    p.add_argument("--model", action="append", help=f"inspect model string, repeatable (default: {DEFAULT_MODEL})")
    p.add_argument("-M", dest="model_arg", action="append", default=[], metavar="KEY=VALUE", help="model argument")
    p.add_argument(
        "--model-role",
        dest="model_role",
        action="append",
        default=[],
        metavar="ROLE=MODEL",
        help="bind a named model role (opponent, judge, user, ...) as inspect eval --model-role does, repeatable: "
        "ROLE=provider/model, ROLE=m1,m2, or ROLE='{model: provider/model, temperature: 0.5, model_args: {...}}'",
    )
    p.add_argument(
        "-T",
        dest="task_arg",
        action="append",
        default=[],
        metavar="[BENCH.]KEY=VALUE",
        help="task argument (sizes and options); BENCH. limits it to one benchmark",
    )
    p.add_argument("--limit", type=count_at_least(1), help="samples per task (default: the benchmark's default size)")
    p.add_argument("--epochs", type=count_at_least(1), help="epochs per sample")
    p.add_argument("--max-samples", type=count_at_least(1), help="samples run at once")
    p.add_argument(
        "--retry-attempts", type=count_at_least(0), default=2, help="eval-set retries of failed tasks (default: 2)"
    )
    p.add_argument(
        "--log-dir", default=DEFAULT_LOG_DIR, help=f"log directory; rerun to resume (default: {DEFAULT_LOG_DIR})"
    )
    p.add_argument(
        "--display", choices=["full", "conversation", "rich", "plain", "log", "none"], help="progress display"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="logs -> headline tables: print a Markdown summary, write CSV/Parquet")
    p.add_argument("log_dir", help="log directory (read recursively)")
    p.add_argument("-o", "--output", default="build/report", help="folder for the tables (default: build/report)")
    add_cache_options(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("leaderboard", help="logs -> a static, self-contained leaderboard site")
    p.add_argument("log_dir", help="log directory (read recursively)")
    p.add_argument("-o", "--output", default="build/leaderboard", help="site folder (default: build/leaderboard)")
    p.add_argument("--bundle", action="store_true", help="also bundle the logs' transcripts (inspect view bundle)")
    p.add_argument(
        "--serve", action="store_true", help="then serve the site on 127.0.0.1 (the transcript viewer needs HTTP)"
    )
    p.add_argument(
        "--port", type=count_at_least(0, 65535), default=8000, help="port for --serve (default 8000; 0: any free)"
    )
    add_cache_options(p)
    p.set_defaults(func=cmd_leaderboard)

    p = sub.add_parser(
        "regress", help="compare headline metrics with a baseline (paired over shared items); exit 1 on a failure"
    )
    p.add_argument("log_dir", help="log directory of the run to check")
    p.add_argument("--baseline", required=True, help="baseline JSON file")
    p.add_argument("--update", action="store_true", help="write the run's headline metrics as the new baseline")
    p.add_argument(
        "--alpha", type=float, default=ALPHA, help=f"significance level after Holm correction (default {ALPHA})"
    )
    p.add_argument(
        "--resamples", type=int, default=2000, help="bootstrap and randomisation draws per paired test (default 2000)"
    )
    add_cache_options(p)
    p.set_defaults(func=cmd_regress)

    p = sub.add_parser("new", help="scaffold a benchmark plugin package (task, scorer, info, tests, README)")
    p.add_argument("name", help="benchmark name (lowercase letters, digits, underscores)")
    p.add_argument("-o", "--output", default=".", help="folder to create the package in (default: .)")
    p.set_defaults(func=cmd_new)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from inspect_ai._util.error import PrerequisiteError

    try:
        return int(args.func(args))
    except (UsageError, RegistryError) as ex:
        print(f"twinbench: error: {ex}", file=sys.stderr)
        return 2
    except PrerequisiteError as ex:
        from rich.text import Text

        print(f"twinbench: error: {' '.join(Text.from_markup(str(ex.message)).plain.split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
