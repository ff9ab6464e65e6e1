"""Specserve's statistics: one run holds every setting's measurement of the same prompts, so each speculative
setting is compared with plain decoding at the same concurrency, prompt by prompt.

Per setting (``group`` = its label, ``ngram-k4@c1``): mean tokens/s, TPOT, TTFT, ITL median and p99, invalid
prompts, acceptance rate and mean acceptance length. Per speculative setting against plain (prompts valid in both):

* ``speedup``: Spec-Bench's, mean tokens/s of the setting over mean tokens/s of plain decoding, overall and per
  task group (``ngram-k4@c1 / summarization``); ``tpot_speedup``: mean TPOT of plain over the setting's;
* 95% intervals: the paired bootstrap over prompts (``scorers.stats.bootstrap.cluster_ratio_ci``: a prompt's two
  measurements move together), expanded percentile interval (the plain one under-covered at 6-24 prompts, see
  ``calibration.py``); ``p_value``: Wilcoxon signed-rank test of the per-prompt log tokens/s ratios
  (``scorers.stats.paired.wilcoxon_signed_rank``);
* ``speedup_bound``: the mean acceptance length (tokens per verification step): the speedup if verifying a draft
  cost one plain decoding step and drafting nothing; ``bound_share`` = speedup / bound; both, and the acceptance
  rate, per task group too (concurrency 1), so a group's speedup reads against its own acceptance;
* ``output_equality``: the share of prompts whose greedy answer equals plain decoding's (Wilson interval); every
  mismatch is listed in the row's ``note`` with its first differing streamed token.

Acceptance (vLLM's definitions): rate = accepted / drafted tokens, mean acceptance length = 1 + accepted / drafts,
from per-prompt counter deltas at concurrency 1 (bootstrap over prompts); at higher concurrency from the setting's
totals (no interval). The ``overall`` headline rows are the first speculative setting at the first concurrency.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.specserve.ralm_summary import is_ralm_frame, summarize_ralm
from scorers.stats.bootstrap import cluster_mean_ci, cluster_ratio_ci
from scorers.stats.paired import wilcoxon_signed_rank
from scorers.stats.proportions import wilson_interval
from scorers.summary_rows import summary_row

HEADLINE_FROM = "the first speculative setting at the first concurrency"
MAX_LISTED = 20  # mismatches named in a note
COUNTS = ("num_drafts", "num_draft_tokens", "num_accepted_tokens")


def frame(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per (prompt, setting) of the first epoch: the metadata's keys and the score's numbers."""
    samples = samples[samples["epoch"] == samples["epoch"].min()] if not samples.empty else samples
    rows = []
    for _, s in samples.iterrows():
        meta, value = s["metadata"] or {}, s["score"] if isinstance(s["score"], dict) else {}
        turns = (s.get("score_metadata") or {}).get("turns") or []
        rows.append(
            {
                "prompt": meta.get("prompt_id"),
                "group": meta.get("group"),
                "setting": meta.get("setting"),
                "config": meta.get("config"),
                "concurrency": int(meta.get("concurrency", 1)),
                "answer": s.get("answer") or "",
                "pieces": [p for t in turns for p in (t.get("pieces") or [])],
                "itl": [x for t in turns for x in (t.get("itl") or [])],
                **{k: float(v) for k, v in value.items()},
            }
        )
    return pd.DataFrame(rows)


def _ci(interval: Any) -> tuple[float, float, float, int]:
    return interval.estimate, interval.low, interval.high, interval.n


