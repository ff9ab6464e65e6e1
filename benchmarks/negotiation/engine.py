"""The game engine: a state machine that asks one seat at a time for a move and applies it.

``game.request`` is the pending question (seat, phase, observation) or None when the game is over; ``game.submit(raw)``
answers it with whatever the agent returned (a dict, or text holding JSON). Nothing here waits on an agent, so the
same engine serves synchronous bots (``play``) and an async driver for language models:

    while (request := game.request) is not None:
        game.submit(await player[request.seat](request.observation))

A turn of one seat: reinforce, negotiate (each token opens a private channel with one seat), attack, support
(give armies or hand over a territory, one token each), fortify. Turns run seat 1..4 in rounds; "turn N" is round N.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import Any, Protocol

from benchmarks.negotiation import validate
from benchmarks.negotiation.board import Board
from benchmarks.negotiation.combat import Roll, resolve_battle, seeded_roll
from benchmarks.negotiation.deals import Channel, Deal, Ledger, read_terms
from benchmarks.negotiation.moves import ACTS, MoveError, read_move
from benchmarks.negotiation.state import GameState

RECORD_FORMAT = 1
Steps = Generator["Request", object, Any]


class Agent(Protocol):
    def act(self, observation: dict[str, Any]) -> object: ...


@dataclass(frozen=True)
class Request:
    seat: int
    phase: str
    observation: dict[str, Any]  # what this seat may see now; read-only


class Game:
    def __init__(self, board: Board, seed: int, roll: Roll | None = None) -> None:
        """A new game. ``roll`` replaces the seeded dice (tests); such a game cannot be replayed from its record."""
        self.board, self.seed = board, seed
        rng = random.Random(seed)
        regions = list(board.regions)
        pairs = list(combinations(regions, board.rules.objective_regions))
        rng.shuffle(pairs)  # distinct secret objectives while there are enough pairs
        objectives = {seat: pairs[i % len(pairs)] for i, seat in enumerate(board.seats)}
        self.lottery = rng.sample(list(board.seats), len(board.seats))  # the last tie-break, drawn up front
        self.roll = roll or seeded_roll(rng)
        self.state = GameState.start(board, objectives)
        self.ledger = Ledger()
        self.channels: list[Channel] = []
        self.moves: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.inbox: dict[int, list[dict[str, Any]]] = {seat: [] for seat in board.seats}
        self.states: list[dict[str, Any]] = [self.state.snapshot()]
        self.result: dict[str, Any] | None = None
        self._steps = self._play()
        self._pending: Request | None = None
        self._started = False

    # -- driving -----------------------------------------------------------------------------------------------------

    @property
    def request(self) -> Request | None:
        if not self._started:
            self._started = True
            self._pending = next(self._steps, None)
        return self._pending

    def submit(self, raw: object) -> None:
        if self.request is None:
            raise RuntimeError("the game is over")
        try:
            self._pending = self._steps.send(raw)
        except StopIteration:
            self._pending = None

    def _ask(
        self,
        seat: int,
        phase: str,
        read: Callable[[dict[str, Any]], dict[str, Any]],
        default: dict[str, Any],
        **context: Any,
    ) -> Generator[Request, object, dict[str, Any]]:
        raw = yield Request(seat, phase, self.observe(seat, phase, **context))
        error = None
        try:
            move = read(read_move(raw))
        except MoveError as refused:
            move, error = default, str(refused)
            self.state.seats[seat].invalid.append({"turn": self.state.turn, "phase": phase, "reason": error})
        self.state.seats[seat].last_error = error
        self.moves.append(
            {"turn": self.state.turn, "seat": seat, "phase": phase, "raw": raw, "move": move, "error": error}
        )
        return move

    # -- the flow of a game ------------------------------------------------------------------------------------------

    def _play(self) -> Steps:
        state, rules = self.state, self.board.rules
        for turn in range(1, rules.turn_cap + 1):
            state.turn = turn
            for seat in self.board.seats:
                if state.seats[seat].alive:
                    yield from self._seat_turn(seat)
                if self.result is not None:
                    return
            self.ledger.end_turn(turn)
            self.states.append(state.snapshot())
        self._finish("turn_cap", None)

    def _seat_turn(self, seat: int) -> Steps:
        state, rules = self.state, self.board.rules
        me = state.seats[seat]
        me.negotiate_tokens, me.support_tokens = rules.negotiate_tokens, rules.support_tokens

        available = state.income(seat)
        move = yield from self._ask(
            seat,
            "reinforce",
            lambda m: validate.read_reinforce(state, seat, m, available),
            validate.default_reinforce(state, seat, available),
            armies_to_place=available,
        )
        for name, count in move["place"].items():
            state.armies[name] += count

        while me.negotiate_tokens > 0 and len(state.alive()) > 1:
            move = yield from self._ask(
                seat, "negotiate", lambda m: validate.read_negotiate(state, seat, m), validate.PASS
            )
            if move["type"] == "pass":
                break
            me.negotiate_tokens -= 1
            yield from self._negotiate(seat, move["with"])

        if state.turn > rules.no_attack_turns:
            attacks_left = rules.attacks_per_turn
            while attacks_left > 0 and self._can_attack(seat):
                move = yield from self._ask(
                    seat,
                    "attack",
                    lambda m: validate.read_attack(state, seat, m),
                    validate.PASS,
                    attacks_left=attacks_left,
                )
                if move["type"] == "pass":
                    break
                attacks_left -= 1
                self._attack(seat, move)
                if self.result is not None:
                    return

        while me.support_tokens > 0 and self._can_support(seat):
            move = yield from self._ask(seat, "support", lambda m: validate.read_support(state, seat, m), validate.PASS)
            if move["type"] == "pass":
                break
            me.support_tokens -= 1
            self._support(seat, move)
            if self.result is not None:
                return

        if self._can_fortify(seat):
            move = yield from self._ask(seat, "fortify", lambda m: validate.read_fortify(state, seat, m), validate.PASS)
            if move["type"] == "fortify":
                state.armies[move["from"]] -= move["armies"]
                state.armies[move["to"]] += move["armies"]

    # -- which phases have a legal move (a seat is not asked when it has none) ---------------------------------------

    def _can_attack(self, seat: int) -> bool:
        owner, armies, adjacent = self.state.owner, self.state.armies, self.board.adjacent
        return any(
            owner[t] == seat and armies[t] > 1 and any(owner[n] != seat for n in adjacent[t])
            for t in self.board.territories
        )

    def _can_support(self, seat: int) -> bool:
        held = self.state.held(seat)
        return len(held) > 1 or any(self.state.armies[t] > 1 for t in held)

    def _can_fortify(self, seat: int) -> bool:
        owner, armies, adjacent = self.state.owner, self.state.armies, self.board.adjacent
        return any(
            owner[t] == seat and armies[t] > 1 and any(owner[n] == seat for n in adjacent[t])
            for t in self.board.territories
        )

    # -- applying moves ----------------------------------------------------------------------------------------------

    def _event(self, event: dict[str, Any], seats: list[int]) -> None:
        event["turn"] = self.state.turn
        self.events.append(event)
        for seat in seats:
            self.inbox[seat].append(event)

    def _attack(self, seat: int, move: dict[str, Any]) -> None:
        state, rules = self.state, self.board.rules
        source, target, committed = move["from"], move["to"], move["armies"]
        defender = state.owner[target]
        battle = resolve_battle(
            committed, state.armies[target], self.roll, rules.attack_dice_max, rules.defend_dice_max
        )
        state.armies[source] -= committed
        state.armies[target] -= battle.defender_losses
        self.ledger.on_attack(state.turn, seat, defender)
        event = {"type": "attack", "seat": seat, "defender": defender, "from": source, "to": target}
        event.update(armies=committed, attacker_losses=battle.attacker_losses, defender_losses=battle.defender_losses)
        event["conquered"] = battle.conquered
        self._event(event, [seat, defender])
        if not battle.conquered:
            return
        state.owner[target] = seat
        state.armies[target] = committed - battle.attacker_losses
        if not state.held(defender):
            self._eliminate(defender, seat, target)
        if len(state.alive()) == 1:
            self._finish("last_standing", seat)
        elif state.holds_objective(seat):
            self._finish("objective", seat)

    def _eliminate(self, seat: int, by: int, where: str) -> None:
        """Out of the game; the eliminator's bonus armies land on the territory that finished it."""
        state = self.state
        state.seats[seat].alive = False
        state.eliminated.append(seat)
        state.armies[where] += self.board.rules.elimination_bonus
        self.ledger.on_elimination(state.turn, seat)
        self._event(
            {"type": "elimination", "seat": seat, "by": by, "bonus": self.board.rules.elimination_bonus},
            list(self.board.seats),
        )

    def _support(self, seat: int, move: dict[str, Any]) -> None:
        state, receiver = self.state, move["to"]
        if move["type"] == "transfer":
            name = move["territory"]
            state.owner[name] = receiver
            self.ledger.on_transfer(state.turn, seat, receiver, name)
            self._event({"type": "transfer", "seat": seat, "to": receiver, "territory": name}, [seat, receiver])
            if state.holds_objective(receiver):
                self._finish("objective", receiver)
            return
        state.armies[move["from"]] -= move["armies"]
        state.armies[move["territory"]] += move["armies"]
        self.ledger.on_support(state.turn, seat, receiver, move["armies"])
        event = {
            "type": "support",
            "seat": seat,
            "to": receiver,
            "territory": move["territory"],
            "armies": move["armies"],
        }
        self._event(event, [seat, receiver])

    # -- negotiation -------------------------------------------------------------------------------------------------

    def _negotiate(self, opener: int, partner: int) -> Steps:
        channel = Channel(len(self.channels) + 1, self.state.turn, (opener, partner))
        self.channels.append(channel)
        limit = 2 * self.board.rules.message_rounds
        speaker = opener
        for sent in range(limit):
            move = yield from self._ask(
                speaker,
                "message",
                partial(self._read_message, channel, speaker),
                {"type": "message", "act": "talk", "text": ""},
                channel=channel,
                messages_left=limit - sent,
            )
            self._apply_message(channel, speaker, move)
            if channel.outcome != "open":
                return
            speaker = channel.other(speaker)
        channel.outcome = "no_deal"
        if channel.open_deal is not None:
            channel.open_deal.status = "expired"

    def _read_message(self, channel: Channel, seat: int, move: dict[str, Any]) -> dict[str, Any]:
        if move.get("type", "message") != "message":
            raise MoveError(f"type must be message, got {move.get('type')!r}")
        act = str(move.get("act", "talk")).strip().lower()
        if act not in ACTS:
            raise MoveError(f"act must be one of {', '.join(ACTS)}, got {act!r}")
        text = move.get("text", "")
        if not isinstance(text, str):
            raise MoveError("text must be a string")
        out: dict[str, Any] = {"type": "message", "act": act, "text": text[: self.board.rules.message_chars_max]}
        offer = channel.open_deal
        theirs = offer is not None and offer.proposer != seat
        if act == "accept" and not theirs:
            raise MoveError("there is no proposal from the other seat to accept")
        if act in ("propose", "counter"):
            state = self.state
            parties = (seat, channel.other(seat))
            terms = read_terms(
                move.get("terms"),
                parties,
                state.alive(),
                state.owner,
                self.board.rules,
                self.board.seats,
                self.board.by_lower_name,
            )
            out["act"] = "counter" if theirs else "propose"  # the engine, not the wording, decides which it is
            out["terms"] = [t.to_dict() for t in terms]
        return out

    def _apply_message(self, channel: Channel, seat: int, move: dict[str, Any]) -> None:
        act, offer = move["act"], channel.open_deal
        message: dict[str, Any] = {"seat": seat, "act": act, "text": move["text"], "deal": None}
        if act in ("propose", "counter"):
            parties = (seat, channel.other(seat))
            state = self.state
            terms = read_terms(
                move["terms"],
                parties,
                state.alive(),
                state.owner,
                self.board.rules,
                self.board.seats,
                self.board.by_lower_name,
            )
            deal = Deal(len(self.ledger.deals) + 1, state.turn, channel.id, seat, parties[1], terms)
            if offer is not None:
                offer.status = "countered" if act == "counter" else "withdrawn"
                deal.counter_of = offer.id if act == "counter" else None
            self.ledger.deals.append(deal)
            channel.open_deal = deal
            message["deal"] = deal.id
        elif act == "accept" and offer is not None:
            self.ledger.accept(offer, self.state.turn)
            channel.open_deal, channel.outcome = None, "accepted"
            message["deal"] = offer.id
        elif act == "reject":
            if offer is not None and offer.proposer != seat:
                offer.status = "rejected"
                message["deal"] = offer.id
                channel.outcome = "rejected"
            else:
                channel.outcome = "no_deal"
                if offer is not None:
                    offer.status = "withdrawn"
            channel.open_deal = None
        channel.messages.append(message)

    # -- what a seat sees --------------------------------------------------------------------------------------------

    def observe(self, seat: int, phase: str, channel: Channel | None = None, **extra: Any) -> dict[str, Any]:
        state = self.state
        me = state.seats[seat]
        owner, armies = state.owner, state.armies
        obs: dict[str, Any] = {
            "seat": seat,
            "turn": state.turn,
            "turn_cap": self.board.rules.turn_cap,
            "phase": phase,
            "objective": list(me.objective),
            "territories": {t: {"owner": owner[t], "armies": armies[t]} for t in state.visible(seat)},
            "alive": state.alive(),
            "negotiate_tokens": me.negotiate_tokens,
            "support_tokens": me.support_tokens,
            "commitments": [
                {"deal": deal.id, "parties": [deal.proposer, deal.responder], **term.to_dict()}
                for deal in self.ledger.deals
                if deal.status == "accepted" and seat in (deal.proposer, deal.responder)
                for term in deal.terms
                if term.status == "active"
            ],
            "events": [e for e in self.inbox[seat] if e["turn"] >= state.turn - 1],
            "last_error": me.last_error,
            **extra,
        }
        if channel is not None:
            offer = channel.open_deal
            obs["channel"] = {
                "id": channel.id,
                "with": channel.other(seat),
                "messages": channel.messages,
                "open_proposal": None if offer is None else offer.to_dict(),
            }
        return obs

    # -- the end -----------------------------------------------------------------------------------------------------

    def ranking_key(self, seat: int) -> tuple[int, int, int, int]:
        """Tie-break at the turn cap, higher first: objective regions held whole, territories inside the objective
        regions, territories, armies; then the lottery drawn at the start."""
        state = self.state
        held = state.held(seat)
        objective = state.seats[seat].objective
        inside = [t for t in held if self.board.region_of[t] in objective]
        whole = sum(state.holds_region(seat, r) for r in objective)
        return (whole, len(inside), len(held), sum(state.armies[t] for t in held))

    def _finish(self, reason: str, winner: int | None) -> None:
        state = self.state
        self.ledger.close(state.turn)
        living = sorted(state.alive(), key=lambda s: (tuple(-k for k in self.ranking_key(s)), self.lottery.index(s)))
        if winner is not None:
            living.remove(winner)
            living.insert(0, winner)
        ranking = living + state.eliminated[::-1]  # the later a seat fell, the better its place
        if reason != "turn_cap":  # a full round has its snapshot already
            self.states.append(state.snapshot())
        self.result = {
            "winner": winner,
            "end_reason": reason,
            "turns": state.turn,
            "ranking": ranking,
            "ranking_keys": {str(s): list(self.ranking_key(s)) for s in state.alive()},
            "invalid_moves": {str(seat): len(s.invalid) for seat, s in state.seats.items()},
        }

    def to_record(self) -> dict[str, Any]:
        """Everything needed to audit or replay the game, as plain JSON data."""
        state = self.state
        record = {
            "format": RECORD_FORMAT,
            "board": self.board.source,
            "seed": self.seed,
            "objectives": {str(seat): list(s.objective) for seat, s in state.seats.items()},
            "tiebreak_lottery": self.lottery,
            "moves": self.moves,
            "channels": [c.to_dict() for c in self.channels],
            "deals": [d.to_dict() for d in self.ledger.deals],
            "events": self.events,
            "states": self.states,
            "invalid": {str(seat): s.invalid for seat, s in state.seats.items()},
            "result": self.result,
            "final_state": state.snapshot(),
        }
        copied: dict[str, Any] = json.loads(json.dumps(record))  # detached from the live game, and proven JSON
        return copied


def play(game: Game, agents: Mapping[int, Agent]) -> dict[str, Any]:
    """Play to the end with synchronous agents (bots); returns the result."""
    while (request := game.request) is not None:
        game.submit(agents[request.seat].act(request.observation))
    assert game.result is not None
    return game.result
