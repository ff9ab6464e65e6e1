"""PSI's real reference conversations: the shipped ESConv extract and loaders for references a user brings.

* ``datasets/psi/esconv.jsonl`` (built by ``python -m benchmarks.psi.build_data``; card ``datasets/psi/README.md``):
  ESConv help-seeker conversations with the seeker's situation, emotion and problem type and emotion intensity
  before and after: :func:`load_esconv`.
* ``datasets/psi/annomi_stats.json``: AnnoMI, derived statistics only (its repository states no licence):
  :func:`load_annomi_stats`.
* ``datasets/psi/reference_stats.json``: the diagnostics of :mod:`benchmarks.psi.diagnostics` on the real
  conversations, computed by the build: :func:`load_reference_stats`.
* HOPE (Malhotra et al., WSDM 2022; given on request by its authors) from a local folder: :func:`load_hope`.
* PSI-Bench's pooled real reference, the Eeyore profile set (HF ``liusiyang/eeyore_profile``), from a local file or
  folder: :func:`load_eeyore`.

Every conversation is a :class:`Conversation` of :class:`Turn` s with speaker ``patient`` (the help-seeker / client)
or ``therapist`` (supporter / counsellor). :meth:`Conversation.patient_turns` merges consecutive patient messages into
one turn, as PSI-Bench does when it loads its reference. A missing or malformed file is a :class:`PsiDataError`
whose message is one line naming the path.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from twinbench.data import DataFileMissing, data_path, jsonl_records

Speaker = Literal["patient", "therapist"]
EEYORE_SOURCES = ("ESC", "HOPE", "AnnoMI")


class PsiDataError(ValueError):
    """A PSI reference file is missing or malformed; the message is one line naming the path."""


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped (upstream texts carry trailing newlines)."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Turn:
    """One message. ``strategy``: the ESConv supporter's annotated strategy; ``feedback``: the ESConv seeker's 1-5
    rating of the supporter's preceding messages, where given; ``label``: a source's own utterance label (HOPE's
    dialogue act)."""

    speaker: Speaker
    text: str
    strategy: str | None = None
    feedback: int | None = None
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"speaker": self.speaker, "text": self.text}
        for key in ("strategy", "feedback", "label"):
            if getattr(self, key) is not None:
                row[key] = getattr(self, key)
        return row


@dataclass(frozen=True)
class Conversation:
    """A real conversation and what is known of its help-seeker (None where the source does not say)."""

    id: str
    source: str
    turns: tuple[Turn, ...]
    emotion_type: str | None = None
    problem_type: str | None = None
    situation: str | None = None
    experience_type: str | None = None
    initial_emotion_intensity: int | None = None
    final_emotion_intensity: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def patient_turns(self) -> list[str]:
        """The patient's turns, consecutive patient messages merged (joined by a line break)."""
        merged: list[list[str]] = []
        previous: Speaker | None = None
        for turn in self.turns:
            if turn.speaker == "patient" and turn.text:
                if previous == "patient":
                    merged[-1].append(turn.text)
                else:
                    merged.append([turn.text])
            if turn.text:
                previous = turn.speaker
        return ["\n".join(parts) for parts in merged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "emotion_type": self.emotion_type,
            "problem_type": self.problem_type,
            "situation": self.situation,
            "experience_type": self.experience_type,
            "initial_emotion_intensity": self.initial_emotion_intensity,
            "final_emotion_intensity": self.final_emotion_intensity,
            "metadata": dict(self.metadata),
            "turns": [t.to_dict() for t in self.turns],
        }

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Conversation:
        return cls(
            id=row["id"],
            source=row["source"],
            turns=tuple(
                Turn(t["speaker"], t["text"], t.get("strategy"), t.get("feedback"), t.get("label"))
                for t in row["turns"]
            ),
            emotion_type=row.get("emotion_type"),
            problem_type=row.get("problem_type"),
            situation=row.get("situation"),
            experience_type=row.get("experience_type"),
            initial_emotion_intensity=row.get("initial_emotion_intensity"),
            final_emotion_intensity=row.get("final_emotion_intensity"),
            metadata=row.get("metadata") or {},
        )


