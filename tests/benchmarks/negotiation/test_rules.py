from benchmarks.negotiation.engine import Game
from tests.benchmarks.negotiation.conftest import drive, fixed_dice


def attack_game(board, *dice, **rules):
    """A game where attacks are allowed from turn 1 and seats 1 and 4 have objectives nobody completes here."""
    game = Game(board.with_rules(no_attack_turns=0, **rules), 0, roll=fixed_dice(*dice))
    for seat, objective in {1: ("SE", "SW"), 2: ("NW", "SW"), 3: ("NW", "NE"), 4: ("NE", "SE")}.items():
        game.state.seats[seat].objective = objective
    return game


def test_turn_one_has_no_attack_phase(board):
    game = Game(board, 0)
    asked = drive(game, until=lambda g: g.state.turn == 2)
    assert [(r.seat, r.phase) for r in asked if r.seat == 1] == [
        (1, "reinforce"),
        (1, "negotiate"),
        (1, "support"),
        (1, "fortify"),
    ]
    assert not any(r.phase == "attack" for r in asked)
    asked = drive(game, until=lambda g: g.state.turn == 3)
    assert ("attack" in [r.phase for r in asked if r.seat == 1]) is True


def test_income_adds_the_bonus_of_each_whole_region(board):
    game = Game(board, 0)
    game.state.owner["NW-south"] = 1  # seat 1 now holds NW (+2)
    assert game.request.observation["armies_to_place"] == 4
    game.state.owner.update({"NE-core": 1, "NE-south": 1})  # and NE (+1)
    assert game.state.income(1) == 5


def test_reinforce_places_the_armies(board):
    game = Game(board, 0)
    drive(
        game,
        [(1, "reinforce", {"type": "reinforce", "place": {"NW-core": 1, "ne-west": 1}})],
        until=lambda g: g.request.seat == 2,
    )
    assert (game.state.armies["NW-core"], game.state.armies["NE-west"], game.state.armies["NW-east"]) == (4, 4, 3)


def test_attack_conquers_with_the_surviving_armies(board):
    game = attack_game(board, 6, 6, 6, 1, 1, 6, 6, 6, 1)
    attack = {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 4}
    drive(
        game,
        [(1, "reinforce", {"type": "reinforce", "place": {"NW-core": 2}}), (1, "attack", attack)],
        until=lambda g: g.request.seat == 2,
    )
    assert game.state.owner["NW-south"] == 1
    assert (game.state.armies["NW-core"], game.state.armies["NW-south"]) == (1, 4)
    assert game.events[-1] == {
        "type": "attack",
        "seat": 1,
        "defender": 4,
        "from": "NW-core",
        "to": "NW-south",
        "armies": 4,
        "attacker_losses": 0,
        "defender_losses": 3,
        "conquered": True,
        "turn": 1,
    }
    assert game.state.income(1) == 4  # NW is whole now


def test_attack_limits_per_turn(board):
    game = attack_game(board, attacks_per_turn=1)
    asked = drive(
        game,
        [(1, "attack", {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 1})],
        until=lambda g: g.request.seat == 2,
    )
    assert [r.phase for r in asked].count("attack") == 1


def test_elimination_gives_the_bonus_and_ends_the_seats_turns(board):
    game = attack_game(board, 6, 6, 6, 1, 1, 6, 6, 6, 1, turn_cap=1)
    game.state.owner.update({"SW-core": 3, "SW-north": 3})  # seat 4 is down to NW-south
    attack = {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 4}
    asked = drive(game, [(1, "reinforce", {"type": "reinforce", "place": {"NW-core": 2}}), (1, "attack", attack)])
    assert game.state.armies["NW-south"] == 4 + 3
    assert game.state.seats[4].alive is False and game.state.alive() == [1, 2, 3]
    assert not any(r.seat == 4 for r in asked)
    assert game.result["ranking"][-1] == 4
    assert {"type": "elimination", "seat": 4, "by": 1, "bonus": 3, "turn": 1} in game.events


