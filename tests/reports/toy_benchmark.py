"""The one toy benchmark of the tests: doubling questions, exact-match scored, with two optional model roles.

* the main model (``--model``) answers "What is i + i?";
* ``--model-role opponent=...``: another model answers the same question; the score gains ``opponent_correct`` and
  ``win`` (1 when the main model is right and the opponent is not);
* ``--model-role judge=...``: a model says whether each answer is right ("yes"/"no") instead of an exact match.

``summarize`` gives accuracy and invalid rate per run (overall, and per parity), plus ``win`` and
``opponent_correct`` for runs with an opponent; ``summarize_runs`` the win-rate matrix of every (model, opponent)
pair across runs, and each model's win rate against all its opponents pooled. Registered for tests through a
patched entry-point list (the ``registered`` and ``toy_only`` fixtures of ``tests/conftest.py``), so the code
under test reads it through the real registry; ``test_cli`` and ``test_registry`` use it too.
"""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import get_model, model_roles
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver

from reports.logs import role_models
from scorers.stats.proportions import wilson_interval
from twinbench.registry import BenchmarkInfo, Direction, HeadlineMetric

JUDGE_PROMPT = "Question: {question}\nAnswer: {answer}\nIs the answer correct? Reply yes or no."


def question(i: int) -> Sample:
    return Sample(
        id=f"q{i}",
        input=f"What is {i} + {i}? Answer with a number.",
        target=str(2 * i),
        metadata={"parity": "even" if i % 2 == 0 else "odd"},
    )


def number(text: str) -> str | None:
    found = re.search(r"-?\d+", text)
    return found.group() if found else None


@solver
def answer_and_oppose():
    """The main model answers; a bound ``opponent`` role answers the same question (kept in the store)."""

    async def solve(state: TaskState, generate_: Generate) -> TaskState:
        state = await generate_(state)
        if "opponent" in model_roles():
            reply = await get_model(role="opponent").generate(state.input_text)
            state.store.set("opponent_answer", reply.completion)
        return state

    return solve


async def judged(answer: str | None, question_text: str, target: str) -> float:
    """1.0 when the answer is right: the ``judge`` role's yes/no where bound, else an exact match."""
    if answer is None:
        return 0.0
    if "judge" in model_roles():
        verdict = await get_model(role="judge").generate(JUDGE_PROMPT.format(question=question_text, answer=answer))
        return float(verdict.completion.strip().lower().startswith("yes"))
    return float(answer == target)


@scorer(metrics={"correct": [mean()], "invalid": [mean()]})
def doubling_scorer():
    async def score(state: TaskState, target: Target) -> Score:
        found = number(state.output.completion)
        value = {"correct": await judged(found, state.input_text, target.text), "invalid": float(found is None)}
        opponent = state.store.get("opponent_answer")
        if opponent is not None:
            value["opponent_correct"] = await judged(number(opponent), state.input_text, target.text)
            value["win"] = float(value["correct"] > value["opponent_correct"])
        return Score(value=value, answer=found if found is not None else state.output.completion)

    return score


@task
def toy_quiz(n: int = 10, version: int = 1) -> Task:
    return Task(
        dataset=[question(i) for i in range(n)], solver=answer_and_oppose(), scorer=doubling_scorer(), version=version
    )


def proportion_row(metric: str, values: pd.Series, group: str) -> dict[str, object]:
    k, n = int(values.sum()), len(values)
    low, high = wilson_interval(k, n)
    return {"metric": metric, "value": k / n, "ci_low": low, "ci_high": high, "n": n, "group": group}


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    scores = pd.DataFrame(list(samples["score"]))
    parity = samples["metadata"].map(lambda m: m["parity"])
    for group, mask in [("overall", pd.Series(True, index=samples.index))] + [
        (p, parity == p) for p in sorted(parity.unique())
    ]:
        part = scores[mask.to_numpy()]
        for metric in ("correct", "invalid"):
            rows.append(proportion_row(metric, part[metric], group))
    for metric in ("win", "opponent_correct"):  # runs with an opponent
        if metric in scores and scores[metric].notna().all():
            rows.append(proportion_row(metric, scores[metric], "overall"))
    return pd.DataFrame(rows)


def summarize_runs(samples: pd.DataFrame) -> pd.DataFrame:
    """Win rates across runs: one row per (model, opponent) run, and per model against all its opponents pooled.
    Runs are compared only within one task version, task arguments and judge (the scope)."""
    rows = []
    samples = samples.assign(
        opponent=samples["model_roles"].map(lambda r: role_models(r).get("opponent")),
        judge=samples["model_roles"].map(lambda r: role_models(r).get("judge") or ""),
        win=samples["score"].map(lambda s: s.get("win")),
    )
    dueled = samples[samples["opponent"].notna()]
    for (task_name, version, args, judge), part in dueled.groupby(["task", "task_version", "task_args", "judge"],
                                                                  sort=True):  # fmt: skip
        runs = part.groupby(["model", "opponent"], sort=True)
        scope = f"{task_name} v{version} n={json.loads(args).get('n')}" + (f" judge={judge}" if judge else "")
        scope += f": {runs.ngroups} run(s) with an opponent"
        for (model, opponent), run in runs:
            rows.append({**proportion_row("win_rate", run["win"], f"{model} vs {opponent}"), "scope": scope})
        for model, pooled in part.groupby("model", sort=True):
            opponents = pooled["opponent"].nunique()
            rows.append({**proportion_row("win_rate", pooled["win"], f"{model} vs all ({opponents})"), "scope": scope})
    return pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high", "n", "group", "scope"])


def units(samples: pd.DataFrame) -> pd.DataFrame:
    """One unit per (question, epoch); a question's epochs form a cluster; strata by parity."""
    scores = pd.DataFrame(list(samples["score"]), index=samples.index)
    return pd.DataFrame(
        {
            "unit": samples["sample_id"].astype(str) + "#" + samples["epoch"].astype(str),
            "cluster": samples["sample_id"].astype(str),
            "stratum": samples["metadata"].map(lambda m: m["parity"]),
            "correct": scores["correct"].astype(float),
            "invalid": scores["invalid"].astype(float),
        }
    ).reset_index(drop=True)


def headline_from_units(units: pd.DataFrame) -> dict[str, float]:
    return {"correct": float(units["correct"].mean()), "invalid": float(units["invalid"].mean())}


def plots(samples: pd.DataFrame) -> dict[str, object]:
    accuracy = samples.groupby("model")["score"].apply(lambda s: sum(v["correct"] for v in s) / len(s))
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(range(len(accuracy)), accuracy.to_numpy())
    ax.set_xticks(range(len(accuracy)), [str(m) for m in accuracy.index], rotation=30)
    ax.set_ylabel("accuracy")
    return {"Accuracy by model": fig}


INFO = BenchmarkInfo(
    name="toy",
    title="Toy doubling quiz <b>not bold</b>",
    paper="test fixture",
    version="1",
    tasks=(toy_quiz,),
    headline=(
        HeadlineMetric("correct", "Accuracy", Direction.HIGHER, kind="proportion"),
        HeadlineMetric("invalid", "Invalid rate", Direction.LOWER, kind="proportion"),
    ),
    summarize=summarize,
    plots=plots,
    units=units,
    headline_from_units=headline_from_units,
    summarize_runs=summarize_runs,
    roles=("opponent", "judge"),
)

NOT_INFO = {"name": "toy"}  # an entry point that is not a BenchmarkInfo (test_registry)
