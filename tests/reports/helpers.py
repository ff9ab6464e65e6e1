"""Shared by the report, leaderboard, regress and CLI tests: register the toy benchmark (``toy_benchmark.py``, the
one toy of the suite), run it on the mock model, with model roles when asked."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import Model, get_model

from twinbench import registry

TOY_ENTRY_POINT = EntryPoint(name="toy", value="tests.reports.toy_benchmark:INFO", group=registry.ENTRY_POINT_GROUP)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> dict[str, registry.BenchmarkInfo]:
    """The real registry plus the toy benchmark, as if a package had declared it."""
    real = registry.entry_points

    def with_toy(*, group: str):  # type: ignore[no-untyped-def]
        found = list(real(group=group))
        return [*found, TOY_ENTRY_POINT] if group == registry.ENTRY_POINT_GROUP else found

    monkeypatch.setattr(registry, "entry_points", with_toy)
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
