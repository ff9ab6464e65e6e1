"""Compare a run's headline metrics with a stored baseline, with a statistical tolerance.

Rows are matched by (benchmark, task, model, model roles, metric): a baseline row of a run with ``--model-role``
bindings matches only a run with the same roles (a run against other roles is a different run, so the baseline's
row is ``missing`` and the run's ``new``). Among the matching rows each baseline row takes the run's row of the
same task version and task arguments when there is one, else one of the others (then ``version mismatch`` or
``task args differ``); the run's rows left over are ``new``. A matched row is compared only when the run has the
baseline's task version and task arguments; the test is then, per run:

* **paired** (the baseline stores the run's item-level outcomes and the benchmark has the registry's units hooks):
  :func:`scorers.stats.paired.paired_difference_test` over the units both runs share. The p-value comes from a
  paired randomisation test (each cluster's baseline and current outcomes swapped at random; exact under "a rerun
  of the same system", identical outcomes give p = 1), the CI and SE from a stratified cluster bootstrap with the
  same draw for both runs.
* **unpaired** fallback (a format-1 baseline, or a benchmark without the hooks): a pooled two-proportion z-test
  for ``kind="proportion"`` when ``value * n`` are whole counts, else a z-test with SEs from the CIs (at the suite's
  level, ``scorers.stats.settings.CONFIDENCE``: 95%), ``SE = (ci_high - ci_low) / (2 * 1.959964)``.

Every metric is one test of its signed change, current - baseline; the p-values of all tested metrics are
Holm-corrected together (``scorers.stats.multiple_testing.holm``) and compared with ``alpha``. For ``zero``
metrics (closer to 0 is better) the signed change is at least as large as the change of |value| (|c - b| >=
||c| - |b||), so the one test catches both; the |value| change is estimated and tested too and decides the
status. Statuses:

* ``ok``: not significant. ``REGRESSION``: significant in the bad direction (down for ``higher``, up for
  ``lower``, |value| grew for ``zero``); ``improvement``: significant the other way.
* ``SIGN FLIP`` (``zero``): significant, and the value crossed 0, unless |value| also shrank significantly (its own
  p times the metric's Holm factor below alpha: then ``improvement``).
* ``task args differ``, ``version mismatch``: not compared (the runs measure different things); ``missing``: a
  baseline metric the run lacks (the run does not cover the baseline); ``new``: only in the run; ``no CI``: an
  unpaired mean without a CI cannot be tested.

A metric of a run its benchmark flags as degenerate (``degenerate`` column of the headline: constant verdicts,
mostly invalid answers) is ``DEGENERATE`` whatever its test says (its "improvement" would be the procedure's), or
``degenerate as baseline`` when the baseline's run was flagged too (the baseline stores the flag).

Failures (:data:`FAILURES`): REGRESSION, SIGN FLIP, DEGENERATE, task args differ, version mismatch, missing;
``twinbench regress`` exits 1 on any. Each tested row also gets the minimal detectable change (MDC) at 80% power at
Holm's strictest level alpha / (number of tested metrics) (:func:`scorers.stats.paired.minimal_detectable_change`: for a
paired row corrected for the randomisation test over its clusters, for an unpaired row the z formula; an
approximation, whose measured power scorers/README.md gives), and a note when the baseline of a proportion sits at
its worst bound (it cannot regress) or near it: within the MDC of the bound, or (paired) with fewer units between it
and the bound than the randomisation test needs discordant clusters to reach alpha / m, so that a regression up to
the bound would not be significant.

Baseline file (JSON, format ``twinbench-baseline/2``): ``{"format", "created", "log_dir", "rows": [{benchmark,
task, task_version, model, model_roles, metric, direction, kind, value, ci_low, ci_high, n, task_args}, ...],
"units": [{benchmark, task, task_version, model, model_roles, task_args, "columns": [...], "rows": [[...], ...]},
...]}``; ``task_args`` is the run's task arguments from its inspect log, ``model_roles`` its model roles
(``{"role": "provider/model"}`` as in ``reports.logs``; ``null`` or absent for none), ``units`` the frame of the
benchmark's ``units`` hook per run, one row per line. A units entry without ``task_args`` (written before it was
stored) belongs to the rows of its run. Format ``twinbench-baseline/1`` files (no task arguments, no units) are
still read; their rows are compared unpaired and without the task-argument check.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.proportion import proportions_ztest

from reports.logs import KEY, NO_ROLES, describe_run, parse_json_text, roles_label
from reports.tables import contract_samples
from scorers.stats.multiple_testing import holm
from scorers.stats.paired import (
    UNIT_COLUMNS,
    min_discordant_clusters,
    minimal_detectable_change,
    paired_difference_test,
)
from scorers.stats.settings import ALPHA, CI_LABEL, CONFIDENCE, SEED
from twinbench.registry import Direction

BASELINE_FORMAT = "twinbench-baseline/2"
FORMAT_V1 = "twinbench-baseline/1"
BASELINE_FIELDS = [
    "benchmark",
    "task",
    "task_version",
    "model",
    "metric",
    "direction",
    "kind",
    "value",
    "ci_low",
    "ci_high",
    "n",
]
# format 2 adds the run's model roles and task arguments (canonical JSON; model_roles "{}" for none) and, when its
# benchmark flags the run, why it is degenerate ("" otherwise; absent in older files)
ROW_FIELDS = [*BASELINE_FIELDS, "model_roles", "task_args", "degenerate"]
RUN_KEY = tuple(KEY)  # (benchmark, task, task_version, model, model_roles, task_args): one run, and its units' key
MATCH = ["benchmark", "task", "model", "model_roles", "metric"]
Z_CI = float(norm.ppf(1 - (1 - CONFIDENCE) / 2))  # 1.959964... for 95% CIs
POWER = 0.8
FAILURES = ("REGRESSION", "SIGN FLIP", "DEGENERATE", "task args differ", "version mismatch", "missing")
NO_UNITS_BASELINE = "unpaired (baseline has no item outcomes)"
NO_UNITS_RUN = "unpaired (the run has no item outcomes)"
WORST_BOUND = "baseline at the worst bound; cannot regress"
NEAR_WORST_BOUND = "baseline near the worst bound; a regression up to it would not be detected"

RunKey = tuple[str | None, ...]  # RUN_KEY's values; task_args None where a baseline has none


class BaselineError(ValueError):
    pass


@dataclass
class Baseline:
    rows: pd.DataFrame  # ROW_FIELDS; task_args is None where the file has none (format 1)
    units: dict[RunKey, pd.DataFrame] = field(default_factory=dict)  # per run: the units hook's frame
    format: str = BASELINE_FORMAT


# -- baseline file ------------------------------------------------------------------------------------------


def baseline_frame(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table's baseline columns (task_args None where the table has none, model_roles "{}")."""
    rows = headline.reindex(columns=ROW_FIELDS).copy()
    return _normalise(rows).reset_index(drop=True)


