"""Bot-only tournament of the negotiation game: speed and soundness of the engine.

Plays N games (default 1,000) with the four baseline bots, seats rotated through every order, checks every finished
game's invariants (benchmarks/negotiation/audit.py), replays every k-th game from its JSON record, and prints games
per second with the outcomes. Exit 1 when a game ends in an invalid state, a bot's move is refused, a replay differs,
or the games miss the time budget (60 s for 1,000 games, the target on a 2-core machine).

    .venv/bin/python scripts/bench_negotiation.py [--games 1000] [--replay-every 100] [--budget 60]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from itertools import permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.negotiation.audit import problems  # noqa: E402
from benchmarks.negotiation.board import load_board  # noqa: E402
from benchmarks.negotiation.bots import BOTS  # noqa: E402
from benchmarks.negotiation.engine import Game, play  # noqa: E402
from benchmarks.negotiation.record import ReplayError, verify_replay  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="first game seed; game i uses seed + i")
    parser.add_argument("--replay-every", type=int, default=100, help="replay every k-th game from its record")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds allowed per 1,000 games")
    args = parser.parse_args(argv)
    if args.games < 1 or args.replay_every < 1:
        parser.error("--games and --replay-every must be at least 1")

    board = load_board()
    lineups = list(permutations(BOTS))
    failures: list[str] = []
    ends: Counter[str] = Counter()
    wins: Counter[str] = Counter()
    seats_played: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    turns = moves = 0
    play_s = replay_s = 0.0
    replays = 0

    for i in range(args.games):
        seed = args.seed + i
        names = dict(zip(board.seats, lineups[i % len(lineups)]))
        start = time.perf_counter()
        game = Game(board, seed)
        result = play(game, {seat: BOTS[name](board, seed * 10 + seat) for seat, name in names.items()})
        found = problems(game)
        play_s += time.perf_counter() - start

        failures += [f"game {seed}: {p}" for p in found]
        ends[result["end_reason"]] += 1
        turns += result["turns"]
        moves += len(game.moves)
        for seat, name in names.items():
            seats_played[name] += 1
            refused[name] += result["invalid_moves"][str(seat)]
        if result["winner"] is not None:
            wins[names[result["winner"]]] += 1
        terms.update(t.status for d in game.ledger.deals if d.status == "accepted" for t in d.terms)

        if args.replay_every and i % args.replay_every == 0:
            start = time.perf_counter()
            try:
                verify_replay(json.loads(json.dumps(game.to_record())))
            except ReplayError as error:
                failures.append(f"game {seed}: {error}")
            replay_s += time.perf_counter() - start
            replays += 1

    rate = args.games / play_s
    budget = args.budget * args.games / 1000
    print(f"{args.games} games in {play_s:.1f} s: {rate:.1f} games/s (budget {budget:.0f} s)")
    print(f"per game: {moves / args.games:.0f} moves, {turns / args.games:.1f} turns")
    print(f"{replays} records replayed and verified in {replay_s:.1f} s")
    print("end reasons: " + ", ".join(f"{k} {v}" for k, v in ends.most_common()))
    print("objective or last-standing wins per bot: " + ", ".join(f"{n} {wins[n] / seats_played[n]:.1%}" for n in BOTS))
    print("accepted terms: " + ", ".join(f"{k} {v}" for k, v in terms.most_common()))
    failures += [f"{name}: {n} refused moves" for name, n in refused.items() if n]
    if play_s > budget:
        failures.append(f"too slow: {play_s:.1f} s > {budget:.0f} s")
    for failure in failures[:20]:
        print("FAIL", failure)
    print("no invalid state" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
