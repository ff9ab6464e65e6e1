"""Persona prompts: one template per steering style, plus the unconditioned prompt (no persona).

Templates follow OpinionQA's steering styles (Santurkar et al., 2023): PORTRAY ("answer as if you were ...") and
BIO (a first-person self-description), and a system-message variant. Options are lettered A, B, C ... in the
survey's order.
"""

from __future__ import annotations

from string import ascii_uppercase

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

PERSONAS = ("portray", "bio", "system")

INSTRUCTION = "Answer with the letter of one option only ({letters})."


def option_letters(n: int) -> tuple[str, ...]:
    if not 1 <= n <= len(ascii_uppercase):
        raise ValueError(f"a question needs 1 to 26 options, got {n}")
    return tuple(ascii_uppercase[:n])


def question_block(question: str, options: tuple[str, ...] | list[str]) -> str:
    letters = option_letters(len(options))
    lines = [f"Question: {question}"]
    lines += [f"{letter}. {option}" for letter, option in zip(letters, options)]
    lines.append(INSTRUCTION.format(letters=", ".join(letters)))
    return "\n".join(lines)


def build_messages(
    *,
    context: str,
    question: str,
    options: tuple[str, ...] | list[str],
    describe: str | None,
    bio: str | None,
    persona: str = "portray",
) -> list[ChatMessage]:
    """The chat input for one item; ``describe``/``bio`` None gives the unconditioned prompt."""
    if persona not in PERSONAS:
        raise ValueError(f"unknown persona template {persona!r}; choose one of {PERSONAS}")
    block = question_block(question, options)
    if describe is None:
        return [ChatMessageUser(content=f"{context}\n\n{block}")]
    if persona == "portray":
        return [
            ChatMessageUser(content=f"{context}\nAnswer the following question as if you were {describe}.\n\n{block}")
        ]
    if persona == "bio":
        return [
            ChatMessageUser(
                content=f"{context}\nBelow is a short description of your identity, then a question.\n"
                f"Description: {bio}\n\n{block}"
            )
        ]
    return [
        ChatMessageSystem(content=f"You are {describe}. Answer survey questions as that person would."),
        ChatMessageUser(content=f"{context}\n\n{block}"),
    ]
