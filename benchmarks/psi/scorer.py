"""PSI's scorer: one Score per simulated conversation.

``Score.value`` holds the simulated patient's per-conversation diagnostics (numbers; NaN where undefined: MTLD under
100 tokens, no resolution) and its real counterpart's (``real_`` prefix), ``Score.metadata`` the transcript, the
stop reason, the patient turns of both sides and their full diagnostics (``benchmarks.psi.diagnostics.diagnose``),
which ``summarize`` pools. Invalid patient turns (empty or unusable) are counted and left out of the diagnostics;
the ``model`` therapist's calls and its failed turns (a failed call or an empty reply) are counted too
(``therapist_calls``, ``therapist_errors``; 0 for the replayed and scripted therapists).

With the PTC judge (``judge=True``, :mod:`benchmarks.psi.judge`) the judge labels both sides' turns: the counts
(``ptc_turns``, ``ptc_invalid`` and their ``real_`` twins) join ``Score.value``, each side's labels (``ptc_labels``,
None where the reply was invalid) its ``simulated``/``real`` metadata and the judge's replies ``metadata["judge"]``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from inspect_ai.model import get_model
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import TaskState

from benchmarks.psi.diagnostics import ConversationDiagnostics, diagnose
from benchmarks.psi.judge import JUDGE_TOKENS, judge_conversation
from benchmarks.psi.solver import PsiRecord, role_model


def nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def values_of(d: ConversationDiagnostics, prefix: str = "") -> dict[str, float]:
    """The numbers of one conversation's diagnostics (NaN where undefined)."""
    wps = [w for w in d.words_per_sentence if w is not None]
    return {
        f"{prefix}turns": float(d.turns),
        f"{prefix}words_per_turn": nan(d.mean_words),
        f"{prefix}words_per_sentence": float(np.mean(wps)) if wps else math.nan,
        f"{prefix}mtld": nan(d.mtld),
        f"{prefix}marker_ptk": nan(d.markers.combined_ptk),
        f"{prefix}marker_msg_pct": nan(d.markers.combined_msg),
        f"{prefix}valence": nan(d.mean_valence),
        f"{prefix}resolved": float(d.resolution_turn is not None) if d.turns else math.nan,
        f"{prefix}resolution_turn": nan(d.resolution_turn),
        f"{prefix}uniform_trajectory": float(d.uniform_trajectory) if d.turns else math.nan,
    }


def score_conversation(
    transcript: list[dict[str, Any]], real_turns: list[str], max_turns: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """(value, metadata) of one simulated conversation against its real counterpart's patient turns."""
    patient = [t for t in transcript if t["speaker"] == "patient"]
    therapist = [t for t in transcript if t["speaker"] == "therapist" and t.get("source") == "model"]
    simulated = [t["text"] for t in patient if t.get("valid")]
    sim, real = diagnose(simulated, max_turns), diagnose(real_turns, max_turns)
    value = {
        "patient_turns": float(len(patient)),
        "invalid_turns": float(sum(1 for t in patient if not t.get("valid"))),
        "therapist_calls": float(len(therapist)),
        "therapist_errors": float(sum(1 for t in therapist if not t.get("text"))),
        **values_of(sim),
        **values_of(real, "real_"),
    }
    metadata = {
        "simulated": {"turns": simulated, "diagnostics": sim.to_dict()},
        "real": {"turns": list(real_turns[:max_turns]), "diagnostics": real.to_dict()},
    }
    return value, metadata


def _value(score: SampleScore, key: str) -> float:
    value = score.score.value
    return float(value.get(key, math.nan)) if isinstance(value, dict) else math.nan


def _finite_mean(scores: list[SampleScore], key: str) -> float:
    values = [_value(s, key) for s in scores]
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def _ratio_of_sums(scores: list[SampleScore], numerator: str, denominator: str) -> float:
    total = sum(_value(s, denominator) for s in scores)
    return sum(_value(s, numerator) for s in scores) / total if total else math.nan


@metric
def words_per_turn() -> Metric:
    """Live mean over conversations of the simulated patient's mean words per valid turn (summarize reports
    PSI-Bench's per-turn-index statistic with CIs)."""

    def compute(scores: list[SampleScore]) -> float:
        return _finite_mean(scores, "words_per_turn")

    return compute


@metric
def real_words_per_turn() -> Metric:
    """The same for the matched real seekers."""

    def compute(scores: list[SampleScore]) -> float:
        return _finite_mean(scores, "real_words_per_turn")

    return compute


@metric
def invalid_turn_share() -> Metric:
    """Invalid patient turns over all patient turns."""

    def compute(scores: list[SampleScore]) -> float:
        return _ratio_of_sums(scores, "invalid_turns", "patient_turns")

    return compute


@metric
def therapist_error_share() -> Metric:
    """Failed model-therapist turns over the therapist model's calls (NaN without a model therapist)."""

    def compute(scores: list[SampleScore]) -> float:
        return _ratio_of_sums(scores, "therapist_errors", "therapist_calls")

    return compute


@scorer(metrics=[words_per_turn(), real_words_per_turn(), invalid_turn_share(), therapist_error_share()])
def psi_scorer(max_turns: int, therapist: str, judge: bool = False, judge_tokens: int = JUDGE_TOKENS, seed: int = 0):
    async def score(state: TaskState, target: Target) -> Score:
        record = state.store_as(PsiRecord)
        if not record.done:
            raise RuntimeError(f"sample {state.sample_id}: the psi solver did not run")
        value, metadata = score_conversation(record.transcript, state.metadata["real_patient_turns"], max_turns)
        metadata.update(
            transcript=record.transcript,
            stop=record.stop,
            therapist=therapist,
            max_turns=max_turns,
            matched=True,
            models=record.models,
            seconds=record.seconds,
        )
        sim_turns = metadata["simulated"]["turns"]
        explanation = (
            f"{len(sim_turns)} valid patient turns ({int(value['invalid_turns'])} invalid), stop: {record.stop}; "
            f"words/turn {value['words_per_turn']:.1f} vs real {value['real_words_per_turn']:.1f}"
        )
        if value["therapist_calls"]:
            explanation += f"; therapist: {int(value['therapist_errors'])} of {int(value['therapist_calls'])} failed"
        if judge:
            model = role_model("judge", get_model())
            real = state.metadata["real_turns"]
            key = f"{seed}/{state.sample_id}"
            counts, labelled = await judge_conversation(model, record.transcript, real, max_turns, key, judge_tokens)
            value |= counts
            for side in ("simulated", "real"):
                metadata[side]["ptc_labels"] = [item["label"] for item in labelled[side]]
            metadata["judge"] = labelled
            metadata["models"] = record.models | {"judge": str(model)}
            invalid = int(counts["ptc_invalid"] + counts["real_ptc_invalid"])
            explanation += f"; PTC judge: {invalid} of {int(counts['ptc_turns'] + counts['real_ptc_turns'])} invalid"
        return Score(value=value, answer=sim_turns[-1] if sim_turns else "", explanation=explanation, metadata=metadata)

    return score
