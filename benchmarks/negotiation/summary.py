"""Negotiation's headline table (registry ``summarize``) and its comparison of runs (``summarize_runs``).

Every number pools seats (one seat of one game = one seat-game) by summing numerators and denominators
(:mod:`benchmarks.negotiation.metrics`). ``group == "overall"`` rows are the model under test's seats; one group per
model or bot (``model mock/a``, ``bot:greedy``) gives the same numbers for every player; ``player_N (...)`` rows are
the Plackett–Luce strengths of the lineup's players.

Intervals: the win rate gets the Wilson interval of games won over games (divided by the group's seats per game;
:func:`win_interval`); any other share of decisions made in games (accepted offers, kept obligations, betrayed
deals, invalid moves) gets the Wilson interval at Kish's effective number of games (``scorers.stats.contingency.
clustered_share_interval``: the plain Wilson interval when each game holds one decision, wider when a game holds
several, which may be all-or-nothing); means per game (terms per proposal, tokens per game) the expanded percentile
cluster bootstrap over games. Plackett–Luce strengths (``scorers.stats.rankings``) over the games' final rankings
have expanded percentile bootstrap intervals over games. The targeted-prompting effect on the win rate is tested
with the two-sided Fisher exact test (``scorers.stats.proportions.two_proportion_test``) of the two arms' seat-games,
within a run (``targeted=alternate``) and between runs that differ only in ``targeted`` (``summarize_runs``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from scorers.stats.bootstrap import cluster_ratio_ci
from scorers.stats.contingency import clustered_share_interval
from scorers.stats.proportions import two_proportion_test, wilson_interval
from scorers.stats.rankings import plackett_luce_ci
from scorers.summary_rows import summary_row

# metric -> (numerator, denominator) of seat counts: shares of decisions
SHARES = {
    "win_rate": ("first", "seat_games"),
    "objective_win_rate": ("objective_win", "seat_games"),
    "acceptance_without_counteroffer": ("accepted", "offers_answered"),
    "counteroffer_rate": ("countered", "offers_answered"),
    "reliability": ("obligations_kept", "obligations"),
    "betrayal_rate": ("deals_betrayed", "deals_bound"),
    "invalid_move_rate": ("invalid", "moves"),
}
WINS = ("win_rate", "objective_win_rate")  # at most one win per game
# metric -> (numerator, denominator): means, per proposal or per game
MEANS = {"terms_per_deal": ("terms_proposed", "proposals"), "tokens_per_game": ("tokens", "seat_games")}
FISHER = "Fisher exact, two-sided"
BOOT_RESAMPLES = 1000
PL_RESAMPLES = 400  # each resample refits choix (about 10 ms): 4 s a run


def seat_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per seat of each scored game: its counts and who played it (``score_metadata["seats"]``)."""
    rows = []
    for sample in samples.to_dict("records"):
        meta = sample["score_metadata"] or {}
        for seat in meta.get("seats", []):
            rows.append({"sample_id": str(sample["sample_id"]), "epoch": int(sample["epoch"]), **seat, "seat_games": 1})
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["game_key"] = frame["sample_id"] + "#" + frame["epoch"].astype(str)
    return frame


def group_name(row: dict[str, Any]) -> str:
    return str(row["model"]) if str(row["model"]).startswith("bot:") else f"model {row['model']}"


def win_interval(wins: np.ndarray, seats: np.ndarray) -> tuple[float, float]:
    """CI of a win rate per seat-game from each game's wins and seats of the group. One game has one winner, so the
    group wins a game or not: with the same k seats in every game, the Wilson interval of games won over games,
    divided by k; with varying seats, the Wilson interval at Kish's effective number of games (conservative)."""
    wins, seats = np.asarray(wins, dtype=float), np.asarray(seats, dtype=float)
    if seats.size == 0 or seats.sum() == 0:
        return math.nan, math.nan
    if np.all(seats == seats[0]):
        low, high = wilson_interval(int(wins.sum()), int(seats.size))
        return low / seats[0], high / seats[0]
    return clustered_share_interval(float(wins.sum() / seats.sum()), seats)


def share_row(seats: pd.DataFrame, metric: str, group: str, **extra: Any) -> dict[str, Any]:
    num, den = SHARES[metric]
    per_game = seats.groupby("game_key")[[num, den]].sum()
    per_game = per_game[per_game[den] > 0]
    total, count = float(per_game[num].sum()), int(per_game[den].sum())
    value = total / count if count else math.nan
    if metric in WINS:
        low, high = win_interval(per_game[num].to_numpy(), per_game[den].to_numpy())
    else:
        low, high = clustered_share_interval(value, per_game[den].to_numpy()) if count else (math.nan, math.nan)
    return summary_row(metric, value, low, high, count, group, numerator=total, games=int(len(per_game)), **extra)


