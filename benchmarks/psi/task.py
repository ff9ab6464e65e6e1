"""PSI: how realistic is a model playing a real help-seeker, turn by turn, against that seeker's own conversation?

inspect eval benchmarks/psi --model local/smollm2-135m                      # replay therapist, default size
inspect eval benchmarks/psi --model local/smollm2-135m -T conversations=20 -T emotion_types=anxiety,depression
inspect eval benchmarks/psi --model local/smollm2-135m -T therapist=model --model-role therapist=local/gemma3-270m
inspect eval benchmarks/psi --model local/smollm2-135m -T judge=true --model-role judge=vllm/openai/gpt-oss-20b

``--model`` is needed with ``inspect eval`` (without it inspect runs its ``none`` model, which the solver refuses).

Method: PSI-Bench (Hoang, Mehri, …, Hakkani-Tür, 2026); see README.md.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from benchmarks.psi.data import Conversation, load_esconv
from benchmarks.psi.diagnostics import MAX_TURNS
from benchmarks.psi.judge import JUDGE_TOKENS
from benchmarks.psi.scorer import psi_scorer
from benchmarks.psi.solver import THERAPISTS, Settings, psi_solver

TASK_VERSION = 2  # 2: Score.value gains therapist_calls and therapist_errors (no score changed)
DEFAULT_CONVERSATIONS = 4
DEFAULT_MAX_TURNS = 6  # PSI-Bench: 16; the embedded CPU model took 13-96 s per 96-token turn on 2 loaded cores
DEFAULT_TURN_TOKENS = 64  # real ESConv seekers: about 16 words (~20 tokens) per turn


def merged_turns(conversation: Conversation) -> list[dict[str, str]]:
    """The real conversation as alternating turns: consecutive messages of one speaker joined by a line break
    (as ``Conversation.patient_turns`` joins the patient's), empty messages skipped."""
    merged: list[dict[str, str]] = []
    for turn in conversation.turns:
        if not turn.text:
            continue
        if merged and merged[-1]["speaker"] == turn.speaker:
            merged[-1]["text"] += "\n" + turn.text
        else:
            merged.append({"speaker": turn.speaker, "text": turn.text})
    return merged


def profile_pool(path: str | None = None) -> list[Conversation]:
    """The real conversations whose seeker has a profile (a situation text): the shipped extract's
    ``FailedESConv.json`` conversations (196), or every conversation of ``ESConv.json`` when an extract has it."""
    return [c for c in load_esconv(path=Path(path) if path else None) if c.situation]


def selection_key(seed: int, conversation_id: str) -> int:
    return zlib.crc32(f"{seed}/{conversation_id}".encode())


def select(pool: list[Conversation], n: int | None, emotion_types: list[str] | None, seed: int) -> list[Conversation]:
    """Only the profiles of the listed emotion types (all when None), in a seeded order (CRC-32 of seed and id, so a
    conversation's place does not depend on the others), the first ``n`` (all when None or 0). A listed type no
    profile has is an error."""
    wanted = {e.lower() for e in emotion_types} if emotion_types else None
    known = sorted({(c.emotion_type or "").lower() for c in pool} - {""})
    if wanted and wanted - set(known):
        raise ValueError(
            f"psi: emotion_types: no profile of emotion type(s) {', '.join(sorted(wanted - set(known)))}; "
            f"choose from {', '.join(known)}"
        )
    chosen = [c for c in pool if wanted is None or (c.emotion_type or "").lower() in wanted]
    chosen.sort(key=lambda c: (selection_key(seed, c.id), c.id))
    return chosen[:n] if n else chosen


def conversation_sample(conversation: Conversation, max_turns: int) -> Sample:
    profile = {
        "emotion_type": conversation.emotion_type,
        "problem_type": conversation.problem_type,
        "situation": conversation.situation,
    }
    metadata: dict[str, Any] = {
        "conversation": conversation.id,
        "source": conversation.source,
        **profile,
        "profile": profile,
        "initial_emotion_intensity": conversation.initial_emotion_intensity,
        "final_emotion_intensity": conversation.final_emotion_intensity,
        "real_turns": merged_turns(conversation),
        "real_patient_turns": conversation.patient_turns()[:max_turns],
    }
    return Sample(
        id=conversation.id,
        input=f"Simulated help-seeker: {conversation.emotion_type}, {conversation.problem_type}: "
        f"{conversation.situation}",
        target="",
        metadata=metadata,
    )


def _names(value: str | list[str] | None) -> list[str] | None:
    """``emotion_types`` as a list (None: every type); an empty value is an error, not "all"."""
    if value is None:
        return None
    names = value if isinstance(value, list) else str(value).split(",")
    names = [str(v).strip() for v in names if str(v).strip()]
    if not names:
        raise ValueError(
            f"psi: emotion_types must list ESConv emotion types (comma-separated, e.g. anxiety,depression) or be "
            f"left out for all, got {value!r}"
        )
    return names


def _whole(name: str, value: object, low: int, high: int | None = None) -> int:
    """A whole-number option, checked: the error names the option and its valid range."""
    try:
        number = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        valid = f"a whole number >= {low}" if high is None else f"a whole number from {low} to {high}"
        raise ValueError(f"psi: {name} must be {valid}, got {value!r}")
    return number


def _number(name: str, value: object) -> float:
    try:
        number = None if isinstance(value, bool) else float(str(value).strip())
    except ValueError:
        number = None
    if number is None or not number >= 0:
        raise ValueError(f"psi: {name} must be a number >= 0, got {value!r}")
    return number


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"psi: {name} must be true or false, got {value!r}")
    return value


