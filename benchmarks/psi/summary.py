"""The registry's summarize(): one run's simulated conversations -> PSI's table, against their real counterparts.

Every statistic is computed the way ``benchmarks.psi.diagnostics`` computes it (``summarize_population`` and the
fidelity formulas), here as weighted sums over conversations so that one bootstrap resample is one weight vector:
the draw counts of ``scorers.stats.bootstrap.cluster_draws`` over the matched (simulated, real) pairs. A resample
draws pairs, so the simulated and the real side move together and a fidelity score's interval is paired. Intervals:
the expanded percentile interval (``percentile_interval`` with n = conversations; NaN under 2).

Rows (``group`` is ``overall``):

* ``<d>`` (simulated patient), ``real_<d>`` (the matched real seekers, first ``max_turns`` turns) and
  ``<d>_difference`` (simulated − real, bootstrap CI; ``p_value`` of a paired test on the per-conversation values:
  Wilcoxon signed-rank, exact McNemar for the 0/1 diagnostics) for every diagnostic in :data:`DIAGNOSTICS`.
* ``sd_<d>``, ``real_sd_<d>``, ``sd_ratio_<d>``: the population spread (SD across conversations of the
  per-conversation value) and its ratio simulated / real (bootstrap CI; PSI-Bench finds simulators less variable).
* ``verbosity_score``, ``marker_score``, ``valence_score``, ``mtld_score`` (with ``mtld_wasserstein``) and
  ``aggregate_fidelity``: PSI-Bench's fidelity formulas, 0-100, against the matched real conversations. Their
  intervals are NOT calibrated at small n (the scores are biased low; :data:`FIDELITY_CI_CAVEAT`, in each row's
  note, gives the measured coverage): read them against the references' ceiling and floor at the same n.
* With the PTC judge (``-T judge=true``) only: ``ptc_score`` (``label_js_score`` of the judge's P/T/C labels, F and
  invalid replies dropped), in the aggregate; ``ptc_invalid``, ``real_ptc_invalid`` and ``judge_invalid``
  (judge replies that could not be read, of n judged turns). The aggregate's note names the scores it averaged
  when one is undefined (MTLD without a conversation of 100+ tokens on a side, PTC without a P/T/C label on both).
* ``distinct_1``, ``distinct_2`` (and ``real_``): over all patient turns, no CI (a resample repeats conversations,
  whose repeated n-grams would count against the statistic).
* ``invalid_turn_share`` (bootstrap CI), ``invalid_turns`` (count, n = patient turns), ``distinct_turn_share``
  (unique valid patient turns / valid turns), ``stopped_<reason>`` (conversations).
* With the model therapist only: ``therapist_errors`` (failed therapist turns, n = therapist calls). With the judge
  also ``judge_distinct_labels`` (different labels over both sides' valid labels; 1 is a constant judge).

``n`` is the number of units a row's statistic is computed over: for a comparison of the two sides (a difference,
an SD ratio, the MTLD distance and score) the conversations with a defined value on either side (MTLD: 100+ tokens),
0 when the statistic is undefined; an undefined value has no interval.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

from benchmarks.psi.diagnostics import MARKER_CATEGORIES, MAX_TURNS, distinct_n
from benchmarks.psi.judge import PTC_SCORED
from scorers.stats.bootstrap import cluster_draws, percentile_interval
from scorers.stats.paired import mcnemar_exact, wilcoxon_signed_rank
from scorers.stats.settings import CI_LABEL, SEED
from scorers.summary_rows import summary_row

OVERALL = "overall"
N_RESAMPLES = 2000
WILCOXON = "Wilcoxon signed-rank on per-conversation values, simulated vs its real counterpart"
MCNEMAR = "exact McNemar on the per-conversation 0/1 values, simulated vs its real counterpart"
# The fidelity scores' intervals, measured (calibration.py; README "Statistics"): what every fidelity row's note says.
FIDELITY_CI_CAVEAT = (
    "CI NOT calibrated at small n: a fidelity score is a distance between two finite samples, biased low (a "
    "perfect simulator, another real seeker, scores about 72 / 82 / 88 on average at 4 / 10 / 20 conversations), "
    "and the interval held a 1.3x-long simulator's population aggregate in 50% / 75% / 87% of simulations at "
    "4 / 10 / 20 (nominal 95%); read a score against the references' ceiling (other real seekers) and floor (one "
    "fixed sentence) at the same n"
)
FIDELITY = ("verbosity_score", "marker_score", "valence_score", "mtld_score", "ptc_score")  # PTC: with a judge

# name: what the population row is (its per-conversation value, for the paired test and spread: Side.per_conversation)
DIAGNOSTICS: dict[str, str] = {
    "words_per_turn": "words per patient turn: per turn index the mean over conversations, averaged over indices "
    "(PSI-Bench)",
    "words_per_sentence": "words per sentence, as words_per_turn",
    "mtld": "mean bidirectional MTLD over conversations with >= 100 tokens",
    "marker_ptk": "depressive markers (absolutist + depressive words + non-fluencies) per 1,000 tokens, pooled",
    "marker_msg_pct": "% of patient messages with a marker, pooled",
    "valence": "mean VADER compound per conversation, averaged over conversations",
    "resolved_share": "share of conversations whose valence resolves (negative, then positive to the end)",
    "resolution_turn": "mean 0-based turn index of resolution, resolved conversations",
    "uniform_trajectory_share": "share with a uniformly negative-to-positive valence trajectory",
    "patient_turns": "valid patient turns per conversation",
}
SPREAD = ("words_per_turn", "mtld", "marker_ptk", "valence", "patient_turns")
BINARY = ("resolved_share", "uniform_trajectory_share")


@dataclass(frozen=True)
class Side:
    """One side's per-conversation diagnostics as arrays (n conversations; turn arrays n x MAX_TURNS, NaN padded)."""

    words: np.ndarray
    wps: np.ndarray
    mtld: np.ndarray
    scored: np.ndarray  # marker matches of the three scored lexicons
    tokens: np.ndarray
    messages: np.ndarray
    marked: np.ndarray
    pos: np.ndarray  # n x MAX_TURNS, 1 where the turn's valence is positive
    neg: np.ndarray
    has_turns: np.ndarray
    resolved: np.ndarray
    resolution: np.ndarray
    uniform: np.ndarray
    valence: np.ndarray  # per-conversation mean compound (NaN without turns)
    turns: np.ndarray
    texts: list[list[str]]
    ptc: np.ndarray | None = None  # n x MAX_TURNS x 3, 1 where the judge labelled the turn P, T or C; None: no judge

    @classmethod
    def of(
        cls,
        diagnostics: Sequence[Mapping[str, Any]],
        texts: Sequence[Sequence[str]],
        ptc_labels: Sequence[Sequence[str | None]] | None = None,
    ) -> Side:
        n = len(diagnostics)
        words, wps = np.full((n, MAX_TURNS), np.nan), np.full((n, MAX_TURNS), np.nan)
        pos, neg = np.zeros((n, MAX_TURNS)), np.zeros((n, MAX_TURNS))
        for i, d in enumerate(diagnostics):
            w = [float(x) for x in d["words"]][:MAX_TURNS]
            words[i, : len(w)] = w
            s = [np.nan if x is None else float(x) for x in d["words_per_sentence"]][:MAX_TURNS]
            wps[i, : len(s)] = s
            labels = list(d["valence_labels"])[:MAX_TURNS]
            pos[i, : len(labels)] = [lab == "positive" for lab in labels]
            neg[i, : len(labels)] = [lab == "negative" for lab in labels]

        def column(key: Any) -> np.ndarray:
            return np.array([np.nan if (v := key(d)) is None else float(v) for d in diagnostics], dtype=float)

        return cls(
            words=words,
            wps=wps,
            mtld=column(lambda d: d["mtld"]),
            scored=column(lambda d: sum(d["markers"]["counts"][c] for c in MARKER_CATEGORIES)),
            tokens=column(lambda d: d["markers"]["tokens"]),
            messages=column(lambda d: d["markers"]["messages"]),
            marked=column(lambda d: d["markers"]["marked_messages"]),
            pos=pos,
            neg=neg,
            has_turns=column(lambda d: d["turns"] > 0),
            resolved=column(lambda d: d["resolution_turn"] is not None),
            resolution=column(lambda d: d["resolution_turn"]),
            uniform=column(lambda d: bool(d["uniform_trajectory"])),
            valence=column(lambda d: float(np.mean(d["valence"])) if d["valence"] else None),
            turns=column(lambda d: d["turns"]),
            texts=[list(t) for t in texts],
            ptc=None if ptc_labels is None else one_hot(ptc_labels, PTC_SCORED),
        )

    def per_conversation(self, name: str) -> np.ndarray:
        """The per-conversation value of a diagnostic (NaN where undefined), for paired tests and spreads."""
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values = {
                "words_per_turn": np.nanmean(self.words, axis=1),
                "words_per_sentence": np.nanmean(self.wps, axis=1),
                "mtld": self.mtld,
                "marker_ptk": np.where(self.tokens > 0, self.scored / self.tokens * 1000, np.nan),
                "marker_msg_pct": np.where(self.messages > 0, self.marked / self.messages * 100, np.nan),
                "valence": self.valence,
                "resolved_share": np.where(self.has_turns > 0, self.resolved, np.nan),
                "resolution_turn": self.resolution,
                "uniform_trajectory_share": np.where(self.has_turns > 0, self.uniform, np.nan),
                "patient_turns": self.turns,
            }
        return values[name]