def acceptance_rows(part: pd.DataFrame, group: str, concurrency: int) -> list[dict[str, Any]]:
    drafts, drafted, accepted = (part.get(c, pd.Series(np.nan, index=part.index)) for c in COUNTS)
    if not np.isfinite(drafts).any():
        return []
    if concurrency == 1:
        return [
            summary_row(
                "acceptance_rate", *_ci(cluster_ratio_ci(accepted, drafted, part["prompt"], expanded=True)), group
            ),
            summary_row(
                "mean_acceptance_length",
                *_ci(cluster_ratio_ci(drafts + accepted, drafts, part["prompt"], expanded=True)),
                group,
            ),
        ]
    # several prompts in flight: per-prompt deltas mix; the setting's totals are the largest cumulative counts
    totals = {c: float(part[f"cum_{c}"].max()) for c in COUNTS if f"cum_{c}" in part}
    if not totals or not totals.get(COUNTS[0]):
        return []
    n = len(part)
    share = totals[COUNTS[2]] / totals[COUNTS[1]] if totals[COUNTS[1]] else math.nan
    note = "setting totals (several prompts in flight): no interval"
    return [
        summary_row("acceptance_rate", share, math.nan, math.nan, n, group, note=note),
        summary_row("mean_acceptance_length", 1 + totals[COUNTS[2]] / totals[COUNTS[0]], math.nan, math.nan, n, group,
                    note=note),
    ]  # fmt: skip


def setting_rows(part: pd.DataFrame, group: str) -> list[dict[str, Any]]:
    """What one setting measured, over its valid prompts."""
    valid = part[part["ok"] == 1.0]
    rows = [summary_row("invalid", float((part["ok"] != 1.0).sum()), math.nan, math.nan, len(part), group)]
    for metric in ("tokens_per_s", "tpot_ms", "ttft_ms", "e2e_s"):
        if not valid.empty:
            rows.append(
                summary_row(metric, *_ci(cluster_mean_ci(valid[metric], valid["prompt"], expanded=True)), group)
            )
    itl = np.array([x for xs in valid["itl"] for x in xs], dtype=float) * 1000
    if itl.size:
        rows.append(summary_row("itl_p50_ms", float(np.median(itl)), math.nan, math.nan, itl.size, group))
        rows.append(summary_row("itl_p99_ms", float(np.percentile(itl, 99)), math.nan, math.nan, itl.size, group))
    if not valid.empty:
        rows += acceptance_rows(valid, group, int(part["concurrency"].iloc[0]))
    return rows


