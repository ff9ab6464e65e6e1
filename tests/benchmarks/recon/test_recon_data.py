"""Recon's loaders: the shipped-extract reader's one-line errors, and the ConvoKit corpus loader on a fixture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.recon.data import (
    CONTEXT_CHARS,
    ReconDataError,
    domain_file,
    example_row,
    load_convokit,
    load_domain,
    normalise,
    split_problems,
)

CORPUS = Path(__file__).parent / "fixtures" / "convokit_corpus"


def _row(**changes) -> dict:
    row = {
        "id": "scotus/a/1",
        "domain": "scotus",
        "individual": "a",
        "individual_name": "A",
        "split": "history",
        "group": "case-1",
        "context": "B: a question?",
        "action": "An answer about the statute.",
        "metadata": {},
    }
    return {**row, **changes}


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8")
    return path


def _one_line_error(call, *needles: str) -> str:
    with pytest.raises(ReconDataError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


def test_reads_rows_into_individuals(tmp_path):
    rows = [
        _row(),
        _row(id="scotus/a/2", split="test", group="case-2", action="Something else entirely."),
        _row(id="scotus/b/3", individual="b", individual_name="B"),
    ]
    individuals = load_domain("scotus", _write(tmp_path / "s.jsonl", rows))
    assert [(i.id, i.name, len(i.history), len(i.test)) for i in individuals] == [("a", "A", 1, 1), ("b", "B", 1, 0)]
    assert individuals[0].test[0].split == "test" and individuals[0].examples[0].id == "scotus/a/1"


def test_example_row_round_trips(tmp_path):
    individual = load_domain("scotus", _write(tmp_path / "s.jsonl", [_row(metadata={"turn_index": 4})]))[0]
    assert example_row("scotus", individual.name, individual.history[0]) == _row(metadata={"turn_index": 4})


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("{not json", ":2: not valid JSON"),
        ("[1, 2]", ":2: a row must be a JSON object"),
        ({k: v for k, v in _row().items() if k != "action"}, ":2: row lacks action"),
        (_row(split="train"), ":2: split 'train' is not one of history, test"),
        (_row(domain="diplomacy"), ":2: row of domain 'diplomacy' in the 'scotus' file"),
        (_row(metadata=[]), ":2: 'metadata' must be an object"),
        (_row(action=""), ":2: 'action' must be a non-empty string"),
        (_row(), ":2: duplicate id 'scotus/a/1'"),
    ],
)
def test_malformed_row_is_one_line_naming_file_and_line(tmp_path, row, needle):
    path = _write(tmp_path / "bad.jsonl", [_row(), row])
    _one_line_error(lambda: load_domain("scotus", path), str(path), needle)


def test_a_leaking_split_is_refused(tmp_path):
    leaked = _row(id="scotus/a/2", split="test", group="case-2", action="B: A QUESTION?")
    shared = _row(id="scotus/a/3", split="test", group="case-1", action="A different answer.")
    path = _write(tmp_path / "leak.jsonl", [_row(), leaked])
    _one_line_error(lambda: load_domain("scotus", path), str(path), "held-out action of scotus/a/2")
    path = _write(tmp_path / "shared.jsonl", [_row(), shared])
    _one_line_error(lambda: load_domain("scotus", path), str(path), "share group(s) case-1")


def test_missing_file_and_unknown_domain(tmp_path):
    _one_line_error(lambda: load_domain("scotus", tmp_path / "absent.jsonl"), "absent.jsonl", "not found")
    with pytest.raises(ValueError, match="unknown recon domain 'chess'"):
        domain_file("chess")


# ---------------------------------------------------------------- ConvoKit


def test_convokit_missing_folder_or_file(tmp_path):
    _one_line_error(lambda: load_convokit(tmp_path / "nope"), "nope", "no ConvoKit corpus folder")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "speakers.json").unlink()
    _one_line_error(lambda: load_convokit(corpus), str(corpus / "speakers.json"), "missing")


def test_convokit_malformed_utterance(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    with (corpus / "utterances.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "z", "speaker": "alice", "text": "no conversation"}) + "\n")
    lines = len((corpus / "utterances.jsonl").read_text("utf-8").splitlines())
    _one_line_error(lambda: load_convokit(corpus), f"utterances.jsonl:{lines}", "lacks conversation_id")


def test_convokit_fixture_gives_split_individuals():
    utterances = [json.loads(line) for line in (CORPUS / "utterances.jsonl").read_text("utf-8").splitlines()]
    by_id = {u["id"]: u for u in utterances}
    individuals = load_convokit(CORPUS, min_examples=3, max_individuals=3, test_fraction=0.3)
    assert [i.id for i in individuals] == ["carol", "bob", "dave"]  # most eligible utterances first
    assert individuals[1].meta == {"flair": None}  # {"meta": ..., "vectors": ...} speakers unwrapped
    for individual in individuals:
        assert individual.domain == "convokit" and individual.history and individual.test
        assert split_problems(individual) == []
        assert not {e.group for e in individual.history} & {e.group for e in individual.test}
        for example in individual.examples:
            source = by_id[example.metadata["utterance_id"]]
            assert source["speaker"] == individual.id and example.action == source["text"]
            assert example.group == source["conversation_id"]
            # context: the conversation's earlier utterances in timestamp order (the file is shuffled)
            earlier = sorted(
                (
                    u
                    for u in utterances
                    if u["conversation_id"] == example.group and u["timestamp"] < source["timestamp"]
                ),
                key=lambda u: u["timestamp"],
            )
            lines = example.context.splitlines()
            assert lines[0].startswith(f"Conversation {example.group}: CMV: synthetic thread")
            assert lines[1:] == [f"{u['speaker']}: {u['text']}" for u in earlier][-len(lines[1:]) :]
            assert len(example.context) <= CONTEXT_CHARS + len(lines[0]) + 1
        held = [normalise(e.action) for e in individual.test]
        assert not any(a in normalise(e.context) for a in held for e in individual.history)


def test_convokit_skips_placeholder_speakers_and_short_utterances():
    individuals = load_convokit(CORPUS, min_examples=1, max_individuals=10)
    assert "[deleted]" not in {i.id for i in individuals}
    assert all(len(e.action.split()) >= 5 for i in individuals for e in i.examples)  # "lol no" is not an action