def mean_row(seats: pd.DataFrame, metric: str, group: str) -> dict[str, Any]:
    num, den = MEANS[metric]
    per_game = seats.groupby("game_key")[[num, den]].sum()
    per_game = per_game[per_game[den] > 0]
    if per_game.empty:
        return summary_row(metric, math.nan, math.nan, math.nan, 0, group, games=0)
    if metric == "tokens_per_game":  # per game, whatever the number of the group's seats in it
        x, y = per_game[num].to_numpy(dtype=float), np.ones(len(per_game))
    else:
        x, y = per_game[num].to_numpy(dtype=float), per_game[den].to_numpy(dtype=float)
    ci = cluster_ratio_ci(x, y, per_game.index.to_numpy(), n_resamples=BOOT_RESAMPLES, expanded=True)
    return summary_row(metric, ci.estimate, ci.low, ci.high, int(y.sum()), group, games=int(len(per_game)))


def group_rows(seats: pd.DataFrame, group: str) -> list[dict[str, Any]]:
    rows = [share_row(seats, m, group) for m in SHARES]
    rows += [mean_row(seats, m, group) for m in MEANS]
    rows.append(
        summary_row("games", seats["game_key"].nunique(), math.nan, math.nan, seats["game_key"].nunique(), group)
    )
    return rows


def intervention_row(targeted: pd.DataFrame, plain: pd.DataFrame, group: str, **extra: Any) -> dict[str, Any]:
    """Win rate with targeted prompting minus without, with the Fisher exact test of the two arms' seat-games."""
    wins_t, n_t = int(targeted["first"].sum()), int(len(targeted))
    wins_p, n_p = int(plain["first"].sum()), int(len(plain))
    change = wins_t / n_t - wins_p / n_p if n_t and n_p else math.nan
    p_value = two_proportion_test(wins_t, n_t, wins_p, n_p)
    return summary_row("targeted_win_rate_change", change, math.nan, math.nan, n_t + n_p, group, p_value=p_value,
                       test=FISHER, wins_targeted=wins_t, n_targeted=n_t, wins_plain=wins_p, n_plain=n_p,
                       **extra)  # fmt: skip


def strength_rows(seats: pd.DataFrame) -> list[dict[str, Any]]:
    """Plackett–Luce strengths of the lineup's players from each game's final ranking."""
    players = sorted(seats["player"].unique())
    index = {p: i for i, p in enumerate(players)}
    rankings = [
        [index[p] for p in game.sort_values("rank")["player"]] for _, game in seats.groupby("game_key", sort=True)
    ]
    if len(players) < 2:
        return []
    fit = plackett_luce_ci(rankings, len(players), n_resamples=PL_RESAMPLES)
    names = seats.drop_duplicates("player").set_index("player")["model"]
    return [
        summary_row("pl_strength", fit.estimate[i], fit.low[i], fit.high[i], fit.n_items, f"{p} ({names[p]})")
        for p, i in index.items()
    ]


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    seats = seat_frame(samples)
    if seats.empty:
        return pd.DataFrame([summary_row("games", 0, math.nan, math.nan, 0, "overall")])
    main = seats[seats["main"].astype(bool)]
    rows = group_rows(main, "overall") if not main.empty else []
    rows.append(summary_row("main_seat_share", len(main) / len(seats), math.nan, math.nan, len(seats), "overall"))
    for name, part in seats.groupby(seats.apply(group_name, axis=1), sort=True):
        rows += group_rows(part, str(name))
    rows += strength_rows(seats)
    arms = main.groupby(main["targeted"].astype(bool))
    if not main.empty and arms.ngroups == 2:
        targeted, plain = arms.get_group(True), arms.get_group(False)
        rows.append(share_row(targeted, "win_rate", "targeted"))
        rows.append(share_row(plain, "win_rate", "untargeted"))
        rows.append(intervention_row(targeted, plain, "overall"))
    return pd.DataFrame(rows)


def summarize_runs(samples: pd.DataFrame) -> pd.DataFrame:
    """The targeted-prompting effect between runs that differ only in ``targeted`` (``on`` against ``off``): the
    model under test's win rate, Fisher exact test over the two runs' seat-games."""
    if samples.empty:
        return pd.DataFrame()
    rows = []
    frame = samples.copy()
    args = frame["task_args"].map(json.loads)
    frame["arm"] = args.map(lambda a: a.get("targeted", "off"))
    frame["rest"] = args.map(lambda a: json.dumps({k: v for k, v in a.items() if k != "targeted"}, sort_keys=True))
    keys = ["task", "task_version", "model", "model_roles", "rest"]
    for key, part in frame.groupby(keys, sort=True):
        arms = {arm: seat_frame(p) for arm, p in part.groupby("arm")}
        if "on" not in arms or "off" not in arms:
            continue
        on, off = (arms[a][arms[a]["main"].astype(bool)] for a in ("on", "off"))
        if on.empty or off.empty:
            continue
        scope = f"{key[0]} v{key[1]}: {key[2]}, targeted on vs off"
        rows.append(intervention_row(on, off, str(key[2]), scope=scope))
    return pd.DataFrame(rows)
