"""What a language-model player is shown: the rules and the public map (the same for every seat and call, first, so a
server's prompt cache can reuse it), then the question of the moment: the phase, the move format, and the seat's
observation exactly as the engine gives it (fog of war: nothing another seat may not see).

``TARGETED`` is our wording of C2C's targeted-prompting intervention (README, Deviations): advice aimed at the
weaknesses the paper reports of LM agents (accepting deals too readily, trusting non-binding promises, complex
deals, losing sight of the objective). The paper's own prompt text is not reproduced.
"""

from __future__ import annotations

import json
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from benchmarks.negotiation.board import Board

RULES = """You are playing a four-player conquest game with private negotiation (your seat number is "seat" in \
what you see).
Goal: your secret objective is two regions; the first seat to hold every territory of both wins at once.
Each of your turns has phases: reinforce (place new armies on your territories), negotiate (open a private channel \
with one seat per negotiate token and exchange messages that may propose, counter, accept or reject a deal), attack \
(from your territory to an adjacent enemy one, committing some armies; no attacks on turn {no_attack}), support \
(give 1-{support_max} armies to another seat's territory, or hand over one of your territories), fortify (move armies \
between two adjacent territories of yours). One army always stays behind on a territory you move from.
Combat uses dice (attacker up to 3, defender up to 2, ties go to the defender). Eliminating a seat gives +{bonus} \
armies. Deals are NOT binding: nothing enforces them, but every promise is recorded as kept or broken.
Deal terms: non_aggression (no attacks between you), support (from gives to some armies), transfer (from hands over \
a territory), joint_attack (both attack seat target); each runs for "turns" turns (at most {deal_turns}).
The game ends after turn {turn_cap}; then seats are ranked by objective regions held, territories held in them, \
territories, armies.
You see only your territories and their neighbours. Answer every question with ONE JSON object and nothing else.

Map (regions hold their bonus armies each turn for whoever holds all of them):
{board}"""

TARGETED = """Advice for this game (read it before every move):
- Do not accept the first proposal you get. Check it against your secret objective and counter with terms that \
favour you; reject deals that only help the other seat.
- Deals are not binding. Do not rely on another seat keeping a promise; keep armies on borders you share with it.
- Prefer simple deals with one or two terms that you can check.
- Every move should bring you closer to holding both objective regions; attack weak neighbours inside them."""

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "reinforce": [{"type": "reinforce", "place": {"<your territory>": "<armies>"}}],
    "negotiate": [{"type": "negotiate", "with": "<seat number>"}, {"type": "pass"}],
    "message": [
        {"type": "message", "act": "talk", "text": "<what you say>"},
        {
            "type": "message",
            "act": "propose",
            "text": "<what you say>",
            "terms": [{"kind": "non_aggression", "turns": 2}],
        },
        {"type": "message", "act": "accept", "text": "<what you say>"},
        {"type": "message", "act": "reject", "text": "<what you say>"},
    ],
    "attack": [
        {"type": "attack", "from": "<your territory>", "to": "<adjacent enemy territory>", "armies": 2},
        {"type": "pass"},
    ],  # fmt: skip
    "support": [
        {"type": "support", "to": "<seat>", "from": "<your territory>", "territory": "<their territory>", "armies": 1},
        {"type": "transfer", "territory": "<your territory>", "to": "<seat>"},
        {"type": "pass"},
    ],
    "fortify": [
        {"type": "fortify", "from": "<your territory>", "to": "<adjacent territory of yours>", "armies": 1},
        {"type": "pass"},
    ],  # fmt: skip
}

ASK = {
    "reinforce": "Place exactly {armies_to_place} new armies on your own territories.",
    "negotiate": "Open a private negotiation with another seat still in the game, or pass.",
    "message": "You are negotiating privately with seat {with_seat}. Send one message ({messages_left} messages "
    "left in this channel). To accept or counter, an open proposal from the other seat must exist.",
    "attack": "Attack (at most {attacks_left} more this turn) or pass.",
    "support": "Give armies or a territory to another seat (one support token each), or pass.",
    "fortify": "Move armies between two adjacent territories of yours, or pass.",
}


def system_text(board: Board, targeted: bool) -> str:
    rules = board.rules
    text = RULES.format(
        no_attack=", ".join(str(t) for t in range(1, rules.no_attack_turns + 1)) or "none",
        support_max=rules.support_armies_max,
        bonus=rules.elimination_bonus,
        deal_turns=rules.deal_turns_max,
        turn_cap=rules.turn_cap,
        board=board.describe(),
    )
    return f"{text}\n\n{TARGETED}" if targeted else text


def question_text(observation: dict[str, Any]) -> str:
    phase = observation["phase"]
    channel = observation.get("channel") or {}
    ask = ASK[phase].format(
        armies_to_place=observation.get("armies_to_place", 0),
        with_seat=channel.get("with", "?"),
        messages_left=observation.get("messages_left", 0),
        attacks_left=observation.get("attacks_left", 0),
    )
    examples = "\n".join(json.dumps(e) for e in EXAMPLES[phase])
    return (
        f"You are seat {observation['seat']}. Turn {observation['turn']} of {observation['turn_cap']}, "
        f"phase: {phase}.\n"
        f"What you can see (JSON):\n{json.dumps(observation, separators=(',', ':'))}\n\n"
        f"{ask}\nMove formats:\n{examples}\nYour move (one JSON object):"
    )


def player_messages(board: Board, observation: dict[str, Any], targeted: bool) -> list[ChatMessage]:
    return [
        ChatMessageSystem(content=system_text(board, targeted)),
        ChatMessageUser(content=question_text(observation)),
    ]
