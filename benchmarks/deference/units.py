"""The registry's units hooks: item-level outcomes for paired regression tests, and the headline metrics
recomputed from them (the same functions as summarize's, from ``dds.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.deference.dds import CELLS, cell_arrays, headline, wide_table
from benchmarks.deference.summary import verdict_frame


def units(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per item with all four cells (first epoch, as summarize): unit = cluster = "<domain>/<item_id>",
    stratum = domain, and the four cells as 0/1 floats."""
    wide, _ = wide_table(verdict_frame(samples))
    cells, codes, domains = cell_arrays(wide)
    names = [f"{domain}/{item_id}" for domain, item_id in wide.index]
    frame = pd.DataFrame({"unit": names, "cluster": names, "stratum": np.asarray(domains, dtype=object)[codes]})
    return frame.assign(**{cell: cells[:, i] for i, cell in enumerate(CELLS)})


def headline_from_units(frame: pd.DataFrame) -> dict[str, float]:
    """dds, rms_dds and accuracy_change of a units frame, equal to summarize's overall rows on the full frame;
    a resample may repeat units (and leave domains out)."""
    # column by column and numpy's unique: several times faster than pandas here (called ~2,000 times per regress)
    cells = np.column_stack([frame[cell].to_numpy(dtype=float) for cell in CELLS])
    domains, codes = np.unique(frame["stratum"].to_numpy(dtype=str), return_inverse=True)
    return headline(cells, codes.ravel(), len(domains))