def _normalise(rows: pd.DataFrame) -> pd.DataFrame:
    """task_version as text, task_args None where unknown, model_roles canonical JSON ("{}" for none)."""
    rows = rows.copy()
    rows["task_version"] = rows["task_version"].astype(str)
    rows["task_args"] = rows["task_args"].astype(object).where(rows["task_args"].notna(), None)
    roles = rows["model_roles"] if "model_roles" in rows else pd.Series([None] * len(rows), index=rows.index)
    rows["model_roles"] = [_canonical_roles(r) for r in roles]
    return rows


def _canonical_roles(value: object) -> str:
    """Model roles as stored (None/NaN, "", a dict, or canonical text) -> canonical JSON text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return NO_ROLES
    return _canonical(parse_json_text(value))


def run_units(report: Any) -> tuple[dict[RunKey, pd.DataFrame], list[str]]:
    """Item-level outcomes of every headline run whose benchmark has the ``units`` hook, and one line per run
    whose hook failed (that run is then compared unpaired)."""
    runs = set(map(tuple, report.headline[list(RUN_KEY)].astype(str).to_numpy().tolist()))
    found: dict[RunKey, pd.DataFrame] = {}
    problems: list[str] = []
    for key, group in report.samples.groupby(KEY, sort=True):
        key = tuple(str(k) for k in key)
        info = report.benchmarks.get(key[0])
        if key not in runs or info is None or info.units is None:
            continue
        try:
            frame = info.units(contract_samples(group))
            missing = [c for c in UNIT_COLUMNS if c not in frame.columns]
            if missing:
                raise ValueError(f"the frame lacks column(s) {missing}")
        except Exception as ex:  # a broken hook costs the pairing, not the comparison
            problems.append(f"{describe_run(dict(zip(RUN_KEY, key)))}: {info.name}.units failed: {_one_line(ex)}")
            continue
        found[key] = frame.reset_index(drop=True)
    return found, problems


def write_baseline(
    headline: pd.DataFrame, path: str | Path, log_dir: str, units: Mapping[RunKey, pd.DataFrame] | None = None
) -> int:
    """Write format 2: the headline rows with their model roles and task arguments, and the units of each headline
    run (under the same run key)."""
    frame_rows = baseline_frame(headline)
    runs = {tuple(None if r[k] is None else str(r[k]) for k in RUN_KEY) for r in frame_rows.to_dict("records")}
    rows = [{k: _json_value(v) for k, v in _stored_key(r).items()} for r in frame_rows.to_dict("records")]
    stored = []
    for key, frame in sorted((units or {}).items(), key=lambda kv: tuple(map(str, kv[0]))):
        if key in runs:
            stored.append(
                {
                    **_stored_key(dict(zip(RUN_KEY, key))),
                    "columns": [str(c) for c in frame.columns],
                    "rows": [[_json_value(v) for v in row] for row in frame.itertuples(index=False)],
                }
            )
    document = {
        "format": BASELINE_FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "log_dir": log_dir,
        "rows": rows,
        "units": stored,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dumps(document) + "\n", encoding="utf-8")
    return len(rows)


def _stored_key(record: Mapping[str, Any]) -> dict[str, Any]:
    """A row or run key as stored in the file: task_args and model_roles as JSON objects (None for no roles)."""
    out = dict(record)
    out["task_args"] = json.loads(out["task_args"]) if out.get("task_args") is not None else None
    roles = parse_json_text(out.get("model_roles"))
    out["model_roles"] = roles or None
    return out


def _dumps(document: dict) -> str:
    """Indented JSON, except that each unit row stays on one line (a run has hundreds)."""
    compact = {**document, "units": [{**u, "rows": f"@rows{i}@"} for i, u in enumerate(document["units"])]}
    text = json.dumps(compact, indent=2, ensure_ascii=False)
    for i, entry in enumerate(document["units"]):
        lines = ",\n        ".join(json.dumps(row, ensure_ascii=False) for row in entry["rows"])
        text = text.replace(f'"@rows{i}@"', f"[\n        {lines}\n      ]" if lines else "[]")
    return text


def _one_line(ex: BaseException) -> str:
    """An exception as one short line (errors and notes are printed one per line)."""
    text = str(ex).strip()
    return f"{type(ex).__name__}: {text.splitlines()[0][:200] if text else 'no message'}"


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def read_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    if not path.is_file():
        raise BaselineError(f"baseline file not found: {path} (create it with --update)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as ex:
        raise BaselineError(f"baseline file {path} is not valid JSON: {ex}") from None
    version = document.get("format") if isinstance(document, dict) else None
    if version not in (FORMAT_V1, BASELINE_FORMAT):
        raise BaselineError(f"baseline file {path}: expected format {BASELINE_FORMAT!r} (or {FORMAT_V1!r})")
    rows = pd.DataFrame(document.get("rows", []))
    missing = [c for c in BASELINE_FIELDS if c not in rows.columns]
    if missing:
        raise BaselineError(f"baseline file {path}: rows lack field(s) {missing}")
    rows["task_version"] = rows["task_version"].astype(str)
    for column in ("value", "ci_low", "ci_high"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    args = rows["task_args"] if "task_args" in rows else pd.Series([None] * len(rows), dtype=object)
    rows["task_args"] = [None if a is None or (isinstance(a, float) and math.isnan(a)) else _canonical(a)
                         for a in args]  # fmt: skip
    try:
        rows = _normalise(rows)
    except (TypeError, ValueError) as ex:
        raise BaselineError(f"baseline file {path}: malformed model_roles ({_one_line(ex)})") from None
    run_args: dict[tuple[str, ...], str | None] = {}  # (benchmark, task, version, model, roles) -> task_args
    for r in rows.to_dict("records"):
        run_args.setdefault(tuple(str(r[k]) for k in RUN_KEY[:-1]), r["task_args"])
    units = {}
    for entry in document.get("units", []) if version == BASELINE_FORMAT else []:
        try:
            head = (*(str(entry[k]) for k in RUN_KEY[:-2]), _canonical_roles(entry.get("model_roles")))
            stored_args = entry.get("task_args")
            key = (*head, _canonical(stored_args) if stored_args is not None else run_args.get(head))
            frame = pd.DataFrame(entry["rows"], columns=entry["columns"])
        except (KeyError, TypeError, ValueError) as ex:
            raise BaselineError(f"baseline file {path}: a units entry is malformed ({_one_line(ex)})") from None
        if not set(UNIT_COLUMNS) <= set(frame.columns):
            name = "/".join(head[:4]) + (f" [{roles_label(head[4])}]" if head[4] != NO_ROLES else "")
            raise BaselineError(f"baseline file {path}: units of {name} lack {list(UNIT_COLUMNS)}")
        units[key] = frame
    return Baseline(rows=rows.reindex(columns=ROW_FIELDS), units=units, format=version)


def _canonical(task_args: object) -> str:
    """Task arguments as canonical JSON text (a stored object, or text written by reports.logs)."""
    value = json.loads(task_args) if isinstance(task_args, str) else task_args
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def describe_args_difference(base: str, current: str) -> str:
    """One line naming the task arguments that differ: ``items_per_domain 25 -> 10; mode unset -> "x"``."""
    b, c = json.loads(base), json.loads(current)
    unset = object()
    parts = []
    for key in sorted(set(b) | set(c)):
        old, new = b.get(key, unset), c.get(key, unset)
        if old != new:
            show = [("unset" if v is unset else json.dumps(v, sort_keys=True)) for v in (old, new)]
            parts.append(f"{key} {show[0]} -> {show[1]}")
    return "task args differ (baseline -> run): " + "; ".join(parts)


# -- unpaired tests (format-1 baselines, benchmarks without units) ------------------------------------------


def whole_count(value: float, n: int) -> int | None:
    """``value * n`` as an int when it is one (up to float error), else None."""
    k = value * n
    return round(k) if abs(k - round(k)) < 1e-6 else None


def proportion_test(value_b: float, n_b: int, value_c: float, n_c: int) -> tuple[float, float] | None:
    """Two-sided pooled two-proportion z-test -> (z, p); None when the values are not counts over n."""
    k_b, k_c = whole_count(value_b, n_b), whole_count(value_c, n_c)
    if k_b is None or k_c is None or n_b <= 0 or n_c <= 0:
        return None
    pooled = (k_b + k_c) / (n_b + n_c)
    if pooled in (0.0, 1.0):  # both all-0 or all-1: identical, the test statistic is 0/0
        return 0.0, 1.0
    z, p = proportions_ztest([k_c, k_b], [n_c, n_b], alternative="two-sided")
    return float(z), float(p)


def ci_z_test(
    value_b: float, low_b: float, high_b: float, value_c: float, low_c: float, high_c: float, *, magnitude: bool = False
) -> tuple[float, float] | None:
    """Two-sided z-test of the difference with SEs from the CIs -> (z, p); None without CIs.
    ``magnitude`` tests |value_c| - |value_b| (for closer-to-0 metrics) with the same SE."""
    se = ci_se(low_b, high_b, low_c, high_c)
    if math.isnan(se):
        return None
    diff = Direction.ZERO.change(value_b, value_c) if magnitude else value_c - value_b
    if se == 0.0:
        return (0.0, 1.0) if diff == 0.0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / se
    return z, float(2 * norm.sf(abs(z)))


def ci_se(low_b: float, high_b: float, low_c: float, high_c: float) -> float:
    """SE of a difference of two independent estimates with CIs at the suite's level (NaN without CIs)."""
    if any(v is None or math.isnan(v) for v in (low_b, high_b, low_c, high_c)):
        return math.nan
    return math.hypot((high_b - low_b) / (2 * Z_CI), (high_c - low_c) / (2 * Z_CI))