def test_completing_the_objective_wins_at_once(board):
    game = attack_game(board, 6, 6, 6, 1, 1, 6, 6, 6, 1)
    game.state.seats[1].objective = ("NW", "NE")
    game.state.owner.update({"NE-core": 1, "NE-south": 1})
    attack = {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 4}
    drive(game, [(1, "reinforce", {"type": "reinforce", "place": {"NW-core": 2}}), (1, "attack", attack)])
    assert game.request is None
    assert game.result["winner"] == 1 and game.result["end_reason"] == "objective" and game.result["turns"] == 1
    assert game.result["ranking"][0] == 1
    assert game.states[-1]["owner"]["NW-south"] == 1


def test_support_moves_armies_to_another_seat_and_spends_tokens(board):
    game = Game(board, 0)
    give = {"type": "support", "to": "player_2", "from": "NW-core", "territory": "NE-core", "armies": 2}
    asked = drive(
        game,
        [
            (1, "reinforce", {"type": "reinforce", "place": {"NW-east": 2}}),
            (1, "support", give),
            (1, "support", {"type": "support", "to": 2, "from": "NW-east", "territory": "NE-south", "armies": 1}),
        ],
        until=lambda g: g.request.seat == 2,
    )
    assert (game.state.armies["NW-core"], game.state.armies["NE-core"]) == (1, 5)
    assert (game.state.armies["NW-east"], game.state.armies["NE-south"]) == (4, 4)
    assert [r.phase for r in asked].count("support") == 2  # two tokens, then no more asks
    assert game.state.seats[1].support_tokens == 0


def test_support_over_the_limit_is_refused_and_counted(board):
    game = Game(board, 0)
    too_much = {"type": "support", "to": 2, "from": "NW-core", "territory": "NE-core", "armies": 3}
    drive(
        game,
        [(1, "reinforce", {"type": "reinforce", "place": {"NW-core": 2}}), (1, "support", too_much)],
        until=lambda g: g.request.seat == 2,
    )
    assert game.state.armies["NE-core"] == 3
    assert game.state.seats[1].invalid == [
        {"turn": 1, "phase": "support", "reason": "armies must be 1-2 from NW-core (it has 5)"}
    ]


def test_transfer_hands_over_territory_and_armies(board):
    game = Game(board, 0)
    drive(
        game,
        [(1, "support", {"type": "transfer", "territory": "NE-west", "to": 2})],
        until=lambda g: g.request.seat == 2,
    )
    assert (game.state.owner["NE-west"], game.state.armies["NE-west"]) == (2, 3)
    assert game.state.holds_region(2, "NE")


def test_fortify_moves_between_adjacent_own_territories_only(board):
    game = Game(board, 0)
    drive(
        game,
        [(1, "fortify", {"type": "fortify", "from": "NW-east", "to": "NW-core", "armies": 2})],
        until=lambda g: g.request.seat == 2,
    )
    assert (game.state.armies["NW-east"], game.state.armies["NW-core"]) == (1, 7)  # 3 + 2 reinforced + 2
    drive(
        game,
        [(2, "fortify", {"type": "fortify", "from": "NE-core", "to": "SE-north", "armies": 1})],
        until=lambda g: g.request.seat == 3,
    )
    assert game.state.armies["SE-north"] == 3
    assert game.state.seats[2].invalid[0]["reason"] == "SE-north does not border NE-core"


def test_fog_of_war_shows_own_and_adjacent_territories_only(board):
    game = Game(board, 0)
    obs = game.request.observation
    assert list(obs["territories"]) == ["NW-core", "NW-east", "NW-south", "NE-core", "NE-west", "NE-south"]
    assert obs["territories"]["NE-core"] == {"owner": 2, "armies": 3}
    assert obs["objective"] == list(game.state.seats[1].objective)
    assert set(obs) == {
        "seat",
        "turn",
        "turn_cap",
        "phase",
        "objective",
        "territories",
        "alive",
        "negotiate_tokens",
        "support_tokens",
        "commitments",
        "events",
        "last_error",
        "armies_to_place",
    }  # nothing about other seats' goals or hidden territories


