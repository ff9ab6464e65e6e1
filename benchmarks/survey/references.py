"""What a survey number means: the rule that flags a degenerate run, and reference answerers scored by the same
``summarize`` on the default items (registry ``degenerate`` and ``references`` hooks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.survey.prompts import option_letters
from benchmarks.survey.scorer import item_score
from benchmarks.survey.summary import summarize
from benchmarks.survey.task import survey

INVALID_LIMIT = 0.5  # most of the answer mass off the option letters: the tests see what little is left


def degenerate(summary: pd.DataFrame) -> str | None:
    """Why a run's answers say little about the sub-populations, or None: most of its answer mass is off the
    option letters (the tests and representativeness use the renormalised rest)."""
    overall = summary[summary["group"] == "overall"].set_index("metric")
    invalid = float(overall.loc["invalid_share", "value"])
    if invalid > INVALID_LIMIT:
        return f"{invalid:.0%} of the answer mass is off the option letters (the tests use the rest)"
    return None


REFERENCES: dict[str, Callable[[Mapping[str, Any]], list[float]]] = {
    "uniform answers": lambda meta: [1.0 / len(meta["options"])] * len(meta["options"]),
    "population marginal (ignores the sub-population)": lambda meta: list(meta["population_shares"]),
    "the sub-population itself": lambda meta: list(meta["human_shares"]),
}


def scripted_samples(shares_of: Callable[[Mapping[str, Any]], list[float]]) -> pd.DataFrame:
    """The registry's samples frame of an answerer whose option shares for each default item are ``shares_of(its
    metadata)``, exactly (log-probability mode, no mass off the letters), scored as the scorer scores a model."""
    rows = []
    for sample in survey().dataset:
        meta = sample.metadata or {}
        shares = shares_of(meta)
        result = {"mode": "logprobs", "calls": 1, "option_shares": shares, "invalid_share": 0.0}
        value, details = item_score(str(sample.id), meta, result)
        rows.append(
            {
                "sample_id": sample.id,
                "epoch": 1,
                "score": value,
                "score_metadata": details,
                "answer": option_letters(len(shares))[int(np.argmax(shares))],
                "metadata": meta,
            }
        )
    return pd.DataFrame(rows)


def references() -> pd.DataFrame:
    """``summarize`` of three answerers on the default items: uniform shares (no knowledge), the whole population's
    shares (knows the country, not the sub-population) and the sub-population's own shares (the best possible)."""
    return pd.concat(
        [summarize(scripted_samples(shares_of)).assign(reference=name) for name, shares_of in REFERENCES.items()],
        ignore_index=True,
    )
