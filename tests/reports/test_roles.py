"""Model roles end to end, and the cross-run ``summarize_runs`` hook, on the toy benchmark (main model + ``opponent``
and ``judge`` roles): the run key, the report, the leaderboard and ``regress``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.model import GenerateConfig, ModelConfig

from reports.logs import KEY, canonical_model_roles, describe_run, read_log_dir, role_models, roles_label
from reports.regress import Baseline, compare, format_comparison, read_baseline, write_baseline
from reports.tables import ACROSS_COLUMNS, args_label, build_report, non_default_args
from reports.write import markdown_summary
from tests.reports.helpers import doubling, run_toy
from twinbench.cli import main

# -- the canonical form -----------------------------------------------------------------------------------------


def test_model_roles_canonical_form_and_labels() -> None:
    assert canonical_model_roles(None) == canonical_model_roles({}) == "{}"
    roles = {
        "opponent": ModelConfig(model="mock/o"),
        # connection settings and unrecorded (None) args are not part of the key
        "judge": ModelConfig(
            model="mock/j",
            config=GenerateConfig(temperature=0.5, max_connections=4),
            args={"text": "yes", "responder": None},
        ),
        "players": [ModelConfig(model="mock/b"), ModelConfig(model="mock/c")],
    }
    text = canonical_model_roles(roles)
    assert text == (
        '{"judge": {"args": {"text": "yes"}, "config": {"temperature": 0.5}, "model": "mock/j"}, '
        '"opponent": "mock/o", "players": ["mock/b", "mock/c"]}'
    )
    # The same from the plain dicts of a log's JSON, in another order.
    as_json = {k: [c.model_dump() for c in v] if isinstance(v, list) else v.model_dump() for k, v in roles.items()}
    assert canonical_model_roles(dict(reversed(as_json.items()))) == text
    assert role_models(text) == {"judge": "mock/j", "opponent": "mock/o", "players": ["mock/b", "mock/c"]}
    assert roles_label(text) == "judge=mock/j (temperature=0.5, text=yes); opponent=mock/o; players=mock/b,mock/c"
    assert roles_label("{}") == roles_label(None) == ""
    run = {"benchmark": "toy", "task": "toy_quiz", "task_version": "1", "model": "mock/a",
           "model_roles": '{"opponent": "mock/o"}', "task_args": '{"n": 10}'}  # fmt: skip
    assert describe_run(run) == 'toy/toy_quiz v1 mock/a [opponent=mock/o] {"n": 10}'


def test_non_default_task_args(registered) -> None:
    toy = registered["toy"]
    assert non_default_args(toy, "toy_quiz", '{"n": 10, "version": 1}') == {}
    assert args_label(toy, "toy_quiz", '{"n": 20, "version": 1}') == "n=20"
    assert args_label(None, "toy_quiz", '{"n": 10}') == "n=10"  # no benchmark: every argument


# -- the run key ------------------------------------------------------------------------------------------------


def test_a_run_on_part_of_the_samples_is_another_run_and_says_so(registered, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    main_model = doubling(lambda i: i % 2 == 0)
    run_toy(logs, "a", main_model)
    run_toy(logs, "a", main_model, limit=4)  # `--limit 4`: neither superseded by nor pooled with the full run
    report = build_report(logs, registered)
    assert report.problems == []
    runs = dict(zip(report.logs["task_args"], report.logs["samples"]))
    assert runs == {'{"--limit": 4, "n": 10, "version": 1}': 4, '{"n": 10, "version": 1}': 10}
    assert args_label(registered["toy"], "toy_quiz", '{"--limit": 4, "n": 10, "version": 1}') == "--limit=4"


def test_other_roles_or_task_args_are_other_runs(registered, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    main_model = doubling(lambda i: i % 2 == 0)  # right on q0, q2, q4, q6, q8
    run_toy(logs, "a", main_model)
    first = run_toy(logs, "a", main_model, roles={"opponent": ("o", doubling(lambda i: i < 3))})
    run_toy(logs, "a", main_model, roles={"opponent": ("p", "no idea")})
    run_toy(logs, "a", main_model, n=12)  # other task arguments
    rerun = run_toy(logs, "a", main_model, roles={"opponent": ("o", doubling(lambda i: i < 3))})  # the same run

    logset = read_log_dir(logs, registered)
    assert [(p.log, p.reason) for p in logset.problems] == [
        (
            str(first),
            (
                f"superseded by the newer log {rerun.name} of the same run "
                '(toy/toy_quiz v1 mock/a [opponent=mock/o] {"n": 10, "version": 1})'
            ),
        )
    ]
    assert list(logset.logs.columns[: len(KEY)]) == KEY
    runs = logset.logs[["model_roles", "task_args"]].to_records(index=False).tolist()
    assert sorted(runs) == [
        ('{"opponent": "mock/o"}', '{"n": 10, "version": 1}'),
        ('{"opponent": {"args": {"text": "no idea"}, "model": "mock/p"}}', '{"n": 10, "version": 1}'),
        ("{}", '{"n": 10, "version": 1}'),
        ("{}", '{"n": 12, "version": 1}'),
    ]

    report = build_report(logs, registered)
    assert len(report.headline) == 8  # 4 runs x 2 headline metrics, none pooled or dropped
    overall = report.summary[report.summary["group"] == "overall"]
    wins = overall[overall["metric"] == "win"].set_index("model_roles")["value"]
    assert wins.to_dict() == {'{"opponent": "mock/o"}': 0.3,  # q4, q6, q8 (mock/o is right on q0-q2)
                              '{"opponent": {"args": {"text": "no idea"}, "model": "mock/p"}}': 0.5}  # fmt: skip
    across = report.across_runs
    assert list(across.columns) == ACROSS_COLUMNS
    assert across[["scope", "group", "value", "n"]].to_records(index=False).tolist() == [
        ("toy_quiz v1 n=10: 2 run(s) with an opponent", "mock/a vs mock/o", 0.3, 10),
        ("toy_quiz v1 n=10: 2 run(s) with an opponent", "mock/a vs mock/p", 0.5, 10),
        ("toy_quiz v1 n=10: 2 run(s) with an opponent", "mock/a vs all (2)", 0.4, 20),
    ]
    md = markdown_summary(report)
    assert "| task | version | model | roles | task args | metric | value | 95% CI | n | log |" in md
    assert "| toy_quiz | 1 | mock/a | opponent=mock/o | – | Accuracy | 0.500 | [0.237, 0.763] | 10 |" in md
    assert "| toy_quiz | 1 | mock/a | – | n=12 | Accuracy | 0.500 | [0.254, 0.746] | 12 |" in md


def test_a_failing_summarize_runs_is_reported_not_fatal(registered, tmp_path: Path) -> None:
    from dataclasses import replace

    run_toy(tmp_path / "logs", "a", doubling(lambda i: True), roles={"opponent": ("o", "0")})

    def broken(samples: pd.DataFrame) -> pd.DataFrame:
        raise KeyError("no such role")

    def no_scope(samples: pd.DataFrame) -> pd.DataFrame:
        return registered["toy"].summarize_runs(samples).drop(columns="scope")

    for hook, reason in [(broken, "toy.summarize_runs failed: KeyError: 'no such role'"),
                         (no_scope, "toy.summarize_runs failed: ValueError: summarize_runs() returned no column(s) "
                                    "['scope']")]:  # fmt: skip
        report = build_report(tmp_path / "logs", {"toy": replace(registered["toy"], summarize_runs=hook)})
        assert report.across_runs.empty and len(report.headline) == 2
        assert [(p.log, p.reason) for p in report.problems] == [("benchmark toy", reason)]
    # nothing to compare (recon with one run): a table without rows needs no columns and is no problem
    report = build_report(
        tmp_path / "logs", {"toy": replace(registered["toy"], summarize_runs=lambda s: pd.DataFrame())}
    )
    assert report.across_runs.empty and report.problems == []


# -- end to end: twinbench run --model-role, report, leaderboard, regress -----------------------------------------

OPPONENT_O = 'opponent={model: mock/o, model_args: {text: "0"}}'  # right on q0 only, as the main model
JUDGE = 'judge={model: mock/j, model_args: {text: "yes"}}'  # every numeric answer is "right"


def twinbench_run(log_dir: Path, *roles: str) -> None:
    argv = ["run", "toy", "--model", "mock/a", "-M", "text=0", "--log-dir", str(log_dir), "--display", "none"]
    for role in roles:
        argv += ["--model-role", role]
    assert main(argv) == 0


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body cell of a table, tags stripped."""
    body = re.search(rf'<table class="sortable" id="{table_id}">.*?<tbody>(.*?)</tbody>', html).group(1)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]  # fmt: skip