def one_hot(label_series: Sequence[Sequence[str | None]], labels: Sequence[str]) -> np.ndarray:
    """n x MAX_TURNS x len(labels): 1 where conversation i's turn t has label k; other labels (F, None) all 0."""
    out = np.zeros((len(label_series), MAX_TURNS, len(labels)))
    position = {label: k for k, label in enumerate(labels)}
    for i, series in enumerate(label_series):
        for t, label in enumerate(list(series)[:MAX_TURNS]):
            if label is not None and label in position:
                out[i, t, position[label]] = 1
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _nan0(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), x, 0.0)


def _fin(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x).astype(float)


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=-1)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """SD (ddof 1) of the values x with multiplicities w (rows of w), NaN values left out."""
    f = np.isfinite(x)
    wf = w * f
    total = wf.sum(axis=1)
    mean = _ratio(wf @ _nan0(x), total)
    dev = (_nan0(x)[None, :] - mean[:, None]) ** 2 * f
    return np.sqrt(_ratio((wf * dev).sum(axis=1), total - 1))


def side_stats(side: Side, w: np.ndarray) -> dict[str, np.ndarray]:
    """Every population statistic of one side for each row of the weight matrix w (B x n): arrays of length B."""
    has = side.has_turns
    stats = {
        "words_curve": _ratio(w @ _nan0(side.words), w @ _fin(side.words)),
        "wps_curve": _ratio(w @ _nan0(side.wps), w @ _fin(side.wps)),
        "mtld": _ratio(w @ _nan0(side.mtld), w @ _fin(side.mtld)),
        "marker_ptk": _ratio(w @ _nan0(side.scored), w @ side.tokens) * 1000,
        "marker_msg_pct": _ratio(w @ side.marked, w @ side.messages) * 100,
        "valence": _ratio(w @ _nan0(side.valence), w @ _fin(side.valence)),
        "resolved_share": _ratio(w @ (side.resolved * has), w @ has),
        "resolution_turn": _ratio(w @ _nan0(side.resolution), w @ _fin(side.resolution)),
        "uniform_trajectory_share": _ratio(w @ (side.uniform * has), w @ has),
        "patient_turns": _ratio(w @ side.turns, w.sum(axis=1)),
        "pos": w @ side.pos,
        "neg": w @ side.neg,
    }
    if side.ptc is not None:
        stats["ptc"] = np.tensordot(w, side.ptc, axes=1)  # B x MAX_TURNS x 3 label counts
    stats["words_per_turn"] = _nanmean_rows(stats["words_curve"])
    stats["words_per_sentence"] = _nanmean_rows(stats["wps_curve"])
    for name in SPREAD:
        stats[f"sd_{name}"] = _weighted_sd(side.per_conversation(name), w)
    return stats


