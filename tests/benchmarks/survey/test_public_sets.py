import json
from pathlib import Path

import pytest

from benchmarks.survey import public_sets
from benchmarks.survey.public_sets import (
    GLOBAL_OPINIONS,
    PublicSetUnavailable,
    global_opinion_items,
    load_global_opinions,
    load_opinionqa,
    load_subpop,
    subpop_items,
)
from scorers.hub import HubUnavailable

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name):
    return json.loads((FIXTURES / name).read_text())


def test_global_opinions_fixture_converts():
    items = {i.id: i for i in global_opinion_items(_rows("global_opinions_sample.json"))}
    germany = items["globalopinionqa/q0/country=Germany"]
    assert germany.options == ("Should be free", "Should not be free", "DK/Refused")
    assert germany.human_shares == pytest.approx((0.81, 0.16, 0.03))
    assert germany.test_counts is None and germany.n is None  # no sample sizes published
    assert not germany.ordinal
    assert items["globalopinionqa/q0/all"].human_shares == pytest.approx(((0.81 + 0.62) / 2, (0.16 + 0.33) / 2, 0.04))
    assert items["globalopinionqa/q1/country=Japan"].describe == "a person living in Japan"
    assert len(items) == 5


def test_global_opinions_malformed_row_is_named():
    row = _rows("global_opinions_sample.json")[0] | {"selections": "defaultdict(<class 'list'>, {oops"}
    with pytest.raises(ValueError, match="row 0: could not parse selections"):
        global_opinion_items([row])
    with pytest.raises(ValueError, match="missing field 'options'"):
        global_opinion_items([{"question": "q", "selections": "{}"}])


def test_subpop_fixture_converts_and_drops_refusal_option():
    items = {i.id: i for i in subpop_items(_rows("subpop_sample.json"))}
    dem = items["subpop/GUNS_W26/POLPARTY=Democrat"]
    assert dem.options == ("Essential", "Important but not essential", "Not important")
    assert dem.human_shares == pytest.approx((0.1, 0.4, 0.5))
    assert items["subpop/GUNS_W26/all"].human_shares == pytest.approx((0.3, 0.4, 0.3))
    assert items["subpop/ECON_W30/SEX=Female"].ordinal
    assert not dem.ordinal


def test_subpop_length_mismatch_is_named():
    row = _rows("subpop_sample.json")[2] | {"responses": [0.5, 0.5]}
    with pytest.raises(ValueError, match="subpop row 0: 2 response shares for 4 options"):
        subpop_items([row])


def test_offline_loaders_fail_with_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty cache
    with pytest.raises(HubUnavailable) as info:
        load_global_opinions()
    message = str(info.value)
    assert message.startswith(f"{GLOBAL_OPINIONS}@{public_sets.GLOBAL_OPINIONS_REVISION[:12]} could not be loaded")
    assert "\n" not in message
    with pytest.raises(HubUnavailable, match="jjssuh/subpop: no pinned revision"):
        load_subpop()


OPINIONQA_FIXTURE = FIXTURES / "opinionqa"


def test_opinionqa_weighted_microdata(caplog):
    items = {i.id: i for i in load_opinionqa(OPINIONQA_FIXTURE, min_n=2)}
    scale = sorted(k for k in items if k.startswith("opinionqa/FIXSCALE_W27/"))
    assert scale == [
        "opinionqa/FIXSCALE_W27/AGE=18-29",
        "opinionqa/FIXSCALE_W27/AGE=65+",
        "opinionqa/FIXSCALE_W27/CREGION=Midwest",
        "opinionqa/FIXSCALE_W27/CREGION=Northeast",
        "opinionqa/FIXSCALE_W27/CREGION=South",
        "opinionqa/FIXSCALE_W27/SEX=Female",
        "opinionqa/FIXSCALE_W27/SEX=Male",
        "opinionqa/FIXSCALE_W27/all",
    ]  # groups with fewer than min_n answers, "Refused" and CITIZEN (no persona phrase) get no item
    assert len(items) == 17
    # every respondent with an answer (refusals dropped), weighted by WEIGHT_W27; Kish n_eff = (sum w)^2 / sum w^2
    everyone = items["opinionqa/FIXSCALE_W27/all"]
    assert everyone.options == ("Very often", "Sometimes", "Rarely", "Never")
    assert everyone.n == 7 and everyone.weighted
    assert everyone.human_counts == (2, 2, 1, 2)
    assert everyone.human_shares == pytest.approx((2 / 9.5, 3 / 9.5, 1.5 / 9.5, 3 / 9.5))
    assert everyone.n_eff == pytest.approx(9.5**2 / 14.25)
    assert everyone.ordinal
    male = items["opinionqa/FIXMIX_W27/SEX=Male"]
    assert male.options == ("Yes, likely", "No, not likely", "It depends")
    assert not male.ordinal  # "It depends" sits at 1.5, off the scale: nominal
    assert male.n == 2 and male.human_shares == pytest.approx((1 / 3, 2 / 3, 0))
    assert male.n_eff == pytest.approx(1.5**2 / 1.25) and male.test_counts == (1, 1, 0)
    assert male.describe == "a person whose sex is Male" and male.bio == "My sex is Male."
    assert male.population_shares == items["opinionqa/FIXMIX_W27/all"].human_shares
    assert "2 question(s) of info.csv left out" in caplog.text  # FIXEMPTY (no answers), FIXNOCOLUMN (no column)


def test_opinionqa_default_min_n_keeps_only_the_whole_sample():
    assert {i.id for i in load_opinionqa(OPINIONQA_FIXTURE)} == {
        "opinionqa/FIXSCALE_W27/all",
        "opinionqa/FIXMIX_W27/all",
    }


def test_opinionqa_errors_name_the_culprit(tmp_path):
    with pytest.raises(PublicSetUnavailable, match="OpinionQA is not on the Hugging Face hub: download its release"):
        load_opinionqa(None)
    with pytest.raises(FileNotFoundError, match="OpinionQA: no American_Trends_Panel_W<wave> folder in"):
        load_opinionqa(tmp_path)
    with pytest.raises(ValueError, match=r"unknown OpinionQA wave\(s\) \[28\]"):
        load_opinionqa(OPINIONQA_FIXTURE, waves=[28])
    with pytest.raises(FileNotFoundError, match="American_Trends_Panel_W26/info.csv not found"):
        load_opinionqa(OPINIONQA_FIXTURE, waves=[26])
    wave = tmp_path / "American_Trends_Panel_W27"
    wave.mkdir()
    for name in ("info.csv", "metadata.csv", "responses.csv"):
        (wave / name).write_text((OPINIONQA_FIXTURE / "American_Trends_Panel_W27" / name).read_text())
    (wave / "responses.csv").write_text((wave / "responses.csv").read_text().replace("WEIGHT_W27", "WEIGHT"))
    with pytest.raises(KeyError, match="weight column 'WEIGHT_W27' is missing"):
        load_opinionqa(tmp_path)
    (wave / "info.csv").write_text((wave / "info.csv").read_text().replace("option_ordinal", "x"))
    with pytest.raises(ValueError, match=r"OpinionQA wave 27: info.csv lacks column\(s\) \['option_ordinal'\]"):
        load_opinionqa(tmp_path)
