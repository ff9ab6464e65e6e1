from itertools import permutations

from benchmarks.negotiation.audit import problems
from benchmarks.negotiation.bots import BOTS
from benchmarks.negotiation.engine import Game, play

LINEUPS = list(permutations(["random", "greedy", "always_accept", "never_keep"]))


def tournament(board, games=24):
    for seed in range(games):
        names = dict(zip(board.seats, LINEUPS[seed % len(LINEUPS)]))
        game = Game(board, seed)
        play(game, {seat: BOTS[name](board, seed * 10 + seat) for seat, name in names.items()})
        yield game, names


def test_bots_play_only_legal_moves_and_games_end_in_a_valid_state(board):
    reasons = set()
    for game, _ in tournament(board):
        assert problems(game) == []
        assert game.result["invalid_moves"] == {"1": 0, "2": 0, "3": 0, "4": 0}
        reasons.add(game.result["end_reason"])
    assert reasons <= {"objective", "last_standing", "turn_cap"} and "objective" in reasons


def test_bots_behave_as_named(board):
    owed_by_never_keep = broken_truces_by_never_keep = 0
    for game, names in tournament(board):
        seat_of = {name: seat for seat, name in names.items()}
        deals = game.ledger.deals
        assert not any(c.seats[0] == seat_of["greedy"] for c in game.channels)  # greedy never negotiates
        for deal in deals:
            if deal.responder == seat_of["always_accept"]:
                last_word = game.channels[deal.channel - 1].messages[-1]["deal"] == deal.id  # no turn left to answer
                assert deal.status == ("expired" if last_word and deal.status != "accepted" else "accepted")
            if deal.status != "accepted":
                continue
            for term in deal.terms:
                if term.kind == "non_aggression":
                    assert seat_of["always_accept"] not in term.broken_by
                    broken_truces_by_never_keep += seat_of["never_keep"] in term.broken_by
                if term.kind == "support" and term.giver == seat_of["never_keep"] and term.status in ("kept", "broken"):
                    assert term.status == "broken" and term.delivered == 0
                    owed_by_never_keep += 1
    assert owed_by_never_keep > 0 and broken_truces_by_never_keep > 0
