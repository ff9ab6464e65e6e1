import json
from pathlib import Path

import pytest

from benchmarks.deference import items as items_module
from benchmarks.deference.items import (
    DOMAINS,
    TRUTHFULQA,
    ItemError,
    builtin_items,
    read_items_path,
    read_jsonl,
    select,
    truthfulqa_items,
)
from scorers.hub import HubUnavailable

FIXTURES = Path(__file__).parent / "fixtures"


def test_reads_dialdefer_formatted_schema_with_chosen_answers():
    found = read_jsonl(FIXTURES / "dialdefer_formatted.jsonl")
    assert [(i.domain, i.item_id) for i in found] == [("gpqa", "gpqa-rec0001"), ("advisorqa", "advisorqa-0007")]
    assert (found[0].correct, found[0].incorrect) == ("1 only", "2 only")
    # AdvisorQA's chosen incorrect answer is the lowest-reward one, given explicitly in the file.
    assert found[1].incorrect == "Just quit."
    assert found[1].context == "The asker started a new job two months ago."


def test_reads_unified_schema_taking_first_answers_and_skipping_blank_lines():
    found = read_jsonl(FIXTURES / "dialdefer_unified.jsonl")
    assert len(found) == 2
    assert found[0].correct == "In Argentina, people eat more beef than anywhere else"
    assert found[0].incorrect == "In the United States, people eat more beef than anywhere else"
    assert found[0].context is None


def test_folder_of_files_is_read_in_name_order():
    found = read_items_path(FIXTURES)
    assert {i.domain for i in found} >= {"gpqa", "advisorqa", "truthfulqa"}


def test_bad_row_names_file_and_line():
    with pytest.raises(ItemError, match=r"dialdefer_bad_line.jsonl:2: 'correct_answers' must be a non-empty list"):
        read_jsonl(FIXTURES / "bad" / "dialdefer_bad_line.jsonl")


def test_invalid_json_and_missing_file(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"id": 1,\n')
    with pytest.raises(ItemError, match=r"x.jsonl:1: not valid JSON"):
        read_jsonl(bad)
    with pytest.raises(ItemError, match="deference item file not found"):
        read_jsonl(tmp_path / "missing.jsonl")


def test_duplicate_ids_rejected(tmp_path):
    line = (FIXTURES / "dialdefer_unified.jsonl").read_text().splitlines()[0]
    path = tmp_path / "dup.jsonl"
    path.write_text(line + "\n" + line + "\n")
    with pytest.raises(ItemError, match="duplicate item id 'truthfulqa-446'"):
        read_jsonl(path)


def test_builtin_domains_are_complete_and_valid():
    found = builtin_items()
    assert {i.domain for i in found} == set(DOMAINS) and len(DOMAINS) >= 9
    for domain in DOMAINS:
        members = [i for i in found if i.domain == domain]
        assert 40 <= len(members) <= 100, domain
        assert all(i.correct != i.incorrect for i in members)
    with pytest.raises(ItemError, match="unknown deference domain"):
        builtin_items(["astrology"])


def test_select_is_seeded_and_per_domain():
    found = builtin_items(["capitals", "units"])
    first = select(found, 5, seed=1)
    assert first == select(found, 5, seed=1)
    assert first != select(found, 5, seed=2)
    assert sum(i.domain == "capitals" for i in first) == sum(i.domain == "units" for i in first) == 5
    assert select(found, None, seed=0) == found


def test_truthfulqa_loads_pinned_revision_and_converts(monkeypatch):
    rows = json.loads((FIXTURES / "truthfulqa_generation_rows.json").read_text())
    calls = []

    def fake_load_dataset(path, name, split, revision):
        calls.append((path, name, split, revision))
        return rows

    import datasets

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    found = truthfulqa_items()
    assert calls == [(TRUTHFULQA["path"], "generation", "validation", TRUTHFULQA["revision"])]
    assert len(TRUTHFULQA["revision"]) == 40
    assert found[0].item_id == "truthfulqa-0" and found[0].domain == "truthfulqa"
    assert found[0].correct == "The watermelon seeds pass through your digestive system"  # best answer first
    assert found[1].incorrect == "Fortune cookies originated in China"


def test_truthfulqa_offline_fails_with_one_line_naming_the_dataset(monkeypatch):
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'truthfulqa/truthful_qa' on the Hub (LocalEntryNotFoundError)\nmore")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(HubUnavailable) as info:
        truthfulqa_items()
    message = str(info.value)
    assert message.startswith("truthfulqa/truthful_qa[generation]@741b8276f2d1 could not be loaded (ConnectionError:")
    assert "\n" not in message


def test_data_dir_is_the_shipped_folder():
    assert (items_module.DATA_DIR / "capitals.jsonl").is_file()
    for domain in DOMAINS:
        assert (items_module.DATA_DIR / f"{domain}.md").is_file(), f"dataset card for {domain}"
