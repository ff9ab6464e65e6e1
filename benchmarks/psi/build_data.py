"""Build PSI's shipped reference data from local copies of the two upstream repositories.

    python -m benchmarks.psi.build_data --esconv ESCONV --annomi ANNOMI [--out datasets/psi]

``ESCONV`` is a copy of github.com/thu-coai/Emotional-Support-Conversation and ``ANNOMI`` one of
github.com/uccollab/AnnoMI: a bare git directory (its HEAD is read and its commit recorded), a checkout, or a plain
folder with the same layout (recorded as unversioned). Nothing is downloaded.

Writes ``esconv.jsonl`` (rows of :meth:`benchmarks.psi.data.Conversation.to_dict`), ``annomi_stats.json`` (derived
statistics only: AnnoMI states no licence, so no utterance text leaves the build), ``reference_stats.json`` (the
diagnostics of :mod:`benchmarks.psi.diagnostics` on the real patients' turns) and the dataset card ``README.md``.
Every listing is sorted and every number rounded, so the same upstream commit gives byte-identical files (a test
builds a fixture slice twice and compares bytes).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.psi import diagnostics as dx
from benchmarks.psi.data import Conversation, PsiDataError, Turn, clean
from twinbench.data import checkout_dataset_dir
from twinbench.upstream import Upstream, UpstreamError, rounded

ESCONV_REPO = "thu-coai/Emotional-Support-Conversation"
ANNOMI_REPO = "uccollab/AnnoMI"
ESCONV_JSON = "ESConv.json"  # the full corpus (1,300 conversations); absent from some snapshots (Git LFS)
FAILED_JSON = "FailedESConv.json"  # 196 conversations dropped at collection as unsuccessful (added 2024-05-14)
TSV_FILES = (
    "codes/dataset/trainWithStrategy_short.tsv",
    "codes/dataset/devWithStrategy_short.tsv",
    "codes/dataset/testWithStrategy_short.tsv",
)
ANNOMI_CSV = "AnnoMI-simple.csv"  # one row per utterance (AnnoMI-full repeats utterances per annotator)
TALK_TYPES = ("change", "neutral", "sustain")
DECIMALS = 6


# ---------------------------------------------------------------- reading an upstream copy


# ---------------------------------------------------------------- ESConv


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def esconv_json_conversations(data: bytes, name: str, prefix: str) -> list[Conversation]:
    """Conversations of an ESConv-format JSON list (``ESConv.json``, ``FailedESConv.json``): ``speaker`` ``seeker``
    / ``usr`` / ``speaker`` is the help-seeker, ``supporter`` / ``sys`` / ``listener`` the supporter."""
    try:
        rows = json.loads(data)
    except json.JSONDecodeError as err:
        raise PsiDataError(f"{name}: not valid JSON ({err.msg})") from None
    if not isinstance(rows, list):
        raise PsiDataError(f"{name}: expected a JSON list of conversations")
    seeker = {"seeker", "usr", "speaker"}
    supporter = {"supporter", "sys", "listener"}
    out = []
    for index, row in enumerate(rows):
        turns = []
        for message in row.get("dialog") or []:
            who = str(message.get("speaker", "")).lower()
            text = clean(message.get("content") or "")
            if not text or who not in seeker | supporter:
                continue
            annotation = message.get("annotation") or {}
            if who in seeker:
                turns.append(Turn("patient", text, feedback=_int(annotation.get("feedback"))))
            else:
                turns.append(Turn("therapist", text, strategy=annotation.get("strategy") or None))
        survey = (row.get("survey_score") or {}).get("seeker") or {}
        out.append(
            Conversation(
                id=f"{prefix}-{index:04d}",
                source=name,
                turns=tuple(turns),
                emotion_type=clean(row.get("emotion_type") or "") or None,
                problem_type=clean(row.get("problem_type") or "") or None,
                situation=clean(row.get("situation") or "") or None,
                experience_type=clean(row.get("experience_type") or "") or None,
                initial_emotion_intensity=_int(survey.get("initial_emotion_intensity")),
                final_emotion_intensity=_int(survey.get("final_emotion_intensity")),
                metadata={
                    "index": index,
                    "empathy": _int(survey.get("empathy")),
                    "relevance": _int(survey.get("relevance")),
                },
            )
        )
    return out


_STRATEGY = re.compile(r"^\[([^\]]+)\]\s*")


def _tsv_segments(line: str) -> list[tuple[int, int, str]]:
    """(role, turn index, text) of each segment of a ``*WithStrategy_short.tsv`` line: segments are separated by
    `` EOS``; each is ``weight role turn text...`` (role 0 = seeker, 1 = supporter), as upstream's
    ``codes/BlenderEmotionalSupport.py`` (``_norm_text``) reads them."""
    out = []
    for segment in line.strip().split(" EOS"):
        parts = segment.split()
        if len(parts) < 3:
            continue
        role, turn = _int(parts[1]), _int(parts[2])
        if role not in (0, 1) or turn is None:
            raise ValueError(f"segment {segment[:40]!r} has no role and turn index")
        out.append((role, turn, " ".join(parts[3:])))
    return out


def tsv_conversations(data: bytes, name: str, prefix: str) -> tuple[list[Conversation], dict[str, int]]:
    """Whole conversations rebuilt from the sliding context windows of an upstream ``*WithStrategy_short.tsv``.

    Each line is the last few messages before a supporter message, then that message, each with its index in the
    conversation; consecutive lines of a conversation overlap. A line whose messages disagree with the conversation
    being rebuilt, or whose last index does not move forward, starts a new conversation. A conversation with an
    index missing (a window that did not overlap) is dropped; the seeker's messages after the last supporter
    message are not in the file at all."""
    conversations: list[dict[int, tuple[int, str]]] = []
    current: dict[int, tuple[int, str]] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            segments = _tsv_segments(line)
        except ValueError as err:
            raise PsiDataError(f"{name}:{number}: {err}") from None
        if not segments:
            continue
        consistent = bool(current) and segments[-1][1] > max(current)
        consistent = consistent and all(current.get(t, (r, x)) == (r, x) for r, t, x in segments)
        if not consistent and current:
            conversations.append(current)
            current = {}
        for role, turn, text in segments:
            current[turn] = (role, text)
    if current:
        conversations.append(current)
    out: list[Conversation] = []
    gaps = 0
    for rebuilt in conversations:
        if sorted(rebuilt) != list(range(max(rebuilt) + 1)):
            gaps += 1
            continue
        turns = []
        for t in sorted(rebuilt):
            role, text = rebuilt[t]
            if role == 1:
                match = _STRATEGY.match(text)
                strategy = match.group(1).strip() if match else None
                text = text[match.end() :] if match else text
                if clean(text):
                    turns.append(Turn("therapist", clean(text), strategy=strategy))
            elif clean(text):
                turns.append(Turn("patient", clean(text)))
        out.append(Conversation(id=f"{prefix}-{len(out):04d}", source=name, turns=tuple(turns)))
    return out, {"windows_conversations": len(conversations), "dropped_for_gaps": gaps}


def build_esconv(source: Upstream) -> tuple[list[Conversation], dict[str, Any]]:
    conversations: list[Conversation] = []
    files: dict[str, Any] = {}
    full = source.read_file(ESCONV_JSON)
    if full is not None:  # the full corpus supersedes the TSV windows (which are cut from its first 1,053)
        rows = esconv_json_conversations(full, ESCONV_JSON, "esconv")
        conversations += rows
        files[ESCONV_JSON] = {"conversations": len(rows)}
    else:
        files[ESCONV_JSON] = {"absent": True}
    failed = source.read_file(FAILED_JSON)
    if failed is None:
        files[FAILED_JSON] = {"absent": True}
    else:
        rows = esconv_json_conversations(failed, FAILED_JSON, "failed")
        conversations += rows
        files[FAILED_JSON] = {"conversations": len(rows)}
    for name in TSV_FILES:
        if full is not None:
            files[name] = {"skipped": "the full ESConv.json is present"}
            continue
        blob = source.read_file(name)
        if blob is None:
            files[name] = {"absent": True}
            continue
        split = Path(name).name.removesuffix("WithStrategy_short.tsv")
        rows, stats = tsv_conversations(blob, name, split)
        conversations += rows
        files[name] = {"conversations": len(rows), **stats}
    dropped = sum(1 for c in conversations if not c.patient_turns())
    conversations = [c for c in conversations if c.patient_turns()]
    if not conversations:
        raise PsiDataError(f"{source.path}: no ESConv conversation found (is this a copy of {ESCONV_REPO}?)")
    return conversations, {"files": files, "dropped_no_seeker_turn": dropped}


# ---------------------------------------------------------------- AnnoMI (derived statistics only)


def annomi_sessions(data: bytes) -> list[dict[str, Any]]:
    """AnnoMI transcripts: client turns (consecutive client utterances merged) with their utterances' talk types."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    needed = {"transcript_id", "utterance_id", "interlocutor", "utterance_text", "client_talk_type", "mi_quality"}
    if not needed <= set(reader.fieldnames or ()):
        raise PsiDataError(f"{ANNOMI_CSV}: missing columns {sorted(needed - set(reader.fieldnames or ()))}")
    rows: dict[int, list[dict[str, str]]] = defaultdict(list)
    meta: dict[int, dict[str, str]] = {}
    for row in reader:
        tid = int(row["transcript_id"])
        rows[tid].append(row)
        meta.setdefault(tid, {"mi_quality": row["mi_quality"], "topic": row.get("topic", "")})
    sessions = []
    for tid in sorted(rows):
        utterances = sorted(rows[tid], key=lambda r: int(r["utterance_id"]))
        turns: list[dict[str, Any]] = []
        previous = None
        for u in utterances:
            who = u["interlocutor"].strip().lower()
            text = clean(u["utterance_text"])
            if not text:
                continue
            if who == "client":
                talk = u["client_talk_type"].strip().lower()
                if previous == "client":
                    turns[-1]["texts"].append(text)
                    turns[-1]["talk_types"].append(talk)
                else:
                    turns.append({"texts": [text], "talk_types": [talk]})
            previous = who
        sessions.append({"transcript_id": tid, **meta[tid], "client_turns": turns, "utterances": len(utterances)})
    return sessions


