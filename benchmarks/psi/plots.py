"""PSI's figures of one run (SVG, ``leaderboard.charts``): words per patient turn and mean VADER valence by turn
index, simulated patients against their matched real seekers. The curves are ``diagnostics.by_turn_index`` of the
per-conversation diagnostics in the score metadata (PSI-Bench's per-index means), the numbers the summary's
``words_per_turn`` and ``valence`` rows average."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from benchmarks.psi.diagnostics import by_turn_index
from benchmarks.psi.summary import first_epoch
from leaderboard.charts import Chart, nice_ticks

SIM_COLOR, REAL_COLOR = "#1f4e79", "#c0504d"


def curves(samples: pd.DataFrame, key: str) -> tuple[dict[int, float], dict[int, float], int]:
    """(simulated, real) per-turn-index means of the per-turn diagnostic ``key`` (``words`` or ``valence``)."""
    meta = list(first_epoch(samples)["score_metadata"])
    sim = by_turn_index(m["simulated"]["diagnostics"][key] for m in meta)
    real = by_turn_index(m["real"]["diagnostics"][key] for m in meta)
    return sim, real, len(meta)


def curve_figure(sim: Mapping[int, float], real: Mapping[int, float], ylabel: str, title: str,
                 ylim: tuple[float, float] | None = None) -> str:  # fmt: skip
    values = [*sim.values(), *real.values()]
    if not values:
        raise ValueError("psi plots: no patient turns to draw")
    turns = max([*sim, *real]) + 1
    if ylim is None:
        ticks = nice_ticks(0.0, max(values) * 1.1 or 1.0)
        ylim = (ticks[0], ticks[-1])
    else:
        ticks = nice_ticks(*ylim)
    chart = Chart(620, 360)
    ax = chart.panel(70, 40, 510, 250, (-0.5, turns - 0.5), ylim)
    if ylim[0] < 0 < ylim[1]:
        ax.hline(0.0, color="grey", dash="5 4")
    for series, color, marker in ((real, REAL_COLOR, "s"), (sim, SIM_COLOR, "o")):
        points = sorted(series.items())
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            ax.line(x0, y0, x1, y1, color=color, width=1.5)
        for x, y in points:
            if not math.isnan(y):
                ax.point(x, y, color, marker)
    ax.axes(xticks=list(range(turns)), yticks=ticks, xlabel="patient turn index (0-based)", ylabel=ylabel,
            title=title)  # fmt: skip
    ax.legend([("simulated patient", "o", SIM_COLOR), ("matched real seeker", "s", REAL_COLOR)], corner="upper right")
    return chart.svg()


def run_plots(samples: pd.DataFrame, summary: pd.DataFrame) -> dict[str, str]:
    """Registry ``run_plots`` hook: per-turn length and valence, simulated vs real."""
    sim, real, n = curves(samples, "words")
    words = curve_figure(sim, real, "words per turn", f"Words per patient turn by turn index ({n} conversations)")
    sim, real, n = curves(samples, "valence")
    valence = curve_figure(sim, real, "mean VADER compound", f"Valence by turn index ({n} conversations)", (-1.0, 1.0))
    return {
        "words per patient turn by turn index, simulated vs real": words,
        "mean VADER valence by turn index, simulated vs real": valence,
    }
