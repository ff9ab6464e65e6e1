"""Recon's individuals: per-person ordered (context, action) pairs, split into a synthesis history and held-out tests.

Two sources:

* the shipped extract, ``datasets/recon/<domain>.jsonl`` (``scotus``, ``diplomacy``), built by
  ``python -m benchmarks.recon.build_data`` (see ``datasets/recon/README.md``), and ``respondents`` (discrete
  actions: survey answers), built by ``python -m benchmarks.recon.build_respondents``
  (``datasets/recon/respondents.md``): :func:`load_domain`;
* a ConvoKit corpus folder (``utterances.jsonl`` + ``speakers.json``) the user brings, e.g. r/ChangeMyView or IQ2
  debates: :func:`load_convokit`.

An :class:`Individual` is one person (a justice; one player in one Diplomacy game; one ConvoKit speaker). Its
``history`` examples are the ones whose reasoning traces get synthesised; its ``test`` examples are held out for the
downstream user model. Every example carries a ``group`` (a case, a game phase, a conversation): history and test of
one individual never share a group, and no held-out action occurs (whitespace- and case-normalised) in the context
or action of any history example of that individual. :func:`split_problems` checks both; loading enforces them.
A discrete example (``respondents``: its metadata holds the lettered ``options`` and the ``answer`` index) is one
question; its group is the question, and the check is on questions instead of text (a one-word answer such as "4"
occurs everywhere): no history example's context shows the answer to a held-out question (metadata ``shown``).

A malformed file is a :class:`ReconDataError` whose message is one line naming the file (and line).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from twinbench.data import data_path, jsonl_records

DOMAINS = ("scotus", "diplomacy", "respondents")
# What a run without ``domains`` evaluates: respondents is left out to keep the default run's time (see README).
DEFAULT_DOMAINS = ("scotus", "diplomacy")
SPLITS = ("history", "test")
SEED = 20260612

# Context caps shared by the extract's build and the ConvoKit loader (documented in datasets/recon/README.md).
CONTEXT_TURNS = 8
CONTEXT_CHARS = 3000
MAX_ACTION_CHARS = 1200

Split = Literal["history", "test"]


class ReconDataError(ValueError):
    """A Recon data file is missing or malformed; the message is one line naming the file."""


@dataclass(frozen=True)
class Example:
    """One (context, action) pair of one individual.

    ``context`` is ready-to-prompt text: a header line or two, then the previous turns as ``Speaker: text`` lines
    (capped; a ``[... N earlier turns omitted]`` line says when). ``action`` is what the individual said next.
    ``group`` is the unit that history and test never share (scotus: case; diplomacy: game phase; ConvoKit:
    conversation)."""

    id: str
    individual: str
    split: Split
    group: str
    context: str
    action: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Individual:
    """One person of a domain with an ordered synthesis history and held-out test examples."""

    domain: str
    id: str
    name: str
    history: list[Example]
    test: list[Example]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def examples(self) -> list[Example]:
        return [*self.history, *self.test]


# ---------------------------------------------------------------- shared text helpers


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form used by the leakage check."""
    return " ".join(text.split()).casefold()


def clean(text: str) -> str:
    """Collapse the runs of whitespace upstream transcripts carry (double spaces, stray newlines)."""
    return " ".join(text.split())


def render_context(
    header: Sequence[str],
    turns: Sequence[tuple[str, str]],
    *,
    max_turns: int = CONTEXT_TURNS,
    max_chars: int = CONTEXT_CHARS,
) -> str:
    """Header lines, then the last ``max_turns`` turns as ``speaker: text`` lines within ``max_chars`` characters.

    Older turns are dropped first; the newest turn is always kept (its head cut when it alone is too long), because
    it is what the individual answers."""
    lines = [f"{speaker}: {text}" for speaker, text in turns[-max_turns:]] if max_turns > 0 else []
    kept: list[str] = []
    used = 0
    for line in reversed(lines):
        if kept and used + len(line) + 1 > max_chars:
            break
        if not kept and len(line) > max_chars:
            line = "..." + line[len(line) - max_chars + 3 :]
        kept.append(line)
        used += len(line) + 1
    kept.reverse()
    omitted = len(turns) - len(kept)
    out = [*header]
    if omitted:
        out.append(f"[... {omitted} earlier turn{'s' if omitted != 1 else ''} omitted]")
    return "\n".join([*out, *kept])


