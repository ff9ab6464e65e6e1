"""Shared by the report, leaderboard, regress and CLI tests: register the toy benchmark (``toy_benchmark.py``, the
one toy of the suite) through the registry's own entry-point lookup, run it on the mock model, with model roles
when asked. ``tests/conftest.py`` gives every test the fixtures ``registered`` (the installed benchmarks and the toy)
and ``toy_only``."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import Model, get_model

from twinbench import registry

TOY = "tests.reports.toy_benchmark:INFO"


def use_entry_points(monkeypatch: pytest.MonkeyPatch, *, installed: bool, **benchmarks: str) -> None:
    """Make the registry see ``benchmarks`` (``name="module:attribute"``) as if packages had declared them, after
    the installed ones when ``installed``; other entry-point groups are left as they are."""
    real = registry.entry_points
    declared = [EntryPoint(name, value, registry.ENTRY_POINT_GROUP) for name, value in benchmarks.items()]

    def patched(*, group: str):  # type: ignore[no-untyped-def]
        if group != registry.ENTRY_POINT_GROUP:
            return real(group=group)
        return [*(real(group=group) if installed else []), *declared]

    monkeypatch.setattr(registry, "entry_points", patched)


def register_toy(monkeypatch: pytest.MonkeyPatch, *, installed: bool) -> dict[str, registry.BenchmarkInfo]:
    """Register the toy benchmark, after the installed benchmarks when ``installed``; returns the registry."""
    use_entry_points(monkeypatch, installed=installed, toy=TOY)
    return registry.load_benchmarks(strict=True)


def doubling(right: Callable[[int], bool], wrong: str = "{bad}") -> Callable[..., str]:
    """A mock responder: the right double for questions where ``right(i)``, else ``wrong`` (``{bad}`` = 2i+1)."""

    def respond(messages, config) -> str:  # type: ignore[no-untyped-def]
        i = int(re.search(r"What is (\d+)", messages[-1].text).group(1))
        return str(2 * i) if right(i) else wrong.format(bad=2 * i + 1)

    return respond


def mock(name: str, script: str | Callable[..., str]) -> Model:
    """``mock/<name>`` answering ``script``: a fixed text, or a responder function."""
    if callable(script):
        return get_model(f"mock/{name}", responder=script, memoize=False)
    return get_model(f"mock/{name}", text=script, memoize=False)


def run_toy(
    log_dir: Path,
    model: str,
    responder: Callable[..., str],
    n: int = 10,
    version: int = 1,
    roles: dict[str, tuple[str, str | Callable[..., str]]] | None = None,
    **eval_args: object,
) -> Path:
    """Run the toy task on ``mock/<model>``, with ``roles`` ({role: (mock name, text or responder)}) bound as
    model roles; returns the log path."""
    from tests.reports.toy_benchmark import toy_quiz

    model_roles = {role: mock(name, script) for role, (name, script) in (roles or {}).items()}
    logs = inspect_eval(
        toy_quiz(n=n, version=version),
        model=get_model(f"mock/{model}", responder=responder, memoize=False),
        model_roles=model_roles or None,
        log_dir=str(log_dir),
        display="none",
        **eval_args,
    )
    from reports.logs import log_path

    return Path(log_path(logs[0].location))
