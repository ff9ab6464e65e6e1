"""One row of a benchmark's ``summarize`` table (the registry's contract: metric, value, CI, n, group; extra columns
as keyword arguments), the one place that builds it for every benchmark."""

from __future__ import annotations

from typing import Any


def summary_row(metric: str, value: float, low: float, high: float, n: int, group: str, **extra: Any) -> dict[str, Any]:
    """``{"metric", "value", "ci_low", "ci_high", "n", "group", **extra}`` with the numbers as float / int."""
    return {
        "metric": metric,
        "value": float(value),
        "ci_low": float(low),
        "ci_high": float(high),
        "n": int(n),
        "group": group,
        **extra,
    }
