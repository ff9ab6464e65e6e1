"""Model vs human answer distributions for the most misaligned items (matplotlib, SVG)."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.survey.summary import unit_table  # noqa: E402


def distribution_figure(samples: pd.DataFrame, top: int = 6, summary: pd.DataFrame | None = None):
    """Figure of grouped bars (human vs model share per option, plus the model's invalid share) for the ``top``
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
    nrows = int(np.ceil(len(worst) / cols))
    # Fixed margins in inches (no tight layout: measuring every tick label cost more than the rest of the figure).
    width, height = 4.6 * cols, 3.6 * nrows
    fig, axes = plt.subplots(
        nrows,
        cols,
        figsize=(width, height),
        squeeze=False,
        gridspec_kw={
            "left": 0.5 / width,
            "right": 1 - 0.15 / width,
            "bottom": 1.0 / height,
            "top": 1 - 0.55 / height,
            "hspace": 1.55 / 2.05,
            "wspace": 0.55 / 4.0,
        },
    )
    for ax, (_, row) in zip(axes.flat, worst.iterrows()):
        labels = [textwrap.shorten(o, 14, placeholder="...") for o in row["options"]] + ["invalid"]
        model_full = [*(np.asarray(row["model_shares"]) * (1 - row["invalid_share"])), row["invalid_share"]]
        human = [*row["human_shares"], 0.0]
        x = np.arange(len(labels))
        ax.bar(x - 0.2, human, 0.4, label=f"human (n={row['human_n']})", color="#4c72b0")
        ax.bar(x + 0.2, model_full, 0.4, label=f"model ({row['mode']})", color="#dd8452")
        ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
        ax.set_ylim(0, 1)
        p = row["p_adjusted"]
        ax.set_title(
            f"{row['question_id']}\n{row['subpop']}: rep {row['representativeness']:.2f}"
            + ("" if np.isnan(p) else f", BH p {p:.2g}"),
            fontsize=8,
        )
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(worst) :]:
        ax.axis("off")
    return fig


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """Registry ``run_plots`` hook: the figure of ONE run (the leaderboard draws and caches it per run). The
    summary names the least representative items and their adjusted p-values; their shares are computed again."""
    return {"model vs human answer distributions, most misaligned items": distribution_figure(samples, summary=summary)}
