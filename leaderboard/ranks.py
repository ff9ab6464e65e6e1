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

import bisect
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
    """Each CI's rank: 1 + the number of CIs :func:`entirely_better` than it (None without a CI). Counted by
    bisection over the CIs' worst values, so a benchmark page of many runs costs n log n, not n squared."""
    better = Direction(direction)
    sign = 1.0 if better is Direction.HIGHER else -1.0  # sign * sort_key: larger is better, whatever the direction
    cis = [
        None if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (lo, hi)) else (lo, hi)
        for lo, hi in zip(lows, highs)
    ]
    worst = sorted(sign * float(better.sort_key(better.worst_in(*ci))) for ci in cis if ci is not None)
    ranks: list[int | None] = []
    for ci in cis:
        if ci is None:
            ranks.append(None)
            continue
        best = sign * float(better.sort_key(better.best_in(*ci)))
        ranks.append(1 + len(worst) - bisect.bisect_right(worst, best))  # the CIs whose worst beats this one's best
    return ranks


def add_ranks(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table with a ``rank`` column (nullable int), ranked within each comparable set
    (:data:`RANK_GROUP`; a table without the ``task_args`` or ``model_roles`` column is ranked without it). Grouped
    in Python: a pandas groupby cost more than the rest of a rebuilt site's index."""
    out = headline.copy()
    by = [c for c in RANK_GROUP if c in out.columns]
    flagged = (
        out["degenerate"].fillna("").astype(str).ne("").tolist() if "degenerate" in out.columns else [False] * len(out)
    )
    groups: dict[tuple[object, ...], list[int]] = {}
    keys = zip(*(out[c].to_numpy(dtype=object).tolist() for c in by)) if by else iter([()] * len(out))
    for i, key in enumerate(keys):
        if not flagged[i]:  # a missing task_args must not drop the row
            groups.setdefault(tuple("" if pd.isna(v) else v for v in key), []).append(i)
    lows, highs = out["ci_low"].astype(float).tolist(), out["ci_high"].astype(float).tolist()
    directions = out["direction"].tolist()
    ranks: list[int | None] = [None] * len(out)
    for rows in groups.values():
        group_ranks = ci_ranks([lows[i] for i in rows], [highs[i] for i in rows], directions[rows[0]])
        for i, rank in zip(rows, group_ranks):
            ranks[i] = rank
    out["rank"] = pd.array(ranks, dtype="Int64")
    return out
