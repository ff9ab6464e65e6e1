"""Compare a run's headline metrics with a stored baseline, with a statistical tolerance.

The test, per headline metric matched by (benchmark, task, model, metric):

* ``kind="proportion"``: a two-sided two-proportion z-test with pooled variance (statsmodels
  ``proportions_ztest``) on the counts ``k = value * n`` of the baseline and the current run. When ``value * n``
  is not a whole number (the benchmark's proportion is not a plain count over n) it falls back to the CI test below.
* ``kind="mean"``: a two-sided z-test on the difference, with standard errors recovered from the 95% CIs,
  ``SE = (ci_high - ci_low) / (2 * 1.959964)``, ``z = (current - baseline) / sqrt(SE_b^2 + SE_c^2)``.
  (This assumes the CI is a symmetric normal-approximation interval; for other intervals it is an approximation.)
* The p-values of all compared metrics are Holm-corrected together (statsmodels ``multipletests``,
  ``method="holm"``) and compared with ``alpha`` (default 0.05).

A **regression** is a significant change (Holm-adjusted p < alpha) in the bad direction: down for
``higher``-is-better, up for ``lower``, and a larger absolute value for ``zero`` (closer to 0 is better). A
significant change in the good direction is an ``improvement``. Rows whose task version differs from the
baseline's are reported as ``version mismatch`` and not compared; metrics only in the baseline are ``missing``,
only in the run ``new``; a mean without a CI cannot be tested (``no CI``).

The baseline file is JSON: ``{"format": "twinbench-baseline/1", "log_dir": ..., "rows": [{benchmark, task,
task_version, model, metric, direction, kind, value, ci_low, ci_high, n}, ...]}``.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

BASELINE_FORMAT = "twinbench-baseline/1"
BASELINE_FIELDS = ["benchmark", "task", "task_version", "model", "metric", "direction", "kind", "value", "ci_low",
                   "ci_high", "n"]
MATCH = ["benchmark", "task", "model", "metric"]
Z95 = float(norm.ppf(0.975))  # 1.959964...


class BaselineError(ValueError):
    pass


# -- baseline file ------------------------------------------------------------------------------------------


def baseline_frame(headline: pd.DataFrame) -> pd.DataFrame:
    rows = headline[BASELINE_FIELDS].copy()
    rows["task_version"] = rows["task_version"].astype(str)
    return rows.reset_index(drop=True)


def write_baseline(headline: pd.DataFrame, path: str | Path, log_dir: str) -> int:
    rows = []
    for r in baseline_frame(headline).to_dict("records"):
        rows.append({k: _json_number(v) for k, v in r.items()})
    document = {
        "format": BASELINE_FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "log_dir": log_dir,
        "rows": rows,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(rows)


def _json_number(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def read_baseline(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise BaselineError(f"baseline file not found: {path} (create it with --update)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as ex:
        raise BaselineError(f"baseline file {path} is not valid JSON: {ex}") from None
    if not isinstance(document, dict) or document.get("format") != BASELINE_FORMAT:
        raise BaselineError(f"baseline file {path}: expected format {BASELINE_FORMAT!r}")
    rows = pd.DataFrame(document.get("rows", []))
    missing = [c for c in BASELINE_FIELDS if c not in rows.columns]
    if missing:
        raise BaselineError(f"baseline file {path}: rows lack field(s) {missing}")
    rows["task_version"] = rows["task_version"].astype(str)
    for column in ("value", "ci_low", "ci_high"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    return rows[BASELINE_FIELDS]


# -- tests --------------------------------------------------------------------------------------------------


def whole_count(value: float, n: int) -> int | None:
    """``value * n`` as an int when it is one (up to float error), else None."""
    k = value * n
    return int(round(k)) if abs(k - round(k)) < 1e-6 else None


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


def ci_z_test(value_b: float, low_b: float, high_b: float, value_c: float, low_c: float, high_c: float
              ) -> tuple[float, float] | None:
    """Two-sided z-test of the difference with SEs from the 95% CIs -> (z, p); None without CIs."""
    if any(math.isnan(v) for v in (low_b, high_b, low_c, high_c)):
        return None
    se = math.hypot((high_b - low_b) / (2 * Z95), (high_c - low_c) / (2 * Z95))
    diff = value_c - value_b
    if se == 0.0:
        return (0.0, 1.0) if diff == 0.0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / se
    return z, float(2 * norm.sf(abs(z)))


def worse(direction: str, baseline: float, current: float) -> bool:
    if direction == "higher":
        return current < baseline
    if direction == "lower":
        return current > baseline
    if direction == "zero":
        return abs(current) > abs(baseline)
    raise ValueError(f"unknown direction {direction!r}")


# -- comparison ---------------------------------------------------------------------------------------------


def compare(baseline: pd.DataFrame, current: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per metric in either table, with the test, p-values and a status (see the module docstring)."""
    current = baseline_frame(current) if not current.empty else pd.DataFrame(columns=BASELINE_FIELDS)
    merged = baseline.merge(current, on=MATCH, how="outer", suffixes=("_base", ""), indicator=True)
    rows = []
    for r in merged.to_dict("records"):
        row = {k: r[k] for k in MATCH}
        row.update(
            base_version=r["task_version_base"], version=r["task_version"], direction=r["direction"]
            if isinstance(r["direction"], str) else r["direction_base"], kind=r["kind"]
            if isinstance(r["kind"], str) else r["kind_base"],
            base_value=r["value_base"], value=r["value"], base_n=r["n_base"], n=r["n"],
            base_ci=(r["ci_low_base"], r["ci_high_base"]), ci=(r["ci_low"], r["ci_high"]),
            test="", z=math.nan, p=math.nan, p_holm=math.nan, status="",
        )
        if r["_merge"] == "left_only":
            row["status"] = "missing"
        elif r["_merge"] == "right_only":
            row["status"] = "new"
        elif str(r["task_version_base"]) != str(r["task_version"]):
            row["status"] = "version mismatch"
        else:
            result = None
            if row["kind"] == "proportion" and not (pd.isna(r["n_base"]) or pd.isna(r["n"])):
                result = proportion_test(r["value_base"], int(r["n_base"]), r["value"], int(r["n"]))
                row["test"] = "two-proportion z"
            if result is None:
                result = ci_z_test(r["value_base"], r["ci_low_base"], r["ci_high_base"], r["value"], r["ci_low"],
                                   r["ci_high"])
                row["test"] = "z from 95% CIs"
            if result is None:
                row["status"], row["test"] = "no CI", ""
            else:
                row["z"], row["p"] = result
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    tested = table["p"].notna()
    if tested.any():
        reject, adjusted, _, _ = multipletests(table.loc[tested, "p"].to_numpy(), alpha=alpha, method="holm")
        table.loc[tested, "p_holm"] = adjusted
        for index, significant in zip(table.index[tested], reject):
            r = table.loc[index]
            if not significant:
                table.loc[index, "status"] = "ok"
            else:
                bad = worse(r["direction"], r["base_value"], r["value"])
                table.loc[index, "status"] = "REGRESSION" if bad else "improvement"
    return table.sort_values(MATCH).reset_index(drop=True)