def _ratio_score(s: np.ndarray, r: np.ndarray) -> np.ndarray:
    """PSI-Bench's 100·exp(−|ln(s/r)|) = 100·min(s/r, r/s), NaN unless both are positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (s > 0) & (r > 0)
        return np.where(ok, 100 * np.minimum(s / np.where(ok, r, 1), r / np.where(ok, s, 1)), np.nan)


def weighted_wasserstein(u: np.ndarray, v: np.ndarray, wu: np.ndarray, wv: np.ndarray) -> np.ndarray:
    """Wasserstein-1 between the values u and v weighted by each row of wu (B x len(u)) and wv (B x len(v)): the
    integral of |F_u - F_v| over the pooled sorted values, as ``scipy.stats.wasserstein_distance`` with
    ``u_weights``/``v_weights`` computes it, for all rows at once. NaN where a row's weights sum to 0."""
    values = np.concatenate([u, v])
    order = np.argsort(values, kind="stable")
    steps = np.diff(values[order])
    weights_u = np.concatenate([wu, np.zeros((wu.shape[0], v.size))], axis=1)[:, order]
    weights_v = np.concatenate([np.zeros((wv.shape[0], u.size)), wv], axis=1)[:, order]
    total_u, total_v = weights_u.sum(axis=1, keepdims=True), weights_v.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cdf_u = np.cumsum(weights_u, axis=1)[:, :-1] / total_u
        cdf_v = np.cumsum(weights_v, axis=1)[:, :-1] / total_v
        distance = (np.abs(cdf_u - cdf_v) * steps).sum(axis=1)
    return np.where((total_u[:, 0] > 0) & (total_v[:, 0] > 0), distance, np.nan)


