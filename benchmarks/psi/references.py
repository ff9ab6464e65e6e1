"""What a PSI number means: the rule that flags a degenerate simulator, and reference rows computed by the same
``summarize`` (registry ``degenerate`` and ``references`` hooks).

References, each matched to the real ESConv seekers with a profile (all 196 of the shipped extract; a model's run
uses a seeded subset of them), first ``DEFAULT_MAX_TURNS`` patient turns:

* ``real ESConv seekers``: a simulator that copies its real counterpart's turns (fidelity 100 by construction; the
  raw diagnostics are the people's own);
* ``other real seekers`` (the ceiling): a simulator that answers with a DIFFERENT real seeker's turns (a seeded
  derangement of the profile conversations, :func:`other_seekers`; as many turns as the counterpart has). It is
  what a perfect simulator, an independent draw of the same population, scores: fidelity scores are distances
  between two finite samples, so they are biased low and even this one stays well under 100 at a small number of
  conversations;
* ``AnnoMI clients (derived statistics)``: the 133 AnnoMI clients' shipped per-session diagnostics (no text, so no
  distinct-n) in place of a simulator, paired with the first 133 ESConv seekers in the seeded order. The pairing
  is arbitrary, so its paired tests mean nothing (the pooled fidelity scores are what to read): real people of
  another corpus, how far from ESConv people can be. The shipped marker tallies and MTLD cover a session's first
  16 client turns, so below ``max_turns`` 16 they are left out (NaN) rather than approximated;
* ``repeats one sentence`` (the floor): a simulator that says :data:`FIXED_SENTENCE` at every one of its
  counterpart's turns.

The ceiling and the floor are also computed at the run's default size (``DEFAULT_CONVERSATIONS``, the first
conversations of the seeded order: the very seekers a default run simulates) and at
``CITABLE_CONVERSATIONS``: a run's fidelity reads against the two at its own number of conversations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.psi.data import load_annomi_stats
from benchmarks.psi.diagnostics import (
    EMPTY_TALLY,
    MAX_TURNS,
    resolution_turn,
    uniform_negative_to_positive,
    valence_label,
)
from benchmarks.psi.scorer import score_conversation
from benchmarks.psi.summary import OVERALL, summarize
from benchmarks.psi.task import DEFAULT_CONVERSATIONS, DEFAULT_MAX_TURNS, profile_pool, select
from scorers.stats.settings import SEED

FIXED_SENTENCE = "I just feel really bad about everything and I don't know what to do."
EMPTY_MARKERS = {"counts": dict(EMPTY_TALLY.counts), "tokens": 0, "messages": 0, "marked_messages": 0}
INVALID_LIMIT = 0.5  # more than half of the patient (or model therapist) turns failed: too little of a conversation
CITABLE_CONVERSATIONS = 20  # the size the README recommends for numbers to cite
KINDS = ("copy", "other", "fixed")


def degenerate(summary: pd.DataFrame) -> str | None:
    """Why a run cannot be read, or None: its simulated patients (most patient turns invalid, no valid turn at all,
    every valid patient turn the same text), its model therapist (most therapist turns failed) or its PTC judge (one
    label for every judged turn of both sides: the PTC score is then 100 whatever the simulator)."""
    overall = summary[summary["group"] == OVERALL].set_index("metric")
    share = float(overall.loc["invalid_turn_share", "value"])
    if not math.isnan(share) and share > INVALID_LIMIT:
        return f"{share:.0%} of patient turns empty or unusable"
    total, invalid = float(overall.loc["invalid_turn_share", "n"]), float(overall.loc["invalid_turns", "value"])
    if total - invalid <= 0:
        return "no valid patient turn"
    texts = int(overall.loc["distinct_turn_share", "n"])  # valid turns with their text (references may have none)
    if texts > 1 and round(float(overall.loc["distinct_turn_share", "value"]) * texts) <= 1:
        return "every patient turn is the same text"
    if "therapist_errors" in overall.index:
        errors, calls = float(overall.loc["therapist_errors", "value"]), int(overall.loc["therapist_errors", "n"])
        if calls and errors / calls > INVALID_LIMIT:
            return f"{errors / calls:.0%} of the model therapist's turns failed ({int(errors)} of {calls})"
    if "judge_distinct_labels" in overall.index:
        kinds, labels = (
            float(overall.loc["judge_distinct_labels", "value"]),
            int(overall.loc["judge_distinct_labels", "n"]),
        )
        if kinds == 1 and labels > 1:
            return f"the PTC judge gave all {labels} judged turns of both sides the same label"
    return None


def _row(sample_id: str, value: dict[str, float], metadata: dict[str, Any]) -> dict[str, Any]:
    return {"sample_id": sample_id, "epoch": 1, "score": value, "score_metadata": metadata, "answer": None,
            "metadata": {}}  # fmt: skip


def other_seekers(count: int, seed: int = SEED) -> np.ndarray:
    """A seeded derangement of ``range(count)`` (no conversation is its own partner): a random cyclic order in
    which each conversation's partner is the next one (Sattolo's derangements)."""
    if count < 2:
        raise ValueError("psi: a derangement needs at least two conversations")
    order = np.random.default_rng(seed).permutation(count)
    partner = np.empty(count, dtype=int)
    partner[order] = np.roll(order, -1)
    return partner


def scripted_samples(kind: str, max_turns: int = DEFAULT_MAX_TURNS, conversations: int | None = None) -> pd.DataFrame:
    """The registry's samples frame of a scripted simulator over every profile (the first ``conversations`` in the
    seeded order): ``copy`` says its counterpart's turns, ``other`` another real seeker's (its partner in
    :func:`other_seekers` over the whole pool, so a smaller set's pairs are a prefix of a larger one's; at most as
    many turns as the counterpart has), ``fixed`` :data:`FIXED_SENTENCE` at every turn."""
    if kind not in KINDS:
        raise ValueError(f"psi: unknown scripted simulator {kind!r}; choose from {', '.join(KINDS)}")
    pool = select(profile_pool(), None, None, 0)
    partner = other_seekers(len(pool)) if kind == "other" else None
    rows = []
    for i, conversation in enumerate(pool[:conversations] if conversations else pool):
        real = conversation.patient_turns()[:max_turns]
        if partner is not None:
            turns = pool[partner[i]].patient_turns()[: len(real)]
        else:
            turns = real if kind == "copy" else [FIXED_SENTENCE] * len(real)
        transcript = [{"speaker": "patient", "text": t, "valid": True} for t in turns]
        value, metadata = score_conversation(transcript, real, max_turns)
        rows.append(_row(conversation.id, value, metadata | {"stop": "replay_exhausted", "matched": True}))
    return pd.DataFrame(rows)


def annomi_samples(max_turns: int = DEFAULT_MAX_TURNS) -> pd.DataFrame:
    """AnnoMI's per-session diagnostics (first ``max_turns`` client turns) as simulated sides, each paired with an
    ESConv seeker in the seeded order."""
    sessions = load_annomi_stats()["sessions"]
    pool = select(profile_pool(), None, None, 0)
    rows = []
    for session, conversation in zip(sessions, pool):
        real = conversation.patient_turns()[:max_turns]
        _, metadata = score_conversation([], real, max_turns)
        words = session["words_by_turn"][:max_turns]
        valence = session["valence_by_turn"][:max_turns]
        labels = [valence_label(v) for v in valence]
        markers = session["markers"]
        # the shipped marker tally and MTLD cover a session's first 16 client turns: used only at that span
        full = max_turns >= MAX_TURNS
        diagnostics = {
            "turns": len(words),
            "words": words,
            "words_per_sentence": session["words_per_sentence_by_turn"][:max_turns],
            "mtld": session["mtld"] if full else None,
            "lexical_tokens": session["lexical_tokens"],
            "markers": markers if full else EMPTY_MARKERS,
            "valence": valence,
            "valence_labels": labels,
            "resolution_turn": resolution_turn(labels),
            "uniform_trajectory": uniform_negative_to_positive(labels),
        }
        metadata["simulated"] = {"turns": [], "diagnostics": diagnostics}
        value = {"patient_turns": float(len(words)), "invalid_turns": 0.0}
        rows.append(_row(f"annomi/{session['transcript_id']}", value,
                         metadata | {"stop": "annomi", "matched": False}))  # fmt: skip
    return pd.DataFrame(rows)


def references() -> pd.DataFrame:
    frames = [
        summarize(scripted_samples("copy")).assign(reference="real ESConv seekers (copying their own turns)"),
        summarize(scripted_samples("other")).assign(reference="ceiling: other real seekers (a perfect simulator), "
                                                    "all profiles"),
        summarize(annomi_samples()).assign(reference="AnnoMI clients (derived statistics; arbitrary pairing)"),
        summarize(scripted_samples("fixed")).assign(reference=f'repeats one sentence ("{FIXED_SENTENCE}")'),
    ]  # fmt: skip
    for n, size in ((DEFAULT_CONVERSATIONS, "default size"), (CITABLE_CONVERSATIONS, "citable size")):
        for kind, name in (("other", "ceiling"), ("fixed", "floor")):
            what = "other real seekers" if kind == "other" else "repeats one sentence"
            reference = f"{name} at {n} conversations ({size}): {what}"
            frames.append(summarize(scripted_samples(kind, conversations=n)).assign(reference=reference))
    return pd.concat(frames, ignore_index=True)
