"""Item-level outcomes for paired regression tests (registry ``units`` / ``headline_from_units`` hooks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.survey.summary import unit_table
from scorers.stats.multiple_testing import benjamini_hochberg
from scorers.stats.settings import ALPHA


def units(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per item, each its own cluster, surveys as strata. regress compares two runs on the same items, so
    the randomness it tests is the model's rerun noise, which is per item; the question-level dependence that
    ``summarize``'s intervals resample matters when generalising to other questions, not here."""
    table = unit_table(samples)
    return pd.DataFrame(
        {
            "unit": table["sample_id"].astype(str),
            "cluster": table["sample_id"].astype(str),
            "stratum": table["source"].astype(str),
            "conditioned": table["conditioned"].astype(float),
            "p_value": table["p_value"].astype(float),
            "representativeness": table["representativeness"].astype(float),
            "invalid_share": table["invalid_share"].astype(float),
        }
    )


def headline_from_units(frame: pd.DataFrame) -> dict[str, float]:
    """The headline metrics as ``summarize`` computes them, from a (possibly resampled) units frame."""
    conditioned = frame["conditioned"].to_numpy(float) > 0
    p = frame["p_value"].to_numpy(float)[conditioned]
    p = p[~np.isnan(p)]
    rep = frame["representativeness"].to_numpy(float)[conditioned]
    return {
        "rejected_share": float(benjamini_hochberg(p, alpha=ALPHA)[0].mean()) if p.size else float("nan"),
        "representativeness": float(rep.mean()) if rep.size else float("nan"),
        "invalid_share": float(frame["invalid_share"].to_numpy(float).mean()),
    }