def eligible_action(text: str, *, min_words: int, max_chars: int = MAX_ACTION_CHARS) -> bool:
    """Actions worth modelling: enough words to carry intent, short enough to score cheaply."""
    return len(text.split()) >= min_words and len(text) <= max_chars


@dataclass(frozen=True)
class Candidate:
    """An example before the split is drawn; ``order`` sorts an individual's examples chronologically."""

    order: tuple[Any, ...]
    example: Example


def draw_split(
    history: Sequence[Candidate],
    test: Sequence[Candidate],
    *,
    max_history: int,
    max_test: int,
    seed: str,
) -> tuple[list[Example], list[Example], int]:
    """Seeded samples of at most ``max_history`` / ``max_test`` candidates, each put back in chronological order.

    Test candidates whose action occurs in a drawn history example (context or action) are dropped before the test
    sample is drawn, so a verbatim repeat ("Thank you, counsel.") can never leak a held-out answer. Returns
    (history, test, number of test candidates dropped for that reason)."""
    rng = random.Random(seed)
    hist = sorted(rng.sample(list(history), min(max_history, len(history))), key=lambda c: c.order)
    seen = [normalise(c.example.context) + "\n" + normalise(c.example.action) for c in hist]
    clean_test = [c for c in test if not any(normalise(c.example.action) in s for s in seen)]
    dropped = len(test) - len(clean_test)
    chosen = sorted(rng.sample(clean_test, min(max_test, len(clean_test))), key=lambda c: c.order)
    return (
        [_with_split(c.example, "history") for c in hist],
        [_with_split(c.example, "test") for c in chosen],
        dropped,
    )


def _with_split(example: Example, split: Split) -> Example:
    return Example(
        example.id, example.individual, split, example.group, example.context, example.action, example.metadata
    )


def is_discrete(example: Example | Mapping[str, Any]) -> bool:
    """A discrete action: one lettered option of a survey question (metadata ``options`` and ``answer``)."""
    meta = example.metadata if isinstance(example, Example) else example.get("metadata", {})
    return isinstance(meta, Mapping) and "options" in meta


def option_letters(n: int) -> tuple[str, ...]:
    """A, B, C ... for ``n`` options (as the survey benchmark letters them)."""
    if not 1 <= n <= 26:
        raise ValueError(f"a question needs 1 to 26 options, got {n}")
    return tuple(chr(ord("A") + i) for i in range(n))


def discrete_problem(row: Mapping[str, Any]) -> str | None:
    """What is wrong with a discrete row's metadata (``options``, ``answer``, ``question``, ``shown``), or None."""
    meta = row["metadata"]
    options, answer = meta.get("options"), meta.get("answer")
    if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and o for o in options):
        return "'options' must list at least two non-empty strings"
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(options):
        return "'answer' must index one of the options"
    if row["action"] != options[answer]:
        return "'action' must be the answered option"
    if not isinstance(meta.get("question"), str) or not isinstance(meta.get("shown"), list):
        return "a discrete row needs 'question' (str) and 'shown' (the questions answered in its context)"
    return None


