"""Ranks that only separate models whose confidence intervals separate.

The rule (also printed on every leaderboard page): within one (benchmark, task, task version, task arguments, model
roles, metric), run A's rank is 1 + the number of runs whose CI lies entirely on the better side of A's CI (no
overlap, touching counts as overlap). Runs that measured something else (other task arguments, other
``--model-role`` partners such as another opponent or judge) are not ranked against each other. Runs whose CIs
overlap share ranks, so "1, 1, 3" means the third model is worse than both others beyond their CIs, and nothing is
claimed about the first two. "Entirely better": the worst value of the other CI is better than the best of A's, by
the metric's :class:`twinbench.registry.Direction`:

* higher: ``other.ci_low > a.ci_high``;  lower: ``other.ci_high < a.ci_low``;
* zero (closer to 0 is better, compared by |value|): ``other``'s largest distance from 0 over its CI is below the
  smallest distance from 0 over A's CI (which is 0 when A's CI contains 0).

A row without a CI, or of a run its benchmark flags as degenerate (``degenerate`` column, the benchmark's own rule),
gets no rank and takes no part in others' ranks. No statistic is computed here: the CIs come from the benchmark's
``summarize``.
"""

from __future__ import annotations

import math

import pandas as pd

from scorers.stats.settings import CI_LABEL
from twinbench.registry import Direction

RANK_RULE = (
    f"Rank = 1 + the number of models whose {CI_LABEL} lies entirely on the better side of this model's CI "
    "(for closer-to-0 metrics: whose whole CI is closer to 0). Overlapping CIs share a rank; rows without a CI "
    "and runs flagged degenerate are not ranked. Ranks compare only runs of the same task, task version, task "
    "arguments and model roles."
)
RANK_GROUP = ["benchmark", "task", "task_version", "task_args", "model_roles", "metric"]


def entirely_better(other: tuple[float, float], this: tuple[float, float], direction: Direction) -> bool:
    """Whether CI ``other`` is entirely better than CI ``this`` (each ``(low, high)``): the worst value of
    ``other`` is better than the best of ``this``."""
    return direction.is_better(direction.worst_in(*other), direction.best_in(*this))


def ci_ranks(lows: list[float], highs: list[float], direction: str) -> list[int | None]:
    better = Direction(direction)
    cis = [
        None if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (lo, hi)) else (lo, hi)
        for lo, hi in zip(lows, highs)
    ]
    ranks: list[int | None] = []
    for ci in cis:
        if ci is None:
            ranks.append(None)
            continue
        ranks.append(1 + sum(1 for other in cis if other is not None and entirely_better(other, ci, better)))
    return ranks


def add_ranks(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table with a ``rank`` column (nullable int), ranked within each comparable set
    (:data:`RANK_GROUP`; a table without the ``task_args`` or ``model_roles`` column is ranked without it)."""
    out = headline.copy()
    out["rank"] = pd.Series([pd.NA] * len(out), index=out.index, dtype="Int64")
    by = [c for c in RANK_GROUP if c in out.columns]
    keys = out[by].astype(object).where(out[by].notna(), "")  # a missing task_args must not drop the row
    flagged = out["degenerate"].fillna("").astype(str).ne("") if "degenerate" in out.columns else None
    for _, group in out.groupby([keys[c] for c in by], sort=False):
        if flagged is not None:
            group = group[~flagged.loc[group.index]]
            if group.empty:
                continue
        ranks = ci_ranks(
            group["ci_low"].astype(float).tolist(),
            group["ci_high"].astype(float).tolist(),
            group["direction"].iloc[0],
        )
        out.loc[group.index, "rank"] = pd.array(ranks, dtype="Int64")
    return out
