"""The board and rule constants of the game, read from one file (board.json) so open rules change there, not in code."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOARD_FILE = Path(__file__).with_name("board.json")


@dataclass(frozen=True)
class Rules:
    armies_per_turn: int
    negotiate_tokens: int
    support_tokens: int
    support_armies_max: int
    elimination_bonus: int
    turn_cap: int
    no_attack_turns: int
    attacks_per_turn: int
    attack_dice_max: int
    defend_dice_max: int
    message_rounds: int
    terms_per_deal_max: int
    deal_turns_max: int
    term_armies_max: int
    objective_regions: int
    message_chars_max: int


@dataclass(frozen=True)
class Board:
    name: str
    seats: tuple[int, ...]  # 1-based, as model roles player_1 ... player_4 name them
    territories: tuple[str, ...]  # board order: ties and defaults follow it, so games are deterministic
    regions: dict[str, tuple[str, ...]]
    bonus: dict[str, int]
    region_of: dict[str, str]
    adjacent: dict[str, frozenset[str]]
    start: dict[str, tuple[int, int]]  # territory -> (seat, armies)
    rules: Rules
    by_lower_name: dict[str, str]  # moves may name a territory in any letter case
    source: dict[str, Any]  # the file's content, stored in every game record so a replay uses the same board

    def with_rules(self, **changes: int) -> Board:
        """The same board with some rule constants changed (the record keeps the changed values)."""
        source = json.loads(json.dumps(self.source))
        source["rules"].update(changes)
        return board_from_dict(source)

    def describe(self) -> str:
        """The public map for a player's prompt: regions with bonuses, territories and their neighbours."""
        lines = []
        for region, names in self.regions.items():
            lines.append(f"Region {region} (bonus +{self.bonus[region]}): {', '.join(names)}")
        for name in self.territories:
            lines.append(f"{name} borders {', '.join(sorted(self.adjacent[name]))}")
        return "\n".join(lines)


def board_from_dict(source: dict[str, Any]) -> Board:
    """Build and check a board: every territory in exactly one region, symmetric adjacency, a start for each."""
    regions = {name: tuple(spec["territories"]) for name, spec in source["regions"].items()}
    territories = tuple(t for names in regions.values() for t in names)
    if len(set(territories)) != len(territories):
        raise ValueError("a territory is listed in two regions")
    adjacent: dict[str, set[str]] = {t: set() for t in territories}
    for a, b in source["adjacency"]:
        if a not in adjacent or b not in adjacent or a == b:
            raise ValueError(f"bad adjacency {a}-{b}")
        adjacent[a].add(b)
        adjacent[b].add(a)
    seats = tuple(range(1, int(source["seats"]) + 1))
    start = {t: (int(v[0]), int(v[1])) for t, v in source["start"].items()}
    if set(start) != set(territories):
        raise ValueError("start must give every territory an owner and armies")
    for seat, armies in start.values():
        if seat not in seats or armies < 1:
            raise ValueError(f"bad start ({seat}, {armies})")
    fields = {f.name for f in dataclasses.fields(Rules)}
    if set(source["rules"]) != fields:
        raise ValueError(f"rules must set exactly {sorted(fields)}")
    return Board(
        name=source["name"],
        seats=seats,
        territories=territories,
        regions=regions,
        bonus={name: int(spec["bonus"]) for name, spec in source["regions"].items()},
        region_of={t: region for region, names in regions.items() for t in names},
        adjacent={t: frozenset(n) for t, n in adjacent.items()},
        start=start,
        rules=Rules(**{k: int(v) for k, v in source["rules"].items()}),
        by_lower_name={t.lower(): t for t in territories},
        source=source,
    )


def load_board(path: Path = BOARD_FILE) -> Board:
    return board_from_dict(json.loads(path.read_text(encoding="utf-8")))