def split_problems(individual: Individual) -> list[str]:
    """What breaks the split contract for one individual (empty when sound): a group shared by history and test,
    or a held-out action found in a history example's context or action (for a discrete example: a held-out
    question whose answer a history example's context shows)."""
    problems = []
    shared = sorted({e.group for e in individual.history} & {e.group for e in individual.test})
    if shared:
        problems.append(f"{individual.id}: history and test share group(s) {', '.join(shared)}")
    seen = [normalise(e.context) + "\n" + normalise(e.action) for e in individual.history]
    shown = {q for e in individual.history for q in e.metadata.get("shown", [])}
    for example in individual.test:
        if is_discrete(example):
            if example.metadata.get("question") in shown:
                problems.append(f"{individual.id}: a history context shows the held-out answer of {example.id}")
            continue
        action = normalise(example.action)
        if any(action in s for s in seen):
            problems.append(f"{individual.id}: held-out action of {example.id} occurs in a history example")
    return problems


# ---------------------------------------------------------------- the shipped extract

ROW_KEYS = {"id", "domain", "individual", "individual_name", "split", "group", "context", "action", "metadata"}


def example_row(domain: str, name: str, example: Example) -> dict[str, Any]:
    """The JSONL row of one example (the build writes these; :func:`read_rows` reads them back)."""
    return {
        "id": example.id,
        "domain": domain,
        "individual": example.individual,
        "individual_name": name,
        "split": example.split,
        "group": example.group,
        "context": example.context,
        "action": example.action,
        "metadata": example.metadata,
    }


def domain_file(domain: str) -> Path:
    """The shipped extract of ``domain`` (``datasets/recon/<domain>.jsonl``)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown recon domain {domain!r}; known: {', '.join(DOMAINS)}")
    return data_path("recon", f"{domain}.jsonl")


def load_domain(domain: str, path: str | Path | None = None) -> list[Individual]:
    """The individuals of a shipped domain (``scotus``, ``diplomacy`` or ``respondents``), in file order, each with
    its history and test examples in chronological order. ``path`` reads another file in the same format instead."""
    file = Path(path) if path is not None else domain_file(domain)
    return individuals_from_rows(read_rows(file), domain=domain, source=file)


def load_all(domains: Iterable[str] = DOMAINS) -> dict[str, list[Individual]]:
    return {domain: load_domain(domain) for domain in domains}


def read_rows(file: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs of a Recon JSONL file; a malformed line raises one line naming file and line."""
    try:
        return list(iter_jsonl(file))
    except FileNotFoundError:
        raise ReconDataError(f"{file}: recon data file not found") from None


