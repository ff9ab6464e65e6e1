from benchmarks.negotiation.engine import Game
from tests.benchmarks.negotiation.conftest import drive, fixed_dice


def say(act, text="", terms=None):
    move = {"type": "message", "act": act, "text": text}
    if terms is not None:
        move["terms"] = terms
    return move


def deal_between(opener, partner, terms):
    """Script: ``opener`` opens a channel on turn 1, proposes ``terms``; ``partner`` accepts."""
    return [
        (opener, "negotiate", {"type": "negotiate", "with": partner}),
        (opener, "message", say("propose", "Deal?", terms)),
        (partner, "message", say("accept", "Deal.")),
    ]


def game_for(board, **rules):
    return Game(board.with_rules(**rules), 0, roll=fixed_dice())  # all 1s: every attack fails, nobody is eliminated


def test_non_aggression_kept_when_the_deadline_passes_quietly(board):
    game = game_for(board, turn_cap=3)
    drive(game, deal_between(1, 2, [{"kind": "non_aggression", "turns": 1}]))
    deal = game.to_record()["deals"][0]
    assert (deal["status"], deal["proposer"], deal["responder"], deal["turn"]) == ("accepted", 1, 2, 1)
    assert deal["terms"] == [
        {
            "kind": "non_aggression",
            "turns": 1,
            "deadline": 2,
            "status": "kept",
            "resolved_turn": 2,
            "broken_by": [],
            "reason": "no attack between the parties",
        }
    ]


def test_non_aggression_broken_by_the_attacker_on_that_turn(board):
    game = game_for(board, turn_cap=3)
    attack = {"type": "attack", "from": "NE-core", "to": "NE-west", "armies": 1}
    drive(game, [*deal_between(1, 2, [{"kind": "non_aggression", "turns": 2}]), (2, "attack", attack)])
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["broken_by"], term["resolved_turn"], term["deadline"]) == ("broken", [2], 2, 3)
    assert term["reason"] == "seat 2 attacked seat 1"


def test_support_term_kept_once_all_armies_arrive(board):
    game = game_for(board, turn_cap=3)
    promise = [{"kind": "support", "from": "player_2", "to": 1, "armies": 2, "turns": 1}]
    give = {"type": "support", "to": 1, "from": "NE-core", "territory": "NE-west", "armies": 1}
    drive(game, [*deal_between(1, 2, promise), (2, "support", give), (2, "support", give)])
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["delivered"], term["resolved_turn"], term["reason"]) == (
        "kept",
        2,
        1,
        "2 armies given",
    )


def test_support_term_broken_at_the_deadline_when_short(board):
    game = game_for(board, turn_cap=3)
    promise = [{"kind": "support", "from": 2, "to": 1, "armies": 2, "turns": 1}]
    give = {"type": "support", "to": 1, "from": "NE-core", "territory": "NE-west", "armies": 1}
    drive(game, [*deal_between(1, 2, promise), (2, "support", give)])
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["broken_by"], term["resolved_turn"]) == ("broken", [2], 2)
    assert term["reason"] == "1 of 2 armies given"


def test_transfer_term_kept_on_handover(board):
    game = game_for(board, turn_cap=2)
    promise = [{"kind": "transfer", "from": 1, "to": 2, "territory": "ne-west", "turns": 1}]
    drive(game, [*deal_between(1, 2, promise), (1, "support", {"type": "transfer", "territory": "NE-west", "to": 2})])
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["territory"], term["resolved_turn"]) == ("kept", "NE-west", 1)
    assert game.state.owner["NE-west"] == 2


def test_joint_attack_broken_by_the_party_that_stayed_home(board):
    game = game_for(board, turn_cap=3)
    pact = [{"kind": "joint_attack", "target": 4, "turns": 1}]
    attack = {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 1}
    drive(game, [*deal_between(1, 3, pact), (1, "attack", attack)])
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["broken_by"], term["resolved_turn"]) == ("broken", [3], 2)


def test_joint_attack_kept_when_both_attack(board):
    game = game_for(board, turn_cap=3)
    pact = [{"kind": "joint_attack", "target": 4, "turns": 1}]
    script = [
        *deal_between(1, 3, pact),
        (1, "attack", {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 1}),
        (3, "attack", {"type": "attack", "from": "SW-east", "to": "SW-core", "armies": 1}),
    ]
    drive(game, script)
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["broken_by"], term["resolved_turn"]) == ("kept", [], 2)


