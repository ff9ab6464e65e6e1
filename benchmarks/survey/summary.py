"""The survey benchmark's headline table (registry ``summarize`` contract) and its per-item table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import bootstrap
from statsmodels.stats.proportion import proportion_confint

from benchmarks.survey.analysis import EFFECT_SIZES, decode_vector, unit_statistics
from scorers.stats.distances import distribution_distance, representativeness
from scorers.stats.multiple_testing import benjamini_hochberg

ALPHA = 0.05  # FDR level of the headline rejection share
CONFIDENCE = 0.95
N_RESAMPLES = 9999
SEED = 20250617


def _pooled_result(rows: pd.DataFrame) -> dict:
    """One model answer distribution per item across epochs: counts summed (samples), shares averaged (logprobs)."""
    scores = list(rows["score"])
    modes = {s["mode"] for s in scores}
    if modes == {"samples"}:
        counts = np.sum([decode_vector(s["model_counts"]) for s in scores], axis=0)
        options, invalid = counts[:-1], counts[-1]
        valid = options.sum()
        return {
            "mode": "samples",
            "option_counts": [int(c) for c in options],
            "invalid_count": int(invalid),
            "option_shares": list(options / valid) if valid else [0.0] * len(options),
            "invalid_share": float(invalid / counts.sum()),
            "calls": int(sum(s["calls"] for s in scores)),
        }
    # logprobs (or a mix): average the full distributions (options x valid mass, invalid)
    full = []
    for s in scores:
        inv = float(s["invalid_share"])
        full.append([*(np.asarray(decode_vector(s["model_shares"])) * (1 - inv)), inv])
    mean = np.mean(full, axis=0)
    options = mean[:-1]
    return {
        "mode": "logprobs" if modes == {"logprobs"} else "mixed",
        "option_shares": list(options / options.sum()) if options.sum() > 0 else [0.0] * len(options),
        "invalid_share": float(mean[-1]),
        "calls": int(sum(s["calls"] for s in scores)),
    }


def unit_table(samples: pd.DataFrame, *, alpha: float = ALPHA) -> pd.DataFrame:
    """One row per (question, sub-population) item, epochs pooled, with BH-adjusted p-values; worst first.

    Unconditioned items (sub-population "all") are included with ``conditioned=False`` and are not part of the
    BH family.
    """
    if samples.empty:
        raise ValueError("survey summarize: no samples")
    rows = []
    for sample_id, group in samples.groupby("sample_id", sort=True):
        meta = group["metadata"].iloc[0]
        first = group["score"].iloc[0]
        if len(group) == 1:
            value = dict(first)
            shares = decode_vector(first["model_shares"])
        else:
            pooled = _pooled_result(group)
            n_model = int(first["model_n"]) if pooled["mode"] != "samples" else 0
            value = unit_statistics(
                item_id=str(sample_id),
                human_test_counts=meta["test_counts"],
                human_shares=meta["human_shares"],
                n_eff=meta["n_eff"],
                ordinal=meta["ordinal"],
                result=pooled,
                n_model=n_model,
            )
            shares = pooled["option_shares"]
        rows.append(
            {
                "sample_id": sample_id,
                "source": meta["source"],
                "question_id": meta["question_id"],
                "subpop": meta["subpop"],
                "attribute": meta["attribute"],
                "conditioned": meta["subpop"] != "all",
                "ordinal": bool(meta["ordinal"]),
                "options": list(meta["options"]),
                "human_shares": list(meta["human_shares"]),
                "population_shares": list(meta["population_shares"]),
                "model_shares": list(shares),
                "invalid_share": float(value["invalid_share"]),
                "representativeness": float(value["representativeness"]),
                "p_value": np.nan if value.get("p_value") is None else float(value["p_value"]),
                "statistic": np.nan if value.get("statistic") is None else float(value["statistic"]),
                "test_method": value.get("test_method"),
                "cohens_w": np.nan if value.get("cohens_w") is None else float(value["cohens_w"]),
                "human_n": meta["n"],
                "human_n_eff": meta["n_eff"],
                "model_n": int(value["model_n"]),
                "mode": value["mode"],
                "calls": int(sum(s["calls"] for s in group["score"])),
                "epochs": len(group),
                **{f"n_required_w{w}": value.get(f"n_required_w{w}") for w in EFFECT_SIZES},
                **{f"n_required_two_sample_w{w}": value.get(f"n_required_two_sample_w{w}") for w in EFFECT_SIZES},
            }
        )
    table = pd.DataFrame(rows)
    table["p_adjusted"] = np.nan
    table["rejected"] = False
    family = table["conditioned"] & table["p_value"].notna()
    if family.any():
        reject, adjusted = benjamini_hochberg(table.loc[family, "p_value"].to_numpy(), alpha=alpha)
        table.loc[family, "p_adjusted"] = adjusted
        table.loc[family, "rejected"] = reject
    _add_steerability(table)
    return table.sort_values(["representativeness", "p_value", "sample_id"], na_position="last").reset_index(drop=True)


def _add_steerability(table: pd.DataFrame) -> None:
    """Per conditioned item: how far the persona moved the model (from its unconditioned answer), how far this
    sub-population really is from everyone, and how much the persona changed representativeness."""
    table["steer_model"] = np.nan
    table["steer_human"] = np.nan
    table["steer_gain"] = np.nan
    base = table[~table["conditioned"]].set_index("question_id")
    for i, row in table[table["conditioned"]].iterrows():
        if row["question_id"] not in base.index:
            continue
        unconditioned = base.loc[row["question_id"]]
        ordinal = row["ordinal"]
        model, model_base = np.asarray(row["model_shares"]), np.asarray(unconditioned["model_shares"])
        human = row["human_shares"]
        table.at[i, "steer_human"] = distribution_distance(human, row["population_shares"], ordinal=ordinal)
        if model.sum() > 0 and model_base.sum() > 0:
            table.at[i, "steer_model"] = distribution_distance(model, model_base, ordinal=ordinal)
        base_rep = representativeness(model_base, human, ordinal=ordinal) if model_base.sum() > 0 else 0.0
        table.at[i, "steer_gain"] = row["representativeness"] - base_rep


def _mean_ci(values) -> tuple[float, float, float, int]:
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, n
    if np.allclose(x, x[0]):
        return mean, mean, mean, n
    res = bootstrap(
        (x,), np.mean, confidence_level=CONFIDENCE, n_resamples=N_RESAMPLES, method="BCa",
        rng=np.random.default_rng(SEED),
    )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if math.isnan(low) or math.isnan(high):  # BCa can fail on very skewed data; percentile then
        res = bootstrap(
            (x,), np.mean, confidence_level=CONFIDENCE, n_resamples=N_RESAMPLES, method="percentile",
            rng=np.random.default_rng(SEED),
        )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return mean, low, high, n


def _ratio_ci(x, y) -> tuple[float, float, float, int]:
    """mean(x) / mean(y) over paired units, percentile bootstrap CI."""
    mask = ~(np.isnan(x) | np.isnan(y))
    x, y = np.asarray(x)[mask], np.asarray(y)[mask]
    n = int(x.size)
    if n == 0 or y.mean() == 0:
        return math.nan, math.nan, math.nan, n
    ratio = float(x.mean() / y.mean())
    if n < 2:
        return ratio, math.nan, math.nan, n
    res = bootstrap(
        (x, y), lambda a, b, axis=-1: np.mean(a, axis=axis) / np.mean(b, axis=axis), paired=True,
        confidence_level=CONFIDENCE, n_resamples=N_RESAMPLES, method="percentile", rng=np.random.default_rng(SEED),
    )
    return ratio, float(res.confidence_interval.low), float(res.confidence_interval.high), n


def _share_row(rejected: pd.Series, group: str, table: str) -> dict:
    n = int(rejected.size)
    k = int(rejected.sum())
    low, high = proportion_confint(k, n, alpha=1 - CONFIDENCE, method="wilson") if n else (math.nan, math.nan)
    return {
        "metric": "rejected_share", "value": k / n if n else math.nan, "ci_low": float(low), "ci_high": float(high),
        "n": n, "group": group, "table": table, "n_rejected": k, "ci_method": "wilson",
    }


def _mean_row(metric: str, values, group: str, table: str) -> dict:
    mean, low, high, n = _mean_ci(values)
    return {"metric": metric, "value": mean, "ci_low": low, "ci_high": high, "n": n, "group": group, "table": table,
            "ci_method": "bootstrap BCa"}


def _breakdown(units: pd.DataFrame, key: str, table: str) -> list[dict]:
    rows: list[dict] = []
    order = units.groupby(key)["representativeness"].mean().sort_values().index  # worst first
    for rank, name in enumerate(order, start=1):
        part = units[units[key] == name]
        testable = part[part["p_value"].notna()]
        for row in (
            _share_row(testable["rejected"], name, table),
            _mean_row("representativeness", part["representativeness"], name, table),
            _mean_row("invalid_share", part["invalid_share"], name, table),
        ):
            row["rank"] = rank
            rows.append(row)
        if table == "question":
            first = part.iloc[0]
            for w in EFFECT_SIZES:
                rows.append({
                    "metric": f"n_required_w{w}", "value": first[f"n_required_w{w}"], "ci_low": math.nan,
                    "ci_high": math.nan, "n": len(first["options"]), "group": name, "table": table, "rank": rank,
                    "note": "model answers for 80% power at alpha 0.05 (human distribution taken as known; n = options)",
                })
            for metric in ("steer_model", "steer_human", "steer_gain"):
                row = _mean_row(metric, part[metric], name, table)
                row["rank"] = rank
                rows.append(row)
    return rows


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    """Headline rows (group "overall"), then per-question, per-sub-population and steerability rows."""
    table = unit_table(samples)
    units = table[table["conditioned"]].copy()
    units["subpop_key"] = units["source"] + "/" + units["subpop"]
    testable = units[units["p_value"].notna()]
    rows: list[dict] = [
        _share_row(testable["rejected"], "overall", "headline"),
        _mean_row("representativeness", units["representativeness"], "overall", "headline"),
        _mean_row("invalid_share", table["invalid_share"], "overall", "headline"),
    ]
    base = table[~table["conditioned"]]
    rows.append(_mean_row("unconditioned_representativeness", base["representativeness"], "overall", "headline"))
    for metric in ("steer_model", "steer_human", "steer_gain"):
        rows.append(_mean_row(metric, units[metric], "overall", "steerability"))
    ratio, low, high, n = _ratio_ci(units["steer_model"].to_numpy(float), units["steer_human"].to_numpy(float))
    rows.append({"metric": "steer_ratio", "value": ratio, "ci_low": low, "ci_high": high, "n": n, "group": "overall",
                 "table": "steerability", "ci_method": "bootstrap percentile (paired)",
                 "note": "mean persona shift of the model / mean real sub-population difference"})
    modes = sorted(set(table["mode"]))
    rows.append({"metric": "model_calls", "value": float(table["calls"].sum()), "ci_low": math.nan,
                 "ci_high": math.nan, "n": len(table), "group": "overall", "table": "headline",
                 "note": f"mode: {', '.join(modes)}; calls per item: {table['calls'].sum() / len(table):.2f}"})
    rows.append({"metric": "untestable_items", "value": float(units["p_value"].isna().sum()), "ci_low": math.nan,
                 "ci_high": math.nan, "n": len(units), "group": "overall", "table": "headline",
                 "note": "no human sample size published: representativeness only"})
    monte_carlo = int((testable["test_method"] == "monte_carlo").sum())
    rows[0]["note"] = (f"BH at FDR {ALPHA} over {len(testable)} chi-square tests ({monte_carlo} Monte-Carlo); "
                       f"mode {', '.join(modes)}")
    rows += _breakdown(units, "question_id", "question")
    rows += _breakdown(units, "subpop_key", "subpop")
    out = pd.DataFrame(rows)
    for col in ("ci_low", "ci_high", "value"):
        out[col] = out[col].astype(float)
    out["n"] = out["n"].astype(int)
    return out
