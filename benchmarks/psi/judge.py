"""PSI-Bench's narrative (PTC) judge: a model (role ``judge``) labels each seeker turn Problem, Transition, Change
or Filler.

Run by the scorer with ``-T judge=true``, on both sides of a conversation: each valid patient turn of the simulated
conversation and each seeker turn of its real ESConv counterpart (the same turn indices: the first ``max_turns``
seeker turns of each, as every other diagnostic). One call per turn, at temperature 0.2 (PSI-Bench), seeded; the
prompt (:func:`benchmarks.psi.prompts.ptc_messages`) gives the label definitions, the conversation before the turn
and the turn. The reply is asked for as a JSON object ``{"label": "P"}`` under a JSON schema (providers that honour
``response_schema`` can then only write one); :func:`parse_label` reads it leniently. A reply that cannot be read,
or a failed call, is an invalid label: recorded with its raw text or error, counted, and left out of the score (as
F is). The score itself is ``label_js_score``'s, over the labels P, T and C (``summary.py``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from inspect_ai.model import GenerateConfig, Model, ResponseSchema
from inspect_ai.util import json_schema
from pydantic import BaseModel

from benchmarks.psi.prompts import ptc_messages
from benchmarks.psi.solver import first_line, seed_of
from scorers.text.replies import json_objects

PtcLabel = Literal["P", "T", "C", "F"]
PTC_LABELS: tuple[str, ...] = get_args(PtcLabel)
PTC_SCORED = ("P", "T", "C")  # F (filler) and invalid replies are dropped before the distance, as in PSI-Bench
JUDGE_TEMPERATURE = 0.2  # PSI-Bench's judges (gpt-oss-20b / -120b)
JUDGE_TOKENS = 64  # the JSON object is ~6 tokens; a reasoning judge needs more (-T judge_tokens=)
SIDES = ("simulated", "real")


class PtcReply(BaseModel):
    """The judge's reply, {"label": "P"} (or T, C, F)."""

    label: PtcLabel


PTC_SCHEMA = ResponseSchema(
    name="ptc_label",
    json_schema=json_schema(PtcReply),
    description='The label of the seeker\'s message: {"label": "P"}, "T", "C" or "F".',
    strict=True,
)
_NAMES = {"problem": "P", "transition": "T", "change": "C", "filler": "F"}
_LABEL = r"(problem|transition|change|filler|[ptcf])"
# a label value: "P", "p", "Problem", "P (Problem)", with a final full stop
_VALUE = re.compile(rf"^\s*{_LABEL}\s*(?:\(\s*(?:problem|transition|change|filler)\s*\))?\s*[.!]?\s*$", re.IGNORECASE)
_FIELD = re.compile(rf"[\"']?(?:label|classification)[\"']?\s*[:=]\s*[\"']?\s*{_LABEL}\b", re.IGNORECASE)
_WRAPPING = "\"'`* \n\t"


def label_of(value: object) -> str | None:
    """P, T, C or F from a label value (a letter or the label's name, any case), else None."""
    found = _VALUE.match(value) if isinstance(value, str) else None
    if not found:
        return None
    word = found.group(1).lower()
    return _NAMES.get(word, word.upper())


def parse_label(text: str | None) -> tuple[str | None, str]:
    """(label, how it was read): "json" (a JSON object's ``label`` or ``classification`` field, fenced or inside
    prose), "field" (a malformed object or a ``Label: P`` line whose label is legible), "bare" (the reply is only the
    letter or the name) or (None, "unparseable"). Objects or fields that disagree are unparseable."""
    text = text or ""
    found = set()
    for data in json_objects(text):
        label = label_of(data.get("label", data.get("classification")))
        if label:
            found.add(label)
    if found:
        return (found.pop(), "json") if len(found) == 1 else (None, "unparseable")
    fields = {label_of(f) for f in _FIELD.findall(text)}
    if fields:
        return (fields.pop(), "field") if len(fields) == 1 else (None, "unparseable")
    label = label_of(text.strip(_WRAPPING))
    return (label, "bare") if label else (None, "unparseable")


def seeker_turns(turns: Sequence[Mapping[str, Any]], limit: int) -> list[tuple[list[Mapping[str, Any]], str]]:
    """(the turns before it, its text) for each of the first ``limit`` seeker turns with text; turns without text
    (invalid patient turns, a failed therapist call) are left out of the history too."""
    spoken = [t for t in turns if t.get("text")]
    found: list[tuple[list[Mapping[str, Any]], str]] = []
    for i, turn in enumerate(spoken):
        if turn["speaker"] == "patient" and len(found) < limit:
            found.append((spoken[:i], turn["text"]))
    return found


async def label_turns(
    judge: Model, turns: Sequence[Mapping[str, Any]], limit: int, seed_key: str, tokens: int = JUDGE_TOKENS
) -> list[dict[str, Any]]:
    """The judge's label of each of the first ``limit`` seeker turns: {label (None when invalid), how, raw[,
    error]}, one call per turn in order."""
    labelled = []
    for index, (history, message) in enumerate(seeker_turns(turns, limit)):
        config = GenerateConfig(
            temperature=JUDGE_TEMPERATURE,
            max_tokens=tokens,
            seed=seed_of(seed_key, index),
            response_schema=PTC_SCHEMA,
        )
        item: dict[str, Any] = {"label": None, "how": "error", "raw": None}
        try:
            output = await judge.generate(ptc_messages(history, message), config=config)
            item["raw"] = output.completion
            item["label"], item["how"] = parse_label(output.completion)
        except Exception as ex:  # a failed call is an invalid label, counted, never a crashed sample
            item["error"] = first_line(ex)
        labelled.append(item)
    return labelled


async def judge_conversation(
    judge: Model,
    simulated: Sequence[Mapping[str, Any]],
    real: Sequence[Mapping[str, Any]],
    max_turns: int,
    seed_key: str,
    tokens: int = JUDGE_TOKENS,
) -> tuple[dict[str, float], dict[str, Any]]:
    """(value, metadata) of the PTC labels of a simulated transcript and its real counterpart's turns: value the
    counts ``ptc_turns``, ``ptc_invalid`` and their ``real_`` twins; metadata each side's labelled turns."""
    start = time.perf_counter()
    metadata: dict[str, Any] = {"model": str(judge), "temperature": JUDGE_TEMPERATURE}
    for side, turns in zip(SIDES, (simulated, real)):
        metadata[side] = await label_turns(judge, turns, max_turns, f"{seed_key}/{side}", tokens)
    metadata["seconds"] = time.perf_counter() - start
    value = {}
    for prefix, side in (("", "simulated"), ("real_", "real")):
        value[f"{prefix}ptc_turns"] = float(len(metadata[side]))
        value[f"{prefix}ptc_invalid"] = float(sum(1 for item in metadata[side] if item["label"] is None))
    return value, metadata
