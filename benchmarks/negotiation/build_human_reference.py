"""Build the negotiation benchmark's human deception reference from Peskov et al. (2020)'s Diplomacy messages.

    python -m benchmarks.negotiation.build_human_reference --diplomacy DIPLOMACY [--out datasets/negotiation]

``DIPLOMACY`` is a copy of github.com/DenisPeskoff/2020_acl_diplomacy: a bare git directory (its HEAD is read and
its commit recorded), a checkout, or a plain folder with the same layout (recorded as unversioned). Nothing is
downloaded. Every message of ``data/train.jsonl``, ``data/validation.jsonl`` and ``data/test.jsonl`` is read; the
sender's own label says whether it was a lie (``sender_labels``: true = truthful, false = a lie).

Writes derived statistics only, no message text: ``diplomacy_lies.json`` (the share of messages their sender
labelled a lie, with a Wilson interval and cluster-bootstrap intervals by player and by game; the share of players
who lied at least once; counts per upstream file) and the dataset card ``README.md``. The bootstrap is seeded, so
the same upstream commit gives byte-identical files (a test builds a fixture twice and compares bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scorers.stats.bootstrap import N_RESAMPLES, cluster_mean_ci
from scorers.stats.proportions import wilson_interval
from scorers.stats.settings import CONFIDENCE, SEED
from twinbench.data import checkout_dataset_dir, jsonl_records
from twinbench.upstream import Upstream, UpstreamError, rounded

REPO = "DenisPeskoff/2020_acl_diplomacy"
FILES = {"train": "data/train.jsonl", "validation": "data/validation.jsonl", "test": "data/test.jsonl"}
OUT_FILE = "diplomacy_lies.json"
DECIMALS = 6
PER_MESSAGE = ("sender_labels", "speakers", "receivers", "absolute_message_index")
# what the paper's abstract reports for the whole dataset (Peskov et al. 2020), for the card's comparison
PAPER = {"messages": 17289, "games": 12, "players": 84}
CITATION = """@inproceedings{Peskov:Cheng:Elgohary:Barrow:Danescu-Niculescu-Mizil:Boyd-Graber-2020,
  title = {It Takes Two to Lie: One to Lie, and One to Listen},
  author = {Denis Peskov and Benny Cheng and Ahmed Elgohary and Joe Barrow and Cristian Danescu-Niculescu-Mizil
            and Jordan Boyd-Graber},
  booktitle = {Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics},
  year = {2020}
}"""


class HumanReferenceError(ValueError):
    """An upstream copy that does not have the expected layout: one line naming the file."""


@dataclass(frozen=True)
class Message:
    split: str  # the upstream file: train, validation or test
    game: int
    sender: str  # the country (one person played one country in one game)
    lie: bool | None  # the sender's own label; None where it is neither true nor false


def sender_lie(value: Any) -> bool | None:
    """Upstream sender labels are booleans or "true"/"false" strings (true = truthful); a lie is a false label.
    Anything else (no annotation) is None."""
    if isinstance(value, bool):
        return not value
    return {"true": False, "false": True}.get(str(value).strip().lower())


def read_messages(source: Upstream) -> list[Message]:
    """Every message of the three upstream files. A message is identified by its game and its
    ``absolute_message_index`` (its position in the game); one that occurs twice is an error."""
    messages: list[Message] = []
    seen: dict[tuple[int, int], str] = {}
    for (split, name), (_, blob) in zip(FILES.items(), source.read(list(FILES.values())), strict=True):
        if blob is None:
            raise HumanReferenceError(f"{source.path}: {name} is absent (is this a copy of {REPO}?)")
        for number, dialog in jsonl_records(blob.decode("utf-8").splitlines(), name, HumanReferenceError):
            where = f"{name}:{number}"
            lengths = {len(dialog.get(key) or []) for key in PER_MESSAGE}
            if len(lengths) != 1 or "game_id" not in dialog:
                raise HumanReferenceError(f"{where}: game_id or per-message fields missing or of unequal length")
            game = int(dialog["game_id"])
            for i in range(lengths.pop()):
                key = (game, int(dialog["absolute_message_index"][i]))
                if key in seen:
                    raise HumanReferenceError(f"{where}: message {key[1]} of game {game} also in {seen[key]}")
                seen[key] = where
                sender = str(dialog["speakers"][i]).strip().lower()
                messages.append(Message(split, game, sender, sender_lie(dialog["sender_labels"][i])))
    if not messages:
        raise HumanReferenceError(f"{source.path}: no messages in {', '.join(FILES.values())}")
    return messages


def _bootstrap(values: np.ndarray, clusters: Sequence[str]) -> dict[str, Any]:
    ci = cluster_mean_ci(values, np.asarray(clusters), n_resamples=N_RESAMPLES, seed=SEED, expanded=True)
    return {"low": ci.low, "high": ci.high, "clusters": ci.n_clusters}


def statistics(messages: Sequence[Message]) -> dict[str, Any]:
    """The shipped numbers (see the card): message-level lie share with three intervals, player-level share of
    players who lied at least once, and counts per upstream file."""
    labelled = [m for m in messages if m.lie is not None]
    if not labelled:
        raise HumanReferenceError("no message carries a sender label")
    lies = np.array([m.lie for m in labelled], dtype=float)
    n, k = int(lies.size), int(lies.sum())
    player_of = [f"game{m.game}/{m.sender}" for m in labelled]
    game_of = [f"game{m.game}" for m in labelled]

    lied: dict[tuple[int, str], bool] = defaultdict(bool)
    for m in labelled:
        lied[(m.game, m.sender)] |= bool(m.lie)
    players = sorted(lied)
    player_lied = np.array([lied[p] for p in players], dtype=float)
    n_players, n_liars = int(player_lied.size), int(player_lied.sum())

    splits = {}
    for split in FILES:
        part = [m for m in messages if m.split == split]
        splits[split] = {
            "messages": sum(m.lie is not None for m in part),
            "lies": sum(bool(m.lie) for m in part),
            "unlabelled": sum(m.lie is None for m in part),
        }
    return rounded(
        {
            "games": len({m.game for m in labelled}),
            "messages": {
                "n": n,
                "lies": k,
                "unlabelled": len(messages) - n,
                "share": k / n,
                "wilson": dict(zip(("low", "high"), wilson_interval(k, n), strict=True)),
                "by_player": _bootstrap(lies, player_of),
                "by_game": _bootstrap(lies, game_of),
            },
            "players": {
                "n": n_players,
                "lied": n_liars,
                "share": n_liars / n_players,
                "wilson": dict(zip(("low", "high"), wilson_interval(n_liars, n_players), strict=True)),
                "by_game": _bootstrap(player_lied, [f"game{g}" for g, _ in players]),
            },
            "splits": splits,
        },
        DECIMALS,
    )


def build(diplomacy: Path, out: Path) -> dict[str, Any]:
    """Build ``diplomacy_lies.json`` and ``README.md`` into ``out``; returns what the JSON holds."""
    source = Upstream(diplomacy, "diplomacy")
    stats = statistics(read_messages(source))
    data: dict[str, Any] = {
        "source": {
            "repository": f"github.com/{REPO}",
            "revision": source.revision,
            "commit_date": source.commit_date,
            "files": list(FILES.values()),
            "licence": "CC BY 4.0",
        },
        "definition": "A lie is a message its sender labelled deceptive when sending it (sender_labels false); "
        "a player is one country in one game.",
        "method": {
            "confidence": CONFIDENCE,
            "wilson": "scorers.stats.proportions.wilson_interval (messages as independent trials)",
            "bootstrap": "scorers.stats.bootstrap.cluster_mean_ci, expanded percentile interval",
            "resamples": N_RESAMPLES,
            "seed": SEED,
        },
        **stats,
    }
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (out / OUT_FILE).write_text(text, encoding="utf-8", newline="\n")
    (out / "README.md").write_text(card(data, text.encode("utf-8")), encoding="utf-8", newline="\n")
    return data


def _pct(value: float) -> str:
    return f"{100 * value:.2f}%"


def _ci(part: dict[str, Any]) -> str:
    return f"[{_pct(part['low'])}, {_pct(part['high'])}]"


def card(data: dict[str, Any], payload: bytes) -> str:
    src, m, p = data["source"], data["messages"], data["players"]
    date = f" ({src['commit_date']})" if src["commit_date"] else ""
    split_rows = "\n".join(
        f"| `{FILES[s]}` | {c['messages']} | {c['lies']} "
        f"| {_pct(c['lies'] / c['messages']) if c['messages'] else 'n/a'} | {c['unlabelled']} |"
        for s, c in data["splits"].items()
    )
    method = data["method"]
    digest = hashlib.sha256(payload).hexdigest()[:16]
    file_row = f"| `{OUT_FILE}` | {len(payload)} | `{digest}…` | {src['repository']} | `{src['revision']}`{date} |"
    return f"""# Negotiation: human deception reference (`datasets/negotiation/`)

