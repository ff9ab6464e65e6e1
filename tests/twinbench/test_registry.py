from importlib.metadata import EntryPoint

import pytest

from twinbench import registry
from twinbench.registry import RegistryError, load_benchmarks

FIXTURE = "tests.twinbench.fixtures.fake_benchmark"


def use_entry_points(monkeypatch, **values: str) -> None:
    eps = [EntryPoint(name, value, registry.ENTRY_POINT_GROUP) for name, value in values.items()]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps if group == registry.ENTRY_POINT_GROUP else [])


def test_loads_a_registered_benchmark(monkeypatch):
    use_entry_points(monkeypatch, capitals=f"{FIXTURE}:INFO")
    [info] = load_benchmarks(strict=True).values()
    assert info.name == "capitals"
    assert info.task_names == ["capitals"]
    assert info.headline_metric("accuracy").direction == "higher"
    assert registry.benchmark_for_task("twinbench/capitals") is info
    assert registry.benchmark_for_task("other") is None


def test_broken_plugin_is_named_and_skipped(monkeypatch, capsys):
    use_entry_points(monkeypatch, capitals=f"{FIXTURE}:INFO", broken="no_such_module_xyz:INFO")
    assert list(load_benchmarks()) == ["capitals"]
    err = capsys.readouterr().err
    assert "'broken'" in err and "no_such_module_xyz" in err


def test_strict_raises_on_a_broken_plugin(monkeypatch):
    use_entry_points(monkeypatch, broken="no_such_module_xyz:INFO")
    with pytest.raises(RegistryError, match="'broken'"):
        load_benchmarks(strict=True)


def test_entry_point_must_be_benchmark_info(monkeypatch):
    use_entry_points(monkeypatch, bad=f"{FIXTURE}:NOT_INFO")
    with pytest.raises(RegistryError, match="not a BenchmarkInfo"):
        load_benchmarks(strict=True)


def test_duplicate_names_are_refused(monkeypatch):
    use_entry_points(monkeypatch, a=f"{FIXTURE}:INFO", b=f"{FIXTURE}:INFO")
    with pytest.raises(RegistryError, match="two benchmarks are registered as 'capitals'"):
        load_benchmarks()


def test_unknown_benchmark_lists_the_known_ones(monkeypatch):
    use_entry_points(monkeypatch, capitals=f"{FIXTURE}:INFO")
    with pytest.raises(RegistryError, match=r"unknown benchmark 'x' \(registered: capitals\)"):
        registry.get_benchmark("x")


def test_installed_benchmarks_load_strictly():
    # Every benchmark this checkout registers must import cleanly.
    for info in load_benchmarks(strict=True).values():
        assert info.tasks and info.headline and info.version
