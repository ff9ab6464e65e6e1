"""What a negotiation number means: C2C's published figures, bots scored by the same ``summarize``, and the rule
that flags a degenerate run (registry ``references`` and ``degenerate`` hooks)."""

from __future__ import annotations

import math

import pandas as pd

from benchmarks.negotiation.board import load_board
from benchmarks.negotiation.bots import BOTS
from benchmarks.negotiation.engine import Game, play
from benchmarks.negotiation.metrics import seat_counts
from benchmarks.negotiation.solver import ROLES, seating, seed_of
from benchmarks.negotiation.summary import summarize
from benchmarks.negotiation.task import DEFAULT_MESSAGE_ROUNDS, DEFAULT_TURN_CAP

INVALID_LIMIT = 0.5  # more than half of the model's moves refused: the game was played by the safe defaults
C2C = "O'Neill, Zhu, Miroyan et al. (2026), published"
# C2C's reported figures (../shared/ANCHORS.md): n is not given there, so no interval
PUBLISHED = [
    ("C2C humans (published)", "acceptance_without_counteroffer", 0.563),
    ("C2C LM agents (published)", "acceptance_without_counteroffer", 0.676),
    ("C2C LM agents (published)", "win_rate", 0.222),
    ("C2C LM agents, targeted prompting (published)", "win_rate", 0.327),
]
REFERENCE_OPPONENTS = ("always_accept", "never_keep", "random")  # the main job's default opponents
REFERENCE_GAMES = 40


def bot_samples(
    main: str,
    opponents: tuple[str, ...] = REFERENCE_OPPONENTS,
    games: int = REFERENCE_GAMES,
    turn_cap: int = DEFAULT_TURN_CAP,
    message_rounds: int = DEFAULT_MESSAGE_ROUNDS,
) -> pd.DataFrame:
    """The samples frame of bot ``main`` as player_1 against ``opponents`` (players 2-4), seated and seeded as the
    task seats them (sample k: dealt game k // 4, rotation k % 4)."""
    board = load_board().with_rules(turn_cap=turn_cap, message_rounds=message_rounds)
    kinds = dict(zip(ROLES, (main, *opponents), strict=True))
    rows = []
    for k in range(games):
        game_index, rotation = divmod(k, 4)
        seed, seats = game_index, seating(rotation)
        game = Game(board, seed)
        play(game, {s: BOTS[kinds[label]](board, seed_of(seed, s, kinds[label])) for s, label in seats.items()})
        record = game.to_record()
        seat_rows = [
            {"seat": s, "player": label, "model": f"bot:{kinds[label]}", "main": label == ROLES[0],
             "targeted": False, "tokens": 0, **seat_counts(record, s)}
            for s, label in sorted(seats.items())
        ]  # fmt: skip
        sample_id = f"game-{game_index:03d}-r{rotation}"
        rows.append({"sample_id": sample_id, "epoch": 1, "score": {}, "score_metadata": {"seats": seat_rows},
                     "answer": None, "metadata": {"game": game_index, "rotation": rotation}})  # fmt: skip
    return pd.DataFrame(rows)


def published_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "metric": metric,
                "value": value,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "n": math.nan,
                "group": "overall",
                "reference": name,
                "note": C2C,
            }
            for name, metric, value in PUBLISHED
        ]  # fmt: skip
    )


def references() -> pd.DataFrame:
    """C2C's published human and LM-agent figures, then each deal-making bot as player_1 against the main job's
    default opponents (always_accept, never_keep, random), 40 games at the default turn cap, scored by
    ``summarize``: what keeping every promise, breaking every promise and random play score."""
    frames = [published_rows()]
    for bot in ("always_accept", "never_keep", "random"):
        table = summarize(bot_samples(bot))
        frames.append(
            table.assign(reference=f"bot:{bot} vs {', '.join(REFERENCE_OPPONENTS)} ({REFERENCE_GAMES} games)")
        )
    return pd.concat(frames, ignore_index=True)


def degenerate(summary: pd.DataFrame) -> str | None:
    """Why a run says nothing about the model's play, or None: it played no seat, most of its moves were refused
    (the safe defaults played), or it held every seat (its win rate is 1/4 by construction)."""
    overall = summary[summary["group"] == "overall"].set_index("metric")
    if "invalid_move_rate" not in overall.index or not overall.loc["invalid_move_rate", "n"]:
        return "the model under test played no seat"
    invalid = float(overall.loc["invalid_move_rate", "value"])
    if invalid > INVALID_LIMIT:
        return f"{invalid:.0%} of the model's moves invalid (replaced by safe defaults)"
    if float(overall.loc["main_seat_share", "value"]) == 1.0:
        return "the model under test held every seat: its win rate is 1/4 by construction"
    return None