def test_counter_then_reject_are_recorded(board):
    game = game_for(board, turn_cap=1)
    script = [
        (1, "negotiate", {"type": "negotiate", "with": 2}),
        (1, "message", say("propose", "Peace?", [{"kind": "non_aggression", "turns": 3}])),
        (2, "message", say("propose", "Pay me.", [{"kind": "support", "from": 1, "to": 2, "armies": 2, "turns": 1}])),
        (1, "message", say("reject", "No.")),
    ]
    drive(game, script)
    record = game.to_record()
    assert [(d["id"], d["status"], d["counter_of"]) for d in record["deals"]] == [
        (1, "countered", None),
        (2, "rejected", 1),
    ]
    channel = record["channels"][0]
    assert (channel["seats"], channel["outcome"]) == ([1, 2], "rejected")
    assert [(m["seat"], m["act"], m["deal"]) for m in channel["messages"]] == [
        (1, "propose", 1),
        (2, "counter", 2),
        (1, "reject", 2),
    ]


def test_unanswered_proposal_expires_after_the_message_rounds(board):
    game = game_for(board, turn_cap=1)
    script = [
        (1, "negotiate", {"type": "negotiate", "with": 4}),
        (1, "message", say("propose", "Peace?", [{"kind": "non_aggression", "turns": 1}])),
        *[(seat, "message", say("talk", "hmm")) for seat in (4, 1, 4, 1, 4)],
    ]
    drive(game, script)
    record = game.to_record()
    assert len(record["channels"][0]["messages"]) == 2 * board.rules.message_rounds
    assert (record["channels"][0]["outcome"], record["deals"][0]["status"]) == ("no_deal", "expired")


def test_bad_terms_and_empty_accept_are_refused(board):
    game = game_for(board, turn_cap=1)
    script = [
        (1, "negotiate", {"type": "negotiate", "with": 2}),
        (1, "message", say("accept", "Yes!")),
        (
            2,
            "message",
            say("propose", "", [{"kind": "transfer", "from": 2, "to": 1, "territory": "SW-core", "turns": 1}]),
        ),
        (1, "message", say("propose", "", [{"kind": "joint_attack", "target": 2, "turns": 1}])),
        (2, "message", say("propose", "", [{"kind": "non_aggression", "turns": 9}])),
    ]
    drive(game, script)
    reasons = [(i["turn"], i["phase"], i["reason"]) for s in game.state.seats.values() for i in s.invalid]
    assert reasons == [
        (1, "message", "there is no proposal from the other seat to accept"),
        (1, "message", "a joint attack targets a third seat still in the game"),
        (1, "message", "seat 2 does not hold SW-core"),
        (1, "message", "turns must be 1-5"),
    ]
    assert game.ledger.deals == []


def test_a_seat_sees_only_its_own_channels_and_commitments(board):
    game = game_for(board, turn_cap=2)
    asked = drive(game, deal_between(1, 2, [{"kind": "non_aggression", "turns": 2}]))
    seen_by_3 = [r.observation for r in asked if r.seat == 3]
    assert seen_by_3 and all(obs["commitments"] == [] and "channel" not in obs for obs in seen_by_3)
    seen_by_2 = [r.observation for r in asked if r.seat == 2 and r.phase == "reinforce"]
    assert [c["parties"] for c in seen_by_2[0]["commitments"]] == [[1, 2]]


def test_elimination_voids_the_terms_of_the_fallen(board):
    game = Game(board.with_rules(turn_cap=2), 0, roll=fixed_dice(6, 6, 6, 1, 1, 6, 6, 6, 1, 1, 6, 6, 6, 1))
    game.state.owner.update({"SW-core": 3, "SW-north": 3})  # seat 4 is down to NW-south
    attack = {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 4}
    drive(game, [*deal_between(2, 4, [{"kind": "non_aggression", "turns": 3}]), (1, "attack", attack)])
    assert game.state.seats[4].alive is False
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["resolved_turn"], term["reason"]) == ("void", 2, "seat 4 was eliminated")


def test_terms_still_running_at_the_end_are_unresolved(board):
    game = game_for(board, turn_cap=1)
    drive(game, deal_between(1, 2, [{"kind": "non_aggression", "turns": 3}]))
    term = game.to_record()["deals"][0]["terms"][0]
    assert (term["status"], term["deadline"], term["resolved_turn"]) == ("unresolved", 4, 1)
