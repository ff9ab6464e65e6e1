"""The human deception reference: the build on a hand-checked fixture, its reproducibility, and the reference rows
read from the shipped file.

``fixtures/diplomacy_upstream/data/*.jsonl`` is synthetic (invented text) in the upstream layout of
github.com/DenisPeskoff/2020_acl_diplomacy: one two-player conversation per line. By hand:

* game 1: england-france (train: france lies once in 4 messages), england-germany (train: england lies once in 3,
  its label the string "false"), france-germany (test: germany lies once in 3 labelled messages, and a fourth
  message has no sender label); game 2: italy-turkey (validation: 4 truthful messages, one label the string "true");
* so 14 labelled messages, 3 lies (3/14), 1 unlabelled; 5 players, of whom england, france and germany lied (3/5).

No test reads /work/.mirror or the network.
"""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.negotiation import INFO
from benchmarks.negotiation.build_human_reference import (
    OUT_FILE,
    HumanReferenceError,
    build,
    main,
    read_messages,
    sender_lie,
)
from tests.twinbench.upstream_copies import git_copy
from twinbench.data import data_path
from twinbench.upstream import Upstream

refs = importlib.import_module("benchmarks.negotiation.references")  # the package exports a function of that name
FIXTURE = Path(__file__).parent / "fixtures" / "diplomacy_upstream"
OUTPUTS = (OUT_FILE, "README.md")
PINNED = "c28c0870a639f6f388c87d4f8eaf685e64bfb1a6"  # the commit datasets/recon's card pins too


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("human")
    return out, build(FIXTURE, out)


def test_fixture_numbers_match_the_hand_count(built):
    out, data = built
    assert json.loads((out / OUT_FILE).read_text("utf-8")) == data
    m, p = data["messages"], data["players"]
    assert data["games"] == 2
    assert (m["n"], m["lies"], m["unlabelled"], m["share"]) == (14, 3, 1, round(3 / 14, 6))
    # Wilson score interval of 3/14 and 3/5 at z = 1.959964, worked from the closed form
    assert (m["wilson"]["low"], m["wilson"]["high"]) == (0.075714, 0.475892)
    assert (p["n"], p["lied"], p["share"]) == (5, 3, 0.6)
    assert (p["wilson"]["low"], p["wilson"]["high"]) == (0.230724, 0.882379)
    # Two games: a resample is game 1 twice (3/10), game 2 twice (0/4) or one of each (3/14); with so few clusters
    # the expanded percentile interval reaches the extremes. By player: england and germany lie in 1/3 of their
    # messages, the most any resample can reach; italy and turkey never.
    assert m["by_game"] == {"low": 0.0, "high": 0.3, "clusters": 2}
    assert m["by_player"] == {"low": 0.0, "high": 0.333333, "clusters": 5}
    assert p["by_game"] == {"low": 0.0, "high": 1.0, "clusters": 2}
    assert data["splits"] == {
        "train": {"messages": 7, "lies": 2, "unlabelled": 0},
        "validation": {"messages": 4, "lies": 0, "unlabelled": 0},
        "test": {"messages": 3, "lies": 1, "unlabelled": 1},
    }
    assert data["source"]["revision"] == "unversioned" and data["source"]["licence"] == "CC BY 4.0"


def test_sender_labels_true_means_truthful():
    assert [sender_lie(v) for v in (True, False, "true", "False", " false ")] == [False, True, False, True, True]
    assert sender_lie("NOANNOTATION") is None and sender_lie(None) is None


