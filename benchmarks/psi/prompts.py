"""PSI's prompts: the simulated patient's profile prompt (from a real ESConv seeker), the model therapist's prompt,
the scripted counsellor's lines, and the cleaning of a patient reply.

The patient sees the therapist's messages as ``user`` turns and its own as ``assistant`` turns; the model therapist
the other way round. A side that would open the chat without a message before it gets a bracketed stage direction
as its first ``user`` message (chat templates need a user turn first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser

PATIENT_OPENS = "[The chat has started. You write first.]"
THERAPIST_JOINED = "[A help-seeker has joined the chat.]"
# The scripted and model therapists open with this line (the replay therapist opens as its real supporter did, or
# not at all when the real seeker wrote first).
OPENING = "Hi, thank you for reaching out. I'm here to listen. What has been on your mind lately?"

# A deterministic counsellor: after the opening, the n-th patient turn is answered by line n (the last line repeats).
# Open questions, reflections and encouragement in the style of ESConv's supporter strategies (Question,
# Reflection of feelings, Restatement, Affirmation, Providing suggestions, Self-disclosure is left out).
SCRIPTED_LINES = (
    "I'm sorry you're going through this. Can you tell me a bit more about what happened?",
    "That sounds really hard. How have you been feeling about it?",
    "It makes sense that you would feel that way. How long has this been going on?",
    "Thank you for sharing that with me. Who else in your life knows about this?",
    "It sounds like you have been carrying a lot on your own. What has helped you cope so far?",
    "I hear you. What would you like to be different?",
    "That's a thoughtful way to look at it. What is one small step you could take this week?",
    "Many people in a similar situation feel the same. What worries you most about trying that?",
    "You have shown a lot of strength in dealing with this. Is there someone you could talk to about it?",
    "How do you feel now, compared with when we started talking?",
    "Is there anything else on your mind that you would like to talk about?",
    "I'm glad we talked. Remember to take care of yourself. Is there anything else I can do for you today?",
)

PATIENT_SYSTEM = (
    "You are role-playing a real person who is looking for emotional support in an online text chat with a "
    "supporter. You are not an AI assistant and you are not the supporter: stay in character as the help-seeker "
    "the whole time.\n\n"
    "Who you are:\n{profile}\n\n"
    "Write only your next chat message, in the first person, the way a person types in a chat. Do not write the "
    "supporter's lines and do not label your message."
)

THERAPIST_SYSTEM = (
    "You are a supportive counsellor in an online emotional-support text chat. Listen, ask open questions, "
    "reflect the person's feelings and, when it helps, suggest small next steps. Write only your next message, "
    "one to three sentences, without a label."
)

_OWN_LABEL = re.compile(
    r"^\s*\**\s*(?:patient|seeker|help[- ]seeker|client|me|you|user|assistant)\s*\**\s*:\s*", re.IGNORECASE
)
_OTHER_LABEL = re.compile(
    r"(?:^|\n)\s*\**\s*(?:supporter|therapist|counsell?or|listener|helper|assistant|user)\s*\**\s*:", re.IGNORECASE
)
_WORD = re.compile(r"\w")
# The stop rule's farewell: the patient ends the chat.
GOODBYE = re.compile(
    r"\b(?:good\s?-?bye|bye|see you|talk (?:to you )?(?:later|soon)|have a (?:good|nice) (?:night|day))\b",
    re.IGNORECASE,
)


def profile_text(profile: Mapping[str, Any]) -> str:
    """The seeker's profile as prompt lines (fields the source does not give are left out)."""
    lines = []
    if profile.get("emotion_type"):
        lines.append(f"- What you feel: {profile['emotion_type']}")
    if profile.get("problem_type"):
        lines.append(f"- What it is about: {profile['problem_type']}")
    if profile.get("situation"):
        lines.append(f"- Your situation, in your own words: {profile['situation']}")
    return "\n".join(lines) or "- You are going through a hard time and want someone to talk to."


def clean_reply(text: str | None) -> str:
    """A reply as a chat message: text from a line labelled as the other side on is cut (small models write both
    sides), a leading label of its own dropped, whitespace collapsed. Empty when nothing is left."""
    text = text or ""
    cut = _OTHER_LABEL.search(text)
    if cut and cut.start() > 0:
        text = text[: cut.start()]
    elif cut:
        text = ""  # the reply is the other side's line
    text = _OWN_LABEL.sub("", text, count=1)
    return " ".join(text.split())