def unpaired_test(r: Mapping[str, Any]) -> dict[str, Any] | None:
    """The format-1 test of one matched row: test, estimate, SE, p of the signed change (and of the change of
    |value| for zero); None without CIs."""
    b, c, direction = r["base_value"], r["value"], Direction(r["direction"])
    signed: tuple[float, float] | None = None
    magnitude: tuple[float, float] | None = None
    if r["kind"] == "proportion" and not (pd.isna(r["base_n"]) or pd.isna(r["n"])):
        n_b, n_c = int(r["base_n"]), int(r["n"])
        signed = proportion_test(b, n_b, c, n_c)
        if signed is not None:
            pooled = (b * n_b + c * n_c) / (n_b + n_c)
            se, test = math.sqrt(pooled * (1 - pooled) * (1 / n_b + 1 / n_c)), "two-proportion z (unpaired)"
            magnitude = signed  # proportions are >= 0: |c| - |b| = c - b
    if signed is None:
        cis = (r["base_ci_low"], r["base_ci_high"], r["ci_low"], r["ci_high"])
        signed = ci_z_test(b, cis[0], cis[1], c, cis[2], cis[3])
        if signed is None:
            return None
        magnitude = ci_z_test(b, cis[0], cis[1], c, cis[2], cis[3], magnitude=True)
        se, test = ci_se(*cis), f"z from {CI_LABEL}s (unpaired)"
    return {
        "test": test,
        "estimate": direction.change(b, c),
        "se": se,
        "p": signed[1],
        "p_magnitude": magnitude[1] if direction is Direction.ZERO and magnitude is not None else math.nan,
        "change_low": c - b - Z_CI * se,
        "change_high": c - b + Z_CI * se,
        "base_shared": b,
        "current_shared": c,
    }


