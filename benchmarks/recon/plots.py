"""Win rates of every strategy pair with Wilson 95% CIs (matplotlib), from a run's summarize() table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.recon.summary import OVERALL  # noqa: E402


def win_rate_figure(summary: pd.DataFrame, title: str | None = None) -> Figure:
    """One row per strategy pair: the overall win rate (dot) and its CI, each domain's win rate (small marks)."""
    rates = summary[summary["metric"].str.endswith("_win_rate")]
    pairs = list(dict.fromkeys(rates["metric"]))
    if not pairs:
        raise ValueError("recon plots: the summary has no win-rate rows")
    fig = Figure(figsize=(6.4, 0.55 * len(pairs) + 1.6))
    ax = fig.subplots()
    domains = sorted(g for g in rates["group"].unique() if g != OVERALL and "/" not in g)
    markers = dict(zip(domains, "^sDvP*"))
    for y, metric in enumerate(pairs):
        part = rates[rates["metric"] == metric]
        overall = part[part["group"] == OVERALL]
        if not overall.empty:
            r = overall.iloc[0]
            if pd.notna(r["value"]):
                low, high = (r["ci_low"], r["ci_high"]) if pd.notna(r["ci_low"]) else (r["value"], r["value"])
                # a CI bound equal to the value can differ from it by rounding: never a negative error bar
                xerr = [[max(0.0, r["value"] - low)], [max(0.0, high - r["value"])]]
                ax.errorbar(r["value"], y, xerr=xerr, fmt="o", color="#1f4e79", capsize=3)
                ax.annotate(
                    f"{r['value']:.2f} ({int(r['wins'])}-{int(r['losses'])}, {int(r['ties'])} ties)",
                    (r["value"], y),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=7,
                )
        for domain in domains:
            d = part[part["group"] == domain]
            if not d.empty and pd.notna(d.iloc[0]["value"]):
                ax.plot(d.iloc[0]["value"], y - 0.2, markers[domain], color="#999999", markersize=4, label=domain)
    ax.axvline(0.5, color="grey", linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(pairs)), [m.removesuffix("_win_rate").replace("_vs_", " vs ") for m in pairs])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.8, len(pairs) - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("win rate on held-out fidelity = wins / (wins + losses), Wilson 95% CI")
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), fontsize=7, loc="lower right")
    ax.set_title(title or "Recon: pairwise win rates of trace strategies", fontsize=10)
    fig.tight_layout()
    return fig


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, Figure]:
    """Registry ``run_plots`` hook: the win-rate figure of one run, read from its summary table."""
    return {"pairwise win rates with Wilson 95% CIs": win_rate_figure(summary)}