def comparison(out: str) -> dict[tuple[str, str], list[str]]:
    """regress's table by (roles, metric): the cells of each line (columns are 2+ spaces apart)."""
    lines = [re.split(r"\s{2,}", line) for line in out.splitlines() if line.startswith("toy ")]
    return {(line[3], line[4]): line for line in lines}


def test_two_role_toy_through_the_cli(registered, tmp_path: Path, capsys) -> None:
    logs = tmp_path / "logs"
    twinbench_run(logs / "o", OPPONENT_O)
    twinbench_run(logs / "p", "opponent=mock/p")  # mock/p says "mock output": never a number
    twinbench_run(logs / "pj", "opponent=mock/p", JUDGE)  # two roles
    out = capsys.readouterr().out
    assert "twinbench: running toy on mock/a with roles opponent=mock/o; logs ->" in out
    assert "  toy_quiz [mock/a; opponent=mock/o (text=0)]: success ->" in out
    assert "  toy_quiz [mock/a; judge=mock/j (text=yes); opponent=mock/p]: success ->" in out

    # The report: a roles column, a row per run, and the across-runs table.
    assert main(["report", str(logs), "-o", str(tmp_path / "report")]) == 0
    md = capsys.readouterr().out
    assert "| task | version | model | roles | metric | value | 95% CI | n | log |" in md
    for line in [
        "| toy_quiz | 1 | mock/a | judge=mock/j (text=yes); opponent=mock/p | Accuracy | 1.000 | [0.722, 1.000] | 10 |",
        "| toy_quiz | 1 | mock/a | opponent=mock/p | Accuracy | 0.100 | [0.018, 0.404] | 10 |",
        "| toy_quiz | 1 | mock/a | opponent=mock/o (text=0) | Accuracy | 0.100 | [0.018, 0.404] | 10 |",
        "### Across runs",
        "| scope | group | metric | value | 95% CI | n |",
        "| toy_quiz v1 n=10: 2 run(s) with an opponent | mock/a vs mock/o | win_rate | 0.000 | [0.000, 0.278] | 10 |",
        "| toy_quiz v1 n=10: 2 run(s) with an opponent | mock/a vs mock/p | win_rate | 0.100 | [0.018, 0.404] | 10 |",
        "| toy_quiz v1 n=10: 2 run(s) with an opponent | mock/a vs all (2) | win_rate | 0.050 | [0.009, 0.236] | 20 |",
        "| toy_quiz v1 n=10 judge=mock/j: 1 run(s) with an opponent | mock/a vs mock/p | win_rate | 1.000 | "
        "[0.722, 1.000] | 10 |",
        "| toy_quiz v1 n=10 judge=mock/j: 1 run(s) with an opponent | mock/a vs all (1) | win_rate | 1.000 | "
        "[0.722, 1.000] | 10 |",
    ]:
        assert line in md, line
    headline = pd.read_csv(tmp_path / "report" / "headline.csv")
    assert sorted(set(headline["model_roles"])) == [
        '{"judge": {"args": {"text": "yes"}, "model": "mock/j"}, "opponent": "mock/p"}',
        '{"opponent": "mock/p"}',
        '{"opponent": {"args": {"text": "0"}, "model": "mock/o"}}',
    ]
    across = pd.read_csv(tmp_path / "report" / "across_runs.csv")
    assert len(across) == 5 and list(across.columns[:3]) == ["benchmark", "scope", "group"]

    # The leaderboard: each run's row shows its roles; ranks compare only runs with the same roles; the benchmark
    # page has the across-runs table.
    site = tmp_path / "site"
    assert main(["leaderboard", str(logs), "-o", str(site)]) == 0
    index = (site / "index.html").read_text()
    rows = cells(index, "headline-toy")
    assert [r[0] for r in rows] == [
        "mock/a judge=mock/j (text=yes); opponent=mock/p",
        "mock/a opponent=mock/p",
        "mock/a opponent=mock/o (text=0)",
    ]
    assert [r[3].split(" ")[0] for r in rows] == ["1.000", "0.100", "0.100"]
    assert [r[4] for r in rows] == ["1", "1", "1"]  # three different role sets: nobody is ranked against another
    assert '<span class="note roles">opponent=mock/p</span>' in index
    assert 'href="benchmarks/toy.html#across-runs"' in index
    page = (site / "benchmarks" / "toy.html").read_text()
    assert '<h2 id="across-runs">Across runs</h2>' in page
    plain = "toy_quiz v1 n=10: 2 run(s) with an opponent"
    judged = "toy_quiz v1 n=10 judge=mock/j: 1 run(s) with an opponent"
    assert cells(page, "across-toy") == [
        [plain, "mock/a vs mock/o", "win_rate", "0.000", "[0.000, 0.278]", "10"],
        [plain, "mock/a vs mock/p", "win_rate", "0.100", "[0.018, 0.404]", "10"],
        [plain, "mock/a vs all (2)", "win_rate", "0.050", "[0.009, 0.236]", "20"],
        [judged, "mock/a vs mock/p", "win_rate", "1.000", "[0.722, 1.000]", "10"],
        [judged, "mock/a vs all (1)", "win_rate", "1.000", "[0.722, 1.000]", "10"],
    ]
    capsys.readouterr()

    # regress: the baseline stores each run's roles; a run matches only the baseline rows of its own roles.
    baseline = tmp_path / "baseline.json"
    assert main(["regress", "--baseline", str(baseline), "--update", str(logs)]) == 0
    assert "(6 headline metrics, item outcomes of 3 run(s))" in capsys.readouterr().out
    document = json.loads(baseline.read_text())
    assert sorted(json.dumps(r["model_roles"], sort_keys=True) for r in document["rows"][::2]) == [
        '{"judge": {"args": {"text": "yes"}, "model": "mock/j"}, "opponent": "mock/p"}',
        '{"opponent": "mock/p"}',
        '{"opponent": {"args": {"text": "0"}, "model": "mock/o"}}',
    ]
    assert [u["model_roles"] for u in document["units"]][1] == {"opponent": "mock/p"}

    again = tmp_path / "again"
    twinbench_run(again / "p", "opponent=mock/p")  # the same run as the baseline's second
    twinbench_run(again / "q", "opponent=mock/q")  # another opponent: another run
    capsys.readouterr()
    assert main(["regress", "--baseline", str(baseline), "--resamples", "200", str(again)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:5] == ["benchmark", "task", "model", "roles", "metric"]
    table = comparison(out)
    row = table[("opponent=mock/p", "correct")]
    assert "ok" in row and "REGRESSION" not in row  # status; the last column is now the near-bound note
    assert table[("opponent=mock/p", "correct")][9] == "paired randomisation (0/10 clusters differ)"
    assert [table[("opponent=mock/q", m)][-1] for m in ("correct", "invalid")] == ["new", "new"]
    for roles in ("opponent=mock/o (text=0)", "judge=mock/j (text=yes); opponent=mock/p"):
        assert [table[(roles, m)][-2:] for m in ("correct", "invalid")] == [["missing", "not in the run"]] * 2
    assert "4 failure(s) at alpha=0.05: 4 missing" in out


# -- regress matching on scripted rows --------------------------------------------------------------------------


def headline_row(metric: str, value: float, *, roles: str = "{}", version: str = "1", args: str = '{"n": 10}'
                 ) -> dict[str, object]:  # fmt: skip
    return {"benchmark": "b", "task": "t", "task_version": version, "model": "m", "model_roles": roles,
            "metric": metric, "direction": "higher", "kind": "proportion", "value": value, "ci_low": value - 0.1,
            "ci_high": value + 0.1, "n": 100, "task_args": args}  # fmt: skip


def statuses(table: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(roles, metric, the run's version or "–" when the run lacks the row, status), sorted."""
    versions = ["–" if pd.isna(v) else str(v) for v in table["version"]]
    return sorted(zip(table["model_roles"], table["metric"], versions, table["status"]))


def test_regress_matches_rows_by_model_roles() -> None:
    o, p = '{"opponent": "mock/o"}', '{"opponent": "mock/p"}'
    base = pd.DataFrame([headline_row("acc", 0.5), headline_row("acc", 0.5, roles=o)])
    current = pd.DataFrame([headline_row("acc", 0.5), headline_row("acc", 0.5, roles=p)])
    assert statuses(compare(base, current)) == [
        (o, "acc", "–", "missing"),
        (p, "acc", "1", "new"),
        ("{}", "acc", "1", "ok"),
    ]
    out = format_comparison(compare(base, current), 0.05)
    assert out.splitlines()[0].split()[:4] == ["benchmark", "task", "model", "roles"]
    assert "opponent=mock/o" in out and "1 failure(s) at alpha=0.05: 1 missing" in out
    # Without roles anywhere the table has no roles column.
    plain = format_comparison(compare(base.iloc[:1], current.iloc[:1]), 0.05)
    assert plain.splitlines()[0].split()[:4] == ["benchmark", "task", "model", "metric"]


def test_regress_pairs_each_baseline_row_with_its_own_run() -> None:
    # The run directory holds the baseline's run (v1, n=10) and others (v2; n=20): the baseline row pairs with its
    # own run and the others are new, not version mismatches or task-argument failures.
    base = pd.DataFrame([headline_row("acc", 0.5)])
    current = pd.DataFrame([headline_row("acc", 0.9, version="2"), headline_row("acc", 0.5, args='{"n": 20}'),
                            headline_row("acc", 0.5)])  # fmt: skip
    table = compare(base, current)
    assert sorted(zip(table["version"], table["task_args"], table["status"])) == [
        ("1", '{"n": 10}', "ok"),
        ("1", '{"n": 20}', "new"),
        ("2", '{"n": 10}', "new"),
    ]
    # Without its own run, the row pairs with the run of the same version: task args differ.
    table = compare(base, current.iloc[:2])
    assert sorted(zip(table["version"], table["status"])) == [("1", "task args differ"), ("2", "new")]
    assert compare(base, current.iloc[:1])["status"].tolist() == ["version mismatch"]


def test_baseline_model_roles_default_to_none(tmp_path: Path) -> None:
    # A format-2 file written before model roles were stored: rows and units without model_roles, units without
    # task_args. Its rows are runs without roles, its units those of the rows' run.
    rows = [{k: v for k, v in headline_row("acc", 0.5).items() if k != "model_roles"}]
    rows[0]["task_args"] = {"n": 10}
    units = [{"benchmark": "b", "task": "t", "task_version": "1", "model": "m", "columns": ["unit", "cluster",
              "stratum", "x"], "rows": [["a", "a", "", 1.0]]}]  # fmt: skip
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "twinbench-baseline/2", "rows": rows, "units": units}))
    back = read_baseline(path)
    assert back.rows["model_roles"].tolist() == ["{}"] and back.rows["task_args"].tolist() == ['{"n": 10}']
    assert list(back.units) == [("b", "t", "1", "m", "{}", '{"n": 10}')]
    # Round trip with roles: stored as an object, read back canonical.
    roles = '{"judge": {"args": {"text": "yes"}, "model": "mock/j"}, "opponent": "mock/o"}'
    headline = pd.DataFrame([headline_row("acc", 0.5, roles=roles)])
    run = ("b", "t", "1", "m", roles, '{"n": 10}')
    write_baseline(headline, tmp_path / "new.json", "x", units={run: back.units[list(back.units)[0]]})
    document = json.loads((tmp_path / "new.json").read_text())
    assert document["rows"][0]["model_roles"] == {"judge": {"args": {"text": "yes"}, "model": "mock/j"},
                                                  "opponent": "mock/o"}  # fmt: skip
    assert document["units"][0]["model_roles"] == document["rows"][0]["model_roles"]
    again = read_baseline(tmp_path / "new.json")
    assert again.rows["model_roles"].tolist() == [roles] and list(again.units) == [run]
    assert isinstance(again, Baseline) and compare(again, headline)["status"].tolist() == ["ok"]


@pytest.mark.parametrize("value", [None, "", "{}", {}])
def test_no_roles_is_one_value(value: object, tmp_path: Path) -> None:
    row = {**headline_row("acc", 0.5), "model_roles": value, "task_args": {"n": 10}}
    (tmp_path / "b.json").write_text(json.dumps({"format": "twinbench-baseline/2", "rows": [row]}))
    assert read_baseline(tmp_path / "b.json").rows["model_roles"].tolist() == ["{}"]
