"""Risk-style battle resolution with seeded dice (C2C does not specify combat; README.md, Deviations).

The attacker commits k armies. Each round the attacker rolls min(attack_dice_max, committed left) dice and the
defender min(defend_dice_max, defenders left); both sort high to low and compare pair by pair: the higher die wins the
pair, a tie goes to the defender, the loser of a pair loses one army. Rounds repeat until one side has none left.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Roll = Callable[[int], list[int]]  # n -> n dice values in 1..6


def seeded_roll(rng: random.Random) -> Roll:
    def roll(n: int) -> list[int]:
        return [rng.randint(1, 6) for _ in range(n)]

    return roll


@dataclass(frozen=True)
class Battle:
    attacker_losses: int
    defender_losses: int
    conquered: bool  # the defenders are gone; the surviving committed armies move in


def resolve_battle(committed: int, defenders: int, roll: Roll, attack_dice: int = 3, defend_dice: int = 2) -> Battle:
    attackers, left = committed, defenders
    while attackers > 0 and left > 0:
        a = sorted(roll(min(attack_dice, attackers)), reverse=True)
        d = sorted(roll(min(defend_dice, left)), reverse=True)
        for high_a, high_d in zip(a, d):
            if high_a > high_d:
                left -= 1
            else:
                attackers -= 1
    return Battle(committed - attackers, defenders - left, left == 0)
