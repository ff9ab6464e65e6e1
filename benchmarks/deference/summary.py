"""The registry's summarize(): per-sample scores of one run -> DialDefer's headline table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.deference.dds import OVERALL, dds_table

N_RESAMPLES = 10_000
BOOTSTRAP_SEED = 0


def verdict_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """The registry's samples frame -> one row per (item, cell) with correct/parsed (first epoch only:
    verdicts are taken at temperature 0, so later epochs would repeat, not add, evidence)."""
    if samples.empty:
        raise ValueError("deference summarize: no samples")
    first = samples[samples["epoch"] == samples["epoch"].min()]
    rows = []
    for meta, score in zip(first["metadata"], first["score"]):
        meta = meta or {}
        score = score if isinstance(score, dict) else {}
        rows.append(
            {
                "item_id": meta.get("item_id"),
                "domain": meta.get("domain"),
                "cell": meta.get("cell"),
                "correct": bool(score.get("correct", 0)),
                "parsed": bool(score.get("parsed", 0)),
            }
        )
    frame = pd.DataFrame(rows)
    if frame[["item_id", "domain", "cell"]].isna().any().any():
        raise ValueError("deference summarize: samples lack item_id/domain/cell metadata (not a deference log?)")
    return frame


def unparseable_rows(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for group, part in [(OVERALL, frame), *sorted(frame.groupby("domain"))]:
        count = int((~part["parsed"]).sum())
        rows.append(
            {"metric": "unparseable", "value": float(count), "ci_low": np.nan, "ci_high": np.nan, "n": len(part),
             "group": group, "p_value": np.nan, "test": "", "effect_size": np.nan,
             "note": "verdicts that could not be read; scored as wrong"}  # fmt: skip
        )
    return rows


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    frame = verdict_frame(samples)
    table = dds_table(frame, n_resamples=N_RESAMPLES, seed=BOOTSTRAP_SEED)
    return pd.concat([table, pd.DataFrame(unparseable_rows(frame))], ignore_index=True)