def test_fog_of_war_hides_battles_between_other_seats(board):
    game = Game(board.with_rules(no_attack_turns=0), 0, roll=fixed_dice())  # all 1s: the attacker loses
    attack = {"type": "attack", "from": "SE-north", "to": "SE-core", "armies": 1}
    drive(game, [(2, "attack", attack)], until=lambda g: g.request.seat == 3)
    assert [(e["type"], e["seat"], e["defender"]) for e in game.request.observation["events"]] == [("attack", 2, 3)]
    drive(game, until=lambda g: g.state.turn == 2 and g.request.seat == 1)
    assert game.request.observation["events"] == []


def test_unreadable_move_gets_the_safe_default_and_is_counted(board):
    game = Game(board, 0)
    drive(
        game,
        [(1, "reinforce", "I think I will place my armies wisely.")],
        until=lambda g: g.request.phase == "negotiate",
    )
    assert game.state.armies["NW-core"] == 5  # the default: all on the strongest territory, first in board order
    assert game.state.seats[1].invalid == [{"turn": 1, "phase": "reinforce", "reason": "no JSON object found"}]
    assert game.request.observation["last_error"] == "no JSON object found"
    assert game.moves[0]["move"] == {"type": "reinforce", "place": {"NW-core": 2}}


def test_illegal_moves_are_refused_with_their_reason(board):
    game = attack_game(board)
    script = [
        (1, "reinforce", {"type": "reinforce", "place": {"NW-core": 1}}),
        (1, "negotiate", {"type": "negotiate", "with": 1}),
        (1, "attack", {"type": "attack", "from": "NW-core", "to": "NW-east", "armies": 1}),
        (2, "reinforce", {"type": "reinforce", "place": {"NW-core": 2}}),
        (2, "attack", {"type": "attack", "from": "NE-core", "to": "NW-east", "armies": 1}),
        (3, "attack", {"type": "attack", "from": "SE-core", "to": "SE-north", "armies": 5}),
    ]
    drive(game, script, until=lambda g: g.state.turn == 2)
    reasons = {seat: [i["reason"] for i in s.invalid] for seat, s in game.state.seats.items()}
    assert reasons == {
        1: ["place exactly 2 armies, got 1", "seat 1 is not another seat still in the game", "NW-east is yours"],
        2: ["territory NW-core is not yours", "NW-east does not border NE-core"],
        3: ["armies must be 1-4 from SE-core (it has 5)"],
        4: [],
    }
    assert game.states[-1]["invalid_moves"] == {"1": 3, "2": 2, "3": 1, "4": 0}


def test_turn_cap_ranking_uses_the_documented_tie_break(board):
    game = Game(board.with_rules(turn_cap=1), 0)
    objectives = {1: ("NW", "NE"), 2: ("NE", "SE"), 3: ("NW", "SW"), 4: ("SW", "NW")}
    for seat, objective in objectives.items():
        game.state.seats[seat].objective = objective
    give = {"type": "support", "to": 2, "from": "NW-core", "territory": "NE-core", "armies": 2}
    drive(game, [(1, "support", give)])
    assert game.result["winner"] is None and game.result["end_reason"] == "turn_cap"
    assert game.result["ranking_keys"] == {
        "1": [0, 3, 3, 9],
        "2": [0, 3, 3, 13],
        "3": [0, 1, 3, 11],
        "4": [0, 3, 3, 11],
    }
    assert game.result["ranking"] == [2, 4, 1, 3]


def test_full_ties_fall_to_the_lottery(board):
    for lottery in ([4, 2, 1, 3], [3, 1, 4, 2]):
        game = Game(board.with_rules(turn_cap=1), 0)
        for seat, objective in {1: ("SE", "SW"), 2: ("NW", "SW"), 3: ("NW", "NE"), 4: ("NE", "SE")}.items():
            game.state.seats[seat].objective = objective  # nobody holds anything inside its objective
        game.lottery = lottery
        drive(game)
        assert set(map(tuple, game.result["ranking_keys"].values())) == {(0, 0, 3, 11)}
        assert game.result["ranking"] == lottery
