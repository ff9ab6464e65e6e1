"""regress: the statistics against textbook values, the statuses, the baseline file, and runs with a planted
regression (fails) and a rerun (passes)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from reports.regress import (
    BASELINE_FIELDS,
    BaselineError,
    ci_z_test,
    compare,
    format_comparison,
    proportion_test,
    read_baseline,
    write_baseline,
)
from reports.tables import build_report
from tests.reports.helpers import doubling, run_toy
from twinbench.cli import main


def test_two_proportion_z_test_textbook_value() -> None:
    # 45/100 vs 60/100, pooled p = 0.525: z = -0.15 / sqrt(0.525 * 0.475 * (1/100 + 1/100)) = -2.12398, p = 0.03367.
    z, p = proportion_test(0.60, 100, 0.45, 100)
    assert z == pytest.approx(-2.123977, abs=1e-5)
    assert p == pytest.approx(0.033672, abs=1e-5)
    assert proportion_test(0.0, 10, 0.0, 20) == (0.0, 1.0)  # both all-zero: identical, no 0/0
    assert proportion_test(1.0, 10, 1.0, 12) == (0.0, 1.0)
    assert proportion_test(1 / 3, 10, 0.5, 10) is None  # 1/3 of 10 is not a count: not a plain proportion


def test_ci_z_test_textbook_value() -> None:
    # SE from a 95% CI of width 0.2 is 0.2 / (2 * 1.959964) = 0.051021; the difference's SE is sqrt(2) times that.
    z, p = ci_z_test(0.5, 0.4, 0.6, 0.3, 0.2, 0.4)
    assert z == pytest.approx(-2.771808, abs=1e-5)
    assert p == pytest.approx(0.005574, abs=1e-5)
    assert ci_z_test(0.5, math.nan, 0.6, 0.3, 0.2, 0.4) is None
    assert ci_z_test(0.5, 0.5, 0.5, 0.5, 0.5, 0.5) == (0.0, 1.0)


def row(metric: str, value: float, low: float, high: float, n: int, *, direction: str = "higher",
        kind: str = "proportion", version: str = "1", model: str = "m") -> dict[str, object]:
    return {"benchmark": "b", "task": "t", "task_version": version, "model": model, "metric": metric,
            "direction": direction, "kind": kind, "value": value, "ci_low": low, "ci_high": high, "n": n}


def test_compare_statuses_and_holm_correction() -> None:
    baseline = pd.DataFrame([
        row("acc", 0.60, 0.50, 0.69, 100),
        row("err", 0.20, 0.13, 0.29, 100, direction="lower"),
        row("bias", 0.05, -0.05, 0.15, 50, direction="zero", kind="mean"),
        row("same", 0.50, 0.40, 0.60, 100),
        row("gone", 0.50, 0.40, 0.60, 100),
        row("acc", 0.60, 0.50, 0.69, 100, version="1", model="versioned"),
    ])
    current = pd.DataFrame([
        row("acc", 0.45, 0.36, 0.55, 100),  # p = 0.0337 raw
        row("err", 0.02, 0.01, 0.07, 100, direction="lower"),  # fewer errors: improvement (if significant)
        row("bias", 0.40, 0.30, 0.50, 50, direction="zero", kind="mean"),  # |bias| grew: regression
        row("same", 0.52, 0.42, 0.62, 100),
        row("fresh", 0.50, 0.40, 0.60, 100),
        row("acc", 0.10, 0.05, 0.17, 100, version="2", model="versioned"),
    ])
    table = compare(baseline, current, alpha=0.05).set_index(["model", "metric"])
    assert table.loc[("m", "gone"), "status"] == "missing"
    assert table.loc[("m", "fresh"), "status"] == "new"
    assert table.loc[("versioned", "acc"), "status"] == "version mismatch"
    assert math.isnan(table.loc[("versioned", "acc"), "p"])
    tested = table[table["p"].notna()]
    assert len(tested) == 4
    # Holm over the four p-values: sort ascending, multiply by 4, 3, 2, 1, keep monotone, cap at 1.
    raw = tested["p"].sort_values()
    expected = [min(1.0, v) for v in pd.Series([raw.iloc[i] * (4 - i) for i in range(4)]).cummax()]
    assert tested["p_holm"].sort_values().tolist() == pytest.approx(expected)
    assert table.loc[("m", "acc"), "test"] == "two-proportion z"
    assert table.loc[("m", "bias"), "test"] == "z from 95% CIs"
    assert table.loc[("m", "acc"), "p"] == pytest.approx(0.033672, abs=1e-5)
    assert table.loc[("m", "acc"), "status"] == "ok"  # third smallest of 4: 0.0337 * 2 is not < 0.05
    assert table.loc[("m", "bias"), "status"] == "REGRESSION"
    assert table.loc[("m", "err"), "status"] == "improvement"
    assert table.loc[("m", "same"), "status"] == "ok"
    text = format_comparison(table.reset_index(), 0.05)
    assert "1 significant regression(s) at alpha=0.05 (Holm-corrected over 4 tested metrics)" in text
    assert "1->2" in text


def test_zero_direction_shrinking_is_not_a_regression() -> None:
    base = pd.DataFrame([row("bias", -0.40, -0.50, -0.30, 50, direction="zero", kind="mean")])
    cur = pd.DataFrame([row("bias", 0.05, -0.05, 0.15, 50, direction="zero", kind="mean")])
    assert compare(base, cur)["status"].tolist() == ["improvement"]


def test_baseline_round_trip_and_errors(tmp_path: Path) -> None:
    headline = pd.DataFrame([row("acc", 0.6, 0.5, 0.69, 100), row("x", 0.1, math.nan, math.nan, 5, kind="mean")])
    path = tmp_path / "b" / "baseline.json"
    assert write_baseline(headline, path, "logs/run") == 2
    document = json.loads(path.read_text())
    assert document["format"] == "twinbench-baseline/1" and document["log_dir"] == "logs/run"
    assert document["rows"][1]["ci_low"] is None
    back = read_baseline(path)
    assert list(back.columns) == BASELINE_FIELDS
    assert back["value"].tolist() == [0.6, 0.1] and math.isnan(back["ci_low"].iloc[1])
    assert compare(back, headline)["status"].tolist() == ["ok", "no CI"]
    with pytest.raises(BaselineError, match="not found"):
        read_baseline(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(BaselineError, match="not valid JSON"):
        read_baseline(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"rows": []}')
    with pytest.raises(BaselineError, match="expected format"):
        read_baseline(tmp_path / "other.json")


def test_planted_regression_fails_and_rerun_passes(registered, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "baseline.json"
    run_toy(tmp_path / "base", "model", doubling(lambda i: i % 10 != 0), n=40)  # 36/40 correct
    assert main(["regress", "--baseline", str(baseline), "--update", str(tmp_path / "base")]) == 0
    assert "wrote baseline" in capsys.readouterr().out
    assert len(read_baseline(baseline)) == 2

    run_toy(tmp_path / "rerun", "model", doubling(lambda i: i % 10 != 0), n=40)  # the same behaviour again
    assert main(["regress", "--baseline", str(baseline), str(tmp_path / "rerun")]) == 0
    out = capsys.readouterr().out
    assert "0 significant regression(s)" in out

    run_toy(tmp_path / "worse", "model", doubling(lambda i: i % 2 == 0, wrong="no idea"), n=40)  # 20/40, 20 invalid
    assert main(["regress", "--baseline", str(baseline), str(tmp_path / "worse")]) == 1
    out = capsys.readouterr().out
    assert "2 significant regression(s)" in out
    report = build_report(tmp_path / "worse", registered)
    assert report.headline.set_index("metric").loc["correct", "value"] == 0.5


def test_regress_usage_errors(registered, tmp_path: Path, capsys) -> None:
    assert main(["regress", "--baseline", str(tmp_path / "none.json"), str(tmp_path)]) == 2
    assert "baseline file not found" in capsys.readouterr().err
    run_toy(tmp_path / "logs", "model", doubling(lambda i: True))
    write_baseline(pd.DataFrame([row("acc", 0.6, 0.5, 0.69, 100)]), tmp_path / "other.json", "x")
    assert main(["regress", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "logs")]) == 2
    assert "no headline metric of the run matches the baseline" in capsys.readouterr().err
    assert main(["regress", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "nope")]) == 2
    assert main(["regress", "--alpha", "2", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "logs")]) == 2