# ---------------------------------------------------------------- shipped files


def _shipped(name: str) -> Path:
    try:
        return data_path("psi", name)
    except DataFileMissing as err:
        raise PsiDataError(str(err)) from None


def load_esconv(
    sources: Sequence[str] | None = None, emotion_types: Sequence[str] | None = None, path: Path | None = None
) -> list[Conversation]:
    """The shipped ESConv conversations, in file order; ``sources`` keeps those whose ``source`` (e.g.
    ``FailedESConv.json``) is listed, ``emotion_types`` those of the listed emotion types (case-insensitive)."""
    file = path or _shipped("esconv.jsonl")
    if not file.is_file():
        raise PsiDataError(f"{file}: ESConv extract not found (build it with python -m benchmarks.psi.build_data)")
    wanted = {e.lower() for e in emotion_types} if emotion_types else None
    out = []
    for number, row in jsonl_records(file.read_text(encoding="utf-8").splitlines(), str(file), PsiDataError):
        try:
            conversation = Conversation.from_dict(row)
        except (KeyError, TypeError, AttributeError) as err:
            raise PsiDataError(f"{file}:{number}: not an ESConv extract row ({err})") from None
        if sources and conversation.source not in sources:
            continue
        if wanted is not None and (conversation.emotion_type or "").lower() not in wanted:
            continue
        out.append(conversation)
    return out


def _json_file(file: Path, what: str) -> Any:
    if not file.is_file():
        raise PsiDataError(f"{file}: {what} not found (build it with python -m benchmarks.psi.build_data)")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise PsiDataError(f"{file}: not valid JSON ({err.msg})") from None


def load_annomi_stats(path: Path | None = None) -> dict[str, Any]:
    """AnnoMI's derived statistics (no utterance text): per-session client-turn lengths, MTLD and marker tallies,
    and client talk-type shares by client turn index."""
    return dict(_json_file(path or _shipped("annomi_stats.json"), "AnnoMI statistics"))


def load_reference_stats(path: Path | None = None) -> dict[str, Any]:
    """The real references' population diagnostics, keyed by reference (``esconv``, ``esconv_failed``, ...)."""
    return dict(_json_file(path or _shipped("reference_stats.json"), "reference statistics"))


# ---------------------------------------------------------------- HOPE

# HOPE's layout (Malhotra et al. 2022, github.com/LCS2-IIITD/SPARTA_WSDM2022, data given on request): one CSV per
# session, named like "Copy of 12.csv", in Train/, Validation/ and Test/ folders, with columns ``Type`` (``T``
# therapist, ``P`` patient), ``Utterance`` and ``Dialog_Act`` (``Dialogue_Act`` in some files). Taken from a public
# HOPE preprocessing script found by code search (the SPARTA repository itself ships no data); check it against
# your copy.
HOPE_SPEAKERS: dict[str, Speaker] = {"P": "patient", "T": "therapist"}


def load_hope(path: Path | str) -> list[Conversation]:
    """HOPE sessions from a local copy: every ``*.csv`` under ``path`` (sorted by relative path), the split taken
    from the folder name. Rows whose ``Type`` is neither T nor P, or whose utterance is empty, are skipped."""
    root = Path(path)
    if not root.is_dir():
        raise PsiDataError(f"{root}: HOPE folder not found (give the folder holding Train/, Validation/, Test/)")
    files = sorted(root.rglob("*.csv"), key=lambda p: p.relative_to(root).as_posix())
    if not files:
        raise PsiDataError(f"{root}: no HOPE session CSV files under this folder")
    out = []
    for file in files:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            if not {"Type", "Utterance"} <= columns:
                raise PsiDataError(f"{file}: not a HOPE session (needs columns Type and Utterance)")
            act = "Dialog_Act" if "Dialog_Act" in columns else "Dialogue_Act" if "Dialogue_Act" in columns else None
            turns = []
            for row in reader:
                speaker = HOPE_SPEAKERS.get((row.get("Type") or "").strip().upper())
                text = clean(row.get("Utterance") or "")
                if speaker and text:
                    label = clean(row.get(act) or "") if act else ""
                    turns.append(Turn(speaker, text, label=label or None))
        name = file.stem.removeprefix("Copy of ").strip()
        split = file.parent.name if file.parent != root else ""
        out.append(
            Conversation(
                id=f"hope/{split}/{name}" if split else f"hope/{name}",
                source="HOPE",
                turns=tuple(turns),
                metadata={"file": file.relative_to(root).as_posix(), "split": split or None},
            )
        )
    return out


