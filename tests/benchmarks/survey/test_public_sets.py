import json
from pathlib import Path

import pytest

from benchmarks.survey import public_sets
from benchmarks.survey.public_sets import (
    GLOBAL_OPINIONS,
    PublicSetUnavailable,
    global_opinion_items,
    load_global_opinions,
    load_subpop,
    subpop_items,
)

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
    with pytest.raises(PublicSetUnavailable) as info:
        load_global_opinions()
    message = str(info.value)
    assert message.startswith(f"{GLOBAL_OPINIONS}@{public_sets.GLOBAL_OPINIONS_REVISION[:12]} could not be loaded")
    assert "\n" not in message
    with pytest.raises(PublicSetUnavailable, match="jjssuh/subpop: no pinned revision"):
        load_subpop()
