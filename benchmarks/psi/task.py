"""PSI: how realistic is a model playing a real help-seeker, turn by turn, against that seeker's own conversation?

inspect eval benchmarks/psi --model local/smollm2-135m                      # replay therapist, default size
inspect eval benchmarks/psi -T conversations=20 -T emotion_types=anxiety,depression -T max_turns=16
inspect eval benchmarks/psi -T therapist=model --model-role therapist=local/gemma3-270m
inspect eval benchmarks/psi -T judge=true --model-role judge=vllm/openai/gpt-oss-20b  # + PTC narrative score

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

TASK_VERSION = 1
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
    """The profiles of the listed emotion types (all when None), in a seeded order (CRC-32 of seed and id, so a
    conversation's place does not depend on the others), the first ``n`` (all when None or 0)."""
    wanted = {e.lower() for e in emotion_types} if emotion_types else None
    chosen = [c for c in pool if wanted is None or (c.emotion_type or "").lower() in wanted]
    if wanted and not chosen:
        known = sorted({c.emotion_type or "" for c in pool})
        raise ValueError(f"psi: no profile of emotion type(s) {sorted(wanted)}; choose from {', '.join(known)}")
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
    if value is None or isinstance(value, list):
        return value or None
    return [v.strip() for v in str(value).split(",") if v.strip()] or None


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
        conversations: how many seekers (seeded selection; None or 0: every profile of the chosen emotion types).
        emotion_types: comma-separated ESConv emotion types to keep (anxiety, depression, sadness, anger, fear, ...).
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
    if not 1 <= int(max_turns) <= MAX_TURNS:
        raise ValueError(f"psi: max_turns must be between 1 and {MAX_TURNS}, got {max_turns}")
    if int(turn_tokens) < 8:
        raise ValueError(f"psi: turn_tokens must be at least 8, got {turn_tokens}")
    if not isinstance(judge, bool):
        raise ValueError(f"psi: judge must be true or false, got {judge!r}")
    if int(judge_tokens) < 1:
        raise ValueError(f"psi: judge_tokens must be at least 1, got {judge_tokens}")
    if conversations is not None and int(conversations) < 0:
        raise ValueError(f"psi: conversations must be >= 0, got {conversations}")
    chosen = select(profile_pool(data_path), int(conversations or 0) or None, _names(emotion_types), int(seed))
    settings = Settings(
        therapist=therapist,
        max_turns=int(max_turns),
        turn_tokens=int(turn_tokens),
        temperature=float(temperature),
        therapist_temperature=float(therapist_temperature),
        stop_on_goodbye=bool(stop_on_goodbye),
        seed=int(seed),
    )
    return Task(
        dataset=MemoryDataset([conversation_sample(c, int(max_turns)) for c in chosen], name="psi"),
        solver=psi_solver(settings),
        scorer=psi_scorer(int(max_turns), therapist, judge, int(judge_tokens), int(seed)),
        version=TASK_VERSION,
        metadata={"therapist": therapist, "max_turns": int(max_turns), "seed": int(seed), "judge": judge},
    )
