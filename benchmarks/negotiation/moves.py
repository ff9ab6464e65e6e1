"""What a move looks like (JSON schema per phase) and a lenient reader for moves written by language models.

A move is one JSON object with a "type". Models wrap JSON in prose or code fences, write numbers as strings and seats
as "player_2": the reader accepts all of that; what it cannot read is an invalid move (the engine substitutes a safe
default and counts it).
"""

from __future__ import annotations

import json
import re
from typing import Any

PHASES = ("reinforce", "negotiate", "message", "attack", "support", "fortify")
ACTS = ("talk", "propose", "counter", "accept", "reject")
TERM_KINDS = ("non_aggression", "support", "transfer", "joint_attack")
PASS_WORDS = {"pass", "end", "end_turn", "skip", "none", "done", "stop"}


class MoveError(ValueError):
    """Why a move was refused; the text is recorded with the move and shown to the seat."""


_SEAT = {"type": "integer", "minimum": 1}
_TERRITORY = {"type": "string"}
_TURNS = {"type": "integer", "minimum": 1}
_PASS = {"type": "object", "properties": {"type": {"const": "pass"}}, "required": ["type"]}


def _move(kind: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"const": kind}, **properties},
        "required": ["type", *required],
    }


def _term(kind: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"kind": {"const": kind}, "turns": _TURNS, **properties},
        "required": ["kind", "turns", *required],
    }


TERM_SCHEMA: dict[str, Any] = {
    "oneOf": [
        _term("non_aggression", []),
        _term("support", ["from", "to", "armies"], **{"from": _SEAT, "to": _SEAT, "armies": _TURNS}),
        _term("transfer", ["from", "to", "territory"], **{"from": _SEAT, "to": _SEAT, "territory": _TERRITORY}),
        _term("joint_attack", ["target"], target=_SEAT),
    ]
}

MOVE_SCHEMAS: dict[str, dict[str, Any]] = {
    "reinforce": _move(
        "reinforce", ["place"], place={"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
    ),
    "negotiate": {"oneOf": [_move("negotiate", ["with"], **{"with": _SEAT}), _PASS]},
    "message": _move(
        "message",
        ["act"],
        act={"enum": list(ACTS)},
        text={"type": "string"},
        terms={"type": "array", "items": TERM_SCHEMA, "minItems": 1},
    ),
    "attack": {
        "oneOf": [
            _move("attack", ["from", "to", "armies"], **{"from": _TERRITORY, "to": _TERRITORY, "armies": _TURNS}),
            _PASS,
        ]
    },
    "support": {
        "oneOf": [
            _move(
                "support",
                ["to", "from", "territory", "armies"],
                **{"to": _SEAT, "from": _TERRITORY, "territory": _TERRITORY, "armies": _TURNS},
            ),
            _move("transfer", ["territory", "to"], territory=_TERRITORY, to=_SEAT),
            _PASS,
        ]
    },
    "fortify": {
        "oneOf": [
            _move("fortify", ["from", "to", "armies"], **{"from": _TERRITORY, "to": _TERRITORY, "armies": _TURNS}),
            _PASS,
        ]
    },
}

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)
_SEAT_TEXT = re.compile(r"^(?:player|seat|p)?[\s_#-]*(\d+)$", re.I)


def extract_json(text: str) -> dict[str, Any]:
    """The first JSON object in ``text``: the whole text, a fenced block, or an object inside prose."""
    text = text.strip()
    for candidate in [text, *(m.group(1) for m in _FENCE.finditer(text))]:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for i, char in enumerate(text):
        if char == "{":
            try:
                value, _ = decoder.raw_decode(text, i)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    raise MoveError("no JSON object found")


def read_move(raw: object) -> dict[str, Any]:
    """A move dict from an agent's output (a dict, or text holding JSON); "type" lower-cased, pass words unified."""
    if isinstance(raw, dict):
        move = dict(raw)
    elif isinstance(raw, str):
        move = extract_json(raw)
    else:
        raise MoveError(f"a move must be a JSON object, got {type(raw).__name__}")
    kind = move.get("type")
    if isinstance(kind, str):
        kind = kind.strip().lower()
        move["type"] = "pass" if kind in PASS_WORDS else kind
    elif move.get("pass") is True:
        move["type"] = "pass"
    return move


def as_int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise MoveError(f"{what} must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise MoveError(f"{what} must be a whole number, got {value!r}")


def as_seat(value: object, seats: tuple[int, ...], what: str = "seat") -> int:
    """A seat from 2, "2", "player_2", "Player 2" or "P2"."""
    if isinstance(value, str):
        match = _SEAT_TEXT.match(value.strip())
        if match is None:
            raise MoveError(f"{what} must name a seat (1-{len(seats)}), got {value!r}")
        value = match.group(1)
    seat = as_int(value, what)
    if seat not in seats:
        raise MoveError(f"{what} {seat} is not a seat")
    return seat


def as_territory(value: object, by_lower_name: dict[str, str], what: str = "territory") -> str:
    """A territory by its name, in any letter case."""
    if isinstance(value, str):
        name = by_lower_name.get(value.strip().lower())
        if name is not None:
            return name
    raise MoveError(f"{what} {value!r} is not a territory")
