"""The prompts of Recon's four model parties: synthesizer (forward, backward), reconstructor and user model.

Every prompt shows a context clipped to ``context_chars`` (:func:`clip_context`): the header line, then the newest
turns, which is what the person answers. Only :func:`backward_messages` and the continuations that are scored
(:func:`reconstruction_messages`, :func:`user_model_messages`: the action is scored, never shown) involve the true
action; the history shown to the user model holds only synthesis-history examples, never a held-out one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from benchmarks.recon.data import Example, Individual, option_letters

HEADER_CHARS = 240
HISTORY_CONTEXT_CHARS = 500  # a history example's context in the user model's prompt: its newest turns
HISTORY_ACTION_CHARS = 600
CUT = "[...]"


def speaker(individual: Individual, example: Example) -> str:
    """How the context labels the person: a justice by name, a Diplomacy player by country."""
    country = example.metadata.get("country")
    return str(country).title() if isinstance(country, str) and country else individual.name


def clip_context(context: str, chars: int) -> str:
    """The context within about ``chars`` characters: its first (header) line, cut to HEADER_CHARS, then its tail."""
    if len(context) <= chars:
        return context
    head, _, rest = context.partition("\n")
    head = head if len(head) <= HEADER_CHARS else head[: HEADER_CHARS - len(CUT)] + CUT
    room = max(0, chars - len(head) - len(CUT) - 2)
    return f"{head}\n{CUT}{rest[len(rest) - room :]}"


def clip_tail(text: str, chars: int) -> str:
    return text if len(text) <= chars else CUT + text[len(text) - chars :]


def clip_head(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars] + CUT


SYNTHESIS_SYSTEM = (
    "You write the private reasoning of a person in a conversation: what they notice, want and intend at the moment "
    "before they speak. Write 2 to 4 sentences in the third person. Do not write their reply itself."
)


DISCRETE_SYNTHESIS_SYSTEM = (
    "You write the private reasoning of a survey respondent right before they answer a question: what they weigh, "
    "given who they are and their other answers. Write 2 to 4 sentences in the third person. Do not name the option "
    "they choose."
)


def letters_line(options: Sequence[str]) -> str:
    return f"Answer with the letter of one option only ({', '.join(option_letters(len(options)))})."


def option_text(options: Sequence[str], action: str) -> str:
    """The answered option as the prompts show it: ``C. 3``."""
    return f"{option_letters(len(options))[list(options).index(action)]}. {action}"


def forward_messages(
    who: str, context: str, context_chars: int, options: Sequence[str] | None = None
) -> list[ChatMessage]:
    """Forward synthesis: reasoning from the context alone."""
    if options is not None:
        return [
            ChatMessageSystem(content=DISCRETE_SYNTHESIS_SYSTEM),
            ChatMessageUser(
                content=f"{clip_context(context, context_chars)}\n\n{who} answers this question next. What is {who} "
                f"weighing right before answering? Reasoning:"
            ),
        ]
    return [
        ChatMessageSystem(content=SYNTHESIS_SYSTEM),
        ChatMessageUser(
            content=f"{clip_context(context, context_chars)}\n\n{who} speaks next. What is {who} thinking and "
            f"intending right before speaking? Reasoning:"
        ),
    ]


def backward_messages(
    who: str, context: str, action: str, context_chars: int, options: Sequence[str] | None = None
) -> list[ChatMessage]:
    """Backward synthesis (the baseline): reasoning written after seeing what the person actually said."""
    if options is not None:
        return [
            ChatMessageSystem(content=DISCRETE_SYNTHESIS_SYSTEM),
            ChatMessageUser(
                content=f"{clip_context(context, context_chars)}\n\n{who} then answered: "
                f"{option_text(options, action)}\n\nExplain what {who} was weighing right before answering, as "
                f"reasoning written before answering. Reasoning:"
            ),
        ]
    return [
        ChatMessageSystem(content=SYNTHESIS_SYSTEM),
        ChatMessageUser(
            content=f"{clip_context(context, context_chars)}\n\n{who} then said: {action}\n\nExplain what {who} was "
            f"thinking and intending right before saying this, as reasoning written before speaking. Reasoning:"
        ),
    ]


RECONSTRUCTION_SYSTEM = "You predict exactly what a person says next in a conversation. Reply with their words only."
DISCRETE_RECONSTRUCTION_SYSTEM = "You predict which option a survey respondent chooses. Reply with one letter only."


def reconstruction_messages(
    who: str, context: str, trace: str | None, context_chars: int, options: Sequence[str] | None = None
) -> list[ChatMessage]:
    """The reconstructor's prompt: context and (unless None) a reasoning trace, never the action, which is the
    continuation that gets scored (for discrete actions: the option letter whose probability is read)."""
    if options is not None:
        reasoning = f"\n\nReasoning of {who} before answering: {trace}" if trace else ""
        return [
            ChatMessageSystem(content=DISCRETE_RECONSTRUCTION_SYSTEM),
            ChatMessageUser(
                content=f"{clip_context(context, context_chars)}{reasoning}\n\nWhich option does {who} choose? "
                f"{letters_line(options)}"
            ),
        ]
    reasoning = f"\n\nReasoning of {who} before speaking: {trace}" if trace else ""
    return [
        ChatMessageSystem(content=RECONSTRUCTION_SYSTEM),
        ChatMessageUser(content=f"{clip_context(context, context_chars)}{reasoning}\n\nWhat does {who} say next?"),
    ]


@dataclass(frozen=True)
class Shown:
    """A synthesis-history example as the user model sees it: context, (masked) trace or None, action."""

    context: str
    trace: str | None
    action: str
    options: tuple[str, ...] | None = None  # a discrete action's option texts: shown as "answered: C. 3"


def user_model_messages(
    who: str, history: Sequence[Shown], context: str, context_chars: int, options: Sequence[str] | None = None
) -> list[ChatMessage]:
    """The user model's prompt for one held-out item: the person's earlier examples (with their reasoning when the
    strategy has traces), then the held-out context. The held-out action is the scored continuation (for discrete
    actions: the held-out question's option letter)."""
    if options is not None:
        return discrete_user_model_messages(who, history, context, context_chars, options)
    blocks = []
    for i, shown in enumerate(history, 1):
        reasoning = f"\nReasoning of {who}: {shown.trace}" if shown.trace else ""
        blocks.append(
            f"Example {i}.\n{clip_tail(shown.context, HISTORY_CONTEXT_CHARS)}{reasoning}\n{who} said: "
            f"{clip_head(shown.action, HISTORY_ACTION_CHARS)}"
        )
    earlier = "\n\n".join(blocks)
    return [
        ChatMessageSystem(
            content=f"You simulate {who}. You know how {who} reasoned and spoke in earlier situations; reply to the "
            f"new situation exactly as {who} would, with their words only."
        ),
        ChatMessageUser(
            content=f"Earlier situations:\n\n{earlier}\n\nNew situation:\n{clip_context(context, context_chars)}"
            f"\n\nWhat does {who} say next?"
        ),
    ]


def discrete_user_model_messages(
    who: str, history: Sequence[Shown], context: str, context_chars: int, options: Sequence[str]
) -> list[ChatMessage]:
    blocks = []
    for i, shown in enumerate(history, 1):
        reasoning = f"\nReasoning of {who}: {shown.trace}" if shown.trace else ""
        answer = option_text(shown.options, shown.action) if shown.options else shown.action
        blocks.append(
            f"Example {i}.\n{clip_tail(shown.context, HISTORY_CONTEXT_CHARS)}{reasoning}\n{who} answered: {answer}"
        )
    earlier = "\n\n".join(blocks)
    return [
        ChatMessageSystem(
            content=f"You simulate {who}, a survey respondent. You know how {who} reasoned and answered earlier "
            f"questions; answer the new question exactly as {who} would, with one letter only."
        ),
        ChatMessageUser(
            content=f"Earlier questions:\n\n{earlier}\n\nNew question:\n{clip_context(context, context_chars)}"
            f"\n\nWhich option does {who} choose? {letters_line(options)}"
        ),
    ]


JUDGE_SYSTEM = (
    "You compare two predictions of what a person said with what they actually said. Answer with one letter: A or B, "
    "the prediction closer in meaning and intent to the actual words."
)


def judge_messages(
    who: str, context: str, action: str, first: str, second: str, context_chars: int
) -> list[ChatMessage]:
    """The pairwise judge's prompt: the true action and two predictions (A, B); asked in both orders."""
    return [
        ChatMessageSystem(content=JUDGE_SYSTEM),
        ChatMessageUser(
            content=f"{clip_context(context, context_chars)}\n\nWhat {who} actually said next: {action}\n\n"
            f"Prediction A: {clip_head(first, HISTORY_ACTION_CHARS)}\n\nPrediction B: "
            f"{clip_head(second, HISTORY_ACTION_CHARS)}\n\nWhich prediction is closer, A or B?"
        ),
    ]