# -- comparison ---------------------------------------------------------------------------------------------


def compare(
    baseline: Baseline | pd.DataFrame,
    current: pd.DataFrame,
    alpha: float = ALPHA,
    *,
    units: Mapping[RunKey, pd.DataFrame] | None = None,
    benchmarks: Mapping[str, Any] | None = None,
    n_resamples: int = 2000,
    seed: int = SEED,
) -> pd.DataFrame:
    """One row per metric in either table: the test, p-values, MDC, status and note (see the module docstring).

    ``units`` are the current run's item-level outcomes by run key (:func:`run_units`); ``benchmarks`` gives each
    benchmark's ``headline_from_units``. Without either, or without units in the baseline, rows are unpaired.
    """
    if not isinstance(baseline, Baseline):
        baseline = Baseline(rows=baseline_frame(baseline), units={}, format=FORMAT_V1)
    base_rows = _normalise(baseline.rows.reindex(columns=ROW_FIELDS))
    current_rows = baseline_frame(current) if not current.empty else _normalise(pd.DataFrame(columns=ROW_FIELDS))
    merged = _pair(base_rows, current_rows)
    table = pd.DataFrame([_start_row(r) for r in merged.to_dict("records")])
    if table.empty:
        return table
    runs: dict[tuple[RunKey, RunKey], list[Any]] = {}
    for i in table.index[table["status"] == ""]:
        r = table.loc[i]
        head = (r["benchmark"], r["task"])
        base_key: RunKey = (*head, str(r["base_version"]), r["model"], r["model_roles"], r["base_task_args"])
        run_key: RunKey = (*head, str(r["version"]), r["model"], r["model_roles"], r["task_args"])
        runs.setdefault((base_key, run_key), []).append(i)
    for (base_run, run), index in sorted(runs.items(), key=lambda kv: str(kv[0])):
        _test_run(table, pd.Index(index), base_run, run, baseline, units or {}, benchmarks or {}, n_resamples,
                  seed, alpha)  # fmt: skip
    family = _holm(table, alpha)
    table["mdc"] = [_mdc(r, alpha, max(family, 1)) for r in table.to_dict("records")]
    _bound_notes(table, alpha, max(family, 1))
    _flag_degenerate(table, current_rows, base_rows)
    table.attrs.update(family_size=family, alpha=alpha)
    return table.sort_values(MATCH).reset_index(drop=True)