def regressions(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] == "REGRESSION"] if not table.empty else table


def format_comparison(table: pd.DataFrame, alpha: float) -> str:
    if table.empty:
        return "no headline metrics in the baseline or the run"

    def num(v: object, digits: int = 3) -> str:
        return "–" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"

    def pval(v: object) -> str:
        return "–" if isinstance(v, float) and math.isnan(v) else f"{v:.3g}"

    header = ["benchmark", "task", "model", "metric", "version", "baseline", "current", "change", "test",
              "p", "p (Holm)", "status"]
    lines = []
    for r in table.to_dict("records"):
        version = str(r["version"]) if str(r["base_version"]) in ("nan", str(r["version"])) else (
            f"{r['base_version']}->{r['version']}")
        change = (r["value"] - r["base_value"]) if not (pd.isna(r["value"]) or pd.isna(r["base_value"])) else math.nan
        lines.append([
            r["benchmark"], r["task"], r["model"], r["metric"], version.replace("nan", "–"),
            f"{num(r['base_value'])} (n={num(r['base_n'], 0)})", f"{num(r['value'])} (n={num(r['n'], 0)})",
            ("+" if change > 0 else "") + num(change), r["test"] or "–", pval(r["p"]), pval(r["p_holm"]),
            r["status"],
        ])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths))]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)) for line in lines]
    count = len(regressions(table))
    out.append(
        f"{count} significant regression(s) at alpha={alpha} (Holm-corrected over {int(table['p'].notna().sum())} "
        "tested metrics)"
    )
    return "\n".join(out)
