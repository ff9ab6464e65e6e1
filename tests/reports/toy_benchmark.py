"""A small benchmark used only by the report/leaderboard/regress tests: doubling questions, exact-match scored.

Registered for tests through a patched entry-point list (see ``registered`` in the conftest files), so the code under
test reads it through the real registry.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import TaskState, generate
from statsmodels.stats.proportion import proportion_confint

from twinbench.registry import BenchmarkInfo, HeadlineMetric


def question(i: int) -> Sample:
    return Sample(
        id=f"q{i}", input=f"What is {i} + {i}? Answer with a number.", target=str(2 * i),
        metadata={"parity": "even" if i % 2 == 0 else "odd"},
    )


@scorer(metrics={"correct": [mean()], "invalid": [mean()]})
def doubling_scorer():
    async def score(state: TaskState, target: Target) -> Score:
        found = re.search(r"-?\d+", state.output.completion)
        if found is None:
            return Score(value={"correct": 0.0, "invalid": 1.0}, answer=state.output.completion)
        return Score(value={"correct": float(found.group() == target.text), "invalid": 0.0}, answer=found.group())

    return score


@task
def toy_quiz(n: int = 10, version: int = 1) -> Task:
    return Task(dataset=[question(i) for i in range(n)], solver=generate(), scorer=doubling_scorer(), version=version)


def wilson(successes: int, n: int) -> tuple[float, float]:
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    rows = []
    scores = pd.DataFrame(list(samples["score"]))
    parity = samples["metadata"].map(lambda m: m["parity"])
    for group, mask in [("overall", pd.Series(True, index=samples.index))] + [
        (p, parity == p) for p in sorted(parity.unique())
    ]:
        part = scores[mask.to_numpy()]
        for metric in ("correct", "invalid"):
            k, n = int(part[metric].sum()), len(part)
            low, high = wilson(k, n)
            rows.append({"metric": metric, "value": k / n, "ci_low": low, "ci_high": high, "n": n, "group": group})
    return pd.DataFrame(rows)


def units(samples: pd.DataFrame) -> pd.DataFrame:
    """One unit per (question, epoch); a question's epochs form a cluster; strata by parity."""
    scores = pd.DataFrame(list(samples["score"]), index=samples.index)
    return pd.DataFrame({
        "unit": samples["sample_id"].astype(str) + "#" + samples["epoch"].astype(str),
        "cluster": samples["sample_id"].astype(str),
        "stratum": samples["metadata"].map(lambda m: m["parity"]),
        "correct": scores["correct"].astype(float),
        "invalid": scores["invalid"].astype(float),
    }).reset_index(drop=True)


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
        HeadlineMetric("correct", "Accuracy", "higher", kind="proportion"),
        HeadlineMetric("invalid", "Invalid rate", "lower", kind="proportion"),
    ),
    summarize=summarize,
    plots=plots,
    units=units,
    headline_from_units=headline_from_units,
)
