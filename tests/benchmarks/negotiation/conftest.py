"""Helpers to steer a game move by move: scripted answers for some (seat, phase) questions, a passive default else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from benchmarks.negotiation.board import Board, load_board
from benchmarks.negotiation.engine import Game, Request


@pytest.fixture
def board() -> Board:
    return load_board()


def passive(request: Request) -> dict[str, Any]:
    """Pass everything; reinforce on the first own territory; end any negotiation."""
    obs = request.observation
    if request.phase == "reinforce":
        first = next(t for t, v in obs["territories"].items() if v["owner"] == request.seat)
        return {"type": "reinforce", "place": {first: obs["armies_to_place"]}}
    if request.phase == "message":
        return {"type": "message", "act": "reject", "text": ""}
    return {"type": "pass"}


def drive(
    game: Game,
    script: list[tuple[int, str, object]] | None = None,
    until: Callable[[Game], bool] | None = None,
) -> list[Request]:
    """Answer questions until the game ends (or ``until`` holds): a question that matches the next scripted
    (seat, phase) gets its move, any other the passive one. Returns the questions asked. Fails if a scripted move was
    never asked for."""
    todo = list(script or [])
    asked = []
    while (request := game.request) is not None and not (until and until(game)):
        asked.append(request)
        if todo and (todo[0][0], todo[0][1]) == (request.seat, request.phase):
            game.submit(todo.pop(0)[2])
        else:
            game.submit(passive(request))
    assert not todo, f"never asked for {todo[0][:2]}"
    return asked


def fixed_dice(*values: int) -> Callable[[int], list[int]]:
    """Dice that return ``values`` in order (attacker's roll, then defender's), then 1s."""
    queue = list(values)

    def roll(n: int) -> list[int]:
        return [queue.pop(0) if queue else 1 for _ in range(n)]

    return roll
