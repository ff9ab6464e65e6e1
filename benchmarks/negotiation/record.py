"""Replay a game record: feed the recorded raw moves to a fresh engine with the same board and seed.

The dice come from the seed, so the same moves give the same game; ``verify_replay`` checks that the replayed record
equals the stored one, field by field.
"""

from __future__ import annotations

from typing import Any

from benchmarks.negotiation.board import board_from_dict
from benchmarks.negotiation.engine import RECORD_FORMAT, Game


class ReplayError(ValueError):
    """The record does not replay: a move answers a different question, or the outcome differs."""


def replay(record: dict[str, Any]) -> Game:
    if record.get("format") != RECORD_FORMAT:
        raise ReplayError(f"record format {record.get('format')!r}, expected {RECORD_FORMAT}")
    game = Game(board_from_dict(record["board"]), record["seed"])
    for i, move in enumerate(record["moves"]):
        request = game.request
        if request is None:
            raise ReplayError(f"move {i}: the game was already over")
        if (request.seat, request.phase) != (move["seat"], move["phase"]):
            raise ReplayError(
                f"move {i}: the engine asks seat {request.seat} ({request.phase}), the record has "
                f"seat {move['seat']} ({move['phase']})"
            )
        game.submit(move["raw"])
    if game.request is not None:
        raise ReplayError("the record ends before the game does")
    return game


def verify_replay(record: dict[str, Any]) -> None:
    """Raise ReplayError naming the first field where the replayed game differs from the record."""
    again = replay(record).to_record()
    for key in record:
        if again.get(key) != record[key]:
            raise ReplayError(f"replay differs in {key!r}")