def build_annomi(source: Upstream) -> tuple[dict[str, Any], list[list[str]]]:
    """AnnoMI's derived statistics (no text) and, for the build only, the client turns (to pool with the
    reference diagnostics; they are never written)."""
    blob = source.read_file(ANNOMI_CSV)
    if blob is None:
        raise PsiDataError(f"{source.path}: {ANNOMI_CSV} not found (is this a copy of {ANNOMI_REPO}?)")
    sessions = annomi_sessions(blob)
    out_sessions = []
    talk_counts: dict[int, Counter[str]] = defaultdict(Counter)
    client_turns: list[list[str]] = []
    for s in sessions:
        turns = ["\n".join(t["texts"]) for t in s["client_turns"]]
        client_turns.append(turns)
        d = dx.diagnose(turns)
        for index, turn in enumerate(s["client_turns"][: dx.MAX_TURNS]):
            talk_counts[index].update(t for t in turn["talk_types"] if t in TALK_TYPES)
        out_sessions.append(
            {
                "transcript_id": s["transcript_id"],
                "mi_quality": s["mi_quality"],
                "topic": s["topic"],
                "utterances": s["utterances"],
                "client_turns": len(s["client_turns"]),
                "words_by_turn": list(d.words),
                "words_per_sentence_by_turn": list(d.words_per_sentence),
                "mtld": d.mtld,
                "lexical_tokens": d.lexical_tokens,
                "markers": {
                    "counts": d.markers.counts,
                    "tokens": d.markers.tokens,
                    "messages": d.markers.messages,
                    "marked_messages": d.markers.marked_messages,
                },
                "valence_by_turn": list(d.valence),
                "resolution_turn": d.resolution_turn,
                "uniform_trajectory": d.uniform_trajectory,
            }
        )
    shares = {
        str(i): {"n": sum(c.values()), **{t: c[t] / sum(c.values()) for t in TALK_TYPES}}
        for i, c in sorted(talk_counts.items())
        if sum(c.values())
    }
    stats = {
        "source": f"github.com/{ANNOMI_REPO}",
        "file": ANNOMI_CSV,
        "revision": source.revision,
        "max_turns": dx.MAX_TURNS,
        "note": "Derived statistics only; AnnoMI's repository states no licence, so no utterance text is shipped.",
        "sessions": out_sessions,
        "talk_type_shares_by_turn": shares,
    }
    return rounded(stats, DECIMALS), client_turns


