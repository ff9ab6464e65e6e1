"""The registry's summarize(): per-sample scores of one run -> DialDefer's headline table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from benchmarks.deference.dds import OVERALL, dds_table, table_row
from benchmarks.deference.scorer import verdict_row

N_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0
NO_CI = (np.nan, np.nan)  # counts, not estimates


def verdict_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """The registry's samples frame -> one row per (item, cell) with correct/parsed (first epoch only:
    verdicts are taken at temperature 0, so later epochs would repeat, not add, evidence)."""
    if samples.empty:
        raise ValueError("deference summarize: no samples")
    first = samples[samples["epoch"] == samples["epoch"].min()]
    frame = pd.DataFrame([verdict_row(meta, score) for meta, score in zip(first["metadata"], first["score"])])
    if frame[["item_id", "domain", "cell"]].isna().any().any():
        raise ValueError("deference summarize: samples lack item_id/domain/cell metadata (not a deference log?)")
    return frame


def unparseable_rows(frame: pd.DataFrame) -> list[dict]:
    """Unparseable verdicts per group, in all and per framing (format failures that differ between framings move
    DDS without any change of judgement, so they are shown beside it)."""
    rows = []
    for group, part in [(OVERALL, frame), *sorted(frame.groupby("domain"))]:
        c1 = part["cell"].str.startswith("C1")
        note = "verdicts that could not be read; scored as wrong"
        unread = ~part["parsed"]
        rows.append(table_row("unparseable", unread.sum(), *NO_CI, len(part), group, note=note))
        statement, speaker = f"{note} (statement cells)", f"{note} (speaker cells)"
        rows.append(table_row("unparseable_c1", (unread & c1).sum(), *NO_CI, c1.sum(), group, note=statement))
        rows.append(table_row("unparseable_c2", (unread & ~c1).sum(), *NO_CI, (~c1).sum(), group, note=speaker))
    return rows


def says_correct_rows(frame: pd.DataFrame) -> list[dict]:
    """Share of read verdicts that say "correct", per framing, with a Wilson 95% CI. A judge that says the same
    thing whatever the claim (share 0 or 1) does not discriminate, and its DDS is 0 by construction."""
    rows = []
    parsed = frame[frame["parsed"]]
    says_correct = parsed["cell"].isin(["C1_True", "C2_Correct"]) == parsed["correct"]
    c1 = parsed["cell"].str.startswith("C1")
    for metric, part, framing in (("says_correct_c1", c1, "statement"), ("says_correct_c2", ~c1, "speaker")):
        n, k = int(part.sum()), int(says_correct[part].sum())
        note = f'share of read verdicts that say "correct" ({framing} cells); at 0 or 1 DDS is 0 by construction'
        if n == 0:
            rows.append(table_row(metric, np.nan, *NO_CI, 0, OVERALL, note=note))
            continue
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        rows.append(table_row(metric, k / n, low, high, n, OVERALL, note=note))
    return rows


def parsed_items_dds(frame: pd.DataFrame) -> dict:
    """Sensitivity: overall DDS over the items whose four verdicts were all read."""
    complete = frame.groupby(["domain", "item_id"])["parsed"].transform("all") & (
        frame.groupby(["domain", "item_id"])["cell"].transform("count") == 4
    )
    note = "sensitivity: DDS over items whose four verdicts all parsed"
    if not complete.any():
        return table_row("dds_all_parsed", np.nan, *NO_CI, 0, OVERALL, note=f"{note} (none)")
    table = dds_table(frame[complete], n_resamples=N_RESAMPLES, seed=BOOTSTRAP_SEED)
    row = table[(table["metric"] == "dds") & (table["group"] == OVERALL)].iloc[0]
    return table_row(
        "dds_all_parsed", row["value"], row["ci_low"], row["ci_high"], row["n"], OVERALL, row["p_value"], note=note
    )


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    frame = verdict_frame(samples)
    table = dds_table(frame, n_resamples=N_RESAMPLES, seed=BOOTSTRAP_SEED)
    extra = [*unparseable_rows(frame), *says_correct_rows(frame), parsed_items_dds(frame)]
    return pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
