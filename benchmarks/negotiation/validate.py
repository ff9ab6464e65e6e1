"""Check a move against the rules and the current state, and normalise it; raise MoveError saying why it is illegal.

Each phase also has a safe default, which the engine plays instead of an illegal or unreadable move: it changes
nothing that could hurt or commit the seat (pass, or all new armies on its strongest territory).
"""

from __future__ import annotations

from typing import Any

from benchmarks.negotiation.moves import MoveError, as_int, as_seat, as_territory
from benchmarks.negotiation.state import GameState

PASS: dict[str, Any] = {"type": "pass"}


def territory(state: GameState, value: object, what: str = "territory") -> str:
    return as_territory(value, state.board.by_lower_name, what)


def _type(move: dict[str, Any], expected: tuple[str, ...]) -> str:
    kind = move.get("type", expected[0])  # a move without a type is read as the phase's main move
    if kind not in (*expected, "pass"):
        raise MoveError(f"type must be one of {', '.join((*expected, 'pass'))}, got {kind!r}")
    return str(kind)


def _own(state: GameState, seat: int, value: object, what: str) -> str:
    name = territory(state, value, what)
    if state.owner[name] != seat:
        raise MoveError(f"{what} {name} is not yours")
    return name


def _movable(state: GameState, source: str, value: object, low: int, high: int, what: str = "armies") -> int:
    """Armies taken from ``source``: low..high, and one army always stays behind."""
    armies = as_int(value, what)
    high = min(high, state.armies[source] - 1)
    if not low <= armies <= high:
        raise MoveError(f"{what} must be {low}-{high} from {source} (it has {state.armies[source]})")
    return armies


def default_reinforce(state: GameState, seat: int, available: int) -> dict[str, Any]:
    strongest = max(state.held(seat), key=lambda t: state.armies[t])  # first in board order on ties
    return {"type": "reinforce", "place": {strongest: available}}


def read_reinforce(state: GameState, seat: int, move: dict[str, Any], available: int) -> dict[str, Any]:
    _type(move, ("reinforce",))
    place = move.get("place")
    if not isinstance(place, dict) or not place:
        raise MoveError("place must map your territories to armies")
    placed: dict[str, int] = {}
    for name, value in place.items():
        own = _own(state, seat, name, "territory")
        count = as_int(value, f"armies on {own}")
        if count < 0:
            raise MoveError("armies placed cannot be negative")
        placed[own] = placed.get(own, 0) + count
    if sum(placed.values()) != available:
        raise MoveError(f"place exactly {available} armies, got {sum(placed.values())}")
    return {"type": "reinforce", "place": placed}


def read_negotiate(state: GameState, seat: int, move: dict[str, Any]) -> dict[str, Any]:
    if _type(move, ("negotiate",)) == "pass":
        return PASS
    partner = as_seat(move.get("with"), state.board.seats, "with")
    if partner == seat or not state.seats[partner].alive:
        raise MoveError(f"seat {partner} is not another seat still in the game")
    return {"type": "negotiate", "with": partner}


def read_attack(state: GameState, seat: int, move: dict[str, Any]) -> dict[str, Any]:
    if _type(move, ("attack",)) == "pass":
        return PASS
    source = _own(state, seat, move.get("from"), "from")
    target = territory(state, move.get("to"), "to")
    if target not in state.board.adjacent[source]:
        raise MoveError(f"{target} does not border {source}")
    if state.owner[target] == seat:
        raise MoveError(f"{target} is yours")
    armies = _movable(state, source, move.get("armies"), 1, state.armies[source])
    return {"type": "attack", "from": source, "to": target, "armies": armies}


def read_support(state: GameState, seat: int, move: dict[str, Any]) -> dict[str, Any]:
    kind = _type(move, ("support", "transfer"))
    if kind == "pass":
        return PASS
    receiver = as_seat(move.get("to"), state.board.seats, "to")
    if receiver == seat or not state.seats[receiver].alive:
        raise MoveError(f"seat {receiver} is not another seat still in the game")
    if kind == "transfer":
        name = _own(state, seat, move.get("territory"), "territory")
        if len(state.held(seat)) < 2:
            raise MoveError("you cannot give away your last territory")
        return {"type": "transfer", "territory": name, "to": receiver}
    source = _own(state, seat, move.get("from"), "from")
    target = territory(state, move.get("territory"), "territory")
    if state.owner[target] != receiver:
        raise MoveError(f"{target} is not held by seat {receiver}")
    armies = _movable(state, source, move.get("armies"), 1, state.board.rules.support_armies_max)
    return {"type": "support", "to": receiver, "from": source, "territory": target, "armies": armies}


def read_fortify(state: GameState, seat: int, move: dict[str, Any]) -> dict[str, Any]:
    if _type(move, ("fortify",)) == "pass":
        return PASS
    source = _own(state, seat, move.get("from"), "from")
    target = _own(state, seat, move.get("to"), "to")
    if target not in state.board.adjacent[source]:
        raise MoveError(f"{target} does not border {source}")
    armies = _movable(state, source, move.get("armies"), 1, state.armies[source])
    return {"type": "fortify", "from": source, "to": target, "armies": armies}