@task
def psi(
    conversations: int | None = DEFAULT_CONVERSATIONS,
    emotion_types: str | list[str] | None = None,
    therapist: str = "replay",
    max_turns: int = DEFAULT_MAX_TURNS,
    turn_tokens: int = DEFAULT_TURN_TOKENS,
    temperature: float = 0.7,
    therapist_temperature: float = 0.7,
    stop_on_goodbye: bool = True,
    judge: bool = False,
    judge_tokens: int = JUDGE_TOKENS,
    seed: int = 0,
    data_path: str | None = None,
) -> Task:
    """One sample per real ESConv seeker: the model plays that seeker, matched to the real conversation.

    Args:
        conversations: how many seekers (seeded selection; None or 0: every profile of the chosen emotion types,
            196 of the shipped extract).
        emotion_types: comma-separated ESConv emotion types, only whose profiles are kept (anxiety, depression,
            sadness, anger, fear, ...); None: every type (an empty list is an error).
        therapist: "replay" (the real supporter's turns of the matched conversation), "scripted" (a fixed
            counsellor) or "model" (role ``therapist``; the model under test when unbound).
        max_turns: most patient turns per conversation (PSI-Bench: 16; at most 16).
        turn_tokens: most tokens per generated turn.
        temperature: the patient's sampling temperature (seeded per conversation and turn).
        therapist_temperature: the model therapist's (PSI-Bench: 0.7).
        stop_on_goodbye: end the conversation when the patient says goodbye.
        judge: label every seeker turn of both sides Problem/Transition/Change/Filler with the ``judge`` role (the
            model under test when unbound) and add PSI-Bench's PTC narrative score to the fidelity aggregate.
        judge_tokens: most tokens per judge reply (raise it for a judge that reasons before answering).
        seed: seeds the selection of seekers and every generation.
        data_path: an ESConv extract (``esconv.jsonl`` format) instead of the shipped one.
    """
    if therapist not in THERAPISTS:
        raise ValueError(f"psi: therapist must be one of {', '.join(THERAPISTS)}, got {therapist!r}")
    n = 0 if conversations is None else _whole("conversations", conversations, 0)  # 0: every profile
    turns = _whole("max_turns", max_turns, 1, MAX_TURNS)
    settings = Settings(
        therapist=therapist,
        max_turns=turns,
        turn_tokens=_whole("turn_tokens", turn_tokens, 8),
        temperature=_number("temperature", temperature),
        therapist_temperature=_number("therapist_temperature", therapist_temperature),
        stop_on_goodbye=_flag("stop_on_goodbye", stop_on_goodbye),
        seed=_whole("seed", seed, 0),
        judge=_flag("judge", judge),
    )
    tokens = _whole("judge_tokens", judge_tokens, 1)
    chosen = select(profile_pool(data_path), n or None, _names(emotion_types), settings.seed)
    return Task(
        dataset=MemoryDataset([conversation_sample(c, turns) for c in chosen], name="psi"),
        solver=psi_solver(settings),
        scorer=psi_scorer(turns, therapist, settings.judge, tokens, settings.seed),
        version=TASK_VERSION,
        metadata={"therapist": therapist, "max_turns": turns, "seed": settings.seed, "judge": settings.judge},
    )