def _flag_degenerate(table: pd.DataFrame, current: pd.DataFrame, base: pd.DataFrame) -> None:
    """A metric of a run its benchmark flags as degenerate (the headline's ``degenerate`` column) is ``DEGENERATE``
    (a failure) when the baseline's run was not flagged, and ``degenerate as baseline`` (no failure: nothing changed
    that the metric could show) when it was too; a flagged baseline run gets a note."""

    def reasons(frame: pd.DataFrame) -> dict[tuple[str, ...], str]:
        if "degenerate" not in frame.columns:
            return {}
        return {
            tuple(str(r[c]) for c in MATCH): r["degenerate"]
            for r in frame.to_dict("records")
            if isinstance(r["degenerate"], str) and r["degenerate"]
        }

    now, before = reasons(current), reasons(base)
    for i in table.index:
        key = tuple(str(table.at[i, c]) for c in MATCH)
        if key in now and table.at[i, "status"] == "new":  # nothing to compare with: said, not failed
            _add_note(table, i, f"degenerate run: {now[key]}")
        elif key in now and table.at[i, "status"] != "missing":
            table.at[i, "status"] = "degenerate as baseline" if key in before else "DEGENERATE"
            _add_note(table, i, f"degenerate run: {now[key]}")
        elif key in before:
            _add_note(table, i, f"baseline run degenerate: {before[key]}")


