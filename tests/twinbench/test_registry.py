from importlib.metadata import EntryPoint

import pytest

from twinbench import registry
from twinbench.registry import RegistryError, load_benchmarks

FIXTURE = "tests.reports.toy_benchmark"  # the one toy benchmark of the tests


def use_entry_points(monkeypatch, **values: str) -> None:
    eps = [EntryPoint(name, value, registry.ENTRY_POINT_GROUP) for name, value in values.items()]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps if group == registry.ENTRY_POINT_GROUP else [])


def test_loads_a_registered_benchmark(monkeypatch):
    use_entry_points(monkeypatch, toy=f"{FIXTURE}:INFO")
    [info] = load_benchmarks(strict=True).values()
    assert info.name == "toy"
    assert info.task_names == ["toy_quiz"]
    assert info.headline_metric("correct").direction == "higher"
    assert registry.benchmark_for_task("twinbench/toy_quiz") is info
    assert registry.benchmark_for_task("other") is None
    assert info.summarize_runs is not None  # the optional cross-run hook


def test_broken_plugin_is_named_and_skipped(monkeypatch, capsys):
    use_entry_points(monkeypatch, toy=f"{FIXTURE}:INFO", broken="no_such_module_xyz:INFO")
    assert list(load_benchmarks()) == ["toy"]
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
    with pytest.raises(RegistryError, match="two benchmarks are registered as 'toy'"):
        load_benchmarks()


def test_unknown_benchmark_lists_the_known_ones(monkeypatch):
    use_entry_points(monkeypatch, toy=f"{FIXTURE}:INFO")
    with pytest.raises(RegistryError, match=r"unknown benchmark 'x' \(registered: toy\)"):
        registry.get_benchmark("x")


def test_installed_benchmarks_load_strictly():
    # Every benchmark this checkout registers must import cleanly.
    for info in load_benchmarks(strict=True).values():
        assert info.tasks and info.headline and info.version


def test_optional_hooks_default_to_none(monkeypatch):
    from dataclasses import replace

    use_entry_points(monkeypatch, toy=f"{FIXTURE}:INFO")
    [info] = load_benchmarks(strict=True).values()
    bare = replace(info, plots=None, units=None, headline_from_units=None, summarize_runs=None)
    fields = registry.BenchmarkInfo.__dataclass_fields__
    for hook in ("plots", "units", "headline_from_units", "calibration", "summarize_runs"):
        assert fields[hook].default is None and getattr(bare, hook) is None
