"""PSI's conversation driver: the model under test (role ``patient``) plays a real ESConv seeker, the therapist is
the real supporter replayed, a scripted counsellor or a model (role ``therapist``).

Turn order and stop rule:

* ``replay``: the real conversation's merged turns (consecutive messages of one speaker joined) are walked in
  order; each of the real supporter's turns is sent as it was, and wherever the real seeker spoke the simulated
  patient speaks instead. The simulated conversation has the real one's shape: it opens as the real one opened.
* ``scripted`` and ``model``: the therapist opens with :data:`~benchmarks.psi.prompts.OPENING`; after every patient
  turn the therapist answers (the scripted line for that turn, or the therapist model's reply).

The conversation stops at the first of: ``max_turns`` patient turns; the replayed conversation has no seeker turn
left (replay exhausted: trailing supporter turns are still appended); the patient says goodbye (a valid patient
turn matching :data:`~benchmarks.psi.prompts.GOODBYE`, with ``stop_on_goodbye``). An empty or unusable patient turn
(no word character after cleaning, or a failed model call) is recorded as invalid and the conversation goes on; it
is left out of the diagnostics and counted. So is a failed ``model`` therapist turn (a failed call, or no text left
after cleaning): recorded with its error and empty text, counted (``therapist_errors`` of ``therapist_calls``), left
out of the next prompts (the patient then sees its own last message last), and the conversation goes on.

A role that resolves to inspect's ``none`` model (``inspect eval`` without ``--model``) is an error before any
turn: every turn would fail.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import GenerateConfig, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from benchmarks.psi.prompts import (
    GOODBYE,
    OPENING,
    PATIENT_OPENS,
    PATIENT_SYSTEM,
    THERAPIST_JOINED,
    THERAPIST_SYSTEM,
    clean_reply,
    clean_therapist,
    conversation_messages,
    profile_text,
    scripted_line,
    usable,
)
from twinbench.roles import check_roles
from twinbench.roles import role_model as shared_role_model

THERAPISTS = ("replay", "scripted", "model")
ROLES = ("patient", "therapist", "judge")  # judge: the PTC labels, read by the scorer (judge.py)


@dataclass(frozen=True)
class Settings:
    therapist: str = "replay"
    max_turns: int = 6
    turn_tokens: int = 64
    temperature: float = 0.7
    therapist_temperature: float = 0.7
    stop_on_goodbye: bool = True
    seed: int = 0
    judge: bool = False  # the scorer's PTC judge runs (its role is checked before the conversation)


class PsiRecord(StoreModel):
    """What the solver hands the scorer: the simulated transcript and why it stopped."""

    done: bool = False
    transcript: list[dict[str, Any]] = Field(default_factory=list)
    stop: str = ""
    models: dict[str, str] = Field(default_factory=dict)
    seconds: dict[str, float] = Field(default_factory=dict)


def role_model(role: str, default: Model) -> Model:
    """The model bound to ``role``, else ``default`` (the model under test); inspect's ``none`` model is an error."""
    return shared_role_model("psi", role, default)


def seed_of(*parts: object) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


class Conversation:
    def __init__(self, state: TaskState, settings: Settings, patient: Model, therapist: Model | None) -> None:
        self.state = state
        self.s = settings
        self.patient = patient
        self.therapist = therapist
        self.transcript: list[dict[str, Any]] = []
        self.system = PATIENT_SYSTEM.format(profile=profile_text(state.metadata["profile"]))
        self.seconds = {"patient": 0.0, "therapist": 0.0}

    @property
    def patient_turns(self) -> int:
        return sum(1 for t in self.transcript if t["speaker"] == "patient")

    async def patient_turn(self) -> bool:
        """One patient turn; False when the patient said goodbye (the stop rule)."""
        messages = conversation_messages(self.system, self.transcript, "patient", PATIENT_OPENS)
        config = GenerateConfig(
            temperature=self.s.temperature,
            max_tokens=self.s.turn_tokens,
            seed=seed_of(self.s.seed, self.state.sample_id, "patient", self.patient_turns),
        )
        turn: dict[str, Any] = {"speaker": "patient", "text": "", "raw": None, "valid": False}
        start = time.perf_counter()
        try:
            output = await self.patient.generate(messages, config=config)
            turn["raw"] = output.completion
            turn["text"] = clean_reply(output.completion)
        except Exception as ex:  # a provider error is an invalid turn, counted, never a crashed sample
            turn["error"] = first_line(ex)
        self.seconds["patient"] += time.perf_counter() - start
        turn["valid"] = usable(turn["text"])
        if not turn["valid"]:
            turn["text"] = ""
        self.transcript.append(turn)
        return not (self.s.stop_on_goodbye and turn["valid"] and GOODBYE.search(turn["text"]))

    async def therapist_turn(self) -> None:
        if self.s.therapist == "scripted" or (self.s.therapist == "model" and not self.transcript):
            text = OPENING if not self.transcript else scripted_line(self.patient_turns)
            self.transcript.append({"speaker": "therapist", "text": text, "source": "scripted"})
            return
        assert self.therapist is not None
        messages = conversation_messages(THERAPIST_SYSTEM, self.transcript, "therapist", THERAPIST_JOINED)
        config = GenerateConfig(
            temperature=self.s.therapist_temperature,
            max_tokens=self.s.turn_tokens,
            seed=seed_of(self.s.seed, self.state.sample_id, "therapist", self.patient_turns),
        )
        turn: dict[str, Any] = {"speaker": "therapist", "text": "", "source": "model"}
        start = time.perf_counter()
        try:
            output = await self.therapist.generate(messages, config=config)
            turn["raw"] = output.completion
            turn["text"] = clean_therapist(output.completion)
        except Exception as ex:  # a failed therapist turn: counted (therapist_errors), the conversation goes on
            turn["error"] = first_line(ex)
        turn["valid"] = bool(turn["text"])
        self.seconds["therapist"] += time.perf_counter() - start
        self.transcript.append(turn)

    async def replay(self) -> str:
        for turn in self.state.metadata["real_turns"]:
            if turn["speaker"] == "therapist":
                self.transcript.append({"speaker": "therapist", "text": turn["text"], "source": "replay"})
            elif self.patient_turns >= self.s.max_turns:
                return "max_turns"
            elif not await self.patient_turn():
                return "goodbye"
        return "replay_exhausted"

    async def live(self) -> str:
        await self.therapist_turn()
        while True:
            if not await self.patient_turn():
                return "goodbye"
            if self.patient_turns >= self.s.max_turns:
                return "max_turns"
            await self.therapist_turn()


@solver
def psi_solver(settings: Settings) -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        check_roles("psi", ROLES)
        default = get_model()
        patient = role_model("patient", default)
        therapist = role_model("therapist", default) if settings.therapist == "model" else None
        if settings.judge:
            role_model("judge", default)  # fail before the conversation, not after it in the scorer
        conversation = Conversation(state, settings, patient, therapist)
        stop = await (conversation.replay() if settings.therapist == "replay" else conversation.live())
        record = state.store_as(PsiRecord)
        record.transcript = conversation.transcript
        record.stop = stop
        record.models = {"patient": str(patient)} | ({"therapist": str(therapist)} if therapist else {})
        record.seconds = conversation.seconds
        record.done = True
        state.messages = conversation_messages(conversation.system, conversation.transcript, "patient", PATIENT_OPENS)
        return state

    return solve
