import json

import pytest

from benchmarks.negotiation.bots import BOTS
from benchmarks.negotiation.engine import Game, play
from benchmarks.negotiation.record import ReplayError, replay, verify_replay

LINEUP = ["random", "greedy", "always_accept", "never_keep"]


def bot_game(board, seed, wrap=None):
    bots = {seat: BOTS[name](board, seed * 10 + seat) for seat, name in zip(board.seats, LINEUP)}
    agents = bots if wrap is None else {seat: wrap(bot) for seat, bot in bots.items()}
    game = Game(board, seed)
    play(game, agents)
    return game


class Chatty:
    """Answers like a language model: the bot's move as JSON inside prose or a code fence, now and then nonsense."""

    def __init__(self, bot):
        self.bot, self.calls = bot, 0

    def act(self, obs):
        self.calls += 1
        move = json.dumps(self.bot.act(obs))
        if self.calls % 7 == 0:
            return "Hmm, let me think about the board first."
        return f"Here is my move:\n```json\n{move}\n```" if self.calls % 2 else f"I choose {move}."


def test_record_is_json_and_replays_to_the_same_game(board):
    game = bot_game(board, 3)
    record = json.loads(json.dumps(game.to_record()))
    assert record["deals"] and record["channels"] and record["states"][0]["turn"] == 0
    again = replay(record)
    assert again.state.snapshot() == record["final_state"] == game.state.snapshot()
    assert again.result == record["result"]
    verify_replay(record)


def test_text_moves_with_nonsense_replay_too(board):
    game = bot_game(board, 4, wrap=Chatty)
    record = game.to_record()
    assert sum(len(v) for v in record["invalid"].values()) > 0
    assert {i["reason"] for v in record["invalid"].values() for i in v} == {"no JSON object found"}
    assert all(isinstance(m["raw"], str) for m in record["moves"])
    verify_replay(json.loads(json.dumps(record)))


def test_a_changed_move_does_not_replay(board):
    record = bot_game(board, 5).to_record()
    first_attack = next(m for m in record["moves"] if m["move"]["type"] == "attack")
    first_attack["raw"] = {"type": "pass"}
    with pytest.raises(ReplayError):
        verify_replay(record)


def test_a_changed_seed_does_not_replay(board):
    record = bot_game(board, 6).to_record()
    record["seed"] = 7
    with pytest.raises(ReplayError):
        verify_replay(record)
