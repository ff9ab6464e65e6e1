"""The Recon extract's build: reproducible, faithful to the upstream files, and leak-free by construction.

The fixtures under ``fixtures/`` are synthetic (invented names and text) in the two upstream layouts:
``scotus_upstream/oyez/cases/*.json`` (Oyez case and transcript records) and ``diplomacy_upstream/data/*.jsonl``
(one two-player dialog per line). No test reads /work/.mirror or the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.recon.build_data import Config, build, main
from benchmarks.recon.data import (
    Candidate,
    Example,
    Individual,
    draw_split,
    load_domain,
    normalise,
    render_context,
    split_problems,
)
from tests.twinbench.upstream_copies import git_copy

FIXTURES = Path(__file__).parent / "fixtures"
SCOTUS = FIXTURES / "scotus_upstream"
DIPLOMACY = FIXTURES / "diplomacy_upstream"
SLICE = Config(
    scotus_terms=("2021", "2022"),
    scotus_cases=5,
    scotus_test_cases=2,
    justices=3,
    scotus_min_words=6,
    diplomacy_individuals=2,
    max_history=6,
    max_test=3,
)
OUTPUTS = ("scotus.jsonl", "diplomacy.jsonl", "README.md")
PER_MESSAGE = ("messages", "speakers", "receivers", "sender_labels", "receiver_labels")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("recon")
    return out, build(SCOTUS, DIPLOMACY, out, SLICE)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_build_twice_gives_identical_bytes(built, tmp_path):
    first, _ = built
    build(SCOTUS, DIPLOMACY, tmp_path, SLICE)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name


def test_git_copy_gives_the_same_rows_and_records_the_commit(built, tmp_path):
    first, _ = built
    scotus_git, commit = git_copy(SCOTUS, tmp_path / "scotus")
    diplomacy_git, _ = git_copy(DIPLOMACY, tmp_path / "diplomacy")
    summary = build(scotus_git, diplomacy_git, tmp_path / "out", SLICE)
    for name in ("scotus.jsonl", "diplomacy.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (first / name).read_bytes()
    assert summary["domains"]["scotus"]["revision"] == commit
    assert f"`{commit}`" in (tmp_path / "out" / "README.md").read_text("utf-8")


def test_scotus_rows_follow_the_transcripts(built):
    out, summary = built
    rows = _rows(out / "scotus.jsonl")
    individuals = load_domain("scotus", out / "scotus.jsonl")
    assert len(individuals) == 3 and all(i.history and i.test for i in individuals)
    # the presiding justice only says short procedural lines: below the word minimum, never an individual
    assert "eliot_ward" not in {i.id for i in individuals}
    held_out = set(summary["domains"]["scotus"]["stats"]["test_cases"])
    assert len(held_out) == 2
    for row in rows:
        meta = row["metadata"]
        assert meta["term"] in ("2021", "2022")  # the 2020 case is outside the chosen terms
        assert row["group"] == meta["case"] and (row["split"] == "test") == (meta["case"] in held_out)
        assert row["id"] == f"scotus/{row['individual']}/{meta['transcript']}/{meta['turn_index']}"
        transcript = json.loads((SCOTUS / "oyez" / "cases" / f"{meta['transcript']}.json").read_text("utf-8"))
        turns = [
            (t["speaker"] or {}, " ".join(" ".join(b["text"] for b in t["text_blocks"]).split()))
            for section in transcript["transcript"]["sections"]
            for t in section["turns"]
        ]
        turns = [(speaker, text) for speaker, text in turns if text]  # empty turns are not turns
        speaker, text = turns[meta["turn_index"]]
        assert speaker["identifier"] == row["individual"] and text == row["action"]
        previous_speaker, previous_text = turns[meta["turn_index"] - 1]
        name = previous_speaker.get("name", "Unidentified speaker")
        assert row["context"].endswith(f"{name}: {previous_text}"[-200:])
        assert row["context"].startswith("Supreme Court of the United States, oral argument in")


def test_diplomacy_rows_follow_the_dialogs(built):
    out, _ = built
    rows = _rows(out / "diplomacy.jsonl")
    messages = {}
    for file in sorted((DIPLOMACY / "data").glob("*.jsonl")):
        for line in file.read_text("utf-8").splitlines():
            dialog = json.loads(line)
            for i, index in enumerate(dialog["absolute_message_index"]):
                messages[(dialog["game_id"], index)] = {key: dialog[key][i] for key in PER_MESSAGE}
    games = {row["metadata"]["game_id"] for row in rows}
    assert len({row["individual"] for row in rows}) == 2 and len(games) == 2  # one player per game
    for row in rows:
        meta = row["metadata"]
        source = messages[(meta["game_id"], meta["absolute_message_index"])]
        assert source["messages"] == row["action"] and source["speakers"] == meta["country"]
        assert source["receivers"] == meta["partner"] and row["group"] == f"{meta['season']} {meta['year']}"
        # labels arrive as booleans or "true"/"false" strings; "NOANNOTATION" means the receiver gave none
        assert meta["sender_label"] is (str(source["sender_labels"]).lower() == "true")
        expected = None if source["receiver_labels"] == "NOANNOTATION" else source["receiver_labels"]
        assert meta["receiver_label"] == expected
        assert row["context"].startswith(f"Diplomacy game {meta['game_id']}: {meta['country'].title()} writing")


def test_held_out_phases_come_after_the_history(built):
    out, _ = built
    order = {"Spring": 0, "Fall": 1, "Winter": 2}
    for individual in load_domain("diplomacy", out / "diplomacy.jsonl"):
        last = max((int(e.metadata["year"]), order[e.metadata["season"]]) for e in individual.history)
        first = min((int(e.metadata["year"]), order[e.metadata["season"]]) for e in individual.test)
        assert last < first, individual.id


@pytest.mark.parametrize("domain", ["scotus", "diplomacy"])
def test_no_held_out_action_reaches_a_synthesis_example(built, domain):
    out, _ = built
    for individual in load_domain(domain, out / f"{domain}.jsonl"):
        assert not {e.group for e in individual.history} & {e.group for e in individual.test}
        synthesis = [normalise(e.context) + "\n" + normalise(e.action) for e in individual.history]
        for example in individual.test:
            assert not any(normalise(example.action) in text for text in synthesis), example.id
        assert split_problems(individual) == []


@pytest.mark.parametrize("domain", ["scotus", "diplomacy"])
def test_shipped_extract_keeps_the_contract(domain):
    individuals = load_domain(domain)  # datasets/recon through twinbench.data.data_path
    assert len(individuals) >= 4
    for individual in individuals:
        assert len(individual.history) >= 20 and len(individual.test) >= 10
        assert split_problems(individual) == []
    if domain == "diplomacy":
        labels = {e.metadata["sender_label"] for i in individuals for e in i.examples}
        assert labels == {True, False}  # self-reported lies come along


def test_draw_split_drops_a_test_action_repeated_in_the_history():
    def candidate(n: int, split: str, group: str, context: str, action: str) -> Candidate:
        return Candidate((n,), Example(f"x/{n}", "x", split, group, context, action))  # type: ignore[arg-type]

    history = [candidate(0, "history", "a", "Q: so what?", "Thank you, counsel, that is all I have.")]
    test = [
        candidate(1, "test", "b", "Q: and now?", "thank you,   counsel, that is all I have."),
        candidate(2, "test", "b", "Q: and then?", "A new question about the remedy."),
    ]
    kept_history, kept_test, dropped = draw_split(history, test, max_history=5, max_test=5, seed="s")
    assert [e.id for e in kept_history] == ["x/0"] and [e.id for e in kept_test] == ["x/2"] and dropped == 1
    assert {e.split for e in kept_test} == {"test"}
    individual = Individual("d", "x", "X", kept_history, [*kept_test, test[0].example])
    assert any("held-out action of x/1" in p for p in split_problems(individual))


def test_render_context_caps_turns_and_characters():
    turns = [(f"S{i}", "word " * 20) for i in range(12)]
    text = render_context(["Header"], turns, max_turns=8, max_chars=250)
    lines = text.splitlines()
    assert lines[0] == "Header" and lines[1] == "[... 10 earlier turns omitted]"
    assert [line.split(":")[0] for line in lines[2:]] == ["S10", "S11"]
    assert sum(len(line) + 1 for line in lines[2:]) <= 250
    long = render_context([], [("A", "x" * 500)], max_turns=8, max_chars=100)
    assert long.startswith("...") and long.endswith("x") and len(long) == 100


def test_cli_builds_and_reports_a_missing_source(tmp_path, capsys):
    args = ["--scotus", str(SCOTUS), "--diplomacy", str(DIPLOMACY), "--out", str(tmp_path)]
    options = ["--scotus-terms", "2021,2022", "--scotus-test-cases", "2", "--justices", "3", "--scotus-min-words", "6"]
    assert main([*args, *options, "--diplomacy-individuals", "2", "--max-history", "6", "--max-test", "3"]) == 0
    assert "scotus: 3 individuals" in capsys.readouterr().out
    card = (tmp_path / "README.md").read_text("utf-8")
    assert "CC BY-NC 4.0" in card and "non-commercial" in card and "CC BY 4.0" in card and "Peskov" in card
    with pytest.raises(SystemExit) as exit_info:
        main(["--scotus", str(tmp_path / "nowhere"), "--diplomacy", str(DIPLOMACY), "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nowhere" in err and "scotus source not found" in err