def _pair(base: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Outer-join the baseline's rows with the run's on :data:`MATCH`, each row with at most one partner: a
    baseline row takes the run's row of the same task version and task arguments (unknown arguments match any),
    else the first left of the same version, else the first left. ``_merge`` says which side a row is from."""
    base = base.reset_index(drop=True).assign(_slot=-1)
    current = current.reset_index(drop=True).assign(_slot=-1)
    slot = 0
    candidates = {k: list(v) for k, v in current.groupby(MATCH, sort=False).groups.items()} if len(current) else {}
    for key, base_index in base.groupby(MATCH, sort=True).groups.items() if len(base) else []:
        free = sorted(candidates.get(key, []), key=lambda j: (current.at[j, "task_version"],
                                                              str(current.at[j, "task_args"])))  # fmt: skip
        left = []
        for i in sorted(base_index, key=lambda i: (base.at[i, "task_version"], str(base.at[i, "task_args"]))):
            same = [j for j in free if _same_run(base.loc[i], current.loc[j])]
            if same:
                base.at[i, "_slot"] = current.at[same[0], "_slot"] = slot
                slot += 1
                free.remove(same[0])
            else:
                left.append(i)
        for i in left:
            if not free:
                break
            version = [j for j in free if current.at[j, "task_version"] == base.at[i, "task_version"]]
            j = (version or free)[0]
            base.at[i, "_slot"] = current.at[j, "_slot"] = slot
            slot += 1
            free.remove(j)
    for frame in (base, current):  # rows without a partner: a slot of their own
        alone = frame.index[frame["_slot"] == -1]
        frame.loc[alone, "_slot"] = range(slot, slot + len(alone))
        slot += len(alone)
    return base.merge(current, on=[*MATCH, "_slot"], how="outer", suffixes=("_base", ""), indicator=True)


def _same_run(base: pd.Series, current: pd.Series) -> bool:
    """The same task version, and the same task arguments where both are known."""
    if str(base["task_version"]) != str(current["task_version"]):
        return False
    b, c = base["task_args"], current["task_args"]
    return not (isinstance(b, str) and isinstance(c, str)) or b == c


def _start_row(r: Mapping[str, Any]) -> dict[str, Any]:
    """A merged (baseline, run) row with its structural status: missing, new, version mismatch, task args
    differ, or "" when the row is to be tested."""

    def pick(name: str) -> str:  # the run's label, or the baseline's when the run lacks the row
        return r[name] if isinstance(r[name], str) else r[f"{name}_base"]

    row = {k: r[k] for k in MATCH}
    row.update(
        base_version=r["task_version_base"],
        version=r["task_version"],
        direction=pick("direction"),
        kind=pick("kind"),
        base_value=r["value_base"],
        value=r["value"],
        base_n=r["n_base"],
        n=r["n"],
        base_ci_low=r["ci_low_base"],
        base_ci_high=r["ci_high_base"],
        ci_low=r["ci_low"],
        ci_high=r["ci_high"],
        change=r["value"] - r["value_base"],
        change_low=math.nan,
        change_high=math.nan,
        estimate=math.nan,
        se=math.nan,
        test="",
        p=math.nan,
        p_holm=math.nan,
        p_magnitude=math.nan,
        mdc=math.nan,
        mdc_clusters=math.nan,
        mdc_stratum=math.nan,
        n_shared=math.nan,
        base_shared=math.nan,
        current_shared=math.nan,
        status="",
        note="",
        base_task_args=_none(r["task_args_base"]),
        task_args=_none(r["task_args"]),
    )
    base_args, args = r["task_args_base"], r["task_args"]
    if r["_merge"] == "left_only":
        row.update(status="missing", note="not in the run")
    elif r["_merge"] == "right_only":
        row.update(status="new")
    elif str(r["task_version_base"]) != str(r["task_version"]):
        row.update(status="version mismatch", note=f"task version {r['task_version_base']} in the baseline, "
                   f"{r['task_version']} in the run; remake the baseline with --update")  # fmt: skip
    elif isinstance(base_args, str) and isinstance(args, str) and base_args != args:
        row.update(status="task args differ", note=describe_args_difference(base_args, args))
    return row


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _test_run(
    table: pd.DataFrame,
    index: pd.Index,
    base_run: RunKey,
    run: RunKey,
    baseline: Baseline,
    units: Mapping[RunKey, pd.DataFrame],
    benchmarks: Mapping[str, Any],
    n_resamples: int,
    seed: int,
    alpha: float,
) -> None:
    """Test the matched metrics of one run: paired when both runs have units and the benchmark the hook.
    ``base_run`` and ``run`` are the baseline's and the run's keys (:data:`RUN_KEY`) of the units."""
    info = benchmarks.get(str(run[0]))
    hook = getattr(info, "headline_from_units", None)
    reason = (
        NO_UNITS_BASELINE
        if base_run not in baseline.units
        else NO_UNITS_RUN
        if run not in units or hook is None
        else ""
    )
    if not reason and hook is not None:
        metrics = {table.at[i, "metric"]: table.at[i, "direction"] for i in index}
        try:
            results = paired_difference_test(baseline.units[base_run], units[run], hook, metrics,
                                              n_resamples=n_resamples, seed=seed, alpha=alpha)  # fmt: skip
        except Exception as ex:  # a hook that cannot recompute a resample: fall back, and say why
            reason = f"unpaired (paired test failed: {_one_line(ex)})"
        else:
            for i in index:
                d = results[table.at[i, "metric"]]
                only = [f"{k} unit(s) only in the {w}" for k, w in ((d.n_only_base, "baseline"),
                                                                    (d.n_only_current, "run")) if k]  # fmt: skip
                values = {
                    "test": f"paired randomisation ({d.n_discordant}/{d.n_clusters} clusters differ)",
                    "estimate": d.estimate, "se": d.signed_se, "p": d.signed_p_value,
                    "p_magnitude": d.p_value if d.direction is Direction.ZERO else math.nan,
                    "change_low": d.signed_ci_low, "change_high": d.signed_ci_high, "n_shared": d.n_shared,
                    "base_shared": d.base, "current_shared": d.current,
                    "mdc_clusters": d.effective_clusters, "mdc_stratum": d.stratum_size,
                }  # fmt: skip
                for key, value in values.items():
                    table.at[i, key] = value
                _add_note(table, i, "; ".join(only))
            return
    for i in index:
        result = unpaired_test(table.loc[i])
        if result is None:
            table.loc[i, "status"] = "no CI"
        else:
            for key, value in result.items():
                table.at[i, key] = value
        _add_note(table, i, reason)


def _add_note(table: pd.DataFrame, i: Any, note: str) -> None:
    if note:
        table.at[i, "note"] = f"{table.at[i, 'note']}; {note}" if table.at[i, "note"] else note


def _holm(table: pd.DataFrame, alpha: float) -> int:
    """Holm over the tested rows' p-values (of the signed change); sets p_holm, the statuses (see the module
    docstring) and the notes. Returns the family size."""
    tested = table.index[table["p"].notna()]
    if len(tested) == 0:
        return 0
    _, adjusted = holm(table.loc[tested, "p"].to_numpy(dtype=float), alpha=alpha)
    table.loc[tested, "p_holm"] = adjusted
    for i in tested:
        r = table.loc[i]
        direction = Direction(r["direction"])
        flipped = direction is Direction.ZERO and r["base_shared"] * r["current_shared"] < 0
        if r["p_holm"] >= alpha:
            status = "ok"
        elif flipped:  # the |value| test at the level this metric's signed test passed
            factor = r["p_holm"] / r["p"] if r["p"] > 0 else len(tested)
            shrank = r["estimate"] < 0 and r["p_magnitude"] * factor < alpha
            status = "improvement" if shrank else "SIGN FLIP"
        else:
            status = "REGRESSION" if direction.is_better(r["base_shared"], r["current_shared"]) else "improvement"
        table.at[i, "status"] = status
        if flipped:
            _add_note(table, i, f"sign changed; p of the |value| change = {r['p_magnitude']:.3g}")
    return len(tested)


def _mdc(r: Mapping[str, Any], alpha: float, family: int) -> float:
    """A tested row's MDC: for the paired test over its clusters (``mdc_clusters`` known), else the z formula."""
    if math.isnan(r["se"]):
        return math.nan
    paired = not math.isnan(r["mdc_clusters"])
    return minimal_detectable_change(r["se"], alpha=alpha, family_size=family, power=POWER,
                                     n_clusters=r["mdc_clusters"] if paired else None,
                                     stratum_size=r["mdc_stratum"] if paired else None)  # fmt: skip


