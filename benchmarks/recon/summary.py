"""The registry's summarize(): one run's per-individual scores -> Recon's table, overall, per domain, per individual.

An individual's held-out items share its history traces, so in overall and domain rows the items are not
independent: every interval and test there treats the individual as the unit (``scorers.stats.clustered``). In an
individual's own rows its items are the units (given its traces).

Rows (``metric``; ``group`` is ``overall``, a domain, or ``domain/individual``):

* ``<a>_vs_<b>_win_rate``: per held-out item, strategy a's fidelity against b's; win rate = wins / (wins + losses)
  with the tie margin of the run; the Wilson 95% CI over decisive items, at the design effect of the individuals
  (``clustered_wilson_interval``), and the exact two-sided sign test that flips each individual's outcomes together
  (``clustered_sign_test``, ``p_value``); both are the plain Wilson interval and binomial sign test when each
  individual has at most one decisive item (the main job's and the transfer table's one held-out item each). The
  ``wins``, ``losses``, ``ties`` and ``missing`` columns count items, ``individuals`` the individuals with a decisive
  item.
* ``<s>_fidelity``: mean held-out fidelity; ``<s>_fidelity_gain``: mean paired difference over ``none``. CI: the
  cluster-robust t interval over individuals (``cluster_t_interval``: CR1 standard error, t with G - 1 df), in an
  individual's rows the t interval over its items; NaN with one unit. A bootstrap is not used: a percentile
  bootstrap of G individuals cannot leave the range of their means and covered 0.49 / 0.65 / 0.87 with 2 / 2x2 / 4
  individuals (the main job's size has 2 per domain), the t interval 0.94-0.96 (calibration).
* ``<s>_bt_strength``: Bradley–Terry strength (mean 0 over strategies; overall and per domain), bootstrap CI; NaN
  with the reason in the note where no finite estimate exists (a strategy without a decisive comparison is left out;
  a complete ordering has unbounded strengths; ``scorers.stats.winrate``).
* ``<s>_leak_rate``: share of the strategy's valid traces that quote the action (Wilson CI at the design effect of
  the individuals; the rule ``solver.leak_counts``, which the live metric shares), ``<s>_invalid_traces``.
* ``<s>_reconstruction_fidelity``: mean reconstruction fidelity of the history traces (Recon's chosen candidates,
  the best of N by this very fidelity, so biased upward and not comparable with the others'; the others' with
  ``trace_fidelity``).
* ``<s>_calls_per_example`` / ``<s>_seconds_per_example``: synthesis and selection calls (model requests) and their
  wall time per history example; ``<s>_downstream_seconds_per_item``; ``scoring_errors``;
  ``recon_selection_errors`` (Recon's candidate scorings that failed).
* ``option_letter_mass`` (discrete items only): the first-token probability on the option letters before
  renormalising, and how the option probabilities were read.

The Bradley–Terry bootstrap resamples individuals within domains (an individual's items move together); the
``regress`` units resample individuals too. First epoch only.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from benchmarks.recon.solver import ORDER, judge_outcome, leak_counts
from scorers.stats.clustered import cluster_t_interval, clustered_wilson_interval
from scorers.stats.proportions import wilson_interval
from scorers.stats.settings import ALPHA, CI_LABEL, CONFIDENCE, SEED
from scorers.stats.winrate import BT_ALPHA, WinRate, bradley_terry_ci, tally, win_rate
from scorers.summary_rows import summary_row

OVERALL = "overall"
N_RESAMPLES = 2000
SIGN_TEST = (
    "exact two-sided sign test, ties excluded; each individual's outcomes flipped together (the binomial sign test "
    "at p = 1/2 when each individual has at most one decisive item)"
)
ITEM_SIGN_TEST = "exact two-sided sign test (binomial, p = 1/2) over this individual's items, ties excluded"
HEADLINE_PAIRS = (("recon", "backward"), ("recon", "forward"))


def first_epoch(samples: pd.DataFrame) -> pd.DataFrame:
    if samples.empty:
        raise ValueError("recon summarize: no samples")
    first = samples[samples["epoch"] == samples["epoch"].min()]
    if not all(isinstance(m, dict) and "items" in m for m in first["score_metadata"]):
        raise ValueError("recon summarize: samples lack items in their score metadata (not a recon log?)")
    return first


def run_strategies(samples: pd.DataFrame) -> list[str]:
    found: list[str] = []
    for meta in samples["score_metadata"]:
        found += [s for s in meta.get("strategies", []) if s not in found]
    return [s for s in ORDER if s in found]


def tie_margin(samples: pd.DataFrame) -> float:
    margins = {float(m.get("tie_margin", 0.0)) for m in samples["score_metadata"]}
    if len(margins) != 1:
        raise ValueError(f"recon summarize: samples disagree on the tie margin ({sorted(margins)})")
    return margins.pop()


def items_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per held-out item: domain, individual, item, and each strategy's fidelity (NaN where it failed)."""
    rows = []
    for meta, score_meta in zip(samples["metadata"], samples["score_metadata"]):
        for item in score_meta["items"]:
            entry = {
                "domain": meta["domain"],
                "individual": f"{meta['domain']}/{meta['individual']}",
                "item": item["id"],
            }
            for strategy, result in item["fidelity"].items():
                entry[strategy] = float(result["value"])
            rows.append(entry)
    return pd.DataFrame(rows)