def _mtld_distance(sim: Side, real: Side, w: np.ndarray) -> np.ndarray:
    fs, fr = np.isfinite(sim.mtld), np.isfinite(real.mtld)
    if not fs.any() or not fr.any():
        return np.full(w.shape[0], np.nan)
    return weighted_wasserstein(sim.mtld[fs], real.mtld[fr], w[:, fs], w[:, fr])


def label_js(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``diagnostics.label_js_score`` for every weight row: p and q are the simulated and real label counts
    (B x turn indices x labels); at each index with labels on both sides the JS distance (scipy, natural log), score
    (1 − mean over those indices)·100; NaN for a row without such an index."""
    both = (p.sum(axis=-1) > 0) & (q.sum(axis=-1) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        js = np.where(both, jensenshannon(np.where(both[..., None], p, 1), np.where(both[..., None], q, 1), axis=-1),
                      np.nan)  # fmt: skip
    return (1 - _nanmean_rows(js)) * 100


def fidelity(sim: Side, real: Side, s: dict[str, np.ndarray], r: dict[str, np.ndarray], w: np.ndarray) -> dict:
    """PSI-Bench's fidelity scores (0-100) of the simulated side against the real side, per weight row."""
    verbosity = (
        _ratio_score(s["words_per_turn"], r["words_per_turn"])
        + _ratio_score(s["words_per_sentence"], r["words_per_sentence"])
    ) / 2
    h = r["marker_ptk"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ptk_distance = np.where(
            h > 0, np.minimum(100.0, np.abs(s["marker_ptk"] - h) / np.where(h > 0, h, 1) * 100),
            np.where(s["marker_ptk"] <= 0, 0.0, 100.0),
        )  # fmt: skip
    ptk_distance = np.where(np.isfinite(h) & np.isfinite(s["marker_ptk"]), ptk_distance, np.nan)
    markers = 100 - (ptk_distance + np.abs(s["marker_msg_pct"] - r["marker_msg_pct"])) / 2
    valence = label_js(np.stack([s["pos"], s["neg"]], axis=-1), np.stack([r["pos"], r["neg"]], axis=-1))
    wd = _mtld_distance(sim, real, w)
    mtld_score = np.where(r["mtld"] > 0, 100 * np.maximum(0.0, 1 - _ratio(wd, r["mtld"])), np.nan)
    scores = {"verbosity_score": verbosity, "marker_score": markers, "valence_score": valence, "mtld_score": mtld_score}
    if "ptc" in s and "ptc" in r:  # the judge ran: PSI-Bench's fifth score, in the aggregate with weight 1
        scores["ptc_score"] = label_js(s["ptc"], r["ptc"])
    stacked = np.stack([scores[k] for k in FIDELITY if k in scores])
    scores["aggregate_fidelity"] = _nanmean_rows(stacked.T)
    scores["mtld_wasserstein"] = wd
    return scores


def all_stats(sim: Side, real: Side, w: np.ndarray) -> dict[str, np.ndarray]:
    s, r = side_stats(sim, w), side_stats(real, w)
    out = {k: v for k, v in s.items() if v.ndim == 1}
    out |= {f"real_{k}": v for k, v in r.items() if v.ndim == 1}
    for name in DIAGNOSTICS:
        out[f"{name}_difference"] = s[name] - r[name]
    for name in SPREAD:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"sd_ratio_{name}"] = _ratio(s[f"sd_{name}"], r[f"sd_{name}"])
    return out | fidelity(sim, real, s, r, w)


def bootstrap(sim: Side, real: Side, *, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> dict[str, tuple]:
    """{statistic: (estimate, low, high)}: the estimate on the data, the expanded percentile interval over
    resampled (simulated, real) pairs."""
    n = sim.words.shape[0]
    estimate = all_stats(sim, real, np.ones((1, n)))
    if n < 2:
        return {k: (float(v[0]), math.nan, math.nan) for k, v in estimate.items()}
    draws = cluster_draws([f"{i:08d}" for i in range(n)], n_resamples=n_resamples, seed=seed)
    resampled = all_stats(sim, real, draws.counts.astype(float))
    out = {}
    for key, value in estimate.items():
        if not np.isfinite(value[0]):  # undefined on the data: no interval either (resamples may define it)
            out[key] = (math.nan, math.nan, math.nan)
            continue
        low, high = percentile_interval(resampled[key][:, None], n=n)
        out[key] = (float(value[0]), float(low[0]), float(high[0]))
    return out


def paired_test(name: str, sim: Side, real: Side) -> tuple[float, str, int]:
    """(p, test, pairs) of the per-conversation values, pairs where both are defined."""
    x, y = sim.per_conversation(name), real.per_conversation(name)
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return math.nan, "", 0
    if name in BINARY:
        return mcnemar_exact(x[keep].astype(bool), y[keep].astype(bool)).p_value, MCNEMAR, int(keep.sum())
    return wilcoxon_signed_rank(x[keep] - y[keep]), WILCOXON, int(keep.sum())


def first_epoch(samples: pd.DataFrame) -> pd.DataFrame:
    if samples.empty:
        raise ValueError("psi summarize: no samples")
    first = samples[samples["epoch"] == samples["epoch"].min()]
    if not all(isinstance(m, dict) and "simulated" in m and "real" in m for m in first["score_metadata"]):
        raise ValueError("psi summarize: samples lack simulated/real diagnostics in their score metadata")
    return first


def judged(samples: pd.DataFrame) -> bool:
    """Whether the PTC judge ran (its labels are in the score metadata)."""
    return any("ptc_labels" in m["simulated"] for m in samples["score_metadata"])


def sides(samples: pd.DataFrame) -> tuple[Side, Side]:
    meta = list(samples["score_metadata"])
    ptc = judged(samples)

    def side(name: str) -> Side:
        labels = [m[name].get("ptc_labels", []) for m in meta] if ptc else None
        return Side.of([m[name]["diagnostics"] for m in meta], [m[name]["turns"] for m in meta], labels)

    return side("simulated"), side("real")


def _n(side: Side, name: str) -> int:
    return int(np.isfinite(side.per_conversation(name)).sum())


def _used(sim: Side, real: Side, name: str, value: float) -> int:
    """The conversations a statistic of both sides (a difference, a ratio, a distance) is computed over: those with
    a defined per-conversation ``name`` on either side; 0 when the statistic is undefined."""
    either = np.isfinite(sim.per_conversation(name)) | np.isfinite(real.per_conversation(name))
    return int(either.sum()) if np.isfinite(value) else 0


def aggregate_note(stats: Mapping[str, tuple], sim: Side, real: Side) -> str:
    """What ``aggregate_fidelity`` averaged: which fidelity scores, and why any was left out (undefined)."""
    judge = "ptc_score" in stats
    note = (
        "mean of the available fidelity scores, PTC included (weights 1, as PSI-Bench)"
        if judge
        else "mean of the available fidelity scores (weights 1; no PTC without a judge)"
    )
    components = [k for k in FIDELITY if k in stats]
    undefined = [k for k in components if not np.isfinite(stats[k][0])]
    if not undefined:
        return note
    short = [name for name, side in (("simulated", sim), ("real", real)) if not np.isfinite(side.mtld).any()]
    why = {
        "mtld_score": f"MTLD undefined: no {' and no '.join(short)} conversation of 100+ tokens" if short else "",
        "ptc_score": "PTC undefined: no turn index with a valid P/T/C label on both sides",
    }
    averaged = [k for k in components if k not in undefined]
    left_out = "; ".join(f"{k} ({why.get(k) or 'undefined'})" for k in undefined)
    return f"{note}; averaged {', '.join(averaged) or 'nothing'}; left out: {left_out}"


def therapist_rows(values: Sequence[Mapping[str, float]]) -> list[dict[str, Any]]:
    """The model therapist's failed turns (a failed call or an empty reply), of n therapist calls; no rows for the
    replayed and scripted therapists (and logs before task version 2, which did not count them)."""
    calls = sum(float(v.get("therapist_calls", 0)) for v in values)
    if not calls:
        return []
    errors = sum(float(v.get("therapist_errors", 0)) for v in values)
    return [summary_row("therapist_errors", errors, math.nan, math.nan, int(calls), OVERALL,
                        note="model therapist turns that failed (a failed call or an empty reply; the conversation "
                        "went on without the therapist's message), of n therapist calls")]  # fmt: skip


def judge_label_row(samples: pd.DataFrame) -> dict[str, Any]:
    """How many different labels (P, T, C, F) the PTC judge gave over the valid labels of both sides: 1 is a constant
    judge, whose PTC score says nothing (100 whatever the simulator); the degenerate rule flags it."""
    labels = [label for m in samples["score_metadata"] for side in ("simulated", "real")
              for label in m[side].get("ptc_labels", []) if label is not None]  # fmt: skip
    return summary_row("judge_distinct_labels", len(set(labels)), math.nan, math.nan, len(labels), OVERALL,
                       note="distinct labels the PTC judge gave over all valid judged turns of both sides (1: "
                       "a constant judge, flagged degenerate), of n valid labels")  # fmt: skip


def judge_rows(values: Sequence[Mapping[str, float]]) -> list[dict[str, Any]]:
    """Counts of the PTC judge's invalid replies (unreadable or failed calls; left out of the PTC score, as F is),
    per side and in all, of n judged turns."""

    def total(key: str) -> float:
        return sum(float(v.get(key, 0)) for v in values)

    invalid, turns = total("ptc_invalid"), total("ptc_turns")
    real_invalid, real_turns = total("real_ptc_invalid"), total("real_ptc_turns")
    note = "PTC judge replies that could not be read as P/T/C/F ({}; left out of the PTC score), of n judged turns"
    return [
        summary_row("ptc_invalid", invalid, math.nan, math.nan, int(turns), OVERALL,
                    note=note.format("simulated patient turns")),
        summary_row("real_ptc_invalid", real_invalid, math.nan, math.nan, int(real_turns), OVERALL,
                    note=note.format("real seeker turns")),
        summary_row("judge_invalid", invalid + real_invalid, math.nan, math.nan, int(turns + real_turns), OVERALL,
                    note=note.format("both sides")),
    ]  # fmt: skip


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    first = first_epoch(samples)
    sim, real = sides(first)
    matched = all(bool(m.get("matched", True)) for m in first["score_metadata"])
    n = len(first)
    stats = bootstrap(sim, real)
    ci = f"{CI_LABEL}: expanded percentile bootstrap over {n} conversations" + (
        " (matched pairs resampled together)" if matched else ""
    )
    rows: list[dict[str, Any]] = []

    def row(metric: str, n_units: int, note: str, **extra: Any) -> None:
        value, low, high = stats[metric]
        rows.append(summary_row(metric, value, low, high, n_units, OVERALL, note=note, **extra))

    for name, label in DIAGNOSTICS.items():
        row(name, _n(sim, name), f"simulated patient: {label}; {ci}")
        row(f"real_{name}", _n(real, name), f"matched real seekers: {label}; {ci}")
        p, test, pairs = paired_test(name, sim, real) if matched else (math.nan, "", 0)
        tested = f"; the test on the {pairs} conversations with a value on both sides" if test else ""
        row(f"{name}_difference", _used(sim, real, name, stats[f"{name}_difference"][0]),
            f"simulated − real, n: conversations with a value on either side{tested}; {ci}", p_value=p,
            test=test or None)  # fmt: skip
    for name in SPREAD:
        row(f"sd_{name}", _n(sim, name), f"SD across simulated conversations of per-conversation {name}; {ci}")
        row(f"real_sd_{name}", _n(real, name), f"SD across the real seekers; {ci}")
        row(
            f"sd_ratio_{name}",
            _used(sim, real, name, stats[f"sd_ratio_{name}"][0]),
            f"population spread simulated / real (< 1: less variable than people); {ci}",
        )
    reference = "against the matched real conversations" if matched else "against the real conversations given"
    notes = {
        "verbosity_score": "PSI-Bench: mean of 100·exp(−|ln(sim/real)|) for words per turn and per sentence",
        "marker_score": "PSI-Bench: 100 − (min(100, |s−h|/h·100) + |msg share difference in points|)/2",
        "valence_score": "PSI-Bench: (1 − mean over turn indices of the JS distance of positive/negative shares)·100",
        "mtld_score": "100·max(0, 1 − W1/mean real MTLD): PSI-Bench's min-max with WD_max fixed at a simulator of "
        "MTLD 0 (single-run mapping; README)",
        "mtld_wasserstein": "Wasserstein-1 between the simulated and real MTLD distributions",
    }
    if "ptc_score" in stats:
        notes["ptc_score"] = (
            "PSI-Bench: (1 − mean over turn indices of the JS distance of the judge's P/T/C label shares)·100, F "
            "and invalid judge replies dropped"
        )
    notes["aggregate_fidelity"] = aggregate_note(stats, sim, real)
    for metric, note in notes.items():
        # MTLD enters only conversations of 100+ tokens: n counts those (either side); the others, every conversation
        units = _used(sim, real, "mtld", stats[metric][0]) if metric.startswith("mtld_") else n
        row(metric, units, f"{note}; {reference}; {ci}; {FIDELITY_CI_CAVEAT}")
    for prefix, side in (("", sim), ("real_", real)):
        texts = [t for turns in side.texts for t in turns]
        for k in (1, 2):
            value = distinct_n(texts, k)
            rows.append(
                summary_row(f"{prefix}distinct_{k}", math.nan if value is None else value, math.nan, math.nan,
                            len(texts), OVERALL, note="unique / all n-grams over all patient turns; no CI")
            )  # fmt: skip
    invalid = np.array([float(v.get("invalid_turns", 0)) for v in first["score"]])
    total = np.array([float(v.get("patient_turns", 0)) for v in first["score"]])
    share = _ratio(invalid.sum(keepdims=True), total.sum(keepdims=True))[0]
    if n >= 2 and total.sum() > 0:
        draws = cluster_draws([f"{i:08d}" for i in range(n)], n_resamples=N_RESAMPLES, seed=SEED).counts
        low, high = percentile_interval(_ratio(draws @ invalid, draws @ total)[:, None], n=n)
        low_high = (float(low[0]), float(high[0]))
    else:
        low_high = (math.nan, math.nan)
    rows.append(summary_row("invalid_turn_share", share, *low_high, int(total.sum()), OVERALL,
                            note=f"empty or unusable patient turns (left out of every diagnostic); {ci}"))  # fmt: skip
    rows.append(summary_row("invalid_turns", invalid.sum(), math.nan, math.nan, int(total.sum()), OVERALL,
                            note="count of invalid patient turns, of n patient turns"))  # fmt: skip
    rows += therapist_rows(list(first["score"]))
    if judged(first):
        rows += judge_rows(list(first["score"]))
        rows.append(judge_label_row(first))
    valid = [t for turns in sim.texts for t in turns]
    distinct = len({" ".join(t.lower().split()) for t in valid}) / len(valid) if valid else math.nan
    rows.append(summary_row("distinct_turn_share", distinct, math.nan, math.nan, len(valid), OVERALL,
                            note="distinct valid patient turns (case and spacing ignored) / valid turns"))  # fmt: skip
    stops = pd.Series([m.get("stop", "") for m in first["score_metadata"]]).value_counts()
    for reason, count in sorted(stops.items()):
        if reason:
            rows.append(summary_row(f"stopped_{reason}", count, math.nan, math.nan, n, OVERALL,
                                    note="conversations that ended by this stop rule"))  # fmt: skip
    return pd.DataFrame(rows)
