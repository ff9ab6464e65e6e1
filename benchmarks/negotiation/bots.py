"""Baseline players for tests and as opponents. Like a language model, a bot sees only its observation (fog of war)
and the public board, and answers with a move dict.

- RandomBot: a uniformly random legal move in every phase, deals included.
- GreedyBot: territorial; attacks where it outnumbers the defender, favouring its objective regions; never deals.
- AlwaysAcceptBot: greedy, offers non-aggression, accepts every proposal, and keeps every accepted term.
- NeverKeepBot: greedy, offers and accepts deals, then breaks them: attacks its partners first, never pays.
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks.negotiation.board import Board

Move = dict[str, Any]
PASS: Move = {"type": "pass"}


class Bot:
    def __init__(self, board: Board, seed: int = 0) -> None:
        self.board = board
        self.rng = random.Random(seed)

    def act(self, obs: dict[str, Any]) -> Move:
        phase: str = obs["phase"]
        move: Move = getattr(self, phase)(obs)
        return move

    # what every bot can read from an observation
    @staticmethod
    def mine(obs: dict[str, Any]) -> list[str]:
        seat = obs["seat"]
        return [t for t, v in obs["territories"].items() if v["owner"] == seat]

    def attacks(self, obs: dict[str, Any]) -> list[tuple[str, str]]:
        return self.moves_from_mine(obs, to_own=False)

    def fortifies(self, obs: dict[str, Any]) -> list[tuple[str, str]]:
        return self.moves_from_mine(obs, to_own=True)

    def moves_from_mine(self, obs: dict[str, Any], to_own: bool) -> list[tuple[str, str]]:
        """(from, to) pairs from a territory of ours with armies to spare to a seen neighbour that is ours
        (``to_own``: fortify) or not (attack)."""
        seat, seen = obs["seat"], obs["territories"]
        return [
            (t, n)
            for t in self.mine(obs)
            if seen[t]["armies"] > 1
            for n in sorted(self.board.adjacent[t])
            if n in seen and (seen[n]["owner"] == seat) == to_own
        ]

    def others(self, obs: dict[str, Any]) -> list[int]:
        return [s for s in obs["alive"] if s != obs["seat"]]

    # defaults: no deals
    def negotiate(self, obs: dict[str, Any]) -> Move:
        return PASS

    def message(self, obs: dict[str, Any]) -> Move:
        return {"type": "message", "act": "reject", "text": "No deal."}

    def support(self, obs: dict[str, Any]) -> Move:
        return PASS


class RandomBot(Bot):
    def reinforce(self, obs: dict[str, Any]) -> Move:
        mine = self.mine(obs)
        place: dict[str, int] = {}
        for _ in range(obs["armies_to_place"]):
            t = self.rng.choice(mine)
            place[t] = place.get(t, 0) + 1
        return {"type": "reinforce", "place": place}

    def negotiate(self, obs: dict[str, Any]) -> Move:
        if self.rng.random() < 0.4:
            return {"type": "negotiate", "with": self.rng.choice(self.others(obs))}
        return PASS

    def message(self, obs: dict[str, Any]) -> Move:
        channel = obs["channel"]
        theirs = channel["open_proposal"] is not None and channel["open_proposal"]["proposer"] != obs["seat"]
        acts = ["talk", "propose", "reject"] + (["accept", "accept", "counter"] if theirs else [])
        act = self.rng.choice(acts)
        move: Move = {"type": "message", "act": act, "text": f"random {act}"}
        if act in ("propose", "counter"):
            move["terms"] = [self.random_term(obs, channel["with"]) for _ in range(self.rng.randint(1, 2))]
        return move

    def random_term(self, obs: dict[str, Any], partner: int) -> Move:
        seat, rules = obs["seat"], self.board.rules
        turns = self.rng.randint(1, rules.deal_turns_max)
        third = [s for s in obs["alive"] if s not in (seat, partner)]
        kinds = ["non_aggression", "support", "support", "transfer"] + (["joint_attack"] if third else [])
        kind = self.rng.choice(kinds)
        if kind == "support":
            giver, receiver = self.rng.choice([(seat, partner), (partner, seat)])
            armies = self.rng.randint(1, 3)
            return {"kind": kind, "from": giver, "to": receiver, "armies": armies, "turns": turns}
        if kind == "transfer":  # only its own territories: the partner's holdings may be out of sight
            territory = self.rng.choice(self.mine(obs))
            return {"kind": kind, "from": seat, "to": partner, "territory": territory, "turns": turns}
        if kind == "joint_attack":
            return {"kind": kind, "target": self.rng.choice(third), "turns": turns}
        return {"kind": kind, "turns": turns}

    def attack(self, obs: dict[str, Any]) -> Move:
        options = self.attacks(obs)
        if not options or self.rng.random() < 0.3:
            return PASS
        source, target = self.rng.choice(options)
        armies = self.rng.randint(1, obs["territories"][source]["armies"] - 1)
        return {"type": "attack", "from": source, "to": target, "armies": armies}

    def support(self, obs: dict[str, Any]) -> Move:
        seat, seen = obs["seat"], obs["territories"]
        mine = self.mine(obs)
        if len(mine) > 1 and self.rng.random() < 0.03:
            return {"type": "transfer", "territory": self.rng.choice(mine), "to": self.rng.choice(self.others(obs))}
        sources = [t for t in mine if seen[t]["armies"] > 1]
        targets = [t for t, v in seen.items() if v["owner"] != seat]
        if not sources or not targets or self.rng.random() < 0.8:
            return PASS
        source, target = self.rng.choice(sources), self.rng.choice(targets)
        armies = self.rng.randint(1, min(self.board.rules.support_armies_max, seen[source]["armies"] - 1))
        return {"type": "support", "to": seen[target]["owner"], "from": source, "territory": target, "armies": armies}

    def fortify(self, obs: dict[str, Any]) -> Move:
        options = self.fortifies(obs)
        if not options or self.rng.random() < 0.5:
            return PASS
        source, target = self.rng.choice(options)
        armies = self.rng.randint(1, obs["territories"][source]["armies"] - 1)
        return {"type": "fortify", "from": source, "to": target, "armies": armies}


class GreedyBot(Bot):
    def spared(self, obs: dict[str, Any]) -> set[int]:
        """Seats it will not attack; greedy spares nobody."""
        return set()

    def target_value(self, obs: dict[str, Any], source: str, target: str) -> float:
        seen = obs["territories"]
        odds = seen[source]["armies"] - 1 - seen[target]["armies"]
        return odds + (2 if self.board.region_of[target] in obs["objective"] else 0)

    def best_attack(self, obs: dict[str, Any]) -> tuple[str, str] | None:
        spared = self.spared(obs)
        options = [(s, t) for s, t in self.attacks(obs) if obs["territories"][t]["owner"] not in spared]
        return max(options, key=lambda st: self.target_value(obs, *st), default=None)

    def reinforce(self, obs: dict[str, Any]) -> Move:
        mine, seen = self.mine(obs), obs["territories"]
        spared = self.spared(obs)
        frontier = [
            t
            for t in mine
            if any(n in seen and seen[n]["owner"] not in spared | {obs["seat"]} for n in self.board.adjacent[t])
        ]
        home = max(frontier or mine, key=lambda t: seen[t]["armies"])
        return {"type": "reinforce", "place": {home: obs["armies_to_place"]}}

    def attack(self, obs: dict[str, Any]) -> Move:
        best = self.best_attack(obs)
        if best is None or self.target_value(obs, *best) < 1:
            return PASS
        source, target = best
        return {"type": "attack", "from": source, "to": target, "armies": obs["territories"][source]["armies"] - 1}

    def fortify(self, obs: dict[str, Any]) -> Move:
        seen, seat = obs["territories"], obs["seat"]
        for source, target in self.fortifies(obs):
            interior = all(n in seen and seen[n]["owner"] == seat for n in self.board.adjacent[source])
            front = any(seen[n]["owner"] != seat for n in self.board.adjacent[target] if n in seen)
            if interior and front:
                return {"type": "fortify", "from": source, "to": target, "armies": seen[source]["armies"] - 1}
        return PASS


class AlwaysAcceptBot(GreedyBot):
    """Offers non-aggression to a visible neighbour, accepts anything, keeps every accepted term."""

    def neighbours(self, obs: dict[str, Any]) -> list[int]:
        seat = obs["seat"]
        return sorted({v["owner"] for v in obs["territories"].values() if v["owner"] != seat})

    def negotiate(self, obs: dict[str, Any]) -> Move:
        partners = self.neighbours(obs)
        if obs["negotiate_tokens"] < self.board.rules.negotiate_tokens or not partners:
            return PASS  # one channel a turn
        return {"type": "negotiate", "with": self.rng.choice(partners)}

    def offer(self, obs: dict[str, Any]) -> list[Move]:
        return [{"kind": "non_aggression", "turns": 2}]

    def message(self, obs: dict[str, Any]) -> Move:
        channel, seat = obs["channel"], obs["seat"]
        proposal = channel["open_proposal"]
        if proposal is not None and proposal["proposer"] != seat:
            return {"type": "message", "act": "accept", "text": "Agreed."}
        if not channel["messages"]:
            return {"type": "message", "act": "propose", "text": "Shall we agree?", "terms": self.offer(obs)}
        return {"type": "message", "act": "talk", "text": "Waiting for your answer."}

    def spared(self, obs: dict[str, Any]) -> set[int]:
        return self.promised(obs)

    def promised(self, obs: dict[str, Any]) -> set[int]:
        """Seats it has an active non-aggression term with."""
        return {p for c in obs["commitments"] if c["kind"] == "non_aggression" for p in c["parties"]} - {obs["seat"]}

    def attack(self, obs: dict[str, Any]) -> Move:
        for c in obs["commitments"]:  # a promised joint attack comes first, unless it would break a truce
            if c["kind"] == "joint_attack" and c["target"] not in self.promised(obs):
                for source, target in self.attacks(obs):
                    if obs["territories"][target]["owner"] == c["target"]:
                        return {
                            "type": "attack",
                            "from": source,
                            "to": target,
                            "armies": obs["territories"][source]["armies"] - 1,
                        }
        return super().attack(obs)

    def support(self, obs: dict[str, Any]) -> Move:
        seat, seen = obs["seat"], obs["territories"]
        for c in obs["commitments"]:
            if c.get("from") != seat:
                continue
            if c["kind"] == "transfer" and c["territory"] in seen and seen[c["territory"]]["owner"] == seat:
                if len(self.mine(obs)) > 1:
                    return {"type": "transfer", "territory": c["territory"], "to": c["to"]}
            if c["kind"] == "support":
                targets = [t for t, v in seen.items() if v["owner"] == c["to"]]
                sources = [t for t in self.mine(obs) if seen[t]["armies"] > 1]
                if targets and sources:
                    source = max(sources, key=lambda t: seen[t]["armies"])
                    want = min(
                        c["armies"] - c["delivered"], self.board.rules.support_armies_max, seen[source]["armies"] - 1
                    )
                    return {"type": "support", "to": c["to"], "from": source, "territory": targets[0], "armies": want}
        return PASS


class NeverKeepBot(AlwaysAcceptBot):
    """Offers non-aggression and asks for armies, accepts anything, then attacks its partners first and never pays."""

    def offer(self, obs: dict[str, Any]) -> list[Move]:
        partner = obs["channel"]["with"]
        return [
            {"kind": "non_aggression", "turns": 2},
            {"kind": "support", "from": partner, "to": obs["seat"], "armies": 2, "turns": 1},
        ]

    def spared(self, obs: dict[str, Any]) -> set[int]:
        return set()

    def target_value(self, obs: dict[str, Any], source: str, target: str) -> float:
        betrayed = obs["territories"][target]["owner"] in self.promised(obs)
        return super().target_value(obs, source, target) + (3 if betrayed else 0)

    def attack(self, obs: dict[str, Any]) -> Move:
        return GreedyBot.attack(self, obs)

    def support(self, obs: dict[str, Any]) -> Move:
        return PASS


BOTS: dict[str, type[Bot]] = {
    "random": RandomBot,
    "greedy": GreedyBot,
    "always_accept": AlwaysAcceptBot,
    "never_keep": NeverKeepBot,
}
