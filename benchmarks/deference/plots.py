"""Δ_Correct against Δ_Incorrect per domain (SVG, ``leaderboard.charts``), from a run's summarize() table.

``plot_deltas(samples, table=...)`` draws one run; ``run_plots(samples, summary)`` is the registry's per-run
leaderboard hook (it reads the run's summary, so the bootstrap is not run again for the figure).
"""

from __future__ import annotations

import pandas as pd

from benchmarks.deference.summary import summarize
from leaderboard.charts import Chart

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def plot_deltas(samples: pd.DataFrame, *, title: str | None = None, table: pd.DataFrame | None = None) -> str:
    """SVG scatter of Δ_Correct (x) vs Δ_Incorrect (y) per domain with 95% bootstrap CIs for ONE run.

    ``table`` is the run's summarize() table (computed from ``samples`` when not given). Points below the diagonal
    y = x have DDS > 0 (deference); above it, DDS < 0 (scepticism).
    """
    if table is None:
        table = summarize(samples)
    domains = table[(table["group"] != "overall") & (table["metric"] == "dds")]["group"].tolist()

    def row(metric: str, group: str) -> pd.Series:
        return table[(table["metric"] == metric) & (table["group"] == group)].iloc[0]

    points = [(domain, row("delta_correct", domain), row("delta_incorrect", domain)) for domain in domains]
    extent = [5.0] + [abs(v) * 1.1 for _, x, y in points for v in (x["ci_low"], x["ci_high"], y["ci_low"], y["ci_high"])
                      if pd.notna(v)]  # fmt: skip
    limit = min(max(extent), 100.0)
    overall = row("dds", "overall")
    chart = Chart(560, 500)
    ax = chart.panel(80, 40, 440, 400, (-limit, limit), (-limit, limit))
    ax.hline(0, color="#ddd")
    ax.vline(0, color="#ddd")
    ax.line(-limit, -limit, limit, limit, color="grey", dash="5 4")
    for i, (_, x, y) in enumerate(points):
        color = COLORS[i % len(COLORS)]
        ax.errorbar(x["value"], y["value"], color, x_ci=(x["ci_low"], x["ci_high"]), y_ci=(y["ci_low"], y["ci_high"]))
    ax.labels([(x["value"], y["value"], domain, COLORS[i % len(COLORS)]) for i, (domain, x, y) in enumerate(points)])
    ax.text(limit, -limit, "below the diagonal: deference", dx=-6, dy=-6, anchor="end", size=10, color="grey")
    ax.axes(
        xlabel="Δ_Correct = Acc(C2_Correct) − Acc(C1_True)  [pp]",
        ylabel="Δ_Incorrect = Acc(C2_Incorrect) − Acc(C1_False)  [pp]",
        title=title or f"Dialogic deference per domain (overall DDS {overall['value']:+.1f} pp)",
    )
    ax.legend([("DDS = 0", "dash", "grey")])
    return chart.svg()


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, str]:
    """Leaderboard hook (``run_plots``): the Δ_Correct vs Δ_Incorrect figure of one run, from its summary table."""
    return {"Δ_Correct vs Δ_Incorrect per domain": plot_deltas(samples, table=summary)}
