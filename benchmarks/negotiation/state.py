"""The mutable state of one game: who holds what, with how many armies, and each seat's tokens and secret goal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.negotiation.board import Board


@dataclass
class SeatState:
    objective: tuple[str, ...]  # secret: the regions this seat must hold at once to win
    alive: bool = True
    negotiate_tokens: int = 0
    support_tokens: int = 0
    invalid: list[dict[str, Any]] = field(default_factory=list)  # {turn, phase, reason} per refused move
    last_error: str | None = None  # why this seat's latest move was refused; shown in its next observation


@dataclass
class GameState:
    board: Board
    owner: dict[str, int]
    armies: dict[str, int]
    seats: dict[int, SeatState]
    turn: int = 0
    eliminated: list[int] = field(default_factory=list)  # in order of elimination

    @classmethod
    def start(cls, board: Board, objectives: dict[int, tuple[str, ...]]) -> GameState:
        return cls(
            board=board,
            owner={t: seat for t, (seat, _) in board.start.items()},
            armies={t: armies for t, (_, armies) in board.start.items()},
            seats={seat: SeatState(objectives[seat]) for seat in board.seats},
        )

    def alive(self) -> list[int]:
        return [seat for seat, s in self.seats.items() if s.alive]

    def held(self, seat: int) -> list[str]:
        return [t for t in self.board.territories if self.owner[t] == seat]

    def holds_region(self, seat: int, region: str) -> bool:
        owner = self.owner
        return all(owner[t] == seat for t in self.board.regions[region])

    def holds_objective(self, seat: int) -> bool:
        return all(self.holds_region(seat, r) for r in self.seats[seat].objective)

    def income(self, seat: int) -> int:
        """Armies placed at the start of a turn: the fixed amount plus the bonus of each region held whole."""
        bonus = sum(b for region, b in self.board.bonus.items() if self.holds_region(seat, region))
        return self.board.rules.armies_per_turn + bonus

    def visible(self, seat: int) -> list[str]:
        """Fog of war: a seat sees its own territories and those adjacent to them, nothing else."""
        adjacent = self.board.adjacent
        owned = {t for t, s in self.owner.items() if s == seat}
        seen = set(owned)
        for t in owned:
            seen |= adjacent[t]
        return [t for t in self.board.territories if t in seen]

    def snapshot(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "owner": dict(self.owner),
            "armies": dict(self.armies),
            "alive": self.alive(),
            "invalid_moves": {str(seat): len(s.invalid) for seat, s in self.seats.items()},
        }
