"""The survey benchmark's degenerate rule and its reference answerers (scored by the same summarize)."""

import pandas as pd

from benchmarks.survey.references import degenerate, references


def test_reference_answerers_span_the_scale():
    refs = references()
    headline = refs[refs["group"] == "overall"].set_index(["reference", "metric"])["value"]
    itself, population, uniform = (
        "the sub-population itself",
        "population marginal (ignores the sub-population)",
        "uniform answers",
    )
    assert headline[(itself, "representativeness")] == 1.0 and headline[(itself, "rejected_share")] == 0.0
    assert headline[(uniform, "representativeness")] < headline[(population, "representativeness")] < 1.0
    assert headline[(population, "rejected_share")] < headline[(uniform, "rejected_share")]
    assert (refs.loc[refs["metric"] == "invalid_share", "value"] == 0).all()
    assert degenerate(refs[refs["reference"] == uniform].drop(columns="reference")) is None


def test_mostly_invalid_answers_are_flagged():
    def summary(invalid: float) -> pd.DataFrame:
        return pd.DataFrame([{"metric": "invalid_share", "value": invalid, "ci_low": 0, "ci_high": 1, "n": 133,
                              "group": "overall"}])  # fmt: skip

    assert degenerate(summary(0.951)) == "95% of the answer mass is off the option letters (the tests use the rest)"
    assert degenerate(summary(0.5)) is None
