import pytest

from tests.reports.helpers import use_entry_points
from twinbench import registry
from twinbench.registry import Direction, HeadlineMetric, RegistryError, load_benchmarks

FIXTURE = "tests.reports.toy_benchmark"  # the one toy benchmark of the tests


def test_loads_a_registered_benchmark(monkeypatch):
    use_entry_points(monkeypatch, installed=False, toy=f"{FIXTURE}:INFO")
    [info] = load_benchmarks(strict=True).values()
    assert info.name == "toy"
    assert info.task_names == ["toy_quiz"]
    assert info.headline_metric("correct").direction == "higher"
    assert registry.benchmark_for_task("twinbench/toy_quiz") is info
    assert registry.benchmark_for_task("other") is None
    assert info.summarize_runs is not None  # the optional cross-run hook


def test_broken_plugin_is_named_and_skipped(monkeypatch, capsys):
    use_entry_points(monkeypatch, installed=False, toy=f"{FIXTURE}:INFO", broken="no_such_module_xyz:INFO")
    assert list(load_benchmarks()) == ["toy"]
    err = capsys.readouterr().err
    assert "'broken'" in err and "no_such_module_xyz" in err


def test_strict_raises_on_a_broken_plugin(monkeypatch):
    use_entry_points(monkeypatch, installed=False, broken="no_such_module_xyz:INFO")
    with pytest.raises(RegistryError, match="'broken'"):
        load_benchmarks(strict=True)


def test_entry_point_must_be_benchmark_info(monkeypatch):
    use_entry_points(monkeypatch, installed=False, bad=f"{FIXTURE}:NOT_INFO")
    with pytest.raises(RegistryError, match="not a BenchmarkInfo"):
        load_benchmarks(strict=True)


def test_duplicate_names_are_refused(monkeypatch):
    use_entry_points(monkeypatch, installed=False, a=f"{FIXTURE}:INFO", b=f"{FIXTURE}:INFO")
    with pytest.raises(RegistryError, match="two benchmarks are registered as 'toy'"):
        load_benchmarks()


def test_select_benchmarks_by_name_or_all(monkeypatch):
    use_entry_points(monkeypatch, installed=False, toy=f"{FIXTURE}:INFO")
    assert [i.name for i in registry.select_benchmarks([])] == ["toy"]  # none named: every registered one
    assert [i.name for i in registry.select_benchmarks(["toy", "toy"])] == ["toy", "toy"]
    with pytest.raises(RegistryError, match=r"unknown benchmark 'x' \(registered: toy\)"):
        registry.select_benchmarks(["toy", "x"])


def test_installed_benchmarks_load_strictly():
    # Every benchmark this checkout registers must import cleanly.
    for info in load_benchmarks(strict=True).values():
        assert info.tasks and info.headline and info.version


def test_optional_hooks_default_to_none(monkeypatch):
    from dataclasses import replace

    use_entry_points(monkeypatch, installed=False, toy=f"{FIXTURE}:INFO")
    [info] = load_benchmarks(strict=True).values()
    bare = replace(info, plots=None, units=None, headline_from_units=None, summarize_runs=None)
    fields = registry.BenchmarkInfo.__dataclass_fields__
    for hook in ("plots", "units", "headline_from_units", "calibration", "summarize_runs"):
        assert fields[hook].default is None and getattr(bare, hook) is None


def test_direction_compares_sorts_and_labels():
    higher, lower, zero = Direction.HIGHER, Direction.LOWER, Direction.ZERO
    assert higher.is_better(0.6, 0.5) and not higher.is_better(0.5, 0.5) and lower.is_better(0.5, 0.6)
    assert zero.is_better(-0.1, 0.2) and not zero.is_better(-0.3, 0.2)  # closer to 0, whatever the sign
    assert [zero.sort_key(v) for v in (-3.0, 2.0)] == [3.0, 2.0] and lower.sort_key(-3.0) == -3.0
    assert zero.change(2.0, -1.0) == -1.0 and higher.change(2.0, -1.0) == -3.0  # current - base of the sort key
    assert (zero.best_in(-0.2, 0.3), zero.worst_in(-0.2, 0.3)) == (0.0, 0.3)
    assert (zero.best_in(-0.5, -0.2), higher.best_in(0.1, 0.4), lower.worst_in(0.1, 0.4)) == (0.2, 0.4, 0.4)
    assert [d.label for d in Direction] == ["higher is better", "lower is better", "closer to 0 is better"]
    assert Direction.ZERO == "zero" and str(Direction.ZERO) == "zero"  # stored as its text


def test_headline_metric_takes_the_direction_as_text():
    metric = HeadlineMetric("dds", "DDS", "zero")  # type: ignore[arg-type]
    assert metric.direction is Direction.ZERO and metric.direction.arrow == "→0"
    with pytest.raises(ValueError, match="sideways"):
        HeadlineMetric("x", "X", "sideways")  # type: ignore[arg-type]
