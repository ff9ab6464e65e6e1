"""Δ_Correct against Δ_Incorrect per domain (matplotlib), from a run's summarize() table.

``plot_deltas(samples, table=...)`` draws one run; ``run_plots(samples, summary)`` is the registry's per-run
leaderboard hook (it reads the run's summary, so the bootstrap is not run again for the figure).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.deference.summary import summarize  # noqa: E402


def plot_deltas(samples: pd.DataFrame, *, title: str | None = None, table: pd.DataFrame | None = None) -> Figure:
    """Scatter of Δ_Correct (x) vs Δ_Incorrect (y) per domain with 95% bootstrap CIs for ONE run.

    ``table`` is the run's summarize() table (computed from ``samples`` when not given). Points below the diagonal
    y = x have DDS > 0 (deference); above it, DDS < 0 (scepticism).
    """
    if table is None:
        table = summarize(samples)
    domains = table[(table["group"] != "overall") & (table["metric"] == "dds")]["group"].tolist()

    def row(metric: str, group: str) -> pd.Series:
        return table[(table["metric"] == metric) & (table["group"] == group)].iloc[0]

    fig = Figure(figsize=(6, 5.2))
    ax = fig.subplots()
    extent = [5.0]
    for domain in domains:
        x, y = row("delta_correct", domain), row("delta_incorrect", domain)
        ax.errorbar(
            x["value"], y["value"],
            xerr=[[x["value"] - x["ci_low"]], [x["ci_high"] - x["value"]]],
            yerr=[[y["value"] - y["ci_low"]], [y["ci_high"] - y["value"]]],
            fmt="o", capsize=2, alpha=0.8,
        )  # fmt: skip
        ax.annotate(domain, (x["value"], y["value"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        extent += [abs(v) * 1.1 for v in (x["ci_low"], x["ci_high"], y["ci_low"], y["ci_high"])]
    limit = min(max(extent), 100.0)
    ax.plot([-limit, limit], [-limit, limit], color="grey", linewidth=0.8, linestyle="--", label="DDS = 0")
    ax.axhline(0, color="lightgrey", linewidth=0.6)
    ax.axvline(0, color="lightgrey", linewidth=0.6)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_xlabel("Δ_Correct = Acc(C2_Correct) − Acc(C1_True)  [pp]")
    ax.set_ylabel("Δ_Incorrect = Acc(C2_Incorrect) − Acc(C1_False)  [pp]")
    overall = row("dds", "overall")
    ax.set_title(title or f"Dialogic deference per domain (overall DDS {overall['value']:+.1f} pp)", fontsize=10)
    ax.text(0.98, 0.02, "below the diagonal: deference", transform=ax.transAxes, ha="right", fontsize=8,
            color="grey")  # fmt: skip
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, Figure]:
    """Leaderboard hook (``run_plots``): the Δ_Correct vs Δ_Incorrect figure of one run, from its summary table."""
    return {"Δ_Correct vs Δ_Incorrect per domain": plot_deltas(samples, table=summary)}