def _bound_notes(table: pd.DataFrame, alpha: float, family: int) -> None:
    """Note a tested proportion whose baseline is at its worst value in [0, 1] (WORST_BOUND) or near it
    (NEAR_WORST_BOUND): the room left, |worst - baseline|, is within the MDC, or (paired) holds fewer than
    min_discordant_clusters(alpha, family) units, so that even every remaining unit turning bad gives a
    randomisation p of at least 2 / 2^room > alpha / family. Either way a regression up to the bound would not be
    significant at Holm's strictest level."""
    for i in table.index[table["p"].notna() & (table["kind"] == "proportion")]:
        r = table.loc[i]
        direction = Direction(r["direction"])
        worst = direction.worst_in(0.0, 1.0)
        room = abs(float(direction.change(worst, r["base_value"])))
        if room <= 1e-9:
            _add_note(table, i, WORST_BOUND)
            continue
        units = room * r["base_n"] if not pd.isna(r["base_n"]) else math.inf
        within_mdc = not math.isnan(r["mdc"]) and room <= r["mdc"]
        too_few = r["test"].startswith("paired") and units < min_discordant_clusters(alpha, family) - 1e-9
        if within_mdc or too_few:
            why = (f"MDC {r['mdc']:.3g}" if within_mdc else
                   f"{units:.3g} unit(s); alpha/{family} needs {min_discordant_clusters(alpha, family)}")  # fmt: skip
            _add_note(table, i, f"{NEAR_WORST_BOUND} ({room:.3g} from {worst:g}; {why})")


