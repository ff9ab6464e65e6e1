"""Who plays: a lineup of four players (``player_1`` … ``player_4``), each a language model (the model role of that
name, by default the model under test) or a baseline bot; and the solver that plays one game per sample.

The engine asks one seat at a time (``game.request``); a model seat gets its observation as a prompt
(:mod:`benchmarks.negotiation.prompts`) and its reply goes to ``game.submit`` as text, where the lenient reader
takes it or the engine substitutes the phase's safe default and counts the move invalid for that seat. A model call
that fails (a provider error) is counted as well and answered with the empty text (an invalid move), so a game
always finishes.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import GenerateConfig, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from benchmarks.negotiation.board import Board
from benchmarks.negotiation.bots import BOTS, Bot
from benchmarks.negotiation.engine import Game
from benchmarks.negotiation.prompts import player_messages
from twinbench.roles import check_roles

ROLES = ("player_1", "player_2", "player_3", "player_4")
MODEL = "model"


@dataclass(frozen=True)
class Player:
    label: str  # player_1 ... player_4: the lineup position (and model role)
    bot: str | None = None  # a bot's name, or None for a language model

    @property
    def spec(self) -> str:
        return MODEL if self.bot is None else f"bot:{self.bot}"


MAIN_JOB_PLAYERS = "model,bot:always_accept,bot:never_keep,bot:random"  # twinbench run's default lineup


def _entry(label: str, text: str) -> Player:
    text = text.strip().lower()
    if not text:  # "model,,bot:random,..." is a typo, not a fourth model seat
        raise ValueError(f"negotiation: {label} is empty in players (give 'model' or 'bot:<name>')")
    if text in (MODEL, label):
        return Player(label)
    name = text.removeprefix("bot:").removeprefix("bots:")
    if name in BOTS and text != name:
        return Player(label, name)
    raise ValueError(
        f"negotiation: {label} must be 'model' or one of {', '.join('bot:' + b for b in BOTS)}, got {text!r}"
    )


def _items(value: str | list[str] | tuple[str, ...]) -> list[str]:
    return [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v).strip() for v in value]


def lineup(
    players: str | list[str] | tuple[str, ...] | None = None, opponents: str | None = None
) -> tuple[Player, ...]:
    """The four players. ``players``: four comma-separated entries, ``model`` (the model role ``player_N``, by default
    the model under test) or ``bot:<name>``. ``opponents``: ``bots:<name>`` (players 2-4 that bot) or
    ``bots:<a>,<b>,<c>`` (one each), player 1 the model under test. Neither: four model seats."""
    if players is not None and opponents is not None:
        if _items(players) != _items(MAIN_JOB_PLAYERS):
            raise ValueError("negotiation: give players or opponents, not both")
        players = None  # twinbench run's default lineup yields to the opponents a user gives
    if opponents is not None:
        text = opponents.strip().lower()
        if not text.startswith("bots:"):
            raise ValueError(f"negotiation: opponents must be bots:<name>[,<name>,<name>], got {opponents!r}")
        names = _items(text.removeprefix("bots:"))
        if len(names) == 1:
            names *= 3
        if len(names) != 3:
            raise ValueError(f"negotiation: opponents names one bot or three, got {opponents!r}")
        return (Player(ROLES[0]), *(_entry(role, f"bot:{n}") for role, n in zip(ROLES[1:], names, strict=True)))
    entries = [MODEL] * 4 if players is None else _items(players)
    if len(entries) != 4:
        raise ValueError(f"negotiation: players names four entries, got {players!r}")
    return tuple(_entry(role, e) for role, e in zip(ROLES, entries, strict=True))


def seating(rotation: int) -> dict[int, str]:
    """Seat -> player label in a rotation: player_1 sits at seat 1 + rotation, the others follow round the table,
    so over four rotations every player plays every seat."""
    return {(p + rotation) % 4 + 1: role for p, role in enumerate(ROLES)}


def seed_of(*parts: object) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class Settings:
    board: Board
    players: tuple[Player, ...]
    temperature: float = 0.7
    max_tokens: int = 128


class GameStore(StoreModel):
    """What the solver hands the scorer: the game record and, per seat, who played it and what it cost."""

    record: dict[str, Any] = Field(default_factory=dict)
    seats: dict[str, dict[str, Any]] = Field(default_factory=dict)


def main_model_name() -> str:
    return str(get_model())


@solver
def negotiation_solver(settings: Settings) -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata
        # epoch 1 plays the sample's own deal; each further epoch a new one (dice, bots, sampling): otherwise
        # `--epochs` would replay identical games and count them as independent
        board = settings.board
        seed = int(meta["seed"]) if state.epoch == 1 else seed_of(meta["seed"], "epoch", state.epoch)
        game = Game(board, seed)
        check_roles("negotiation", ROLES)
        main = get_model()
        by_label = {p.label: p for p in settings.players}
        models: dict[int, Model] = {}
        bots: dict[int, Bot] = {}
        seats: dict[str, dict[str, Any]] = {}
        targeted_seats = set(meta["targeted_seats"])
        for seat_text, label in meta["seats"].items():
            seat, player = int(seat_text), by_label[label]
            info: dict[str, Any] = {"player": label, "spec": player.spec, "targeted": seat in targeted_seats}
            if player.bot is not None:
                bots[seat] = BOTS[player.bot](board, seed_of(seed, seat, player.bot))
                info.update(model=f"bot:{player.bot}", main=False)
            else:
                models[seat] = get_model(role=label, default=main)
                info.update(model=str(models[seat]), main=str(models[seat]) == str(main))
            info.update(calls=0, errors=0, input_tokens=0, output_tokens=0, tokens=0, seconds=0.0)
            seats[seat_text] = info
        asked = 0
        while (request := game.request) is not None:
            asked += 1
            seat = request.seat
            if seat in bots:
                game.submit(bots[seat].act(request.observation))
                continue
            info = seats[str(seat)]
            messages = player_messages(board, request.observation, seat in targeted_seats)
            config = GenerateConfig(
                temperature=settings.temperature,
                max_tokens=settings.max_tokens,
                seed=seed_of(seed, state.sample_id, asked),
            )
            start = time.perf_counter()
            reply = ""
            try:
                output = await models[seat].generate(messages, config=config)
                reply = output.completion
                usage = output.usage
                if usage is not None:
                    info["input_tokens"] += usage.input_tokens
                    info["output_tokens"] += usage.output_tokens
                    info["tokens"] += usage.total_tokens
            except Exception as ex:  # a provider error costs the seat a move, never the game
                info["errors"] += 1
                info["last_error"] = f"{type(ex).__name__}: {str(ex)[:200]}"
            info["calls"] += 1
            info["seconds"] += time.perf_counter() - start
            game.submit(reply)
        store = state.store_as(GameStore)
        store.record = game.to_record()
        store.seats = seats
        return state

    return solve
