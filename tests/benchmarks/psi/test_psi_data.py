"""Loaders of the references a user brings (HOPE, PSI-Bench's Eeyore profile set), on fixtures in their schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.psi.data import Conversation, PsiDataError, Turn, load_eeyore, load_esconv, load_hope

FIXTURES = Path(__file__).parent / "fixtures"


def test_hope_sessions_from_split_folders():
    rows = load_hope(FIXTURES / "hope")
    assert [c.id for c in rows] == ["hope/Test/3", "hope/Train/12"]
    test, train = rows
    assert test.metadata == {"file": "Test/Copy of 3.csv", "split": "Test"}
    assert [(t.speaker, t.label) for t in test.turns] == [("patient", "id"), ("therapist", "irq")]  # Dialogue_Act
    assert [t.text for t in train.turns] == [
        "Hello, how have you been?",
        "Not great. I can't sleep.",
        "It has been weeks.",
        "Tell me more.",
    ]  # the empty utterance is skipped
    assert train.patient_turns() == ["Not great. I can't sleep.\nIt has been weeks."]


def test_eeyore_rows_from_jsonl_and_parquet(tmp_path):
    rows = load_eeyore(FIXTURES / "eeyore")
    assert [(c.id, c.source) for c in rows] == [
        ("eeyore/0", "eeyore:ESC"),
        ("eeyore/1", "eeyore:HOPE"),
        ("eeyore/2", "eeyore:AnnoMI"),
    ]
    esc, hope, annomi = rows
    assert esc.patient_turns() == ["I lost my job.\nI feel hopeless."]
    assert esc.situation == "Lost a job and feels hopeless."
    assert hope.metadata["profile"] == {"situation of the client": "Trouble sleeping."}  # JSON text decoded
    assert hope.patient_turns() == ["I can't sleep."]  # the blank message dropped
    assert [t.speaker for t in annomi.turns] == ["therapist", "patient"]  # the system message is no turn
    only = load_eeyore(FIXTURES / "eeyore" / "eeyore_profile.jsonl", sources=["HOPE"])
    assert [c.id for c in only] == ["eeyore/1"]

    # the same rows as a Hugging Face parquet shard (profile as JSON text: parquet needs one type per column)
    records = [json.loads(line) for line in (FIXTURES / "eeyore" / "eeyore_profile.jsonl").read_text().splitlines()]
    for r in records:
        r["profile"] = r["profile"] if isinstance(r["profile"], str) else json.dumps(r["profile"])
    shard = tmp_path / "data" / "train-00000-of-00001.parquet"
    shard.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(records), shard)
    again = load_eeyore(tmp_path)
    assert [(c.id, c.patient_turns()) for c in again] == [(c.id, c.patient_turns()) for c in rows]


@pytest.mark.parametrize("loader", [load_hope, load_eeyore])
def test_absent_reference_is_one_line_naming_the_path(loader, tmp_path):
    missing = tmp_path / "not-here"
    with pytest.raises(PsiDataError) as err:
        loader(missing)
    assert str(missing) in str(err.value) and "\n" not in str(err.value)


def test_empty_or_foreign_folders_are_refused(tmp_path):
    with pytest.raises(PsiDataError, match="no HOPE session CSV"):
        load_hope(tmp_path)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(PsiDataError, match="needs columns Type and Utterance"):
        load_hope(tmp_path)
    (tmp_path / "rows.jsonl").write_text('{"source": "ESC"}\n')
    with pytest.raises(PsiDataError, match="no messages list"):
        load_eeyore(tmp_path / "rows.jsonl")
    with pytest.raises(PsiDataError, match="ESConv extract not found"):
        load_esconv(path=tmp_path / "esconv.jsonl")


def test_patient_turns_merge_runs_and_skip_empty_messages():
    c = Conversation(
        "x",
        "test",
        (
            Turn("patient", "a"),
            Turn("therapist", ""),  # an empty message does not break a run
            Turn("patient", "b"),
            Turn("therapist", "c"),
            Turn("patient", "d"),
        ),
    )
    assert c.patient_turns() == ["a\nb", "d"]
    assert Conversation.from_dict(c.to_dict()) == c