_PATIENT_LABEL = re.compile(r"(?:^|\n)\s*\**\s*(?:patient|seeker|help[- ]seeker|client|user)\s*\**\s*:", re.IGNORECASE)
_THERAPIST_OWN = re.compile(r"^\s*\**\s*(?:supporter|therapist|counsell?or|assistant)\s*\**\s*:\s*", re.IGNORECASE)


def clean_therapist(text: str | None) -> str:
    """A model therapist's reply: cut where it starts writing the patient's lines, own label dropped."""
    text = text or ""
    cut = _PATIENT_LABEL.search(text)
    if cut:
        text = text[: cut.start()]
    return " ".join(_THERAPIST_OWN.sub("", text, count=1).split())


def usable(text: str) -> bool:
    """A patient turn counts when it has a word character; empty or punctuation-only turns are invalid."""
    return bool(_WORD.search(text))


def conversation_messages(
    system: str, transcript: Sequence[Mapping[str, Any]], me: str, opener: str
) -> list[ChatMessage]:
    """Chat messages for the side ``me`` (``patient`` or ``therapist``): the system prompt, then the transcript with
    my turns as assistant and the other side's as user; ``opener`` first when the transcript does not start with
    the other side. Invalid (empty) turns are left out."""
    turns = [t for t in transcript if t.get("text")]
    roles: list[tuple[str, str]] = []  # (role, text), consecutive turns of one role merged (an invalid turn between)
    if not turns or turns[0]["speaker"] == me:
        roles.append(("user", opener))
    for turn in turns:
        role = "assistant" if turn["speaker"] == me else "user"
        if roles and roles[-1][0] == role:
            roles[-1] = (role, roles[-1][1] + "\n" + turn["text"])
        else:
            roles.append((role, turn["text"]))
    messages: list[ChatMessage] = [ChatMessageSystem(content=system)]
    for role, text in roles:
        messages.append(ChatMessageAssistant(content=text) if role == "assistant" else ChatMessageUser(content=text))
    return messages


def scripted_line(patient_turns: int) -> str:
    """The scripted counsellor's message after the patient's ``patient_turns``-th turn (1-based)."""
    return SCRIPTED_LINES[min(patient_turns, len(SCRIPTED_LINES)) - 1]


# The PTC judge (PSI-Bench's narrative labels; its released single-turn judge prompt, shortened): the seeker's
# message is labelled in the light of the conversation before it.
PTC_SYSTEM = (
    "You label the messages of a help-seeker (the patient) in an emotional-support chat, for a research study of "
    "such conversations; the text may discuss mental-health difficulties. Give the seeker's message one label:\n"
    "P (Problem): distress, confusion or emotional pain; feeling stuck or helpless; describing problems or "
    "complaints without insight.\n"
    "T (Transition): beginning to reflect, gaining some perspective, considering alternatives, asking questions; "
    "moving from distress towards thinking it through.\n"
    "C (Change): acceptance or emotional resolution, a positive reframing, a new insight, planning or solving the "
    "problem, hope.\n"
    "F (Filler): no therapeutic content: greetings, thanks, small talk, procedural replies.\n"
    "Judge the content and the emotional tone of the message, in the light of the conversation before it. Answer "
    'with only a JSON object, {"label": "P"}, {"label": "T"}, {"label": "C"} or {"label": "F"}.'
)
PTC_USER = "Conversation so far:\n{history}\n\nThe seeker's message to label:\n{message}"
PTC_NO_HISTORY = "(none: the seeker writes first)"
PTC_SPEAKERS = {"patient": "SEEKER", "therapist": "SUPPORTER"}


def ptc_messages(history: Sequence[Mapping[str, Any]], message: str) -> list[ChatMessage]:
    """The judge's prompt for one seeker message: the label definitions, the turns before it (speaker: text, one
    turn a line, a merged turn's line breaks kept) and the message."""
    lines = "\n".join(f"{PTC_SPEAKERS[t['speaker']]}: {t['text']}" for t in history) or PTC_NO_HISTORY
    return [
        ChatMessageSystem(content=PTC_SYSTEM),
        ChatMessageUser(content=PTC_USER.format(history=lines, message=message)),
    ]
