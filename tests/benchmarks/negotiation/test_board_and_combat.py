import pytest

from benchmarks.negotiation.board import board_from_dict, load_board
from benchmarks.negotiation.combat import resolve_battle
from benchmarks.negotiation.engine import Game
from tests.benchmarks.negotiation.conftest import fixed_dice


def test_board_is_the_c2c_board(board):
    assert len(board.territories) == 12
    assert board.bonus == {"NW": 2, "NE": 1, "SE": 1, "SW": 2}
    assert all(len(names) == 3 for names in board.regions.values())
    assert all(a in board.adjacent[b] for a in board.territories for b in board.adjacent[a])
    cross = {
        frozenset((a, b))
        for a in board.territories
        for b in board.adjacent[a]
        if board.region_of[a] != board.region_of[b]
    }
    assert cross == {
        frozenset(p)
        for p in [("NW-east", "NE-west"), ("NE-south", "SE-north"), ("SE-west", "SW-east"), ("SW-north", "NW-south")]
    }
    assert board.rules.armies_per_turn == 2 and board.rules.negotiate_tokens == 2 and board.rules.support_tokens == 2
    assert board.rules.elimination_bonus == 3 and board.rules.no_attack_turns == 1


def test_start_gives_each_seat_three_territories_and_no_whole_region(board):
    game = Game(board, 0)
    for seat in board.seats:
        assert len(game.state.held(seat)) == 3
        assert sum(game.state.armies[t] for t in game.state.held(seat)) == 9
        assert not any(game.state.holds_region(seat, r) for r in board.regions)
        assert game.state.income(seat) == 2


def test_objectives_are_secret_distinct_region_pairs_fixed_by_the_seed(board):
    objectives = [s.objective for s in Game(board, 5).state.seats.values()]
    assert len(set(objectives)) == 4 and all(len(o) == 2 and o[0] != o[1] for o in objectives)
    assert objectives == [s.objective for s in Game(board, 5).state.seats.values()]
    assert any(objectives != [s.objective for s in Game(board, seed).state.seats.values()] for seed in range(6, 10))


def test_board_file_errors_are_refused(board):
    source = board.source
    broken = {**source, "adjacency": [*source["adjacency"], ["NW-core", "Atlantis"]]}
    with pytest.raises(ValueError, match="bad adjacency"):
        board_from_dict(broken)
    start = dict(source["start"])
    del start["SW-core"]
    with pytest.raises(ValueError, match="start"):
        board_from_dict({**source, "start": start})
    assert board.with_rules(turn_cap=7).rules.turn_cap == 7
    assert load_board().rules.turn_cap == 20  # the file itself is unchanged


def test_battle_ties_go_to_the_defender():
    # round 1: 6>5 (defender -1), 5=5 (attacker -1); round 2: 2 attackers [2,1] vs [3]: attacker -1;
    # round 3: [4] vs [4]: attacker -1 -> all 3 committed lost, 1 defender lost
    battle = resolve_battle(3, 2, fixed_dice(6, 5, 1, 5, 5, 2, 1, 3, 4, 4))
    assert (battle.attacker_losses, battle.defender_losses, battle.conquered) == (3, 1, False)


def test_battle_conquers_when_the_defenders_are_gone():
    battle = resolve_battle(4, 3, fixed_dice(6, 6, 6, 1, 1, 6, 6, 6, 1))
    assert (battle.attacker_losses, battle.defender_losses, battle.conquered) == (0, 3, True)


def test_battle_dice_counts_follow_the_limits():
    sizes = []

    def roll(n):
        sizes.append(n)
        return [1] * n  # every pair a tie: the attacker loses one army per pair

    resolve_battle(5, 4, roll)
    # attacker 3 dice vs 2 (-2), 3 vs 2 (-2), 1 vs 2 (-1)
    assert sizes == [3, 2, 3, 2, 1, 2]