# ---------------------------------------------------------------- Eeyore profiles (PSI-Bench's pooled reference)

# Schema of HF liusiyang/eeyore_profile as PSI-Bench's released code reads it (psibench/data_loader/main_loader.py,
# psibench/eval/utils.py, psibench/models/eeyore.py, found by code search): one row per conversation with
# ``source`` ("ESC", "HOPE" or "AnnoMI"), ``messages`` (a list of {"role", "content"}; the patient is "assistant",
# the therapist "user") and ``profile`` (a mapping, or its JSON text, with keys such as "name", "age", "gender",
# "situation of the client", "symptom severity", "depression severity").
EEYORE_ROLES: dict[str, Speaker] = {"assistant": "patient", "user": "therapist"}


def _eeyore_rows(file: Path) -> Iterator[dict[str, Any]]:
    suffix = file.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            yield from pq.read_table(file).to_pylist()
        elif suffix == ".jsonl":
            yield from (
                row for _, row in jsonl_records(file.read_text(encoding="utf-8").splitlines(), str(file), PsiDataError)
            )
        else:
            data = json.loads(file.read_text(encoding="utf-8"))
            yield from (data if isinstance(data, list) else data.get("train", data.get("rows", [])))
    except (json.JSONDecodeError, OSError, ValueError) as err:
        raise PsiDataError(f"{file}: not readable as Eeyore profile rows ({err})") from None


def _eeyore_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".parquet", ".jsonl", ".json")]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def load_eeyore(path: Path | str, sources: Iterable[str] | None = None) -> list[Conversation]:
    """Eeyore profile rows from a local file (``.parquet``, ``.jsonl``, ``.json``) or a folder of them (a
    Hugging Face snapshot of ``liusiyang/eeyore_profile``), in file and row order; ``sources`` keeps the listed
    ``source`` values (``ESC``, ``HOPE``, ``AnnoMI``)."""
    root = Path(path)
    if not root.exists():
        raise PsiDataError(f"{root}: Eeyore profile set not found (give a .parquet/.jsonl/.json file or a folder)")
    files = _eeyore_files(root)
    if not files:
        raise PsiDataError(f"{root}: no .parquet, .jsonl or .json file of Eeyore profile rows")
    keep = set(sources) if sources is not None else None
    out = []
    index = 0
    for file in files:
        for row in _eeyore_rows(file):
            if not isinstance(row, Mapping) or not isinstance(row.get("messages"), list | tuple):
                raise PsiDataError(f"{file}: row {index} has no messages list (is this the Eeyore profile set?)")
            source = str(row.get("source") or "")
            profile = row.get("profile") or {}
            if isinstance(profile, str):
                try:
                    profile = json.loads(profile)
                except json.JSONDecodeError:
                    profile = {"text": profile}
            turns = tuple(
                Turn(EEYORE_ROLES[str(m.get("role"))], clean(m.get("content") or ""))
                for m in row["messages"]
                if isinstance(m, Mapping) and str(m.get("role")) in EEYORE_ROLES and clean(m.get("content") or "")
            )
            if keep is None or source in keep:
                situation = profile.get("situation of the client") if isinstance(profile, Mapping) else None
                out.append(
                    Conversation(
                        id=f"eeyore/{index}",
                        source=f"eeyore:{source}",
                        turns=turns,
                        situation=situation or None,
                        metadata={"profile": profile},
                    )
                )
            index += 1
    return out
