"""Negotiation (C2C): one four-player game per sample, language models and bots seated by a lineup.

inspect eval benchmarks/negotiation                                  # 4 games, the model under test in every seat
inspect eval benchmarks/negotiation -T opponents=bots:greedy         # player_1 = the model, three greedy bots
inspect eval benchmarks/negotiation -T players=model,model,bot:random,bot:never_keep
inspect eval benchmarks/negotiation --model-role player_2=local/gemma3-270m
inspect eval benchmarks/negotiation -T opponents=bots:greedy -T targeted=alternate -T games=16 -T turn_cap=10

Sample k plays game k // 4 (seed ``seed + k // 4``: the same map objectives and dice stream for the four rotations)
in rotation k % 4 (player_1 at seat 1 + rotation, the others round the table), so with a multiple of four games every
player plays every seat of every dealt game. Method: O'Neill, Zhu, Miroyan et al. (2026); see README.md.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from benchmarks.negotiation.board import load_board
from benchmarks.negotiation.scorer import negotiation_scorer
from benchmarks.negotiation.solver import Player, Settings, lineup, negotiation_solver, seating

TASK_VERSION = 1
DEFAULT_GAMES = 4
DEFAULT_TURN_CAP = 2  # small by default: a CPU model takes seconds to minutes a call (README, Evaluation report)
DEFAULT_MESSAGE_ROUNDS = 1
TARGETED = ("off", "on", "alternate")


def targeted_game(targeted: str, game: int) -> bool:
    """Whether the game's model seats get the targeted prompt: never, always, or every other dealt game (the four
    rotations of a dealt game share the arm)."""
    return targeted == "on" or (targeted == "alternate" and game % 2 == 1)


def game_sample(
    index: int, seed: int, players: tuple[Player, ...], targeted: str, targeted_players: set[str]
) -> Sample:
    game, rotation = divmod(index, 4)
    seats = seating(rotation)
    arm = targeted_game(targeted, game)
    chosen = [s for s, label in seats.items() if arm and label in targeted_players]
    return Sample(
        id=f"game-{game:03d}-r{rotation}",
        input=f"Negotiation game {game} (seed {seed + game}), rotation {rotation}: "
        + ", ".join(f"seat {s} {label}" for s, label in sorted(seats.items())),
        target="",
        metadata={
            "game": game,
            "rotation": rotation,
            "seed": seed + game,
            "seats": {str(s): label for s, label in seats.items()},
            "lineup": {p.label: p.spec for p in players},
            "targeted": arm,
            "targeted_seats": sorted(chosen),
        },
    )


@task
def negotiation(
    games: int = DEFAULT_GAMES,
    players: str | list[str] | None = None,
    opponents: str | None = None,
    targeted: str = "off",
    targeted_players: str | list[str] | None = None,
    turn_cap: int = DEFAULT_TURN_CAP,
    message_rounds: int = DEFAULT_MESSAGE_ROUNDS,
    temperature: float = 0.7,
    max_tokens: int = 128,
    seed: int = 0,
) -> Task:
    """One game per sample.

    Args:
        games: samples (games played); a multiple of 4 seats every player in every seat of each dealt game.
        players: four comma-separated entries for player_1 ... player_4: ``model`` (the model role of that name,
            by default the model under test) or ``bot:<random|greedy|always_accept|never_keep>``.
        opponents: shortcut: ``bots:<name>`` seats player_1 (the model) against three such bots; ``bots:a,b,c``
            against one of each.
        targeted: C2C's targeted-prompting intervention for model players: ``off``, ``on``, or ``alternate``
            (every other dealt game, for the within-run test of its effect on win rate).
        targeted_players: the players it applies to (comma-separated labels; default every model player).
        turn_cap: turns before the game is ranked (the paper's game runs to a winner; board.json has 20).
        message_rounds: messages per side in a negotiation channel (board.json has 3).
        temperature: sampling temperature of model players (each call seeded from the game and the move number).
        max_tokens: maximum tokens of one move.
        seed: the first game's seed.
    """
    if isinstance(targeted, bool):  # -T values are YAML: `-T targeted=on` arrives as True
        targeted = "on" if targeted else "off"
    if targeted not in TARGETED:
        raise ValueError(f"negotiation: targeted must be one of {', '.join(TARGETED)}, got {targeted!r}")
    for label, number in (("games", games), ("turn_cap", turn_cap), ("message_rounds", message_rounds)):
        if isinstance(number, bool) or not isinstance(number, int) and float(number) != int(float(number)):
            raise ValueError(f"negotiation: {label} must be a whole number, got {number!r}")
        if int(number) < 1:
            raise ValueError(f"negotiation: {label} must be at least 1, got {number}")
    chosen = lineup(players, opponents)
    model_players = {p.label for p in chosen if p.bot is None}
    if targeted_players is None:
        aimed = model_players
    else:
        items = targeted_players.split(",") if isinstance(targeted_players, str) else list(targeted_players)
        aimed = {str(i).strip() for i in items if str(i).strip()}
        if not aimed <= model_players:
            raise ValueError(f"negotiation: targeted_players must be model players ({sorted(model_players)})")
    board = load_board().with_rules(turn_cap=int(turn_cap), message_rounds=int(message_rounds))
    samples = [game_sample(i, int(seed), chosen, targeted, aimed) for i in range(int(games))]
    settings = Settings(board, chosen, float(temperature), int(max_tokens))
    return Task(
        dataset=MemoryDataset(samples, name="negotiation"),
        solver=negotiation_solver(settings),
        scorer=negotiation_scorer(),
        version=TASK_VERSION,
        metadata={"lineup": {p.label: p.spec for p in chosen}, "turn_cap": int(turn_cap), "targeted": targeted},
    )