# ---------------------------------------------------------------- reference diagnostics


def reference_summary(conversations: Sequence[Sequence[str]]) -> dict[str, Any]:
    return dict(rounded(dx.summarize_population(conversations), DECIMALS))


def reference_stats(esconv: Sequence[Conversation], annomi_turns: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Population diagnostics of each real reference: ``esconv`` (every shipped conversation), one entry per
    ESConv source file, and ``annomi`` (clients' turns; numbers only)."""
    groups: dict[str, list[list[str]]] = {"esconv": [c.patient_turns() for c in esconv]}
    for c in esconv:
        key = "esconv_failed" if c.source == FAILED_JSON else f"esconv_{Path(c.source).name.split('With')[0]}"
        key = key.replace(".json", "").lower()
        groups.setdefault(key, []).append(c.patient_turns())
    groups["annomi"] = [list(t) for t in annomi_turns]
    return {
        "max_turns": dx.MAX_TURNS,
        "valence_model": "vaderSentiment 3.3.2 compound; positive >= 0.05, negative <= -0.05",
        "references": {k: reference_summary(v) for k, v in groups.items()},
    }


# ---------------------------------------------------------------- writing


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def build(esconv: Path, annomi: Path, out: Path) -> dict[str, Any]:
    """Build every file into ``out``; returns what the card reports."""
    esconv_source = Upstream(esconv, "ESConv")
    annomi_source = Upstream(annomi, "AnnoMI")
    conversations, esconv_stats = build_esconv(esconv_source)
    annomi_stats, annomi_turns = build_annomi(annomi_source)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "esconv.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        for c in conversations:
            handle.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    _write_json(out / "annomi_stats.json", annomi_stats)
    refs = reference_stats(conversations, annomi_turns)
    _write_json(out / "reference_stats.json", refs)
    summary: dict[str, Any] = {
        "esconv": {
            "revision": esconv_source.revision,
            "commit_date": esconv_source.commit_date,
            **esconv_stats,
            "by_source": dict(sorted(Counter(c.source for c in conversations).items())),
            "emotion_types": dict(sorted(Counter(c.emotion_type or "n/a" for c in conversations).items())),
        },
        "annomi": {
            "revision": annomi_source.revision,
            "commit_date": annomi_source.commit_date,
            "sessions": len(annomi_stats["sessions"]),
        },
        "references": refs["references"],
        "files": {},
    }
    for name in ("esconv.jsonl", "annomi_stats.json", "reference_stats.json"):
        data = (out / name).read_bytes()
        summary["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (out / "README.md").write_text(card(summary), encoding="utf-8")
    return summary


TABLE_HEADER = (
    "| reference | conversations | words/turn | words/sentence | MTLD (n) | markers ptk | markers % msg | resolved "
    "| resolution turn | uniform | distinct-2 |\n|" + "---|" * 11
)


def _fmt(value: Any, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def card(s: dict[str, Any]) -> str:
    e, a, f = s["esconv"], s["annomi"], s["files"]
    rev_e = f"`{e['revision']}` ({e['commit_date']})" if e["commit_date"] else f"`{e['revision']}`"
    rev_a = f"`{a['revision']}` ({a['commit_date']})" if a["commit_date"] else f"`{a['revision']}`"
    sources = ", ".join(f"{n} from `{k}`" for k, n in e["by_source"].items())
    emotions = ", ".join(f"{k} {n}" for k, n in e["emotion_types"].items())
    file_notes = []
    for name, info in e["files"].items():
        if info.get("absent"):
            file_notes.append(f"`{name}`: absent from this copy")
        elif info.get("skipped"):
            file_notes.append(f"`{name}`: not used ({info['skipped']})")
        elif "dropped_for_gaps" in info:
            file_notes.append(
                f"`{name}`: {info['windows_conversations']} conversations rebuilt, {info['dropped_for_gaps']} "
                f"dropped for a missing message, {info['conversations']} kept"
            )
        else:
            file_notes.append(f"`{name}`: {info['conversations']} conversations")
    rows = []
    for key, r in s["references"].items():
        m = r["markers"]
        rows.append(
            f"| `{key}` | {r['conversations']} | {_fmt(r['words_per_turn'])} | {_fmt(r['words_per_sentence'])} | "
            f"{_fmt(r['mtld_mean'])} ({len(r['mtld_values'])}) | {_fmt(m['combined_ptk'])} | "
            f"{_fmt(m['combined_msg'])} | {_fmt(r['resolved_share'], 3)} | {_fmt(r['resolution_turn_mean'], 2)} | "
            f"{_fmt(r['uniform_trajectory_share'], 3)} | {_fmt(r.get('distinct_2'), 3)} |"
        )
    table = "\n".join(rows)
    what = {
        "esconv.jsonl": ("ESConv conversations (text)", f"github.com/{ESCONV_REPO}", rev_e),
        "annomi_stats.json": ("AnnoMI derived statistics (no text)", f"github.com/{ANNOMI_REPO}", rev_a),
        "reference_stats.json": ("diagnostics of the real patients' turns", "both", "both"),
    }
    file_rows = "\n".join(
        f"| `{name}` | {desc} | {f[name]['bytes']} | `{f[name]['sha256'][:16]}…` | {repo} | {rev} |"
        for name, (desc, repo, rev) in what.items()
    )
    return f"""# PSI reference data (`datasets/psi/`)

Real help-seeker conversations and derived statistics for the PSI patient-simulator diagnostics
(`benchmarks/psi`). Built by `python -m benchmarks.psi.build_data --esconv ESCONV --annomi ANNOMI` from local copies
of the upstream repositories (a bare git directory, checkout or folder); the build reads no network and is
reproducible byte for byte from the same commits. Read the files with `benchmarks.psi.data.load_esconv()`,
`load_annomi_stats()` and `load_reference_stats()`.

## Files

| file | what | bytes | sha256 | upstream | commit |
|---|---|---|---|---|---|
{file_rows}

`esconv.jsonl`: one conversation a line: `id`, `source` (the upstream file), `emotion_type`, `problem_type`,
`situation` (the seeker's own description), `experience_type`, `initial_emotion_intensity` and
`final_emotion_intensity` (the seeker's 1–5 self-rating before and after; null where not surveyed),
`metadata` (`index` in the upstream file, the seeker's `empathy` and `relevance` ratings), and `turns`: each
`speaker` (`patient` = the help-seeker, `therapist` = the supporter), `text`, the supporter's `strategy` and the
seeker's `feedback` (1–5) where annotated. Consecutive messages of one speaker stay separate here;
`Conversation.patient_turns()` merges them into one turn, as PSI-Bench does.

`annomi_stats.json`: per transcript (`transcript_id`, `mi_quality`, `topic`, utterance and client-turn counts) the
words and words per sentence of each of the first {dx.MAX_TURNS} client turns, MTLD, depressive-marker tallies,
VADER valence per turn, resolution turn and trajectory flag; and `talk_type_shares_by_turn`: the share of AnnoMI's
expert `client_talk_type` labels (change / neutral / sustain) among the utterances of each client turn index
(0-based, consecutive client utterances merged into one turn, each utterance one count).

`reference_stats.json`: `benchmarks.psi.diagnostics.summarize_population` of the patients' first {dx.MAX_TURNS}
turns of each reference: `esconv` (all shipped conversations), one entry per ESConv source file, and `annomi`.

## Licences and attribution

- **ESConv** (`esconv.jsonl`): Liu, Zheng, Demasi, Sabour, Li, Yu, Jiang and Huang (2021), *Towards Emotional
  Support Dialog Systems*, ACL 2021; © 2021 CoAI Group, Tsinghua University; licensed **CC BY-NC 4.0** (the
  repository's LICENSE; its README adds "for academic research use only"). Use it for **non-commercial
  purposes only**, whatever the licence of twinbench's code, and attribute the authors. Changes: whitespace collapsed,
  fields renamed (`seeker`/`usr` → `patient`, `supporter`/`sys` → `therapist`), survey fields reduced to those
  listed, TSV context windows stitched back into conversations. Cite:

  ```
  @inproceedings{{liu-etal-2021-towards,
    title = {{Towards Emotional Support Dialog Systems}},
    author = {{Liu, Siyang and Zheng, Chujie and Demasi, Orianna and Sabour, Sahand and Li, Yu and Yu, Zhou and
              Jiang, Yong and Huang, Minlie}},
    booktitle = {{ACL}},
    year = {{2021}}
  }}
  ```
- **AnnoMI** (`annomi_stats.json`, and the `annomi` entry of `reference_stats.json`): Wu, Balloccu, Kumar,
  Helaoui, Reiter, Reforgiato Recupero and Riboni (2022), *Anno-MI: A Dataset of Expert-Annotated Counselling
  Dialogues*, ICASSP 2022, and Wu et al. (2023), *Future Internet* 15(3):110. The repository states **no licence**,
  so only numbers computed from it are shipped (lengths, MTLD, marker counts, VADER scores, label shares), never an
  utterance; the transcripts are public demonstrations on YouTube, linked from the repository.

## How it was cut

ESConv: {sources} ({sum(e["by_source"].values())} conversations; emotion types: {emotions}).
{"; ".join(file_notes)}. Conversations without a seeker message are dropped ({e["dropped_no_seeker_turn"]}).
Nothing else is sampled: every conversation of the files read is kept, in upstream order.

The full `ESConv.json` (1,300 conversations) is a large file that the pinned snapshot lacks; when a copy has it,
the build uses it and skips the TSV windows. Without it the extract holds two kinds of conversation:

- `FailedESConv.json`: the 196 conversations ESConv's authors dropped at collection as unsuccessful (upstream
  rule: more than two turns and two speakers, and either the survey shows the negative emotion intensity did not
  decrease, or empathy or relevance rated ≤ 2, or the seeker left the survey unfinished with a last feedback ≤ 2).
  They carry every field above. **They are selected for failure**: a simulator matched to them is matched to
  conversations in which support did not work, so resolution statistics on them are low by construction.
- `codes/dataset/{{dev,test}}WithStrategy_short.tsv`: ESConv's first release (1,053 conversations) as sliding
  context windows; each line is the last few messages before a supporter message, with each message's index in
  its conversation. The build stitches windows back into whole conversations (a line that disagrees with the
  conversation being rebuilt, or whose last index does not move forward, starts the next one) and drops any
  conversation with a missing index. These conversations have **no** situation, emotion or problem type or
  survey (the file does not carry them), and lose the seeker's messages after the supporter's last message
  (the windows end at supporter messages). The train split is absent from the snapshot (a large file).

AnnoMI: all {a["sessions"]} transcripts of `{ANNOMI_CSV}` (one row per utterance; `AnnoMI-full.csv` repeats
utterances once per annotator), utterances ordered by `utterance_id`, the client's consecutive utterances merged
into one turn.

## Reference diagnostics (first {dx.MAX_TURNS} patient turns; `reference_stats.json`)

Words per turn and per sentence: PSI-Bench's per-turn-index means averaged over turn indices; MTLD: mean over
conversations with at least {dx.MTLD_MIN_TOKENS} tokens (their number in brackets); markers: per 1,000 tokens
(characters // 4) and % of messages; resolution: share of conversations whose valence resolves and the mean
0-based turn index of resolution; uniform: share with a uniformly negative-to-positive valence trajectory; distinct-2
over all patient turns.

{TABLE_HEADER}
{table}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--esconv", type=Path, required=True, help=f"local copy of {ESCONV_REPO}")
    parser.add_argument("--annomi", type=Path, required=True, help=f"local copy of {ANNOMI_REPO}")
    parser.add_argument(
        "--out", type=Path, default=checkout_dataset_dir("psi"), help="output folder (default datasets/psi)"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required outside a source checkout")
    try:
        summary = build(args.esconv, args.annomi, args.out)
    except (PsiDataError, UpstreamError) as err:
        parser.exit(2, f"error: {err}\n")
    for name, info in summary["files"].items():
        print(f"{name}: {info['bytes']} bytes")
    print(f"esconv: {summary['esconv']['by_source']}; annomi: {summary['annomi']['sessions']} sessions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