def iter_jsonl(file: Path, what: str = "a row") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) pairs of a JSONL file, streamed (ConvoKit corpora can be large); blank lines skipped,
    a malformed line raises one line naming file and line."""
    with file.open(encoding="utf-8") as handle:
        for number, row in jsonl_records(handle, str(file), ReconDataError):
            if not isinstance(row, dict):
                raise ReconDataError(f"{file}:{number}: {what} must be a JSON object")
            yield number, row


def individuals_from_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]], *, domain: str, source: Path
) -> list[Individual]:
    """Group validated rows into individuals (first appearance order) and enforce the split contract."""
    names: dict[str, str] = {}
    parts: dict[str, dict[str, list[Example]]] = defaultdict(lambda: {"history": [], "test": []})
    ids: set[str] = set()
    for number, row in rows:
        where = f"{source}:{number}"
        missing = ROW_KEYS - row.keys()
        if missing:
            raise ReconDataError(f"{where}: row lacks {', '.join(sorted(missing))}")
        for key in ROW_KEYS - {"metadata"}:
            if not isinstance(row[key], str) or (key != "context" and not row[key]):
                raise ReconDataError(f"{where}: {key!r} must be a non-empty string")
        if not isinstance(row["metadata"], dict):
            raise ReconDataError(f"{where}: 'metadata' must be an object")
        if row["domain"] != domain:
            raise ReconDataError(f"{where}: row of domain {row['domain']!r} in the {domain!r} file")
        if row["split"] not in SPLITS:
            raise ReconDataError(f"{where}: split {row['split']!r} is not one of {', '.join(SPLITS)}")
        if row["id"] in ids:
            raise ReconDataError(f"{where}: duplicate id {row['id']!r}")
        if is_discrete(row):
            problem = discrete_problem(row)
            if problem:
                raise ReconDataError(f"{where}: {problem}")
        ids.add(row["id"])
        names.setdefault(row["individual"], row["individual_name"])
        example = Example(
            id=row["id"],
            individual=row["individual"],
            split=row["split"],
            group=row["group"],
            context=row["context"],
            action=row["action"],
            metadata=dict(row["metadata"]),
        )
        parts[row["individual"]][row["split"]].append(example)
    individuals = [Individual(domain, key, names[key], parts[key]["history"], parts[key]["test"]) for key in names]
    for individual in individuals:
        problems = split_problems(individual)
        if problems:
            raise ReconDataError(f"{source}: split contract broken: {problems[0]}")
    return individuals


# ---------------------------------------------------------------- ConvoKit corpora

CONVOKIT_FILES = ("utterances.jsonl", "speakers.json")
NOT_A_PERSON = {"[deleted]", "[removed]", ""}  # the names Reddit gives deleted accounts: many people behind one id


def load_convokit(
    path: str | Path,
    *,
    domain: str = "convokit",
    max_individuals: int = 8,
    min_examples: int = 6,
    min_words: int = 5,
    test_fraction: float = 0.25,
    max_history: int = 40,
    max_test: int = 20,
    context_turns: int = CONTEXT_TURNS,
    context_chars: int = CONTEXT_CHARS,
    seed: int = SEED,
) -> list[Individual]:
    """Individuals from a ConvoKit corpus folder (``utterances.jsonl`` and ``speakers.json``).

    Each speaker's utterances that answer something (a previous utterance exists in the conversation) and have at
    least ``min_words`` words (at most ``MAX_ACTION_CHARS`` characters) are candidate actions; the context is the
    conversation's earlier utterances in order (timestamp, then file order), capped like the shipped extract. The
    ``max_individuals`` speakers with the most candidates (at least ``min_examples``, in at least two conversations)
    become individuals; per speaker, a seeded draw of whole conversations holding about ``test_fraction`` of the
    candidates is held out, so history and test never share a conversation."""
    folder = Path(path)
    if not folder.is_dir():
        raise ReconDataError(
            f"{folder}: no ConvoKit corpus folder here (expected a folder with {' and '.join(CONVOKIT_FILES)})"
        )
    for name in CONVOKIT_FILES:
        if not (folder / name).is_file():
            raise ReconDataError(
                f"{folder / name}: missing; a ConvoKit corpus folder needs {' and '.join(CONVOKIT_FILES)}"
            )
    speakers = _read_speakers(folder / "speakers.json")
    conversations = _read_utterances(folder / "utterances.jsonl")
    titles = _read_titles(folder / "conversations.json")

    candidates: dict[str, list[Candidate]] = defaultdict(list)
    for conversation_id in sorted(conversations):
        utterances = conversations[conversation_id]
        for position, utt in enumerate(utterances):
            if position == 0 or utt["speaker"] in NOT_A_PERSON:
                continue
            if not eligible_action(utt["text"], min_words=min_words):
                continue
            context = render_context(
                [
                    f"Conversation {conversation_id}"
                    + (f": {titles[conversation_id]}" if conversation_id in titles else "")
                ],
                [(u["speaker"], u["text"]) for u in utterances[:position]],
                max_turns=context_turns,
                max_chars=context_chars,
            )
            example = Example(
                id=f"{domain}/{utt['speaker']}/{utt['id']}",
                individual=utt["speaker"],
                split="history",
                group=conversation_id,
                context=context,
                action=utt["text"],
                metadata={"conversation_id": conversation_id, "utterance_id": utt["id"], "reply_to": utt["reply_to"]},
            )
            candidates[utt["speaker"]].append(Candidate((conversation_id, position), example))

    ranked = sorted(
        (
            speaker
            for speaker, cands in candidates.items()
            if len(cands) >= min_examples and len({c.example.group for c in cands}) >= 2
        ),
        key=lambda s: (-len(candidates[s]), s),
    )
    individuals = []
    for speaker in ranked[:max_individuals]:
        cands = candidates[speaker]
        groups = sorted({c.example.group for c in cands})
        random.Random(f"{seed}:{domain}:{speaker}:groups").shuffle(groups)
        per_group: dict[str, int] = defaultdict(int)
        for c in cands:
            per_group[c.example.group] += 1
        # Whole conversations are held out, as many as fit in the test share; when none fits, the smallest one.
        quota = max(1, round(test_fraction * len(cands)))
        held: set[str] = set()
        for group in groups:
            if sum(per_group[g] for g in held) + per_group[group] <= quota and len(held) < len(groups) - 1:
                held.add(group)
        if not held:
            held.add(min(groups, key=lambda g: per_group[g]))
        history, test, _ = draw_split(
            [c for c in cands if c.example.group not in held],
            [c for c in cands if c.example.group in held],
            max_history=max_history,
            max_test=max_test,
            seed=f"{seed}:{domain}:{speaker}",
        )
        if history and test:
            individuals.append(Individual(domain, speaker, speaker, history, test, speakers.get(speaker, {})))
    return individuals


def _read_speakers(file: Path) -> dict[str, dict[str, Any]]:
    try:
        raw = json.loads(file.read_text("utf-8"))
    except json.JSONDecodeError as err:
        raise ReconDataError(f"{file}: not valid JSON ({err.msg})") from None
    if not isinstance(raw, dict):
        raise ReconDataError(f"{file}: must map speaker ids to metadata objects")
    out = {}
    for key, value in raw.items():
        meta = value if isinstance(value, dict) else {}
        # newer dumps wrap the metadata as {"meta": {...}, "vectors": [...]}
        if set(meta) <= {"meta", "vectors"} and isinstance(meta.get("meta"), dict):
            meta = meta["meta"]
        out[str(key)] = dict(meta)
    return out


def _read_titles(file: Path) -> dict[str, str]:
    """Thread titles from the optional conversations.json (Reddit corpora keep the post title in the metadata)."""
    if not file.is_file():
        return {}
    try:
        raw = json.loads(file.read_text("utf-8"))
    except json.JSONDecodeError as err:
        raise ReconDataError(f"{file}: not valid JSON ({err.msg})") from None
    titles = {}
    for key, value in (raw if isinstance(raw, dict) else {}).items():
        meta = value.get("meta", value) if isinstance(value, dict) else {}
        title = meta.get("title") if isinstance(meta, dict) else None
        if isinstance(title, str) and title.strip():
            titles[str(key)] = clean(title)
    return titles


def _read_utterances(file: Path) -> dict[str, list[dict[str, Any]]]:
    """Utterances grouped by conversation, each conversation in timestamp order (file order breaks ties and is used
    alone when any timestamp of the conversation is missing)."""
    by_conversation: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for number, row in iter_jsonl(file, "an utterance"):
        missing = {"id", "speaker", "conversation_id", "text"} - row.keys()
        if missing:
            raise ReconDataError(f"{file}:{number}: utterance lacks {', '.join(sorted(missing))}")
        if not isinstance(row["text"], str):
            raise ReconDataError(f"{file}:{number}: 'text' must be a string")
        utt: dict[str, Any] = {
            "id": str(row["id"]),
            "speaker": str(row["speaker"]),
            "conversation_id": str(row["conversation_id"]),
            "reply_to": None if row.get("reply_to") is None else str(row["reply_to"]),
            "timestamp": row.get("timestamp"),
            "text": clean(row["text"]),
        }
        by_conversation[utt["conversation_id"]].append((number, utt))
    out = {}
    for key, items in by_conversation.items():
        timed = all(isinstance(u["timestamp"], int | float) and not isinstance(u["timestamp"], bool) for _, u in items)
        items.sort(key=lambda pair: (pair[1]["timestamp"], pair[0]) if timed else (0, pair[0]))
        out[key] = [u for _, u in items]
    return out