def failures(table: pd.DataFrame) -> pd.DataFrame:
    """Rows whose status fails the check (:data:`FAILURES`)."""
    return table[table["status"].isin(FAILURES)] if not table.empty else table


def regressions(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] == "REGRESSION"] if not table.empty else table


def matched(table: pd.DataFrame) -> bool:
    """Whether any metric of the run matched the baseline (whatever its status)."""
    return not table.empty and bool((~table["status"].isin(["missing", "new"])).any())


def format_comparison(table: pd.DataFrame, alpha: float) -> str:
    if table.empty:
        return "no headline metrics in the baseline or the run"

    def num(v: object, digits: int = 3) -> str:
        return "–" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"

    def pval(v: object) -> str:
        return "–" if isinstance(v, float) and math.isnan(v) else f"{v:.3g}"

    roles = [roles_label(r) for r in table["model_roles"]] if "model_roles" in table else [""] * len(table)
    show_roles = any(roles)  # a column only when some run has model roles
    header = [
        "benchmark",
        "task",
        "model",
        *["roles"] * show_roles,
        "metric",
        "version",
        "baseline",
        "current",
        "change",
        "test",
        "p",
        "p (Holm)",
        "MDC",
        "status",
        "note",
    ]
    lines = []
    for r, role in zip(table.to_dict("records"), roles):
        versions = [str(v) for v in (r["base_version"], r["version"]) if not pd.isna(v)]
        version = "->".join(dict.fromkeys(versions))  # one version when they agree or one side is absent
        change = r["change"]
        lines.append(
            [
                r["benchmark"],
                r["task"],
                r["model"],
                *[role or "–"] * show_roles,
                r["metric"],
                version or "–",
                f"{num(r['base_value'])} (n={num(r['base_n'], 0)})",
                f"{num(r['value'])} (n={num(r['n'], 0)})",
                ("+" if change > 0 else "") + num(change),
                r["test"] or "–",
                pval(r["p"]),
                pval(r["p_holm"]),
                num(r["mdc"]),
                r["status"],
                r["note"],
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)).rstrip()]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in lines]
    family = int(table.attrs.get("family_size", table["p"].notna().sum()))
    if family:
        out.append(
            f"Holm over {family} tested metric(s); MDC: the change detected with {POWER:.0%} power at alpha/{family}."
        )
    if table["test"].str.startswith("paired").any():
        out.append(
            f"A paired randomisation p reaches alpha/{family} only when at least "
            f"{min_discordant_clusters(alpha, family)} clusters differ between the runs."
        )
    failed = failures(table)
    counts = ", ".join(f"{k} {s}" for s, k in failed["status"].value_counts().sort_index().items())
    out.append(
        f"{len(failed)} failure(s) at alpha={alpha}"
        + (f": {counts}" if counts else "")
        + f"; {len(regressions(table))} significant regression(s)"
    )
    return "\n".join(out)
