"""Per-item statistics: the alignment test, effect size, power and representativeness of one item.

Shared by the scorer (one item) and ``summarize`` (which re-runs it when epochs are pooled).

The test depends on what is known about the model:
* log-probabilities: the model's answer distribution is known up to the mass outside the top-k list, so the human
  counts (n_eff) are tested for goodness of fit to it, renormalised over the valid options (chi-square, K - 1 dof;
  Monte-Carlo multinomial when an expected count is below 5; human answers on an option the model gives no mass
  reject). The unlisted mass may belong to any letter, so the test is run against the distribution, among all the
  list allows, closest to the people's answers (:func:`tested_distribution`): conservative and valid.
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
    least_favourable_shares,
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
    shares = tested_distribution(result, human_counts)
    if shares is None:
        return None
    return goodness_of_fit_test(human_counts, shares, seed=seed)


def tested_distribution(result: Mapping[str, Any], human_counts) -> np.ndarray | None:
    """The model distribution the goodness-of-fit test uses (log-probabilities). None without any listed valid mass.

    The top-k list gives each letter's listed mass (``letter_mass``, over its listed token forms); the mass outside
    the list (``unlisted_mass``) may belong to any letter: one missing from the list, or a token form of a listed one
    that was cut (" B" listed, "B" not), each unlisted token being at most the smallest listed probability but the
    number of a letter's token forms unknown. The model's true option shares are therefore any renormalised
    ``letter_mass + extra`` with extras >= 0 summing to at most ``unlisted_mass``. The test uses the one closest to
    the people's answers (``scorers.stats.contingency.least_favourable_shares``, exact): the largest asymptotic
    p-value over every option shares the list allows, so a conservative, valid test; when that distribution has an
    expected count below 5, the Monte-Carlo p-value at it (the least-favourable distribution, not a proven maximum
    of the Monte-Carlo p). Without ``letter_mass`` (a result built by hand) the option shares are taken as exact.
    """
    shares = np.asarray(result["option_shares"], dtype=float)
    if shares.sum() <= 0:
        return None
    if result.get("letter_mass") is None:
        return shares
    mass = np.asarray(result["letter_mass"], dtype=float)
    return least_favourable_shares(human_counts, mass, float(result.get("unlisted_mass") or 0.0))


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
        # letters missing from the top log-probability list, and the mass outside it (any letter's, for the test)
        "unlisted_letters": int(sum(m == 0 for m in result["letter_mass"])) if result.get("letter_mass") else NAN,
        "unlisted_mass": _number(result.get("unlisted_mass")),
    }
    metadata: dict[str, Any] = {
        "mode": result["mode"],
        "model_shares": [round(float(x), 6) for x in option_shares],
        "model_counts": [int(x) for x in result["option_counts"]] if samples else None,
        # logprobs: each letter's listed mass (the pooled epochs' test needs it) and the distribution tested
        "letter_mass": [float(x) for x in result["letter_mass"]] if result.get("letter_mass") else None,
        "tested_shares": None,
    }
    # Representativeness over the options (renormalised, as OpinionQA); a model with no valid answer at all is
    # as far from the humans as the scale allows: 0.
    value["representativeness"] = representativeness(option_shares, human_shares, ordinal=ordinal) if valid else 0.0
    # Cohen's w of the humans against the model's shares (n-free); infinite when humans chose an option the model
    # gives no listed mass: NaN in cohens_w, counted by cohens_w_infinite so that summaries can say how many.
    w = one_sample_w(human_shares, option_shares) if valid else math.inf
    value["cohens_w"] = _number(w)
    value["cohens_w_infinite"] = float(math.isinf(w))
    test = (
        None if human_test_counts is None else alignment_test(result, human_test_counts, seed=unit_seed(item_id, seed))
    )
    if test is None:
        value.update(p_value=NAN, statistic=NAN, dof=NAN)
        metadata["test_method"] = "untestable"
    else:
        value.update(p_value=float(test.p_value), statistic=_number(test.statistic), dof=_number(test.dof))
        metadata["test_method"] = ("homogeneity " if samples else "goodness of fit ") + test.method
        if not samples and human_test_counts is not None:
            tested = tested_distribution(result, human_test_counts)
            metadata["tested_shares"] = None if tested is None else [round(float(x), 6) for x in tested]
    for e in EFFECT_SIZES:
        value[f"n_required_w{e}"] = _number(required_sample_size(e, k, alpha=ALPHA, power=POWER) if k >= 2 else None)
        value[f"power_w{e}"] = _number(gof_power(e, k, n_eff, alpha=ALPHA) if (k >= 2 and n_eff) else None)
    return value, metadata


def _number(x) -> float:
    """A statistic as a finite float; NaN where it does not apply (None) or is infinite."""
    return NAN if x is None or not math.isfinite(x) else float(x)
