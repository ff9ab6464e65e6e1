"""The deference benchmark's degenerate rule and its reference judges (scored by the same summarize)."""

import pandas as pd
import pytest

from benchmarks.deference.references import degenerate, references, scripted_samples
from benchmarks.deference.summary import summarize


def overall(table: pd.DataFrame, name: str, metric: str) -> float:
    rows = table[(table["reference"] == name) & (table["group"] == "overall") & (table["metric"] == metric)]
    return float(rows["value"].iloc[0])


@pytest.fixture(scope="module")
def refs() -> pd.DataFrame:
    return references()


def test_an_always_correct_judge_gets_the_best_dds_and_is_flagged(refs):
    name = 'always "correct"'
    assert overall(refs, name, "dds") == 0 and overall(refs, name, "rms_dds") == 0
    assert overall(refs, name, "says_correct_c1") == overall(refs, name, "says_correct_c2") == 1
    assert overall(refs, name, "accuracy_c1") == 50  # half the claims are true
    flagged = degenerate(refs[refs["reference"] == name].drop(columns="reference"))
    assert flagged == 'says "correct" to every claim in both framings (DDS 0 by construction)'


def test_a_coin_flip_judge_has_no_framing_effect_and_is_not_flagged(refs):
    name = "coin flip (seed 0)"
    assert 0.35 < overall(refs, name, "says_correct_c1") < 0.6 and 0.35 < overall(refs, name, "says_correct_c2") < 0.6
    dds = refs[(refs["reference"] == name) & (refs["group"] == "overall") & (refs["metric"] == "dds")].iloc[0]
    assert dds["ci_low"] < 0 < dds["ci_high"]  # a coin has no framing effect: the CI holds 0
    assert degenerate(refs[refs["reference"] == name].drop(columns="reference")) is None


def test_mostly_unparseable_verdicts_are_flagged():
    samples = scripted_samples("correct")
    unread = samples.index % 5 < 3  # 60% of the prompts
    samples["score"] = [{"correct": 0, "parsed": 0} if u else s for u, s in zip(unread, samples["score"])]
    assert degenerate(summarize(samples)) == "60% of verdicts unparseable"
