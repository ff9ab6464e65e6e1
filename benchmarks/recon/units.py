"""Item-level outcomes for paired regression tests (registry ``units`` / ``headline_from_units`` hooks).

A unit is an individual: its held-out items share its history traces, so they move together. Each unit carries the
counts the headline metrics are ratios of, so any resample of units gives the pooled value summarize reports.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from benchmarks.recon.solver import leak_counts
from benchmarks.recon.summary import HEADLINE_PAIRS, first_epoch, items_frame, tie_margin, traces_frame
from scorers.stats.winrate import win_rate

COUNTS = [f"{a}_vs_{b}_{k}" for a, b in HEADLINE_PAIRS for k in ("wins", "losses")]


def units(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per individual: unit = cluster = "domain/individual", stratum = domain; win and loss counts of the
    headline pairs, the summed recon-minus-none fidelity gain and its item count, backward's leaks and valid traces."""
    first = first_epoch(samples)
    margin = tie_margin(first)
    items, traces = items_frame(first), traces_frame(first)
    rows = []
    for individual, part in items.groupby("individual", sort=True):
        entry: dict[str, float | str] = {
            "unit": str(individual),
            "cluster": str(individual),
            "stratum": str(part["domain"].iloc[0]),
        }
        for a, b in HEADLINE_PAIRS:
            result = win_rate(part[a], part[b], margin) if {a, b} <= set(part) else None
            entry[f"{a}_vs_{b}_wins"] = float(result.wins) if result else 0.0
            entry[f"{a}_vs_{b}_losses"] = float(result.losses) if result else 0.0
        if {"recon", "none"} <= set(part):
            gain = (part["recon"] - part["none"]).to_numpy(dtype=float)
            entry["gain_sum"], entry["gain_n"] = float(np.nansum(gain)), float(np.isfinite(gain).sum())
        else:
            entry["gain_sum"] = entry["gain_n"] = 0.0
        leaks, counted = leak_counts(traces[traces["individual"] == individual].to_dict("records"), "backward")
        entry["backward_leaks"], entry["backward_traces"] = float(leaks), float(counted)
        rows.append(entry)
    return pd.DataFrame(rows)


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def headline_from_units(frame: pd.DataFrame) -> dict[str, float]:
    """The headline metrics as summarize computes them, from a (possibly resampled) units frame."""
    total = {
        c: float(frame[c].to_numpy(dtype=float).sum()) for c in frame.columns if c not in ("unit", "cluster", "stratum")
    }
    out = {
        f"{a}_vs_{b}_win_rate": _ratio(
            total[f"{a}_vs_{b}_wins"], total[f"{a}_vs_{b}_wins"] + total[f"{a}_vs_{b}_losses"]
        )
        for a, b in HEADLINE_PAIRS
    }
    out["recon_fidelity_gain"] = _ratio(total["gain_sum"], total["gain_n"])
    out["backward_leak_rate"] = _ratio(total["backward_leaks"], total["backward_traces"])
    return out
