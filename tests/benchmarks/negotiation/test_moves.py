import jsonschema
import pytest

from benchmarks.negotiation.board import load_board
from benchmarks.negotiation.bots import BOTS
from benchmarks.negotiation.engine import Game, play
from benchmarks.negotiation.moves import MOVE_SCHEMAS, MoveError, as_int, as_seat, read_move


def test_reads_json_in_code_fences_and_prose():
    fenced = 'Let me think.\n```json\n{"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 2}\n```\nDone.'
    assert read_move(fenced) == {"type": "attack", "from": "NW-core", "to": "NW-south", "armies": 2}
    prose = 'I will pass this time: {"type": "PASS"} and hope for the best.'
    assert read_move(prose) == {"type": "pass"}
    nested = 'My move {"type": "reinforce", "place": {"NW-core": 2}} ok'
    assert read_move(nested) == {"type": "reinforce", "place": {"NW-core": 2}}
    assert read_move({"type": "End_Turn"}) == {"type": "pass"}
    assert read_move({"pass": True}) == {"pass": True, "type": "pass"}


def test_unreadable_moves_name_the_problem():
    with pytest.raises(MoveError, match="no JSON object found"):
        read_move("attack NW-south with everything")
    with pytest.raises(MoveError, match="no JSON object found"):
        read_move('{"type": "attack", "from": }')
    with pytest.raises(MoveError, match="got list"):
        read_move(["attack"])


def test_numbers_and_seats_are_read_leniently():
    assert as_int("3", "armies") == 3 and as_int(2.0, "armies") == 2
    seats = (1, 2, 3, 4)
    assert [as_seat(v, seats) for v in (2, "2", "player_2", "Player 3", "P4", "seat 1")] == [2, 2, 2, 3, 4, 1]
    with pytest.raises(MoveError, match="whole number"):
        as_int(True, "armies")
    with pytest.raises(MoveError, match="5 is not a seat"):
        as_seat("player_5", seats)


def test_every_move_the_engine_applies_fits_the_schema():
    board = load_board()
    validators = {phase: jsonschema.Draft202012Validator(schema) for phase, schema in MOVE_SCHEMAS.items()}
    for seed in range(6):
        game = Game(board, seed)
        play(
            game,
            {
                s: BOTS[name](board, seed)
                for s, name in zip(board.seats, ["random", "random", "always_accept", "never_keep"])
            },
        )
        for move in game.moves:
            validators[move["phase"]].validate(move["move"])
        assert {m["phase"] for m in game.moves} >= {"reinforce", "negotiate", "message", "attack", "support"}


def test_the_schema_rejects_a_malformed_move():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"type": "attack", "from": "NW-core"}, MOVE_SCHEMAS["attack"])
