"""Spec-Bench's prompts: the shipped file, its rebuild from an upstream fixture, the run's selection.

``fixtures/spec_bench_upstream`` holds two prompts of each task group of the real file (texts cut to 200
characters) in the upstream layout, with upstream's licence text.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.specserve.build_data import OUT_FILE, SpecBenchError, build, check_rows, main
from benchmarks.specserve.data import load_prompts, parse_groups, select
from tests.twinbench.upstream_copies import git_copy
from twinbench.data import data_path

FIXTURE = Path(__file__).parent / "fixtures" / "spec_bench_upstream"
SHIPPED_SHA256 = "4b6d33e79484f9841c487ee87d1cf6aa8c6066f61d5d482ff09e5a007fafdf04"  # upstream's file, unchanged


def test_shipped_file_is_upstreams_480_prompts():
    file = data_path("specserve", OUT_FILE)
    assert hashlib.sha256(file.read_bytes()).hexdigest() == SHIPPED_SHA256
    prompts = load_prompts()
    assert len(prompts) == 480 and len({p.id for p in prompts}) == 480
    assert Counter(p.group for p in prompts) == {g: 80 for g in parse_groups(None)}
    assert sum(len(p.turns) == 2 for p in prompts) == 80  # MT-bench's two turns
    card = (file.parent / "README.md").read_text()
    assert SHIPPED_SHA256 in card and "Apache License 2.0" in card
    assert "Apache License" in (file.parent / "LICENSE.spec-bench").read_text()


def test_build_is_reproducible_and_records_the_commit(tmp_path):
    git_dir, head = git_copy(FIXTURE, tmp_path / "upstream")
    first, second = tmp_path / "a", tmp_path / "b"
    info = build(git_dir, first)
    build(git_dir, second)
    for name in (OUT_FILE, "README.md", "LICENSE.spec-bench"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / OUT_FILE).read_bytes() == (FIXTURE / "data/spec_bench/question.jsonl").read_bytes()
    assert info["revision"] == head and info["prompts"] == 12
    assert info["groups"] == {g: 2 for g in parse_groups(None)}
    assert head in (first / "README.md").read_text()


def test_bad_upstream_rows_name_the_line(tmp_path):
    good = json.dumps({"question_id": 1, "category": "qa", "turns": ["Who?"]})
    cases = {
        "not json": r"q.jsonl:2: not valid JSON",
        "[1, 2]": "q.jsonl:2: a row must be a JSON object",
        json.dumps({"question_id": "x", "category": "qa", "turns": ["a"]}): "question_id must be an integer",
        json.dumps({"question_id": 1, "category": "qa", "turns": ["a"]}): "question_id 1 occurs twice",
        json.dumps({"question_id": 2, "category": "poetry", "turns": ["a"]}): "unknown category 'poetry'",
        json.dumps({"question_id": 2, "category": "qa", "turns": [""]}): "turns must be a list of non-empty",
    }
    for line, message in cases.items():
        with pytest.raises(SpecBenchError, match=message):
            check_rows(good + "\n" + line + "\n", "q.jsonl")
    with pytest.raises(SystemExit) as exit_info:
        main(["--spec-bench", str(tmp_path / "missing"), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2


def test_selection_is_seeded_per_group_and_a_prefix_of_a_larger_one():
    prompts = load_prompts()
    small = select(prompts, ["rag", "qa"], 2, seed=0)
    large = select(prompts, ["rag", "qa"], 5, seed=0)
    assert [p.group for p in small] == ["rag", "rag", "qa", "qa"]
    assert small[:2] == large[:2] and small[2:] == large[5:7]
    assert select(prompts, ["rag"], 3, seed=1) != select(prompts, ["rag"], 3, seed=0)
    assert len(select(prompts, ["translation"], None, seed=0)) == 80
    with pytest.raises(ValueError, match="unknown category 'poems'"):
        parse_groups("rag,poems")
