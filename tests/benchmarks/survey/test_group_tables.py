"""The group tables of ``surveys.py`` give the same items as the per-survey code they replaced.

``fixtures/items_before_group_tables.json`` was written by :func:`expectation` from that code (commit 279016c):
per item its id, n, n_eff, test counts and human shares, and a SHA-256 of every metadata field (persona phrases,
population shares, ...). Regenerate it only when a change to the items is intended (and bump the task version).
"""

import hashlib
import json
import math
from pathlib import Path

import pytest

from benchmarks.survey.items import offline_items
from benchmarks.survey.public_sets import load_opinionqa
from benchmarks.survey.surveys import SURVEYS, Span

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = FIXTURES / "items_before_group_tables.json"


def _round(value):
    """Floats to 10 decimals (NaN as None) so the digest does not hang on the last bit of a weighted sum."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 10)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def expectation(items) -> dict:
    rows = [[i.id, i.n, _round(i.n_eff), list(i.test_counts or ()), _round(list(i.human_shares))] for i in items]
    full = [{k: _round(v) for k, v in sorted(i.metadata().items())} for i in items]
    return {"sha256": hashlib.sha256(json.dumps(full, sort_keys=True).encode()).hexdigest(), "items": rows}


def current() -> dict:
    return {
        "offline": expectation(offline_items(min_n=1)),
        "opinionqa_fixture": expectation(load_opinionqa(FIXTURES / "opinionqa", min_n=1)),
    }


@pytest.fixture(scope="module")
def produced():
    return current()


@pytest.mark.parametrize("source", ["offline", "opinionqa_fixture"])
def test_items_are_those_of_the_code_before_the_tables(produced, source):
    expected = json.loads(EXPECTED.read_text())[source]
    # ids in order first (the seeded max_items choice depends on the order), then each item's numbers, then all
    assert [r[0] for r in produced[source]["items"]] == [r[0] for r in expected["items"]]
    for got, want in zip(produced[source]["items"], expected["items"]):
        assert got == want, got[0]
    assert produced[source]["sha256"] == expected["sha256"]


def test_every_question_attribute_has_groups():
    for survey in SURVEYS.values():
        attributes = {g.attribute for g in survey.groups}
        for question in survey.questions:
            assert set(question.attributes) <= attributes, (survey.name, question.key)
        labels = [(g.attribute, g.label) for g in survey.groups]
        assert len(labels) == len(set(labels)), survey.name  # a label names one sub-population


def test_a_span_is_inclusive_and_drops_missing_values():
    import pandas as pd

    ages = pd.Series([17, 18, 29, 30, None])
    assert Span(18, 29).members(ages).tolist() == [False, True, True, False, False]