def first_difference(a: list[str], b: list[str], text_a: str, text_b: str) -> str:
    """Where two answers part: the index of the first differing streamed piece (token) and both pieces."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"token {i}: {x!r} vs {y!r}"
    if len(a) != len(b):
        i = min(len(a), len(b))
        return f"token {i}: {(a[i] if i < len(a) else '<end>')!r} vs {(b[i] if i < len(b) else '<end>')!r}"
    for i, (x, y) in enumerate(zip(text_a, text_b, strict=False)):  # same pieces, different text: name the char
        if x != y:
            return f"character {i}: {x!r} vs {y!r}"
    return "lengths differ"


def comparison_rows(plain: pd.DataFrame, spec: pd.DataFrame, label: str) -> list[dict[str, Any]]:
    """One speculative setting against plain decoding, paired by prompt."""
    both = plain.merge(spec, on=["prompt", "group"], suffixes=("_plain", "_spec"))
    both = both[(both["ok_plain"] == 1.0) & (both["ok_spec"] == 1.0)]
    if both.empty:
        return []
    rows: list[dict[str, Any]] = []
    equal = both["answer_plain"] == both["answer_spec"]
    low, high = wilson_interval(int(equal.sum()), len(both))
    mismatches = both[~equal].sort_values("prompt")
    listed = [
        f"{r.prompt}: {first_difference(r.pieces_plain, r.pieces_spec, r.answer_plain, r.answer_spec)}"
        for r in mismatches.head(MAX_LISTED).itertuples()
    ]
    more = f"; and {len(mismatches) - MAX_LISTED} more" if len(mismatches) > MAX_LISTED else ""
    note = ("mismatches (plain vs speculative): " + "; ".join(listed) + more) if listed else "all equal"
    rows.append(summary_row("output_equality", float(equal.mean()), low, high, len(both), label, note=note))
    for group, part in [(label, both), *((f"{label} / {g}", p) for g, p in both.groupby("group", sort=True))]:
        speedup = cluster_ratio_ci(part["tokens_per_s_spec"], part["tokens_per_s_plain"], part["prompt"], expanded=True)
        log_ratio = np.log(part["tokens_per_s_spec"].to_numpy() / part["tokens_per_s_plain"].to_numpy())
        p = wilcoxon_signed_rank(log_ratio)
        rows.append(summary_row("speedup", *_ci(speedup), group, p_value=p, test="Wilcoxon signed-rank, log ratio"))
        tpot = cluster_ratio_ci(part["tpot_ms_plain"], part["tpot_ms_spec"], part["prompt"], expanded=True)
        rows.append(summary_row("tpot_speedup", *_ci(tpot), group))
        if np.isfinite(part.get("num_drafts_spec", pd.Series([np.nan]))).any():
            drafts, accepted = part["num_drafts_spec"].fillna(0), part["num_accepted_tokens_spec"].fillna(0)
            if drafts.sum() > 0:
                if group != label:  # the setting's own acceptance rows come from setting_rows
                    drafted = part["num_draft_tokens_spec"].fillna(0)
                    rate = cluster_ratio_ci(accepted, drafted, part["prompt"], expanded=True)
                    rows.append(summary_row("acceptance_rate", *_ci(rate), group))
                lengths = cluster_ratio_ci(drafts + accepted, drafts, part["prompt"], expanded=True)
                rows.append(summary_row("speedup_bound", *_ci(lengths), group))
                share = speedup.estimate / lengths.estimate
                rows.append(summary_row("bound_share", share, math.nan, math.nan, speedup.n, group))
    return rows


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    if is_ralm_frame(samples):  # a run of the ralmspec task (speculative retrieval): its own table
        return summarize_ralm(samples)
    data = frame(samples)
    if data.empty:
        return pd.DataFrame([summary_row("invalid", 0, math.nan, math.nan, 0, "overall")])
    rows: list[dict[str, Any]] = []
    order = list(dict.fromkeys(data["setting"]))
    for setting in order:
        rows += setting_rows(data[data["setting"] == setting], setting)
    headline_done = False
    for _, level in data.groupby("concurrency", sort=False):
        plain = level[level["config"] == "plain"]
        for setting in dict.fromkeys(level.loc[level["config"] != "plain", "setting"]):
            compared = comparison_rows(plain, level[level["setting"] == setting], setting)
            rows += compared
            if not headline_done and compared:  # the overall rows: the first speculative setting
                headline_done = True
                rows += [
                    {**r, "group": "overall", "note": f"{setting} ({HEADLINE_FROM}); " + str(r.get("note", ""))}
                    for r in compared
                    if r["group"] == setting
                ]
                spec_part = level[level["setting"] == setting]
                rows += [
                    {**r, "group": "overall", "note": f"{setting}"}
                    for r in setting_rows(spec_part, setting)
                    if r["metric"] in ("acceptance_rate", "mean_acceptance_length")
                ]
                rows += [
                    {**r, "metric": f"plain_{r['metric']}", "group": "overall"}
                    for r in setting_rows(plain, "plain")
                    if r["metric"] == "tokens_per_s"
                ]
    invalid = float((data["ok"] != 1.0).sum())
    rows.append(summary_row("invalid", invalid, math.nan, math.nan, len(data), "overall"))
    return pd.DataFrame(rows)


def degenerate(summary: pd.DataFrame) -> str | None:
    """A run that measured too little to compare: most prompts failed, or no speculative setting was compared."""
    overall = summary[summary["group"] == "overall"].set_index("metric")
    if "ralm_speedup" in overall.index or "ralm_invalid" in overall.index:  # a ralmspec run
        invalid, n = overall.loc["ralm_invalid", "value"], overall.loc["ralm_invalid", "n"]
        return f"all {int(n)} questions failed" if n and invalid >= n else None
    if (
        "invalid" in overall.index
        and overall.loc["invalid", "n"]
        and (overall.loc["invalid", "value"] / overall.loc["invalid", "n"] > 0.5)
    ):
        return f"{int(overall.loc['invalid', 'value'])} of {int(overall.loc['invalid', 'n'])} measurements failed"
    if "speedup" not in overall.index:
        return "no speculative setting was compared with plain decoding"
    return None
