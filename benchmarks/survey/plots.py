"""Model vs human answer distributions for the least representative items (SVG, ``leaderboard.charts``)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from benchmarks.survey.summary import unit_table
from leaderboard.charts import Chart

HUMAN, MODEL = "#4c72b0", "#dd8452"


def distribution_figure(samples: pd.DataFrame, top: int = 6, summary: pd.DataFrame | None = None) -> str:
    """SVG of grouped bars (human vs model share per option, plus the model's invalid share) for the ``top``
    (question, sub-population) items with the lowest representativeness, from ONE run's samples frame.

    With the run's ``summary`` (its least representative "item" rows, BH-adjusted p-values included) only those
    items' statistics are computed again, not every item's (the leaderboard draws a figure per run)."""
    table = None
    if summary is not None and "table" in summary.columns:
        items = summary[summary["table"] == "item"].sort_values("rank").head(top)
        if not items.empty:
            table = unit_table(samples[samples["sample_id"].isin(items["group"])])
            table["p_adjusted"] = table["sample_id"].map(dict(zip(items["group"], items["p_adjusted"])))
    if table is None:
        table = unit_table(samples)
    worst = table[table["conditioned"]].head(top)
    if worst.empty:
        raise ValueError("survey plots: no (question, sub-population) items to plot")
    cols = min(3, len(worst))
    cell_w, cell_h = 340, 290  # each panel's cell: title above, slanted option labels below
    chart = Chart(cell_w * cols, cell_h * int(np.ceil(len(worst) / cols)))
    for k, (_, row) in enumerate(worst.iterrows()):
        left, top = cell_w * (k % cols), cell_h * (k // cols)
        labels = [textwrap.shorten(o, 14, placeholder="...") for o in row["options"]] + ["invalid"]
        model_full = [*(np.asarray(row["model_shares"]) * (1 - row["invalid_share"])), row["invalid_share"]]
        human = [*row["human_shares"], 0.0]
        ax = chart.panel(left + 45, top + 42, cell_w - 60, cell_h - 125, (-0.6, len(labels) - 0.4), (0, 1))
        for i, (h, m) in enumerate(zip(human, model_full)):
            ax.bar(i - 0.2, 0.4, float(h), HUMAN)
            ax.bar(i + 0.2, 0.4, float(m), MODEL)
        p = row["p_adjusted"]
        ax.axes(
            xticks=range(len(labels)),
            xlabels=labels,
            rotate_x=True,
            yticks=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
            title=f"{row['question_id']}\n{row['subpop']}: rep {row['representativeness']:.2f}"
            + ("" if np.isnan(p) else f", BH p {p:.2g}"),
        )
        ax.legend([(f"human (n={row['human_n']})", "bar", HUMAN), (f"model ({row['mode']})", "bar", MODEL)],
                  corner="upper right")  # fmt: skip
    return chart.svg()


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, str]:
    """Registry ``run_plots`` hook: the figure of ONE run (the leaderboard draws and caches it per run). The
    summary names the least representative items and their adjusted p-values; their shares are computed again."""
    return {
        "model vs human answer distributions, least representative items": distribution_figure(samples, summary=summary)
    }
