"""Per-item statistics: model vs human counts, chi-square homogeneity, effect size, power, representativeness.

Shared by the scorer (one item) and ``summarize`` (which re-runs it when epochs are pooled).
"""

from __future__ import annotations

import json
import math
import zlib

import numpy as np

from scorers.stats.contingency import homogeneity_test, largest_remainder_counts, required_second_sample, required_sample_size
from scorers.stats.distances import representativeness

EFFECT_SIZES = (0.1, 0.3, 0.5)  # Cohen's small / medium / large w
ALPHA = 0.05
POWER = 0.8


def unit_seed(item_id: str, seed: int) -> int:
    """A stable per-item seed for the Monte-Carlo p-value (Python's hash() is salted per process)."""
    return (zlib.crc32(item_id.encode()) + 1_000_003 * seed) % 2**32


def model_counts(result: dict, n_model: int) -> tuple[np.ndarray, int]:
    """Model counts over the options plus an invalid category, and the model sample size they stand for.

    Samples mode: the real counts of K answers. Log-probability mode: the distribution scaled to ``n_model``
    pseudo-answers and rounded by largest remainder (see the README's Deviations).
    """
    if result["mode"] == "samples":
        counts = np.array([*result["option_counts"], result["invalid_count"]], dtype=int)
        return counts, int(counts.sum())
    invalid = float(result["invalid_share"])
    shares = np.array([*((1.0 - invalid) * np.asarray(result["option_shares"], dtype=float)), invalid])
    return largest_remainder_counts(shares, n_model), n_model


def unit_statistics(
    *,
    item_id: str,
    human_test_counts: list[int] | None,
    human_shares: list[float],
    n_eff: float | None,
    ordinal: bool,
    result: dict,
    n_model: int,
    seed: int = 0,
) -> dict:
    """The scalar statistics of one (question, sub-population) item, as stored in ``Score.value``."""
    k = len(human_shares)
    counts, model_n = model_counts(result, n_model)
    invalid_share = float(result["invalid_share"])
    option_shares = np.asarray(result["option_shares"], dtype=float)
    value: dict = {
        "mode": result["mode"],
        "calls": int(result.get("calls", 0)),
        "invalid_share": invalid_share,
        "model_n": int(model_n),
        "human_n_eff": None if n_eff is None else float(n_eff),
        "model_shares": json.dumps([round(float(x), 6) for x in option_shares]),
        "model_counts": json.dumps([int(x) for x in counts]),
    }
    # Representativeness over the options (renormalised, as OpinionQA); a model with no valid answer at all is
    # as far from the humans as the scale allows: 0.
    if option_shares.sum() > 0:
        value["representativeness"] = representativeness(option_shares, human_shares, ordinal=ordinal)
    else:
        value["representativeness"] = 0.0
    if human_test_counts is None or model_n == 0:
        value.update(p_value=None, statistic=None, test_method="untestable", cohens_w=None, dof=None)
    else:
        human = np.array([*human_test_counts, 0], dtype=int)  # people never answer "invalid"
        test = homogeneity_test(human, counts, seed=unit_seed(item_id, seed))
        value.update(
            p_value=test.p_value,
            statistic=test.statistic,
            test_method=test.method,
            cohens_w=test.cohens_w,
            dof=test.dof,
        )
    for w in EFFECT_SIZES:
        value[f"n_required_w{w}"] = required_sample_size(w, k, alpha=ALPHA, power=POWER) if k >= 2 else None
        two = required_second_sample(w, k, n_eff, alpha=ALPHA, power=POWER) if (k >= 2 and n_eff) else math.inf
        value[f"n_required_two_sample_w{w}"] = None if math.isinf(two) else two
    return value


def decode_vector(text: str) -> list[float]:
    return [float(x) for x in json.loads(text)]
