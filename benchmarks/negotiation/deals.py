"""Deals: structured terms proposed in private channels, and the ledger that judges, from actions alone, whether each
accepted term was kept or broken (deals are not binding; nothing enforces them).

Terms (``turns`` = how long the term runs: the rest of the turn it is accepted in, plus ``turns`` more turns; its
deadline is turn accepted + turns):
- non_aggression: neither party attacks a territory of the other until the deadline. Broken at the first such attack
  (by the attacker); kept when the deadline passes without one.
- support: ``from`` gives ``to`` at least ``armies`` armies (support actions) by the deadline. Kept once delivered,
  broken at the deadline otherwise.
- transfer: ``from`` hands ``territory`` to ``to`` by the deadline. Kept on the transfer, broken at the deadline.
- joint_attack: both parties attack a territory of ``target`` by the deadline. Kept once both have, broken at the
  deadline by whichever party has not.
A term whose party is eliminated becomes void; one still running when the game ends is unresolved. Only kept and
broken terms count for reliability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.negotiation.board import Rules
from benchmarks.negotiation.moves import TERM_KINDS, MoveError, as_int, as_seat, as_territory


@dataclass
class Term:
    kind: str
    turns: int
    parties: tuple[int, int]
    giver: int | None = None  # support, transfer: the party that owes
    receiver: int | None = None
    armies: int = 0
    territory: str | None = None
    target: int | None = None  # joint_attack: the seat both parties attack
    deadline: int = 0
    status: str = "proposed"  # proposed -> active -> kept | broken | void | unresolved
    resolved_turn: int | None = None
    broken_by: list[int] = field(default_factory=list)
    delivered: int = 0  # support armies given so far
    attacked: list[int] = field(default_factory=list)  # joint_attack parties that have attacked the target
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "turns": self.turns}
        if self.kind in ("support", "transfer"):
            out["from"], out["to"] = self.giver, self.receiver
        if self.kind == "support":
            out["armies"] = self.armies
        if self.kind == "transfer":
            out["territory"] = self.territory
        if self.kind == "joint_attack":
            out["target"] = self.target
        if self.status != "proposed":
            if self.kind == "support":
                out["delivered"] = self.delivered
            out.update(deadline=self.deadline, status=self.status, resolved_turn=self.resolved_turn)
            out.update(broken_by=list(self.broken_by), reason=self.reason)
        return out

    def resolve(self, status: str, turn: int, reason: str, broken_by: list[int] | None = None) -> None:
        self.status, self.resolved_turn, self.reason = status, turn, reason
        self.broken_by = broken_by or []


@dataclass
class Deal:
    id: int
    turn: int
    channel: int
    proposer: int
    responder: int
    terms: list[Term]
    status: str = "open"  # open -> accepted | rejected | countered | withdrawn | expired
    counter_of: int | None = None  # the deal this one answers

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "turn": self.turn,
            "channel": self.channel,
            "proposer": self.proposer,
            "responder": self.responder,
            "status": self.status,
            "counter_of": self.counter_of,
            "terms": [t.to_dict() for t in self.terms],
        }


@dataclass
class Channel:
    """A private negotiation between two seats: messages alternate, the opener first, until accept, reject or limit."""

    id: int
    turn: int
    seats: tuple[int, int]  # (opener, partner)
    messages: list[dict[str, Any]] = field(default_factory=list)
    open_deal: Deal | None = None
    outcome: str = "open"  # open -> accepted | rejected | no_deal

    def other(self, seat: int) -> int:
        return self.seats[1] if seat == self.seats[0] else self.seats[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "turn": self.turn,
            "seats": list(self.seats),
            "outcome": self.outcome,
            "messages": [dict(m) for m in self.messages],
        }


def read_terms(
    raw: object,
    parties: tuple[int, int],
    alive: list[int],
    owner: dict[str, int],
    rules: Rules,
    seats: tuple[int, ...],
    by_lower_name: dict[str, str],
) -> list[Term]:
    """Check and normalise proposed terms; raises MoveError naming the first problem."""
    if not isinstance(raw, list) or not raw:
        raise MoveError("a proposal needs a non-empty list of terms")
    if len(raw) > rules.terms_per_deal_max:
        raise MoveError(f"at most {rules.terms_per_deal_max} terms per deal")
    terms = []
    for item in raw:
        if not isinstance(item, dict):
            raise MoveError("each term must be an object")
        kind = str(item.get("kind", "")).strip().lower()
        if kind not in TERM_KINDS:
            raise MoveError(f"term kind must be one of {', '.join(TERM_KINDS)}, got {kind!r}")
        turns = as_int(item.get("turns", 1), "turns")
        if not 1 <= turns <= rules.deal_turns_max:
            raise MoveError(f"turns must be 1-{rules.deal_turns_max}")
        term = Term(kind, turns, parties)
        if kind in ("support", "transfer"):
            term.giver = as_seat(item.get("from"), seats, "from")
            term.receiver = as_seat(item.get("to"), seats, "to")
            if {term.giver, term.receiver} != set(parties):
                raise MoveError(f"a {kind} term is between the two negotiating seats {parties[0]} and {parties[1]}")
        if kind == "support":
            term.armies = as_int(item.get("armies"), "armies")
            if not 1 <= term.armies <= rules.term_armies_max:
                raise MoveError(f"support armies must be 1-{rules.term_armies_max}")
        if kind == "transfer":
            term.territory = as_territory(item.get("territory"), by_lower_name)
            if owner[term.territory] != term.giver:
                raise MoveError(f"seat {term.giver} does not hold {term.territory}")
        if kind == "joint_attack":
            term.target = as_seat(item.get("target"), seats, "target")
            if term.target in parties or term.target not in alive:
                raise MoveError("a joint attack targets a third seat still in the game")
        terms.append(term)
    return terms


class Ledger:
    """Every deal of a game, and the fate of each accepted term, decided from the actions as they happen."""

    def __init__(self) -> None:
        self.deals: list[Deal] = []
        self.active: list[Term] = []

    def accept(self, deal: Deal, turn: int) -> None:
        deal.status = "accepted"
        for term in deal.terms:
            term.status, term.deadline = "active", turn + term.turns
            self.active.append(term)

    def on_attack(self, turn: int, attacker: int, defender: int) -> None:
        for term in self.active:
            if attacker not in term.parties:
                continue
            if term.kind == "non_aggression" and defender in term.parties:
                term.resolve("broken", turn, f"seat {attacker} attacked seat {defender}", [attacker])
            elif term.kind == "joint_attack" and defender == term.target and attacker not in term.attacked:
                term.attacked.append(attacker)
                if len(term.attacked) == 2:
                    term.resolve("kept", turn, "both parties attacked the target")
        self._prune()

    def on_support(self, turn: int, giver: int, receiver: int, armies: int) -> None:
        for term in self.active:  # oldest first: armies pay the earliest promise
            if term.kind == "support" and (term.giver, term.receiver) == (giver, receiver) and armies > 0:
                paid = min(armies, term.armies - term.delivered)
                term.delivered += paid
                armies -= paid
                if term.delivered >= term.armies:
                    term.resolve("kept", turn, f"{term.delivered} armies given")
        self._prune()

    def on_transfer(self, turn: int, giver: int, receiver: int, territory: str) -> None:
        for term in self.active:
            if term.kind == "transfer" and (term.giver, term.receiver, term.territory) == (giver, receiver, territory):
                term.resolve("kept", turn, f"{territory} handed over")
                break
        self._prune()

    def on_elimination(self, turn: int, seat: int) -> None:
        for term in self.active:
            if seat in term.parties or term.target == seat:
                term.resolve("void", turn, f"seat {seat} was eliminated")
        self._prune()

    def end_turn(self, turn: int) -> None:
        """Terms whose deadline is this turn: non-aggression held, every other obligation missed."""
        for term in self.active:
            if term.deadline > turn:
                continue
            if term.kind == "non_aggression":
                term.resolve("kept", turn, "no attack between the parties")
            elif term.kind == "support":
                term.resolve("broken", turn, f"{term.delivered} of {term.armies} armies given", [term.giver or 0])
            elif term.kind == "transfer":
                term.resolve("broken", turn, f"{term.territory} not handed over", [term.giver or 0])
            else:
                missing = [p for p in term.parties if p not in term.attacked]
                term.resolve("broken", turn, "a party did not attack the target", missing)
        self._prune()

    def close(self, turn: int) -> None:
        for term in self.active:
            term.resolve("unresolved", turn, "the game ended before the deadline")
        self.active = []

    def _prune(self) -> None:
        self.active = [t for t in self.active if t.status == "active"]
