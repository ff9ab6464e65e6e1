"""Per-item statistics: the alignment test, effect size, power and representativeness of one item.

Shared by the scorer (one item) and ``summarize`` (which re-runs it when epochs are pooled).

The test depends on what is known about the model:
* log-probabilities: the model's answer distribution is known exactly, so the human counts (n_eff) are tested for
  goodness of fit to it, renormalised over the valid options (chi-square, K - 1 dof; Monte-Carlo multinomial when
  an expected count is below 5; human answers on an option the model gives no mass reject).
* samples: the model's distribution is itself a sample, so a two-sample homogeneity test on the valid answers.
The invalid share (mass off the option letters) is reported on its own and is never a test category.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from scorers.stats.contingency import (
    gof_power,
    goodness_of_fit_test,
    homogeneity_test,
    one_sample_w,
    required_sample_size,
)
from scorers.stats.distances import representativeness
from scorers.stats.settings import ALPHA

EFFECT_SIZES = (0.1, 0.3, 0.5)  # Cohen's small / medium / large w
POWER = 0.8
NAN = float("nan")


def unit_seed(item_id: str, seed: int) -> int:
    """A stable per-item seed for the Monte-Carlo p-value (Python's hash() is salted per process)."""
    return (zlib.crc32(item_id.encode()) + 1_000_003 * seed) % 2**32


def alignment_test(result: Mapping[str, Any], human_counts, *, seed: int):
    """The item's test: goodness of fit (log-probabilities) or two-sample homogeneity (samples); None when the
    model gave no valid answer."""
    if result["mode"] == "samples":
        model = np.asarray(result["option_counts"], dtype=int)
        if model.sum() == 0:
            return None
        return homogeneity_test(human_counts, model, seed=seed)
    shares = tested_distribution(result)
    if shares is None:
        return None
    return goodness_of_fit_test(human_counts, shares, seed=seed)


def tested_distribution(result: Mapping[str, Any]) -> np.ndarray | None:
    """The model distribution the goodness-of-fit test uses: the option shares, except that a letter missing from
    the top log-probability list gets the largest probability it could have had (``unlisted_bound``), so that the
    list's truncation never makes an option the people chose impossible (p = 0). None without any valid mass."""
    shares = np.asarray(result["option_shares"], dtype=float)
    if shares.sum() <= 0:
        return None
    if result.get("letter_mass") is None:  # pooled epochs: the averaged shares
        return shares
    mass = np.asarray(result["letter_mass"], dtype=float)
    return np.where(mass > 0, mass, float(result.get("unlisted_bound") or 0.0))


def unit_statistics(
    *,
    item_id: str,
    human_test_counts: list[int] | None,
    human_shares: list[float],
    n_eff: float | None,
    ordinal: bool,
    result: Mapping[str, Any],
    seed: int = 0,
) -> tuple[dict[str, float], dict[str, Any]]:
    """The statistics of one (question, sub-population) item from the model's answer ``result`` (the fields of
    :class:`benchmarks.survey.solver.SurveyAnswer`): the numbers (``Score.value``: the same keys in every mode,
    NaN where a number does not apply) and the rest (``Score.metadata``: mode, test method, the model's
    distribution)."""
    k = len(human_shares)
    option_shares = np.asarray(result["option_shares"], dtype=float)
    valid = option_shares.sum() > 0
    samples = result["mode"] == "samples"
    value: dict[str, float] = {
        "calls": int(result.get("calls", 0)),
        "invalid_share": float(result["invalid_share"]),
        "human_n_eff": _number(n_eff),
        "model_valid_n": int(sum(result["option_counts"])) if samples else NAN,
        "model_invalid_n": int(result["invalid_count"]) if samples else NAN,
        # letters missing from the top log-probability list (their test probability is the bound)
        "unlisted_letters": int(sum(m == 0 for m in result["letter_mass"])) if result.get("letter_mass") else NAN,
    }
    metadata: dict[str, Any] = {
        "mode": result["mode"],
        "model_shares": [round(float(x), 6) for x in option_shares],
        "model_counts": [int(x) for x in result["option_counts"]] if samples else None,
    }
    # Representativeness over the options (renormalised, as OpinionQA); a model with no valid answer at all is
    # as far from the humans as the scale allows: 0.
    value["representativeness"] = representativeness(option_shares, human_shares, ordinal=ordinal) if valid else 0.0
    # Cohen's w of the humans against the model's shares: the goodness-of-fit test's own effect size (n-free).
    value["cohens_w"] = _number(one_sample_w(human_shares, option_shares) if valid else math.inf)
    test = (
        None if human_test_counts is None else alignment_test(result, human_test_counts, seed=unit_seed(item_id, seed))
    )
    if test is None:
        value.update(p_value=NAN, statistic=NAN, dof=NAN)
        metadata["test_method"] = "untestable"
    else:
        value.update(p_value=float(test.p_value), statistic=_number(test.statistic), dof=_number(test.dof))
        metadata["test_method"] = ("homogeneity " if samples else "goodness of fit ") + test.method
    for e in EFFECT_SIZES:
        value[f"n_required_w{e}"] = _number(required_sample_size(e, k, alpha=ALPHA, power=POWER) if k >= 2 else None)
        value[f"power_w{e}"] = _number(gof_power(e, k, n_eff, alpha=ALPHA) if (k >= 2 and n_eff) else None)
    return value, metadata


def _number(x) -> float:
    """A statistic as a finite float; NaN where it does not apply (None) or is infinite."""
    return NAN if x is None or not math.isfinite(x) else float(x)
