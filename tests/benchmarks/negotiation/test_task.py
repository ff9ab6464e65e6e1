"""The negotiation task end to end on scripted mock models: exact metric values, invalid output, roles, rotation,
the targeted prompt, the game record in the score, and the registry hooks."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.negotiation import INFO
from benchmarks.negotiation.prompts import TARGETED
from benchmarks.negotiation.record import verify_replay
from benchmarks.negotiation.references import PUBLISHED, degenerate, published_rows
from benchmarks.negotiation.solver import MAIN_JOB_PLAYERS, lineup, seating
from benchmarks.negotiation.summary import summarize_runs
from benchmarks.negotiation.task import negotiation
from reports.logs import samples_frame

MARK = "What you can see (JSON):\n"


def observation(messages) -> dict[str, Any]:
    text = messages[-1].text
    return json.loads(text.split(MARK, 1)[1].split("\n", 1)[0])


def passive(obs: dict[str, Any]) -> dict[str, Any]:
    if obs["phase"] == "reinforce":
        mine = [t for t, v in obs["territories"].items() if v["owner"] == obs["seat"]]
        return {"type": "reinforce", "place": {mine[0]: obs["armies_to_place"]}}
    if obs["phase"] == "message":
        return {"type": "message", "act": "talk", "text": "hm"}
    return {"type": "pass"}


def accepter(messages, config) -> str:
    """Accepts every proposal made to it, never proposes; passive otherwise."""
    obs = observation(messages)
    channel = obs.get("channel")
    if channel and channel["open_proposal"] and channel["open_proposal"]["proposer"] != obs["seat"]:
        return 'Sure! {"type": "message", "act": "accept", "text": "deal"}'
    return json.dumps(passive(obs))


def betrayer(messages, config) -> str:
    """Opens a channel with a neighbour each turn and promises it one army next turn, never pays, rejects every
    proposal made to it."""
    obs = observation(messages)
    seat = obs["seat"]
    neighbours = sorted({v["owner"] for v in obs["territories"].values() if v["owner"] != seat})
    if obs["phase"] == "negotiate" and obs["negotiate_tokens"] == 2 and neighbours:
        return json.dumps({"type": "negotiate", "with": neighbours[0]})
    if obs["phase"] == "message":
        channel = obs["channel"]
        if channel["open_proposal"] and channel["open_proposal"]["proposer"] != seat:
            return json.dumps({"type": "message", "act": "reject", "text": "no"})
        if not channel["messages"]:
            term = {"kind": "support", "from": seat, "to": channel["with"], "armies": 1, "turns": 1}
            return "```json\n" + json.dumps({"type": "message", "act": "propose", "text": "I give you one army",
                                             "terms": [term]}) + "\n```"  # fmt: skip
    return json.dumps(passive(obs))


def run(tmp_path, name: str, responder, roles: dict[str, Any] | None = None, **task_args):
    model = get_model(f"mock/{name}", responder=responder, memoize=False)
    [log] = inspect_eval(
        negotiation(**task_args), model=model, model_roles=roles, log_dir=str(tmp_path), display="none"
    )
    assert log.status == "success", log.error
    frame = samples_frame(log)
    return log, frame, INFO.summarize(frame)


def test_every_epoch_after_the_first_plays_a_new_deal(tmp_path):
    """Epochs replaying one seeded game would be counted as independent games: each plays its own deal."""

    def records(folder, epochs: int) -> dict[int, str]:
        model = get_model("mock/passer", responder=lambda messages, **_: "{}", memoize=False)
        task = negotiation(games=1, turn_cap=2)
        [log] = inspect_eval(task, model=model, epochs=epochs, limit=1, log_dir=str(folder), display="none")
        assert log.status == "success", log.error
        frame = samples_frame(log)
        return {e: json.dumps(m["record"], sort_keys=True) for e, m in zip(frame["epoch"], frame["score_metadata"])}

    three, one = records(tmp_path / "three", 3), records(tmp_path / "one", 1)
    assert sorted(three) == [1, 2, 3] and len(set(three.values())) == 3
    assert three[1] == one[1]  # epoch 1: the sample's own deal, as before


def overall(table: pd.DataFrame, metric: str, group: str = "overall") -> pd.Series:
    return table[(table.metric == metric) & (table.group == group)].iloc[0]


@pytest.fixture(scope="module")
def accepting(tmp_path_factory):
    return run(tmp_path_factory.mktemp("acc"), "accepter", accepter, opponents="bots:always_accept", turn_cap=4)


@pytest.fixture(scope="module")
def betraying(tmp_path_factory):
    return run(tmp_path_factory.mktemp("bet"), "betrayer", betrayer, opponents="bots:always_accept", turn_cap=5)


def test_a_seat_that_accepts_everything_has_acceptance_1(accepting):
    log, frame, table = accepting
    acceptance = overall(table, "acceptance_without_counteroffer")
    assert acceptance["value"] == 1.0 and acceptance["n"] > 0
    assert overall(table, "counteroffer_rate")["value"] == 0.0
    assert overall(table, "invalid_move_rate")["value"] == 0.0  # prose around the JSON is read
    assert overall(table, "reliability")["value"] == 1.0  # it never attacks, so non-aggression is kept
    assert overall(table, "betrayal_rate")["value"] == 0.0
    assert INFO.degenerate(table) is None


def test_a_seat_that_always_betrays_has_betrayal_rate_1(betraying):
    log, frame, table = betraying
    betrayal = overall(table, "betrayal_rate")
    assert betrayal["value"] == 1.0 and betrayal["n"] >= 4
    assert overall(table, "reliability")["value"] == 0.0
    assert overall(table, "terms_per_deal")["value"] == 1.0
    assert overall(table, "acceptance_without_counteroffer")["value"] == 0.0  # it rejects every offer
    # the engine's verdicts behind the number: every decided support term it owes is broken by it
    for sample in log.samples:
        meta = sample.scores["negotiation_scorer"].metadata
        me = next(s["seat"] for s in meta["seats"] if s["main"])
        owed = [t for d in meta["record"]["deals"] if d["status"] == "accepted" for t in d["terms"]
                if t.get("from") == me and t["status"] in ("kept", "broken")]  # fmt: skip
        assert all(t["status"] == "broken" and t["broken_by"] == [me] for t in owed)


def test_the_full_record_is_in_the_score_and_replays(betraying):
    log, frame, table = betraying
    for sample in log.samples:
        score = sample.scores["negotiation_scorer"]
        record = score.metadata["record"]
        verify_replay(record)  # raises on any difference
        assert all(isinstance(v, float) for v in score.value.values())
        assert score.answer == ",".join(str(s) for s in record["result"]["ranking"])


def test_seats_rotate_so_player_1_plays_every_seat(accepting):
    log, frame, table = accepting
    seats = {s.id: next(x["seat"] for x in s.scores["negotiation_scorer"].metadata["seats"] if x["main"])
             for s in log.samples}  # fmt: skip
    assert seats == {"game-000-r0": 1, "game-000-r1": 2, "game-000-r2": 3, "game-000-r3": 4}
    assert {s.metadata["seed"] for s in log.samples} == {0}
    assert len(table[table.metric == "pl_strength"]) == 4


def test_unparseable_moves_are_counted_invalid_and_flag_the_run(tmp_path):
    log, frame, table = run(tmp_path, "garbage", lambda m, c: "I think I will win.", opponents="bots:greedy",
                            games=2, turn_cap=2)  # fmt: skip
    invalid = overall(table, "invalid_move_rate")
    assert invalid["value"] == 1.0 and invalid["n"] > 0
    assert "invalid" in INFO.degenerate(table)
    for sample in log.samples:
        record = sample.scores["negotiation_scorer"].metadata["record"]
        assert record["result"]["end_reason"] == "turn_cap"  # the game finished on safe defaults


def test_a_misspelt_model_role_is_one_clear_error(tmp_path):
    task = negotiation(games=1, turn_cap=1, players="model,bot:greedy,bot:greedy,bot:random")
    roles = {"player2": "mockllm/model"}
    [log] = inspect_eval(task, model="mockllm/model", model_roles=roles, log_dir=str(tmp_path), display="none")
    assert log.status == "error" and log.error is not None
    assert "negotiation: unknown model role player2 (--model-role); its roles are player_1, player_2" in (
        log.error.message
    )


def test_model_roles_seat_their_own_models(tmp_path):
    seen: dict[str, set[tuple[str, int]]] = {"a": set(), "b": set()}

    def script(name):
        def respond(messages, config):
            obs = observation(messages)
            seen[name].add((obs["phase"], obs["seat"]))
            return json.dumps(passive(obs))

        return respond

    other = get_model("mock/b", responder=script("b"), memoize=False)
    log, frame, table = run(tmp_path, "a", script("a"), roles={"player_2": other},
                            players="model,model,bot:greedy,bot:random", games=4, turn_cap=2)  # fmt: skip
    for sample in log.samples:
        seats = {s["player"]: s for s in sample.scores["negotiation_scorer"].metadata["seats"]}
        assert seats["player_1"]["model"] == "mock/a" and seats["player_1"]["main"]
        assert seats["player_2"]["model"] == "mock/b" and not seats["player_2"]["main"]
        assert seats["player_3"]["model"] == "bot:greedy" and seats["player_4"]["model"] == "bot:random"
        assert seats["player_3"]["calls"] == 0
    assert {seat for _, seat in seen["a"]} == {1, 2, 3, 4} == {seat for _, seat in seen["b"]}
    assert overall(table, "main_seat_share")["value"] == 0.25
    assert {"model mock/a", "model mock/b", "bot:greedy", "bot:random"} <= set(table.group)


def test_targeted_prompt_reaches_only_targeted_games(tmp_path):
    prompts: list[tuple[int, bool]] = []

    def respond(messages, config):
        obs = observation(messages)
        prompts.append((obs["turn"], TARGETED in messages[0].text))
        return json.dumps(passive(obs))

    log, frame, table = run(tmp_path, "targeted", respond, opponents="bots:greedy", targeted="alternate", games=8,
                            turn_cap=2)  # fmt: skip
    arms = {s.id: s.metadata["targeted"] for s in log.samples}
    assert sorted(arms.values()) == [False] * 4 + [True] * 4
    assert any(t for _, t in prompts) and not all(t for _, t in prompts)
    change = overall(table, "targeted_win_rate_change")
    assert change["test"] == "Fisher exact, two-sided" and 0 <= change["p_value"] <= 1
    assert change["n_targeted"] == change["n_plain"] == 4
    wins_t, wins_p = overall(table, "win_rate", "targeted")["value"], overall(table, "win_rate", "untargeted")["value"]
    assert math.isclose(change["value"], wins_t - wins_p)


def test_summarize_runs_tests_targeted_on_against_off(accepting):
    log, frame, table = accepting
    runs = []
    for arm, wins in (("on", 1), ("off", 0)):
        part = frame.copy()
        part["score_metadata"] = [
            {"seats": [{**s, "first": wins if s["main"] else 0} for s in m["seats"]]} for m in part["score_metadata"]
        ]
        runs.append(part.assign(task="negotiation", task_version="1", model="mock/accepter", model_roles="{}",
                                task_args=json.dumps({"games": 4, "targeted": arm}), log=arm))  # fmt: skip
    rows = summarize_runs(pd.concat(runs, ignore_index=True))
    [row] = rows.to_dict("records")
    assert row["value"] == 1.0 and row["n"] == 8 and row["p_value"] == pytest.approx(1 / 35)
    assert "targeted on vs off" in row["scope"]


def test_lineup_options():
    assert [p.spec for p in lineup()] == ["model"] * 4
    assert [p.spec for p in lineup(opponents="bots:greedy")] == ["model"] + ["bot:greedy"] * 3
    assert [p.spec for p in lineup(players="model,bot:random,model,bot:never_keep")] == [
        "model", "bot:random", "model", "bot:never_keep"]  # fmt: skip
    for bad, why in [
        ({"players": "model,model"}, "players names four entries"),
        ({"opponents": "greedy"}, "opponents must be bots:"),
        ({"players": "model,bot:nope,model,model"}, "player_2 must be 'model' or one of"),
        ({"players": "model,,bot:random,bot:greedy"}, "player_2 is empty in players"),  # a typo, not a model seat
        ({"players": "model,bot:random,model,model", "opponents": "bots:greedy"}, "not both"),
    ]:
        with pytest.raises(ValueError, match=why):
            lineup(**bad)
    # twinbench run passes its default lineup as players: the opponents a user gives replace it
    assert [p.spec for p in lineup(players=MAIN_JOB_PLAYERS, opponents="bots:greedy")] == ["model"] + ["bot:greedy"] * 3
    assert seating(1) == {2: "player_1", 3: "player_2", 4: "player_3", 1: "player_4"}


def test_task_options_as_the_command_line_gives_them():
    """-T values are YAML: `targeted=on` arrives as True, `turn_cap=2.5` as a float that must not be cut to 2."""
    assert negotiation(games=1, targeted=True).metadata["targeted"] == "on"
    assert negotiation(games=1, targeted=False).metadata["targeted"] == "off"
    for name in ("turn_cap", "games", "message_rounds"):
        with pytest.raises(ValueError, match=f"{name} must be a whole number, got 2.5"):
            negotiation(**{name: 2.5})
    assert negotiation(games=1, turn_cap=3.0).metadata["turn_cap"] == 3


def test_published_references_match_the_paper():
    rows = published_rows()
    assert {(r["reference"], r["metric"], r["value"]) for r in rows.to_dict("records")} == set(PUBLISHED)
    values = {(name, metric): value for name, metric, value in PUBLISHED}
    assert values[("C2C humans (published)", "acceptance_without_counteroffer")] == 0.563
    assert values[("C2C LM agents (published)", "acceptance_without_counteroffer")] == 0.676
    assert values[("C2C LM agents (published)", "win_rate")] == 0.222
    assert values[("C2C LM agents, targeted prompting (published)", "win_rate")] == 0.327
    assert rows["ci_low"].isna().all()


def test_degenerate_rule_on_self_play(accepting):
    log, frame, table = accepting
    table = table.copy()
    table.loc[(table.metric == "main_seat_share") & (table.group == "overall"), "value"] = 1.0
    assert "every seat" in degenerate(table)
    # a player that only passes: no invalid move, but no deal proposed or answered (every deal metric undefined)
    for metric in ("acceptance_without_counteroffer", "terms_per_deal"):
        table.loc[(table.metric == metric) & (table.group == "overall"), "n"] = 0
    assert degenerate(table) == "the model neither proposed nor answered a deal: no negotiation metric is defined"
