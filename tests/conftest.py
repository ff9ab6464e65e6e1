import os

import pytest

# Tests never reach the network: fail fast instead of waiting on a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("INSPECT_DISPLAY", "none")


# The one toy benchmark of the tests (tests/reports/toy_benchmark.py), registered through the real registry.
# Imported when used: the helpers load inspect, which most unit tests never need.


@pytest.fixture(autouse=True)
def _summary_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """``twinbench report/leaderboard/regress`` cache per-log summaries (reports/cache.py): a fresh folder per test,
    never the user's ~/.cache."""
    monkeypatch.setenv("TWINBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("summary-cache")))


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The installed benchmarks plus the toy one, by name."""
    from tests.reports.helpers import register_toy

    return register_toy(monkeypatch, installed=True)


@pytest.fixture
def toy_only(monkeypatch: pytest.MonkeyPatch) -> dict:
    """The toy benchmark alone (``twinbench run`` without names runs every registered benchmark)."""
    from tests.reports.helpers import register_toy

    return register_toy(monkeypatch, installed=False)