def test_build_twice_gives_identical_bytes(built, tmp_path):
    first, _ = built
    build(FIXTURE, tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name


def test_git_copy_gives_the_same_numbers_and_records_the_commit(built, tmp_path):
    _, first = built
    git_dir, commit = git_copy(FIXTURE, tmp_path / "upstream")
    data = build(git_dir, tmp_path / "out")
    assert data["source"]["revision"] == commit and data["source"]["commit_date"]
    assert {k: v for k, v in data.items() if k != "source"} == {k: v for k, v in first.items() if k != "source"}
    assert f"`{commit}`" in (tmp_path / "out" / "README.md").read_text("utf-8")


def test_no_message_text_is_shipped(built):
    out, _ = built
    shipped = "\n".join((out / name).read_text("utf-8") for name in OUTPUTS)
    for file in sorted((FIXTURE / "data").glob("*.jsonl")):
        for line in file.read_text("utf-8").splitlines():
            for text in json.loads(line)["messages"] if line.strip() else []:
                assert text not in shipped


def test_card_names_source_licence_and_attribution(built):
    out, _ = built
    card = (out / "README.md").read_text("utf-8")
    assert "CC BY 4.0" in card and "Peskov" in card and "github.com/DenisPeskoff/2020_acl_diplomacy" in card
    assert "3 of 14 messages = **21.43%**" in card and "by game [0.00%, 30.00%]" in card


def test_a_repeated_message_or_missing_file_is_an_error(tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURE, copy)
    train = (copy / "data" / "train.jsonl").read_text("utf-8")
    (copy / "data" / "validation.jsonl").write_text(train.splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(HumanReferenceError, match="message 0 of game 1 also in data/train.jsonl:1"):
        read_messages(Upstream(copy, "diplomacy"))
    (copy / "data" / "validation.jsonl").unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(["--diplomacy", str(copy), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "data/validation.jsonl is absent" in err


def test_cli_builds(tmp_path, capsys):
    assert main(["--diplomacy", str(FIXTURE), "--out", str(tmp_path)]) == 0
    assert "3 lies in 14 messages (21.43%" in capsys.readouterr().out
    assert (tmp_path / OUT_FILE).is_file() and (tmp_path / "README.md").is_file()


# ---------------------------------------------------------------- the shipped file and the reference rows


def test_shipped_file_holds_all_upstream_messages_at_the_pinned_commit():
    data = json.loads(data_path(*refs.HUMAN_FILE).read_text("utf-8"))
    assert data["source"]["revision"] == PINNED and data["source"]["licence"] == "CC BY 4.0"
    m, p = data["messages"], data["players"]
    assert (m["n"], m["lies"], m["unlabelled"], data["games"]) == (17289, 887, 0, 12)  # the paper: 17,289, 12 games
    assert m["share"] == round(887 / 17289, 6) and 0.04 < m["share"] < 0.06  # lies are about 5% of messages
    assert {s: c["messages"] for s, c in data["splits"].items()} == {"train": 13132, "validation": 1416, "test": 2741}
    assert (p["n"], p["lied"]) == (83, 77)
    # the clustered intervals are wider than the Wilson interval, which treats messages as independent
    assert m["by_game"]["low"] < m["wilson"]["low"] < m["share"] < m["wilson"]["high"] < m["by_game"]["high"]
    card = data_path("negotiation", "README.md").read_text("utf-8")
    assert f"`{PINNED}`" in card and "887 of 17289 messages = **5.13%**" in card


def test_human_rows_carry_the_shipped_values():
    data = json.loads(data_path(*refs.HUMAN_FILE).read_text("utf-8"))
    rows = refs.human_rows().set_index("metric")
    assert list(rows.index) == list(refs.HUMAN_METRICS)
    assert set(rows["reference"]) == {"Diplomacy players (Peskov et al. 2020), human, self-reported lies"}
    assert set(rows["group"]) == {"overall"}
    lie = rows.loc["self_reported_lie_rate"]
    assert (lie["value"], lie["ci_low"], lie["ci_high"], lie["n"], lie["numerator"]) == (
        data["messages"]["share"], data["messages"]["by_game"]["low"], data["messages"]["by_game"]["high"],
        17289, 887,
    )  # fmt: skip
    assert (lie["wilson_low"], lie["wilson_high"]) == (data["messages"]["wilson"]["low"],
                                                       data["messages"]["wilson"]["high"])  # fmt: skip
    players = rows.loc["lying_player_share"]
    assert (players["value"], players["n"], players["numerator"]) == (data["players"]["share"], 83, 77)
    assert PINNED in lie["source"] and "not comparable with betrayal_rate" in lie["note"]
    # never filed under one of the game's own metrics
    own = {m.name for m in INFO.headline} | {d.name for d in INFO.diagnostics}
    assert not own & set(rows.index)


def test_human_rows_read_a_given_file(built):
    out, data = built
    rows = refs.human_rows(out / OUT_FILE).set_index("metric")
    assert rows.loc["self_reported_lie_rate", "value"] == data["messages"]["share"]
    assert rows.loc["self_reported_lie_rate", "ci_high"] == 0.3


def test_references_include_the_human_rows(monkeypatch):
    monkeypatch.setattr(refs, "bot_samples", lambda bot: bot)  # the bot games are covered elsewhere; skip them here
    monkeypatch.setattr(refs, "summarize", lambda bot: pd.DataFrame([{"metric": "win_rate", "value": 0.0,
                        "ci_low": 0.0, "ci_high": 0.0, "n": 1, "group": "overall"}]))  # fmt: skip
    table = refs.references()
    human = table[table["reference"] == refs.HUMAN]
    assert sorted(human["metric"]) == sorted(refs.HUMAN_METRICS)
    assert len(table) == len(refs.PUBLISHED) + len(refs.HUMAN_METRICS) + 3