def traces_frame(samples: pd.DataFrame) -> pd.DataFrame:
    """One row per (history example, strategy): valid, leaked, reconstruction fidelity (NaN when not scored)."""
    rows = []
    for meta, score_meta in zip(samples["metadata"], samples["score_metadata"]):
        for trace in score_meta["traces"]:
            fidelity = (trace.get("fidelity") or {}).get("value", math.nan)
            rows.append(
                {
                    "domain": meta["domain"],
                    "individual": f"{meta['domain']}/{meta['individual']}",
                    "example": trace["example"],
                    "strategy": trace["strategy"],
                    "valid": bool(trace.get("valid")),
                    "leaked": bool(trace.get("leaked")),
                    "fidelity": float(fidelity) if fidelity is not None else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=["domain", "individual", "example", "strategy", "valid", "leaked", "fidelity"])


def item_clusters(items: pd.DataFrame, per_individual: bool) -> np.ndarray | None:
    """The unit of a row's win rates: the individual in overall and domain rows (its items share its traces), the
    item in an individual's rows (None: each item its own cluster)."""
    return None if per_individual else items["individual"].to_numpy(dtype=str)


def pair_rows(
    items: pd.DataFrame, strategies: list[str], margin: float, group: str, per_individual: bool = False
) -> list[dict[str, Any]]:
    rows = []
    clusters = item_clusters(items, per_individual)
    for a, b in combinations(strategies, 2):
        result = win_rate(items[a], items[b], margin, clusters=clusters)
        note = f"{a} vs {b} on held-out fidelity; tie when |difference| <= {margin:g}"
        rows.append(win_rate_row(f"{a}_vs_{b}_win_rate", result, group, note, per_individual))
    return rows


def win_rate_note(result: WinRate, per_individual: bool = False) -> str:
    """What the interval and the test of a win rate say, and which decides significance."""
    if not result.decisive:
        return "no decisive items: no win rate, interval or sign test"
    low, high = result.interval()
    if per_individual:
        how = f"{CI_LABEL}: Wilson over this individual's decisive items (given its traces)"
    elif result.clustered:
        how = (
            f"{CI_LABEL}: Wilson over decisive items at the design effect of the individuals (an individual's items "
            "share its traces); the sign test flips each individual's outcomes together"
        )
    else:
        how = f"{CI_LABEL}: Wilson over decisive items (at most one per individual: the plain interval and sign test)"
    note = (
        f"{how}; significance is decided by the exact sign test (p_value), and the Wilson interval can exclude 0.5 at "
        "p > 0.05 (e.g. 3 of 14: [0.076, 0.476], p = 0.057)"
    )
    if (high < 0.5 or low > 0.5) and result.p_value > ALPHA:
        note += (
            f"; here it does: the interval excludes 0.5 but the sign test does not reject (p = {result.p_value:.3g})"
        )
    return note


def win_rate_row(metric: str, result: WinRate, group: str, note: str, per_individual: bool = False) -> dict[str, Any]:
    """A win rate with its Wilson interval over the decisive items, the sign test and the outcome counts."""
    low, high = result.interval()
    note = f"{note}; {win_rate_note(result, per_individual)}"
    individuals = sum(1 for w, loss in zip(result.cluster_wins, result.cluster_losses) if w + loss)
    return summary_row(
        metric,
        result.rate,
        low,
        high,
        result.decisive,
        group,
        p_value=result.p_value,
        test=ITEM_SIGN_TEST if per_individual else SIGN_TEST,
        wins=result.wins,
        losses=result.losses,
        ties=result.ties,
        missing=result.missing,
        individuals=math.nan if per_individual else individuals,
        note=note,
    )


def judge_rows(samples: pd.DataFrame, group: str) -> list[dict[str, Any]]:
    """``<a>_vs_<b>_judge_win_rate`` from the pairwise judge (runs with ``judge``): per item, a win when the judge
    preferred a's prediction in both orders, a loss when b's both times, a tie otherwise."""
    outcomes: dict[str, list[tuple[str, int | None]]] = {}
    per_individual = group not in (OVERALL,) and "/" in group
    for meta, score_meta in zip(samples["metadata"], samples["score_metadata"]):
        key = f"{meta['domain']}/{meta['individual']}"
        if group not in (OVERALL, meta["domain"], key):
            continue
        for k, item in enumerate(score_meta["items"]):
            for pair, result in (item.get("judge") or {}).get("pairs", {}).items():
                # from the verdicts, so that version 1 logs (a missing verdict scored as a tie) count it as missing
                unit = f"{key}/{k}" if per_individual else key
                outcomes.setdefault(pair, []).append((unit, judge_outcome(result.get("verdicts") or [])))
    rows = []
    for pair, found in outcomes.items():
        result = tally([math.nan if v is None else v for _, v in found], [u for u, _ in found])
        note = (
            "pairwise judge of the user model's predictions against the true action, both orders; a win needs both "
            "verdicts, a missing verdict makes the item missing"
        )
        rows.append(win_rate_row(f"{pair}_judge_win_rate", result, group, note, per_individual))
    return rows


def interval_of(frame: pd.DataFrame, values: np.ndarray, per_individual: bool) -> tuple[float, float, float, int, str]:
    """(mean, low, high, n, note) of one column of ``frame`` (items or traces), finite values only: the
    cluster-robust t interval over individuals in overall and domain rows (an individual's items share its traces),
    the t interval over the individual's own items in its rows (``scorers.stats.clustered.cluster_t_interval``); no
    interval, with the reason, from a single unit."""
    clusters = None if per_individual else frame["individual"].to_numpy(dtype=str)
    result = cluster_t_interval(values, clusters)
    if result.n == 0:
        return math.nan, math.nan, math.nan, 0, "no finite value"
    unit = "item" if per_individual else "individual"
    if result.n_clusters < 2:
        why = "one item" if per_individual else "one individual (its items share its traces)"
        return result.estimate, math.nan, math.nan, result.n, f"no {CI_LABEL}: {why}"
    q = float(scipy_stats.t.ppf(1 - (1 - CONFIDENCE) / 2, result.n_clusters - 1))
    if per_individual:
        how = f"{CI_LABEL}: t interval over this individual's {result.n_clusters} items (given its traces)"
    else:
        how = (
            f"{CI_LABEL}: cluster-robust t interval over {result.n_clusters} individuals (CR1 standard error, t with "
            f"{result.n_clusters - 1} df; an individual's items share its traces)"
        )
    if result.n_clusters <= 3:
        how += f"; with {result.n_clusters} {unit}s the t quantile is {q:.3g}, so the interval is wide by design"
    return result.estimate, result.low, result.high, result.n, how


def fidelity_rows(items: pd.DataFrame, strategies: list[str], group: str, per_individual: bool) -> list[dict[str, Any]]:
    rows = []
    for strategy in strategies:
        mean, low, high, n, how = interval_of(items, items[strategy].to_numpy(dtype=float), per_individual)
        rows.append(
            summary_row(f"{strategy}_fidelity", mean, low, high, n, group, note=f"mean held-out fidelity; {how}")
        )
        if strategy != "none" and "none" in strategies:
            diff = items[strategy].to_numpy(dtype=float) - items["none"].to_numpy(dtype=float)
            mean, low, high, n, how = interval_of(items, diff, per_individual)
            rows.append(
                summary_row(
                    f"{strategy}_fidelity_gain",
                    mean,
                    low,
                    high,
                    n,
                    group,
                    note=f"mean held-out fidelity of {strategy} minus none (paired); {how}",
                )
            )
    return rows


def strength_rows(items: pd.DataFrame, strategies: list[str], margin: float, group: str) -> list[dict[str, Any]]:
    scores = items[strategies].to_numpy(dtype=float)
    if len(strategies) < 2 or len(scores) == 0:
        return []
    strengths = bradley_terry_ci(
        scores,
        margin,
        strata=items["domain"].to_numpy(dtype=str),
        clusters=items["individual"].to_numpy(dtype=str),
        n_resamples=N_RESAMPLES // 2,
        seed=SEED,
    )
    note = (
        "Bradley–Terry log-strength (mean 0 over the fitted strategies), ties left out; expanded percentile bootstrap "
        "over individuals (each with all its items) within domains; choix's regularisation alpha = "
        f"{BT_ALPHA:g} is kept as a weak prior"
    )
    if strengths.n_resamples:
        note += (
            f" ({strengths.prior_set_resamples} of {strengths.n_resamples} resamples were a complete ordering, their "
            "strengths set by the prior)"
        )
    return [
        summary_row(
            f"{s}_bt_strength",
            strengths.estimate[i],
            strengths.low[i],
            strengths.high[i],
            len(scores),
            group,
            note=f"{note}; {strengths.notes[i]}" if strengths.notes and strengths.notes[i] else note,
        )
        for i, s in enumerate(strategies)
    ]


def leak_interval(traces: pd.DataFrame, strategy: str, per_individual: bool) -> tuple[float, float, str]:
    """The leak rate's Wilson interval: over the individual's traces in its rows, else at the design effect of the
    individuals (the traces of one individual share its synthesiser prompts and actions)."""
    if per_individual:
        k, n = leak_counts(traces.to_dict("records"), strategy)
        low, high = wilson_interval(k, n) if n else (math.nan, math.nan)
        return low, high, f"{CI_LABEL}: Wilson over this individual's traces"
    counts = [leak_counts(part.to_dict("records"), strategy) for _, part in traces.groupby("individual", sort=True)]
    low, high = clustered_wilson_interval([k for k, _ in counts], [n for _, n in counts])
    return low, high, f"{CI_LABEL}: Wilson at the design effect of the individuals"


def trace_rows(traces: pd.DataFrame, strategies: list[str], group: str, per_individual: bool) -> list[dict[str, Any]]:
    rows = []
    for strategy in strategies:
        part = traces[traces["strategy"] == strategy]
        if strategy != "none":
            k, n = leak_counts(part.to_dict("records"), strategy)
            low, high, how = leak_interval(part, strategy, per_individual)
            rows.append(
                summary_row(
                    f"{strategy}_leak_rate",
                    k / n if n else math.nan,
                    low,
                    high,
                    n,
                    group,
                    leaks=k,
                    note="share of valid traces quoting the action (masked before use; the live metric's rule); "
                    + (how if n else "no valid trace"),
                )
            )
            rows.append(
                summary_row(
                    f"{strategy}_invalid_traces",
                    int((~part["valid"]).sum()),
                    math.nan,
                    math.nan,
                    len(part),
                    group,
                    note="empty or unreadable traces, and failed synthesis calls (used as no trace)",
                )
            )
        fid = part["fidelity"].to_numpy(dtype=float)
        if np.isfinite(fid).any():
            mean, low, high, n, how = interval_of(part, fid, per_individual)
            what = "reconstructor's fidelity to the history actions given context + trace"
            if strategy == "recon":
                what += (
                    "; Recon's trace is the best of N candidates by this very fidelity, so it is biased upward and not "
                    "comparable with the other strategies' single traces"
                )
            rows.append(
                summary_row(f"{strategy}_reconstruction_fidelity", mean, low, high, n, group, note=f"{what}; {how}")
            )
    return rows


def option_mass_rows(samples: pd.DataFrame) -> list[dict[str, Any]]:
    """Discrete items: ``option_letter_mass``, the mean first-token probability on the option letters (before
    renormalising; 1 - ``off_option_mass``) over the held-out scorings that measured it, and in the note how the
    probabilities were read: scorings with letters outside the top log-probabilities scored teacher-forced, each
    method's count, and those that failed. A low mass means the renormalised probabilities rest on little of the
    model's reply (it would rather start with a word than a letter)."""
    scorings = [
        result
        for score_meta in samples["score_metadata"]
        for item in score_meta["items"]
        if item.get("discrete")
        for result in item["fidelity"].values()
    ]
    if not scorings:
        return []
    mass = np.array([1.0 - float(r.get("off_option_mass", math.nan)) for r in scorings if r.get("error") is None])
    finite = mass[np.isfinite(mass)]
    methods = pd.Series([r.get("method") for r in scorings if r.get("error") is None]).value_counts()
    completed = sum(1 for r in scorings if r.get("completed_letters"))
    failed = sum(1 for r in scorings if r.get("error") is not None)
    note = (
        f"held-out (item, strategy) scorings of discrete items: mean first-token mass on the option letters before "
        f"renormalising (min {finite.min():.3g})"
        if finite.size
        else "no scoring measured the letters' mass"
    )
    note += (
        f"; {completed} of {len(scorings)} had letters outside the top log-probabilities, scored teacher-forced; "
        f"methods: {', '.join(f'{m} {c}' for m, c in methods.items()) or 'none'}; {failed} failed"
    )
    value = float(finite.mean()) if finite.size else math.nan
    return [summary_row("option_letter_mass", value, math.nan, math.nan, int(finite.size), OVERALL, note=note)]


def cost_rows(samples: pd.DataFrame, strategies: list[str]) -> list[dict[str, Any]]:
    """Calls and seconds per strategy: synthesis + selection per history example, downstream per held-out item."""
    totals: dict[str, dict[str, float]] = {}
    examples = items = 0
    for meta, score_meta in zip(samples["metadata"], samples["score_metadata"]):
        examples += len(meta["history"])
        items += len(score_meta["items"])
        for strategy, costs in score_meta.get("costs", {}).items():
            bucket = totals.setdefault(strategy, {})
            for key, value in costs.items():
                bucket[key] = bucket.get(key, 0.0) + float(value)
    rows = []
    judge = totals.get("judge")
    if judge:
        seconds = judge.get("prediction_seconds", 0.0) + judge.get("verdict_seconds", 0.0)
        rows.append(
            summary_row(
                "judge_seconds_per_item",
                seconds / items if items else math.nan,
                math.nan,
                math.nan,
                items,
                OVERALL,
                note=f"{judge.get('prediction_calls', 0):.0f} predictions + {judge.get('verdict_calls', 0):.0f} "
                "judge verdicts",
            )
        )
    for strategy in strategies:
        c = totals.get(strategy, {})
        calls = c.get("synthesis_calls", 0) + c.get("selection_calls", 0)
        seconds = c.get("synthesis_seconds", 0.0) + c.get("selection_seconds", 0.0)
        detail = (
            f"{c.get('synthesis_calls', 0):.0f} synthesis + {c.get('selection_calls', 0):.0f} selection calls over "
            f"{examples} history examples"
        )
        rows.append(
            summary_row(
                f"{strategy}_calls_per_example",
                calls / examples if examples else math.nan,
                math.nan,
                math.nan,
                examples,
                OVERALL,
                note=detail,
            )
        )
        rows.append(
            summary_row(
                f"{strategy}_seconds_per_example",
                seconds / examples if examples else math.nan,
                math.nan,
                math.nan,
                examples,
                OVERALL,
                note="wall time of those calls",
            )
        )
        if c.get("trace_fidelity_calls"):
            rows.append(
                summary_row(
                    f"{strategy}_trace_fidelity_seconds",
                    c["trace_fidelity_seconds"],
                    math.nan,
                    math.nan,
                    int(c["trace_fidelity_calls"]),
                    OVERALL,
                    note="scoring the traces' reconstruction fidelity",
                )
            )
        rows.append(
            summary_row(
                f"{strategy}_downstream_seconds_per_item",
                c.get("downstream_seconds", 0.0) / items if items else math.nan,
                math.nan,
                math.nan,
                items,
                OVERALL,
                note=f"{c.get('downstream_calls', 0):.0f} user-model scoring calls",
            )
        )
    return rows


def selection_error_rows(samples: pd.DataFrame) -> list[dict[str, Any]]:
    """``recon_selection_errors``: Recon's candidate scorings (reconstructor, selection stage) that failed. Apart
    from the held-out ``scoring_errors``: a failed candidate is not chosen, and when all of an example's fail its
    Recon trace is invalid (``recon_invalid_traces``)."""
    scored = [
        candidate["fidelity"]
        for meta in samples["score_metadata"]
        for trace in meta["traces"]
        if trace["strategy"] == "recon"
        for candidate in trace.get("candidates") or []
        if candidate.get("fidelity")
    ]
    if not scored:
        return []
    failed = sum(1 for f in scored if f.get("value") is None or math.isnan(f["value"]))
    note = "candidate traces the reconstructor could not score for Recon's selection (never chosen)"
    return [summary_row("recon_selection_errors", failed, math.nan, math.nan, len(scored), OVERALL, note=note)]


def group_rows(
    items: pd.DataFrame, traces: pd.DataFrame, strategies: list[str], margin: float, group: str, bt: bool
) -> list[dict[str, Any]]:
    rows = pair_rows(items, strategies, margin, group, not bt) + fidelity_rows(items, strategies, group, not bt)
    if bt:
        rows += strength_rows(items, strategies, margin, group)
    return rows + trace_rows(traces, strategies, group, not bt)


def summarize(samples: pd.DataFrame) -> pd.DataFrame:
    first = first_epoch(samples)
    strategies = run_strategies(first)
    margin = tie_margin(first)
    items, traces = items_frame(first), traces_frame(first)
    if items.empty:
        raise ValueError("recon summarize: no held-out items were scored")
    methods = sorted({f"{r}: {m}" for meta in first["score_metadata"] for r, m in meta.get("methods", {}).items()})
    rows = group_rows(items, traces, strategies, margin, OVERALL, bt=True) + judge_rows(first, OVERALL)
    for domain in sorted(items["domain"].unique()):
        rows += group_rows(
            items[items["domain"] == domain], traces[traces["domain"] == domain], strategies, margin, domain, bt=True
        )
        rows += judge_rows(first, domain)
    for individual in sorted(items["individual"].unique()):
        rows += group_rows(
            items[items["individual"] == individual],
            traces[traces["individual"] == individual],
            strategies,
            margin,
            individual,
            bt=False,
        )
    rows += cost_rows(first, strategies) + option_mass_rows(first) + selection_error_rows(first)
    errors = int(items[strategies].isna().to_numpy().sum())
    rows.append(
        summary_row(
            "scoring_errors",
            errors,
            math.nan,
            math.nan,
            items[strategies].size,
            OVERALL,
            note="held-out (item, strategy) fidelities that could not be scored; " + "; ".join(methods),
        )
    )
    table = pd.DataFrame(rows)
    for metric in (
        "recon_vs_backward_win_rate",
        "recon_vs_forward_win_rate",
        "backward_leak_rate",
        "recon_fidelity_gain",
    ):
        if not ((table["metric"] == metric) & (table["group"] == OVERALL)).any():
            table = pd.concat(
                [
                    table,
                    pd.DataFrame(
                        [
                            summary_row(
                                metric, math.nan, math.nan, math.nan, 0, OVERALL, note="a strategy it needs was not run"
                            )
                        ]
                    ),
                ],
                ignore_index=True,
            )
    return table


# ---------------------------------------------------------------- transfer across runs (the summarize_runs hook)

TRANSFER_ROLES = ("synthesizer", "reconstructor", "user_model")
RUN_KEY = ("task", "task_version", "task_args")  # with the synthesizer: what transferred runs must share


def run_models(first: pd.DataFrame) -> dict[str, str]:
    """The resolved model of each role in one run (``Score.metadata.models``, which the solver records; a role left
    unbound is the model under test)."""
    for meta in first["score_metadata"]:
        models = meta.get("models") or {}
        if all(role in models for role in TRANSFER_ROLES):
            return {role: str(models[role]) for role in TRANSFER_ROLES}
    raise ValueError("recon summarize_runs: a run's samples do not record their role models")


def pooled_items(first: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct held-out item of one or more runs of the same task arguments: a repeated run scores the
    same items again (the seeded synthesiser writes the same traces), so its fidelities are averaged per item and
    strategy, never counted as new items (counting them would halve a sign test's p-value with no new data)."""
    items = items_frame(first)
    keys = ["domain", "individual", "item"]
    return items.groupby(keys, sort=True, as_index=False).mean(numeric_only=True)


def summarize_runs(samples: pd.DataFrame) -> pd.DataFrame:
    """Transfer: traces chosen with one reconstructor, evaluated with another user model.

    Runs are compared when they share the task, version, task arguments and synthesiser model and differ in the
    (reconstructor, user model) pair; each such scope with at least two different pairs gives, per pair (``group``
    ``"<reconstructor> -> <user model>"``), the Recon vs Backward and Recon vs Forward win rates on held-out
    fidelity with the same statistics as ``summarize`` (``win_rate`` with the runs' tie margin and the individuals
    as clusters, Wilson interval over decisive items, exact sign test: :func:`win_rate_row`), ``n`` decisive items,
    the counts, and ``items`` (distinct held-out items), ``runs`` (logs pooled: repeated runs of one pair score the
    same items, whose fidelities are averaged, :func:`pooled_items`), ``transfer`` (reconstructor and user model
    differ). The diagonal (same model) is the in-model result; off the diagonal, whether traces Recon chose
    for one model help another. An empty frame when no scope has two pairs (e.g. a single run)."""
    columns = [*RUN_KEY, "log"]
    if samples.empty or any(c not in samples.columns for c in columns):
        return pd.DataFrame()
    runs = []
    for log, part in samples.groupby("log", sort=True):
        first = first_epoch(part)
        key = part.iloc[0]
        models = run_models(first)
        runs.append(
            {
                "log": log,
                "scope": (str(key["task"]), str(key["task_version"]), str(key["task_args"]), models["synthesizer"]),
                "pair": (models["reconstructor"], models["user_model"]),
                "first": first,
            }
        )
    rows: list[dict[str, Any]] = []
    for scope in sorted({r["scope"] for r in runs}):
        in_scope = [r for r in runs if r["scope"] == scope]
        pairs = sorted({r["pair"] for r in in_scope})
        if len(pairs) < 2:
            continue
        task, version, _, synthesizer = scope
        label = (
            f"{task} v{version}: transfer over {len(in_scope)} runs, {len(pairs)} (reconstructor, user model) pairs, "
            f"synthesizer {synthesizer}, same task arguments"
        )
        for reconstructor, user_model in pairs:
            chosen = [r for r in in_scope if r["pair"] == (reconstructor, user_model)]
            first = pd.concat([r["first"] for r in chosen], ignore_index=True)
            items = pooled_items(first)
            margin = tie_margin(first)
            strategies = run_strategies(first)
            for a, b in HEADLINE_PAIRS:
                if a not in strategies or b not in strategies:
                    continue
                note = (
                    f"traces chosen with reconstructor {reconstructor}, held-out fidelity by user model {user_model}; "
                    f"{a} vs {b}, tie when |difference| <= {margin:g}"
                )
                row = win_rate_row(
                    f"{a}_vs_{b}_win_rate",
                    win_rate(items[a], items[b], margin, clusters=items["individual"].to_numpy(dtype=str)),
                    f"{reconstructor} -> {user_model}",
                    note,
                )
                row.update(
                    scope=label,
                    reconstructor=reconstructor,
                    user_model=user_model,
                    synthesizer=synthesizer,
                    transfer=reconstructor != user_model,
                    items=len(items),
                    runs=len(chosen),
                )
                rows.append(row)
    return pd.DataFrame(rows)


def degenerate(summary: pd.DataFrame) -> str | None:
    """Why a run cannot be read, or None: most fidelity scorings failed (e.g. a provider that cannot score, or
    inspect's none model), or most of a strategy's traces are invalid (a model that never writes a usable trace):
    its win rates would then compare failures, not traces."""
    overall = summary[summary["group"] == OVERALL].set_index("metric")
    if "scoring_errors" in overall.index:
        errors, calls = float(overall.loc["scoring_errors", "value"]), float(overall.loc["scoring_errors", "n"])
        if calls and errors / calls > 0.5:
            return f"{int(errors)} of {int(calls)} fidelity scorings failed"
    for metric in overall.index:
        if metric.endswith("_invalid_traces"):
            invalid, traces = float(overall.loc[metric, "value"]), float(overall.loc[metric, "n"])
            if traces and invalid / traces > 0.5:
                return f"{int(invalid)} of {int(traces)} {metric.removesuffix('_invalid_traces')} traces invalid"
    return None
