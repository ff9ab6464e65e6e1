"""PSI's reference-data build: reproducible, faithful to the upstream files, and no AnnoMI text shipped.

The fixtures under ``fixtures/`` are synthetic (invented text) in the upstream layouts: ``esconv_upstream/``
(``FailedESConv.json`` and ``codes/dataset/devWithStrategy_short.tsv`` as in thu-coai/Emotional-Support-Conversation;
``ESConv.json`` left out, as in the pinned snapshot) and ``annomi_upstream/AnnoMI-simple.csv`` (uccollab/AnnoMI). No
test reads /work/.mirror or the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.psi import diagnostics as dx
from benchmarks.psi.build_data import build, main, tsv_conversations
from benchmarks.psi.data import PsiDataError, load_annomi_stats, load_esconv, load_reference_stats
from tests.twinbench.upstream_copies import git_copy

FIXTURES = Path(__file__).parent / "fixtures"
ESCONV = FIXTURES / "esconv_upstream"
ANNOMI = FIXTURES / "annomi_upstream"
OUTPUTS = ("esconv.jsonl", "annomi_stats.json", "reference_stats.json", "README.md")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("psi")
    return out, build(ESCONV, ANNOMI, out)


def test_build_is_byte_reproducible(built, tmp_path):
    out, _ = built
    build(ESCONV, ANNOMI, tmp_path)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_esconv_extract_keeps_fields_and_stitches_windows(built):
    out, summary = built
    rows = load_esconv(path=out / "esconv.jsonl")
    assert [c.id for c in rows] == ["failed-0000", "failed-0001", "dev-0000", "dev-0001"]
    first = rows[0]
    assert (first.emotion_type, first.problem_type, first.experience_type) == (
        "anxiety",
        "job crisis",
        "Current Experience",
    )
    assert first.situation == "I might lose my job at the bakery next month."
    assert (first.initial_emotion_intensity, first.final_emotion_intensity) == (4, 4)
    assert first.metadata == {"index": 0, "empathy": 2, "relevance": 3}
    assert first.turns[2].strategy == "Questions" and first.turns[3].feedback == 3
    assert first.turns[3].text == "The bakery may close. I always worry."  # whitespace collapsed
    assert first.patient_turns() == [
        "Hello\nI am so nervous about work.",
        "The bakery may close. I always worry.",
        "Thanks, that helps a little.",
    ]
    assert rows[1].final_emotion_intensity is None
    # the supporter-only conversation is dropped; B (a window that did not overlap) is dropped for its gap
    assert summary["esconv"]["dropped_no_seeker_turn"] == 1
    assert summary["esconv"]["files"]["codes/dataset/devWithStrategy_short.tsv"] == {
        "conversations": 2,
        "windows_conversations": 3,
        "dropped_for_gaps": 1,
    }
    a = rows[2]
    assert a.source == "codes/dataset/devWithStrategy_short.tsv" and a.emotion_type is None
    assert [(t.speaker, t.text, t.strategy) for t in a.turns] == [
        ("patient", "hello there", None),
        ("therapist", "How are you today?", "Questions"),
        ("patient", "I feel sad about work.", None),
        ("patient", "My boss yells at me.", None),
        ("therapist", "That sounds hard.", "Reflection of feelings"),
        ("patient", "Yes. Thanks for listening.", None),
        ("therapist", "Take care.", "Other"),
    ]
    # the seeker's "I will try." came after the last supporter message: the windows never carry it
    assert rows[3].patient_turns() == ["hey\nI cannot sleep at all."]
    card = (out / "README.md").read_text()
    assert "CC BY-NC 4.0" in card and "non-commercial" in card and "unversioned" in card


def test_tsv_window_starting_over_starts_a_new_conversation():
    data = (
        b"1.0 0 0 a EOS 1.0 1 1 [Other] b \n"
        b"0.0 0 0 a EOS 0.0 1 1 [Other] b EOS 0.0 0 2 c EOS 1.0 1 3 [Questions] d \n"
        b"0.0 0 0 a EOS 1.0 1 1 [Other] b \n"  # same opening text, but the index does not move forward
    )
    rows, stats = tsv_conversations(data, "x.tsv", "x")
    assert [len(c.turns) for c in rows] == [4, 2] and stats["dropped_for_gaps"] == 0


def test_annomi_ships_numbers_never_text(built):
    out, _ = built
    stats = load_annomi_stats(out / "annomi_stats.json")
    text = (out / "annomi_stats.json").read_text() + (out / "reference_stats.json").read_text()
    for phrase in ("quit smoking", "it is hard", "cut down", "doctor", "What brings you"):
        assert phrase.lower() not in text.lower()
    sessions = {s["transcript_id"]: s for s in stats["sessions"]}
    assert sorted(sessions) == [3, 7]
    # transcript 7: client turns "Well, um, I want to quit smoking." + "But it is hard." merged, then "Yeah."
    assert sessions[7]["client_turns"] == 2 and sessions[7]["words_by_turn"] == [11, 1]
    assert sessions[7]["words_per_sentence_by_turn"] == [5.5, 1.0]
    # transcript 3 is ordered by utterance_id, not by file order
    assert sessions[3]["words_by_turn"] == [7, 5]
    assert sessions[3]["markers"]["counts"]["absolutist"] == 1  # never
    assert sessions[3]["markers"]["counts"]["non_fluencies"] == 1  # you know
    assert sessions[7]["mtld"] is None  # under 100 tokens
    shares = stats["talk_type_shares_by_turn"]
    # turn 0: change, sustain (transcript 7) and sustain (3); turn 1: neutral (7) and change (3)
    assert shares["0"] == {"n": 3, "change": round(1 / 3, 6), "neutral": 0.0, "sustain": round(2 / 3, 6)}
    assert shares["1"] == {"n": 2, "change": 0.5, "neutral": 0.5, "sustain": 0.0}


def test_reference_stats_match_the_diagnostics(built):
    out, _ = built
    refs = load_reference_stats(out / "reference_stats.json")["references"]
    assert sorted(refs) == ["annomi", "esconv", "esconv_dev", "esconv_failed"]
    rows = load_esconv(path=out / "esconv.jsonl", sources=["FailedESConv.json"])
    again = dx.summarize_population([c.patient_turns() for c in rows])
    assert refs["esconv_failed"]["conversations"] == 2
    assert refs["esconv_failed"]["words_per_turn"] == pytest.approx(again["words_per_turn"], abs=1e-6)
    assert refs["esconv_failed"]["markers"]["combined_ptk"] == pytest.approx(again["markers"]["combined_ptk"])


def test_git_directory_records_its_commit(tmp_path):
    git_dir, head = git_copy(ESCONV, tmp_path / "esconv")
    summary = build(git_dir, ANNOMI, tmp_path / "out")
    assert summary["esconv"]["revision"] == head
    assert f"`{head}`" in (tmp_path / "out" / "README.md").read_text()


def test_missing_sources_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(PsiDataError, match="AnnoMI-simple.csv not found") as err:
        build(ESCONV, tmp_path, tmp_path / "out")
    assert "\n" not in str(err.value)
    with pytest.raises(SystemExit) as code:
        main(["--esconv", str(tmp_path / "nowhere"), "--annomi", str(ANNOMI), "--out", str(tmp_path / "o")])
    assert code.value.code == 2
    message = capsys.readouterr().err
    assert str(tmp_path / "nowhere") in message and message.count("\n") == 1


def test_shipped_files_load_and_agree():
    rows = load_esconv()
    assert len(rows) == 600
    assert sum(c.source == "FailedESConv.json" for c in rows) == 196
    assert sum(c.emotion_type == "depression" for c in rows) == 56
    depressed = load_esconv(emotion_types=["Depression"])
    assert len(depressed) == 56 and all(c.situation for c in depressed)
    refs = load_reference_stats()["references"]
    again = dx.summarize_population([c.patient_turns() for c in rows if c.source == "FailedESConv.json"])
    shipped = refs["esconv_failed"]
    assert shipped["words_per_turn"] == pytest.approx(again["words_per_turn"], abs=1e-6)
    assert shipped["mtld_values"] == pytest.approx(again["mtld_values"], abs=1e-6)
    assert shipped["resolved_share"] == pytest.approx(again["resolved_share"], abs=1e-6)
    annomi = load_annomi_stats()
    assert len(annomi["sessions"]) == 133
    assert json.dumps(annomi).count('"mtld"') == 133
