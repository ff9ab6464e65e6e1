"""regress: the unpaired fallback against textbook values, the paired comparison on scripted units (exact p-values,
statuses, sign flips, task arguments), the baseline file (format 2, and format 1 still read), and toy runs with a
planted regression (fails) and a rerun (passes)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from reports.regress import (
    BASELINE_FIELDS,
    BASELINE_FORMAT,
    NEAR_WORST_BOUND,
    NO_UNITS_BASELINE,
    ROW_FIELDS,
    WORST_BOUND,
    Baseline,
    BaselineError,
    ci_z_test,
    compare,
    describe_args_difference,
    failures,
    format_comparison,
    proportion_test,
    read_baseline,
    write_baseline,
)
from reports.tables import build_report
from scorers.stats.paired import minimal_detectable_change
from tests.reports.helpers import doubling, run_toy
from twinbench.cli import main

# -- unpaired fallback (format-1 baselines) --------------------------------------------------------------------


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
    # |value| test: 0.5 -> -0.5 is no change of magnitude.
    assert ci_z_test(0.5, 0.4, 0.6, -0.5, -0.6, -0.4, magnitude=True) == (0.0, 1.0)


def row(metric: str, value: float, low: float, high: float, n: int, *, direction: str = "higher",
        kind: str = "proportion", version: str = "1", model: str = "m", benchmark: str = "b",
        task_args: str | None = None) -> dict[str, object]:  # fmt: skip
    return {"benchmark": benchmark, "task": "t", "task_version": version, "model": model, "metric": metric,
            "direction": direction, "kind": kind, "value": value, "ci_low": low, "ci_high": high, "n": n,
            "task_args": task_args}  # fmt: skip


def test_unpaired_statuses_and_holm_correction() -> None:
    baseline = pd.DataFrame(
        [
            row("acc", 0.60, 0.50, 0.69, 100),
            row("err", 0.20, 0.13, 0.29, 100, direction="lower"),
            row("bias", 0.05, -0.05, 0.15, 50, direction="zero", kind="mean"),
            row("same", 0.50, 0.40, 0.60, 100),
            row("gone", 0.50, 0.40, 0.60, 100),
            row("acc", 0.60, 0.50, 0.69, 100, version="1", model="versioned"),
        ]
    )
    current = pd.DataFrame(
        [
            row("acc", 0.45, 0.36, 0.55, 100),  # p = 0.0337 raw
            row("err", 0.02, 0.01, 0.07, 100, direction="lower"),  # fewer errors: improvement
            row("bias", 0.40, 0.30, 0.50, 50, direction="zero", kind="mean"),  # |bias| grew: regression
            row("same", 0.52, 0.42, 0.62, 100),
            row("fresh", 0.50, 0.40, 0.60, 100),
            row("acc", 0.10, 0.05, 0.17, 100, version="2", model="versioned"),
        ]
    )
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
    assert table.loc[("m", "acc"), "test"] == "two-proportion z (unpaired)"
    assert table.loc[("m", "bias"), "test"] == "z from 95% CIs (unpaired)"
    assert table.loc[("m", "acc"), "p"] == pytest.approx(0.033672, abs=1e-5)
    assert table.loc[("m", "acc"), "status"] == "ok"  # third smallest of 4: 0.0337 * 2 is not < 0.05
    assert table.loc[("m", "bias"), "status"] == "REGRESSION"
    assert table.loc[("m", "err"), "status"] == "improvement"
    assert table.loc[("m", "same"), "status"] == "ok"
    assert table.loc[("m", "same"), "note"] == NO_UNITS_BASELINE
    # MDC of "acc": pooled SE sqrt(0.525 * 0.475 * 2/100) = 0.070622 times (z_{1 - 0.05/8} + z_{0.8}) = 3.3432.
    assert table.loc[("m", "acc"), "mdc"] == pytest.approx(0.070622 * (2.497705 + 0.841621), abs=1e-5)
    assert sorted(failures(table.reset_index())["status"]) == ["REGRESSION", "missing", "version mismatch"]
    text = format_comparison(table.reset_index(), 0.05)
    assert "3 failure(s) at alpha=0.05: 1 REGRESSION, 1 missing, 1 version mismatch" in text
    assert "Holm over 4 tested metric(s)" in text and "1->2" in text


def test_zero_direction_shrinking_across_zero_is_an_improvement() -> None:
    base = pd.DataFrame([row("bias", -0.40, -0.50, -0.30, 50, direction="zero", kind="mean")])
    cur = pd.DataFrame([row("bias", 0.05, -0.05, 0.15, 50, direction="zero", kind="mean")])
    assert compare(base, cur)["status"].tolist() == ["improvement"]


def test_unpaired_sign_flip_is_not_an_improvement() -> None:
    # The audit's case: DDS 15 -> -15 with CIs of half-width ~8.5. |value| did not change; the signed change is
    # -30 with SE hypot(17, 17) / 3.919928 = 6.133: z = -4.89.
    base = pd.DataFrame([row("dds", 15.0, 6.0, 23.0, 100, direction="zero", kind="mean")])
    cur = pd.DataFrame([row("dds", -15.0, -23.0, -6.0, 100, direction="zero", kind="mean")])
    result = compare(base, cur).iloc[0]
    assert result["status"] == "SIGN FLIP"
    assert result["p"] == pytest.approx(2 * 4.95e-7, rel=0.02)
    assert result["p_magnitude"] == 1.0 and result["estimate"] == 0.0
    assert "sign changed" in result["note"]


def test_worst_bound_note() -> None:
    base = pd.DataFrame([row("misaligned", 1.0, 0.97, 1.0, 124, direction="lower")])
    result = compare(base, base).iloc[0]
    assert result["status"] == "ok" and WORST_BOUND in result["note"]
    higher = pd.DataFrame([row("acc", 0.0, 0.0, 0.03, 124)])
    assert WORST_BOUND in compare(higher, higher).iloc[0]["note"]
    fine = pd.DataFrame([row("acc", 0.5, 0.4, 0.6, 100)])
    assert WORST_BOUND not in compare(fine, fine).iloc[0]["note"]


def test_near_worst_bound_note_unpaired() -> None:
    # The baseline's survey rejected_share, 121/124 (lower is better): 3/124 = 0.0242 from the worst value 1. The
    # unpaired MDC is (1.959964 + 0.841621) * sqrt(p (1 - p) 2/124) = 0.05467 with p = 121/124: within it.
    base = pd.DataFrame([row("rejected_share", 121 / 124, 0.95, 1.0, 124, direction="lower")])
    result = compare(base, base).iloc[0]
    assert result["mdc"] == pytest.approx(0.0546688, abs=1e-6)
    assert result["status"] == "ok" and WORST_BOUND not in result["note"]
    assert result["note"] == f"{NO_UNITS_BASELINE}; {NEAR_WORST_BOUND} (0.0242 from 1; MDC 0.0547)"
    # 0.2 from the bound, MDC 0.142 (0.8 of 125): room enough
    fine = pd.DataFrame([row("rejected_share", 0.8, 0.73, 0.87, 125, direction="lower")])
    assert compare(fine, fine).iloc[0]["note"] == NO_UNITS_BASELINE


def share_bench() -> dict:
    return {"b": SimpleNamespace(name="b", headline_from_units=lambda u: {"share": float(u["x"].mean())})}


def test_near_worst_bound_note_paired_identical_rerun() -> None:
    # An identical rerun has SE 0 and MDC 0, but 3 bad units of 124 are all the room left: even all three turning
    # bad gives a randomisation p of 2/2^3 = 0.25, and alpha = 0.05 needs 6 discordant clusters.
    x = [1.0] * 121 + [0.0] * 3
    head = pd.DataFrame([row("share", 121 / 124, 0.95, 1.0, 124, direction="lower")])
    baseline = Baseline(rows=head.reindex(columns=ROW_FIELDS), units={RUN: contributions(x)})
    result = compare(baseline, head, units={RUN: contributions(x)}, benchmarks=share_bench()).iloc[0]
    assert (result["status"], result["se"], result["mdc"]) == ("ok", 0.0, 0.0)
    assert result["note"] == f"{NEAR_WORST_BOUND} (0.0242 from 1; 3 unit(s); alpha/1 needs 6)"
    # 10 units from the bound: a regression up to it could be significant
    x = [1.0] * 114 + [0.0] * 10
    head = head.assign(value=114 / 124)
    baseline = Baseline(rows=head.reindex(columns=ROW_FIELDS), units={RUN: contributions(x)})
    assert compare(baseline, head, units={RUN: contributions(x)}, benchmarks=share_bench()).iloc[0]["note"] == ""


def test_paired_mdc_corrects_for_strata_and_the_randomisation_null() -> None:
    # SE 1 over 100 clusters in strata of 10, alpha 0.05, one metric: SE' = sqrt(10/9) = 1.054093, and
    # D = SE' (z_p + z_a sqrt(1 + (z_p^2 - z_a^2)/100)) / (1 - z_a^2/100) = 3.037180 (the z formula: 2.801585).
    assert minimal_detectable_change(1.0, n_clusters=100, stratum_size=10) == pytest.approx(3.037180, abs=1e-6)
    assert minimal_detectable_change(1.0, family_size=6, n_clusters=100, stratum_size=10) == pytest.approx(
        3.847584, abs=1e-6
    )
    assert minimal_detectable_change(1.0, n_clusters=1e12) == pytest.approx(2.801585, abs=1e-6)
    assert minimal_detectable_change(1.0, n_clusters=3) == math.inf  # z_a^2 = 3.84 > 3 clusters
    assert minimal_detectable_change(0.0, n_clusters=100, stratum_size=10) == 0.0
    # through compare: 100 clusters in one stratum, so SE' = SE sqrt(100/99)
    base = [1.0] * 15 + [0.0] * 85
    cur = [1.0] * 25 + [0.0] * 75
    result = paired(base, cur)
    z_a, z_p = 1.959964, 0.841621
    se = result["se"] * math.sqrt(100 / 99)
    expected = se * (z_p + z_a * math.sqrt(1 + (z_p**2 - z_a**2) / 100)) / (1 - z_a**2 / 100)
    assert result["se"] > 0 and result["mdc"] == pytest.approx(expected, rel=1e-5)
    assert (result["mdc_clusters"], result["mdc_stratum"]) == (100, 100)


def test_baseline_metrics_are_the_registered_headlines(registered) -> None:
    """A renamed headline metric (e.g. deference's mean_abs_dds -> rms_dds) must be renamed in the shipped
    baseline too, or regress reports it "missing" and fails."""
    baseline = read_baseline(Path(__file__).parents[2] / "baselines" / "embedded.json")
    for (benchmark, metric), _ in baseline.rows.groupby(["benchmark", "metric"]):
        assert benchmark in registered, benchmark
        assert metric in {m.name for m in registered[benchmark].headline}, (benchmark, metric)


def test_task_args_differ_refuses_to_compare() -> None:
    base = pd.DataFrame([row("acc", 0.6, 0.5, 0.7, 100, task_args='{"items_per_domain": 25, "mode": "a"}')])
    cur = pd.DataFrame([row("acc", 0.2, 0.1, 0.3, 40, task_args='{"items_per_domain": 10}')])
    result = compare(base, cur).iloc[0]
    assert result["status"] == "task args differ" and math.isnan(result["p"])
    assert result["note"] == 'task args differ (baseline -> run): items_per_domain 25 -> 10; mode "a" -> unset'
    assert len(failures(compare(base, cur))) == 1
    same = pd.DataFrame([row("acc", 0.6, 0.5, 0.7, 100, task_args='{"items_per_domain": 25, "mode": "a"}')])
    assert compare(base, same).iloc[0]["status"] == "ok"
    assert describe_args_difference("{}", '{"persona": true}') == (
        "task args differ (baseline -> run): persona unset -> true"
    )


# -- paired comparison on scripted units ------------------------------------------------------------------------


RUN = ("b", "t", "1", "m", "{}", None)  # the run key of row(): no model roles, task arguments not recorded
TOY_RUN = ("toy", "toy_quiz", "1", "mock/model", "{}")  # + the task arguments


def contributions(values: list[float], strata: list[str] | None = None) -> pd.DataFrame:
    """Units of a DDS-like benchmark: one per item, its contribution x to the metric 100 * mean(x)."""
    n = len(values)
    return pd.DataFrame({"unit": [f"i{k:03d}" for k in range(n)], "cluster": [f"i{k:03d}" for k in range(n)],
                         "stratum": strata or [""] * n, "x": values})  # fmt: skip


def bias_bench(direction: str = "zero") -> tuple[dict, pd.DataFrame]:
    info = SimpleNamespace(name="b", headline_from_units=lambda u: {"bias": 100 * float(u["x"].mean())})
    return {"b": info}, pd.DataFrame([row("bias", 0.0, -1.0, 1.0, 100, direction=direction, kind="mean")])


def paired(base_x: list[float], cur_x: list[float], *, direction: str = "zero", n_resamples: int = 1024
           ) -> pd.Series:  # fmt: skip
    benchmarks, headline = bias_bench(direction)
    key = RUN
    base_units, cur_units = contributions(base_x), contributions(cur_x)
    base_head = headline.assign(value=100 * sum(base_x) / len(base_x))
    cur_head = headline.assign(value=100 * sum(cur_x) / len(cur_x))
    baseline = Baseline(rows=base_head.reindex(columns=ROW_FIELDS), units={key: base_units})
    table = compare(baseline, cur_head, units={key: cur_units}, benchmarks=benchmarks, n_resamples=n_resamples)
    return table.iloc[0]


def test_paired_identical_rerun_is_ok_with_p_one() -> None:
    x = [1.0] * 15 + [0.0] * 80 + [-1.0] * 5
    result = paired(x, x)
    assert result["status"] == "ok" and result["p"] == 1.0 and result["p_holm"] == 1.0
    assert result["test"] == "paired randomisation (0/100 clusters differ)"
    assert result["se"] == 0.0 and result["mdc"] == 0.0 and result["n_shared"] == 100


def test_paired_planted_regression_exact_p() -> None:
    # 10 items each move the metric by +1 pp away from 0: with 10 discordant clusters all 2^10 swap patterns are
    # enumerated; only the identity and the full swap are as extreme, so p = 2 / 1024 exactly.
    base = [1.0] * 15 + [0.0] * 85
    cur = [1.0] * 25 + [0.0] * 75
    result = paired(base, cur)
    assert result["estimate"] == pytest.approx(10.0) and result["change"] == pytest.approx(10.0)
    assert result["p"] == 2 / 1024 and result["p_magnitude"] == 2 / 1024
    assert result["status"] == "REGRESSION"
    # The same change where higher is better is an improvement; where lower is better a regression.
    assert paired(base, cur, direction="higher")["status"] == "improvement"
    assert paired(base, cur, direction="lower")["status"] == "REGRESSION"
    # Five discordant items cannot reach alpha: 2 / 32 = 0.0625.
    few = paired(base, [1.0] * 20 + [0.0] * 80)
    assert few["p"] == 2 / 32 and few["status"] == "ok"


def test_paired_sign_flip_is_its_own_failure() -> None:
    # DDS 15 -> -15: the same 15 items flip from deference (+1) to scepticism (-1). |DDS| is unchanged (p = 1);
    # the signed change of -30 pp is far outside the swap distribution.
    base = [1.0] * 15 + [0.0] * 85
    cur = [-1.0] * 15 + [0.0] * 85
    result = paired(base, cur)
    assert result["estimate"] == 0.0 and result["p_magnitude"] == 1.0
    # 2^15 patterns > 1024 draws: p = (count + 1) / 1025, and no draw of seed 0 is the identity or the full swap.
    assert result["p"] == 1 / 1025
    assert result["status"] == "SIGN FLIP" and "sign changed" in result["note"]
    # Crossing 0 while |value| shrinks significantly is an improvement: 15 -> -1.
    assert paired(base, [-1.0] + [0.0] * 99)["status"] == "improvement"


def test_paired_reports_units_in_one_run_only() -> None:
    benchmarks, headline = bias_bench("higher")
    key = RUN
    base_units = contributions([1.0] * 10 + [0.0] * 10)
    cur_units = contributions([1.0] * 10 + [0.0] * 12).iloc[3:]  # 3 units lost, 2 new
    baseline = Baseline(rows=headline.reindex(columns=ROW_FIELDS), units={key: base_units})
    result = compare(baseline, headline, units={key: cur_units}, benchmarks=benchmarks).iloc[0]
    assert result["n_shared"] == 17
    assert result["note"] == "3 unit(s) only in the baseline; 2 unit(s) only in the run"
    assert result["p"] == 1.0  # the shared units agree


def test_paired_falls_back_to_unpaired_without_the_hook_or_units() -> None:
    _, headline = bias_bench("higher")
    key = RUN
    units = {key: contributions([1.0, 0.0])}
    baseline = Baseline(rows=headline.reindex(columns=ROW_FIELDS), units=units)
    no_hook = compare(baseline, headline, units=units, benchmarks={"b": SimpleNamespace(headline_from_units=None)})
    assert no_hook.iloc[0]["note"] == "unpaired (the run has no item outcomes)"
    broken = {"b": SimpleNamespace(headline_from_units=lambda u: {})}
    note = compare(baseline, headline, units=units, benchmarks=broken).iloc[0]["note"]
    assert note.startswith("unpaired (paired test failed: ValueError: headline_from_units returned no value")
    empty = Baseline(rows=headline.reindex(columns=ROW_FIELDS), units={})
    assert compare(empty, headline, units=units).iloc[0]["note"] == NO_UNITS_BASELINE


# -- the baseline file ------------------------------------------------------------------------------------------


def test_baseline_round_trip_format_2(tmp_path: Path) -> None:
    headline = pd.DataFrame(
        [
            row("acc", 0.6, 0.5, 0.69, 100, task_args='{"n": 40}'),
            row("x", 0.1, math.nan, math.nan, 5, kind="mean", task_args='{"n": 40}'),
        ]
    )
    run = ("b", "t", "1", "m", "{}", '{"n": 40}')
    units = {
        run: pd.DataFrame(
            {
                "unit": ["a", "b"],
                "cluster": ["a", "b"],
                "stratum": ["", ""],
                "correct": [1.0, math.nan],
                "ok": [True, False],
            }
        ),
        ("b", "t", "1", "other", "{}", '{"n": 40}'): contributions([1.0]),
    }  # not a headline run: not stored
    path = tmp_path / "b" / "baseline.json"
    assert write_baseline(headline, path, "logs/run", units=units) == 2
    document = json.loads(path.read_text())
    assert document["format"] == BASELINE_FORMAT == "twinbench-baseline/2" and document["log_dir"] == "logs/run"
    assert document["rows"][0]["task_args"] == {"n": 40} and document["rows"][1]["ci_low"] is None
    assert document["rows"][0]["model_roles"] is None  # no roles
    assert document["units"] == [{"benchmark": "b", "task": "t", "task_version": "1", "model": "m",
                                  "model_roles": None, "task_args": {"n": 40},
                                  "columns": ["unit", "cluster", "stratum", "correct", "ok"],
                                  "rows": [["a", "a", "", 1.0, True], ["b", "b", "", None, False]]}]  # fmt: skip
    assert '\n        ["a", "a", "", 1.0, true],\n' in path.read_text()  # a unit per line
    back = read_baseline(path)
    assert list(back.rows.columns) == ROW_FIELDS and back.format == BASELINE_FORMAT
    assert back.rows["task_args"].tolist() == ['{"n": 40}', '{"n": 40}']
    assert back.rows["value"].tolist() == [0.6, 0.1] and math.isnan(back.rows["ci_low"].iloc[1])
    assert back.rows["model_roles"].tolist() == ["{}", "{}"]
    frame = back.units[run]
    assert frame["correct"].iloc[0] == 1.0 and math.isnan(frame["correct"].iloc[1])
    assert frame["ok"].tolist() == [True, False]
    assert compare(back, headline)["status"].tolist() == ["ok", "no CI"]


def test_format_1_baseline_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "v1.json"
    rows = [{k: v for k, v in row("acc", 0.6, 0.5, 0.69, 100).items() if k in BASELINE_FIELDS}]
    path.write_text(json.dumps({"format": "twinbench-baseline/1", "log_dir": "x", "rows": rows}))
    back = read_baseline(path)
    assert back.format == "twinbench-baseline/1" and back.units == {} and back.rows["task_args"].tolist() == [None]
    current = pd.DataFrame([row("acc", 0.6, 0.5, 0.69, 100, task_args='{"n": 3}')])  # no args to check against
    result = compare(back, current).iloc[0]
    assert result["status"] == "ok" and result["note"] == NO_UNITS_BASELINE


def test_baseline_errors(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="not found"):
        read_baseline(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(BaselineError, match="not valid JSON"):
        read_baseline(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"rows": []}')
    with pytest.raises(BaselineError, match="expected format 'twinbench-baseline/2'"):
        read_baseline(tmp_path / "other.json")
    units = [{"benchmark": "b", "task": "t", "task_version": "1", "model": "m", "columns": ["unit"], "rows": [["a"]]}]
    (tmp_path / "units.json").write_text(json.dumps({"format": BASELINE_FORMAT, "rows": [row("a", 1, 1, 1, 1)],
                                                     "units": units}))  # fmt: skip
    with pytest.raises(BaselineError, match="units of b/t/1/m lack"):
        read_baseline(tmp_path / "units.json")


# -- end to end on toy runs ---------------------------------------------------------------------------------------


def test_planted_regression_fails_and_rerun_passes(registered, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "baseline.json"
    run_toy(tmp_path / "base", "model", doubling(lambda i: i % 10 != 0), n=40)  # 36/40 correct
    assert main(["regress", "--baseline", str(baseline), "--update", str(tmp_path / "base")]) == 0
    assert "item outcomes of 1 run(s)" in capsys.readouterr().out
    stored = read_baseline(baseline)
    assert len(stored.rows) == 2 and stored.rows["task_args"].iloc[0] == '{"n": 40, "version": 1}'
    units = stored.units[(*TOY_RUN, '{"n": 40, "version": 1}')]
    assert len(units) == 40 and units["correct"].sum() == 36 and units["unit"].iloc[0] == "q0#1"

    run_toy(tmp_path / "rerun", "model", doubling(lambda i: i % 10 != 0), n=40)  # the same behaviour again
    assert main(["regress", "--baseline", str(baseline), "--resamples", "200", str(tmp_path / "rerun")]) == 0
    out = capsys.readouterr().out
    assert "paired randomisation (0/40 clusters differ)  1  1" in out
    assert "0 failure(s) at alpha=0.05" in out

    # 7 of the 36 right answers turn wrong (exactly 2^7 swap patterns): p = 2 / 128 = 0.0156, Holm x2 = 0.03125.
    run_toy(tmp_path / "slip", "model", doubling(lambda i: i % 10 != 0 and i not in (1, 2, 3, 4, 5, 6, 7)), n=40)
    assert main(["regress", "--baseline", str(baseline), "--resamples", "200", str(tmp_path / "slip")]) == 1
    out = capsys.readouterr().out
    assert "paired randomisation (7/40 clusters differ)  0.0156  0.0312" in out
    assert "1 failure(s) at alpha=0.05: 1 REGRESSION" in out

    run_toy(tmp_path / "worse", "model", doubling(lambda i: i % 2 == 0, wrong="no idea"), n=40)  # 20/40, 20 invalid
    assert main(["regress", "--baseline", str(baseline), "--resamples", "200", str(tmp_path / "worse")]) == 1
    out = capsys.readouterr().out
    assert "2 failure(s) at alpha=0.05: 2 REGRESSION" in out
    report = build_report(tmp_path / "worse", registered)
    assert report.headline.set_index("metric").loc["correct", "value"] == 0.5


def test_other_task_args_missing_benchmark_and_format_1(registered, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "baseline.json"
    run_toy(tmp_path / "base", "model", doubling(lambda i: True), n=20)
    assert main(["regress", "--baseline", str(baseline), "--update", str(tmp_path / "base")]) == 0
    capsys.readouterr()

    run_toy(tmp_path / "small", "model", doubling(lambda i: True), n=10)  # the same model on other task args
    assert main(["regress", "--baseline", str(baseline), str(tmp_path / "small")]) == 1
    out = capsys.readouterr().out
    assert "task args differ (baseline -> run): n 20 -> 10" in out and "2 failure(s)" in out

    # The baseline covers a benchmark the run lacks: missing is a failure.
    document = json.loads(baseline.read_text())
    document["rows"].append({**document["rows"][0], "benchmark": "deference", "task": "deference", "metric": "dds"})
    baseline.write_text(json.dumps(document))
    run_toy(tmp_path / "again", "model", doubling(lambda i: True), n=20)
    assert main(["regress", "--baseline", str(baseline), "--resamples", "200", str(tmp_path / "again")]) == 1
    out = capsys.readouterr().out
    assert "1 failure(s) at alpha=0.05: 1 missing" in out

    # A format-1 file of the same rows is compared unpaired.
    v1 = {
        "format": "twinbench-baseline/1",
        "log_dir": "x",
        "rows": [{k: v for k, v in r.items() if k != "task_args"} for r in document["rows"][:2]],
    }
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    assert main(["regress", "--baseline", str(tmp_path / "v1.json"), str(tmp_path / "again")]) == 0
    assert NO_UNITS_BASELINE in capsys.readouterr().out


def test_a_failing_units_hook_costs_the_pairing_only(registered, tmp_path: Path) -> None:
    from dataclasses import replace

    from reports.regress import run_units

    run_toy(tmp_path / "logs", "model", doubling(lambda i: True))

    def broken(samples: pd.DataFrame) -> pd.DataFrame:
        raise ValueError("no parity\nsecond line")

    report = build_report(tmp_path / "logs", {"toy": replace(registered["toy"], units=broken)})
    units, problems = run_units(report)
    assert units == {} and problems == [
        'toy/toy_quiz v1 mock/model {"n": 10, "version": 1}: toy.units failed: ValueError: no parity'
    ]
    units, problems = run_units(build_report(tmp_path / "logs", registered))
    assert problems == [] and list(units) == [(*TOY_RUN, '{"n": 10, "version": 1}')]


def test_regress_usage_errors(registered, tmp_path: Path, capsys) -> None:
    assert main(["regress", "--baseline", str(tmp_path / "none.json"), str(tmp_path)]) == 2
    assert "baseline file not found" in capsys.readouterr().err
    run_toy(tmp_path / "logs", "model", doubling(lambda i: True))
    write_baseline(pd.DataFrame([row("acc", 0.6, 0.5, 0.69, 100)]), tmp_path / "other.json", "x")
    assert main(["regress", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "logs")]) == 2
    assert "no headline metric of the run matches the baseline" in capsys.readouterr().err
    assert main(["regress", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "nope")]) == 2
    assert main(["regress", "--alpha", "2", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "logs")]) == 2
    args = ["regress", "--resamples", "10", "--baseline", str(tmp_path / "other.json"), str(tmp_path / "logs")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--resamples 10: must be at least 100" in err and all(line.startswith("twinbench: error") for line in
                                                                 err.strip().splitlines())  # fmt: skip


def test_a_degenerate_run_fails_unless_the_baseline_run_was_degenerate_too(tmp_path: Path) -> None:
    """An 'improvement' of a run its benchmark flags (e.g. a judge saying "correct" to everything) is the procedure's:
    DEGENERATE, a failure. When the stored baseline run was flagged too, nothing changed: not a failure."""
    base = pd.DataFrame([row("dds", 15.0, 6.0, 23.0, 100, direction="zero", kind="mean")])
    flagged = pd.DataFrame([{**row("dds", 0.0, 0.0, 0.0, 100, direction="zero", kind="mean"),
                             "degenerate": 'says "correct" to every claim'}])  # fmt: skip
    result = compare(base, flagged).iloc[0]
    assert result["status"] == "DEGENERATE" and 'degenerate run: says "correct" to every claim' in result["note"]
    assert len(failures(compare(base, flagged))) == 1
    # the baseline file keeps the flag: a flagged run against a flagged baseline is no failure
    write_baseline(flagged, tmp_path / "b.json", "logs")
    again = compare(read_baseline(tmp_path / "b.json"), flagged).iloc[0]
    assert again["status"] == "degenerate as baseline"
    assert again["note"].endswith('degenerate run: says "correct" to every claim')
    assert "baseline run degenerate" not in again["note"]  # one note for both
    assert failures(compare(read_baseline(tmp_path / "b.json"), flagged)).empty
    # a flagged run the baseline does not have is new, with the reason as a note, not a failure
    other = pd.DataFrame([{**row("dds", 0.0, 0.0, 0.0, 100, direction="zero", kind="mean", model="gemma"),
                           "degenerate": 'says "correct" to every claim'}])  # fmt: skip
    new = compare(base, other).set_index("model").loc["gemma"]
    assert new["status"] == "new" and 'degenerate run: says "correct"' in new["note"]
    assert failures(compare(base, other)).loc[lambda t: t["model"] == "gemma"].empty
    # and an unflagged run against that baseline is compared as usual, with a note
    fine = pd.DataFrame([{**row("dds", 1.0, -2.0, 4.0, 100, direction="zero", kind="mean"), "degenerate": ""}])
    back = compare(read_baseline(tmp_path / "b.json"), fine).iloc[0]
    assert back["status"] not in ("DEGENERATE", "degenerate as baseline") and "baseline run degenerate" in back["note"]
