"""Win rates of every strategy pair with Wilson 95% CIs (SVG, ``leaderboard.charts``), from a run's summarize()
table."""

from __future__ import annotations

import pandas as pd

from benchmarks.recon.summary import OVERALL
from leaderboard.charts import Chart

OVERALL_COLOR, DOMAIN_COLOR = "#1f4e79", "#999999"


def win_rate_figure(summary: pd.DataFrame, title: str | None = None) -> str:
    """One row per strategy pair: the overall win rate (dot) and its CI, each domain's win rate (small marks)."""
    rates = summary[summary["metric"].str.endswith("_win_rate")]
    pairs = list(dict.fromkeys(rates["metric"]))
    if not pairs:
        raise ValueError("recon plots: the summary has no win-rate rows")
    domains = sorted(g for g in rates["group"].unique() if g != OVERALL and "/" not in g)
    markers = dict(zip(domains, "^sDv"))
    row_h = 40
    chart = Chart(620, row_h * len(pairs) + 95)
    # y grows downward row by row: row k is drawn at y = -k
    ax = chart.panel(150, 40, 440, row_h * len(pairs), (-0.04, 1.04), (-len(pairs) + 0.5, 0.5))  # 0 and 1 unclipped
    ax.vline(0.5, color="grey", dash="5 4")
    for k, metric in enumerate(pairs):
        part = rates[rates["metric"] == metric]
        for domain in domains:
            d = part[part["group"] == domain]
            if not d.empty and pd.notna(d.iloc[0]["value"]):
                ax.point(float(d.iloc[0]["value"]), -k - 0.22, DOMAIN_COLOR, markers.get(domain, "s"), size=3)
        overall = part[part["group"] == OVERALL]
        if overall.empty:
            continue
        r = overall.iloc[0]
        if pd.isna(r["value"]):  # every item a tie: no win rate, say so on its row
            ax.text(0.5, -k, f"no wins or losses ({int(r['ties'])} ties)", dy=4, anchor="middle", size=10)
            continue
        ax.errorbar(float(r["value"]), -k, OVERALL_COLOR, x_ci=(float(r["ci_low"]), float(r["ci_high"])))
        ax.text(float(r["value"]), -k, f"{r['value']:.2f} ({int(r['wins'])}-{int(r['losses'])}, {int(r['ties'])} "
                "ties)", dy=-8, anchor="middle", size=10)  # fmt: skip
    ax.axes(
        xticks=[0, 0.2, 0.4, 0.6, 0.8, 1],
        yticks=[-k for k in range(len(pairs))],
        ylabels=[m.removesuffix("_win_rate").replace("_vs_", " vs ") for m in pairs],
        xlabel="win rate on held-out fidelity = wins / (wins + losses), Wilson 95% CI",
        title=title or "Recon: pairwise win rates of trace strategies",
    )
    ax.legend([(domain, markers.get(domain, "s"), DOMAIN_COLOR) for domain in domains], corner="lower right")
    return chart.svg()


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, str]:
    """Registry ``run_plots`` hook: the win-rate figure of one run, read from its summary table."""
    return {"pairwise win rates with Wilson 95% CIs": win_rate_figure(summary)}