How often real Diplomacy players lied to one another, by their own account: the human reference of the negotiation
benchmark (`benchmarks/negotiation`, README "References"). Derived statistics only; no message text is shipped.
Built by `python -m benchmarks.negotiation.build_human_reference --diplomacy DIPLOMACY` from a local copy of the
upstream repository; the bootstrap is seeded (seed {method["seed"]}), so the build is reproducible byte for byte.
`benchmarks.negotiation.references.human_rows()` reads the file.

## File

| file | bytes | sha256 | upstream | commit |
|---|---|---|---|---|
{file_row}

Fields: `source` (repository, commit, files read, licence), `definition`, `method` (confidence level, interval
methods, bootstrap resamples and seed), `games`, `messages` (`n` messages with a sender label, `lies`,
`unlabelled`, `share`, and the intervals `wilson`, `by_player`, `by_game`: `low`, `high`, `clusters`), `players`
(`n` players who sent a labelled message, `lied` at least once, `share`, `wilson`, `by_game`) and `splits` (counts
per upstream file).

## Licence and attribution

The messages and labels are those of Peskov, Cheng, Elgohary, Barrow, Danescu-Niculescu-Mizil and Boyd-Graber
(2020), {src["repository"]}, licensed **CC BY 4.0** (https://creativecommons.org/licenses/by/4.0/).
This file is derived from them (counts, shares and intervals computed by twinbench; no text). Attribute the
authors and cite:

```
{CITATION}
```

## How it was computed

Every message of {", ".join(f"`{f}`" for f in src["files"])}
(the upstream train, validation and test files together; each line is one two-player conversation of one game).
While playing, the sender of each message said whether it was truthful or meant to deceive (`sender_labels`:
true = truthful, false = a lie); a **lie** here is a message its sender labelled false. The receiver's guess
(`receiver_labels`) is not used. A message is identified by its game and its position in the game
(`absolute_message_index`); none may occur twice. Messages whose sender label is neither true nor false are left
out and counted as unlabelled ({m["unlabelled"]} here). A **player** is one country in one game (one person played
one country per game).

- **Share of messages that were lies**: {m["lies"]} of {m["n"]} messages = **{_pct(m["share"])}**.
  {method["confidence"]:.0%} intervals:
  - Wilson {_ci(m["wilson"])} (`scorers.stats.proportions.wilson_interval`): treats messages as independent,
    which they are not (one player writes many, and a game's lies answer one another), so too narrow;
  - cluster bootstrap by player {_ci(m["by_player"])} ({m["by_player"]["clusters"]} players);
  - cluster bootstrap by game {_ci(m["by_game"])} ({m["by_game"]["clusters"]} games): the games are the
    independent units, so this is the interval to quote and the one the reference row carries.

  Both bootstraps are the expanded percentile interval of `scorers.stats.bootstrap.cluster_mean_ci`
  ({method["resamples"]} resamples, seed {method["seed"]}).
- **Share of players who lied at least once**: {p["lied"]} of the {p["n"]} players who sent a labelled message
  = **{_pct(p["share"])}**; Wilson {_ci(p["wilson"])}, cluster bootstrap by game {_ci(p["by_game"])}.

| upstream file | messages | lies | share | unlabelled |
|---|---|---|---|---|
{split_rows}

## Check against the paper

- Size. The paper's abstract reports {PAPER["messages"]:,} messages from {PAPER["games"]} games and
  {PAPER["players"]} players ({PAPER["games"]} games × 7 countries); this build reads
  {m["n"] + m["unlabelled"]:,} messages from {data["games"]} games, written by {p["n"]} players (a player who never
  sent a labelled message is not counted).
- Lie share. Lies are a small minority in the paper, about 5% of messages (the figure this reference was checked
  against); the share here is {_pct(m["share"])}. The paper's dataset table (lies per split) was not re-read when
  this card was written: the per-file counts above are there to check against it line by line.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diplomacy", type=Path, required=True, help=f"local copy of {REPO}")
    parser.add_argument(
        "--out",
        type=Path,
        default=checkout_dataset_dir("negotiation"),
        help="output folder (default datasets/negotiation)",
    )
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required outside a source checkout")
    try:
        data = build(args.diplomacy, args.out)
    except (HumanReferenceError, UpstreamError) as err:
        parser.exit(2, f"error: {err}\n")
    m = data["messages"]
    print(
        f"{m['lies']} lies in {m['n']} messages ({_pct(m['share'])}, by-game CI {_ci(m['by_game'])}) of "
        f"{data['games']} games; {data['players']['lied']} of {data['players']['n']} players lied at least once; "
        f"revision {data['source']['revision']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
