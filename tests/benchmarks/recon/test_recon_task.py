"""Recon end to end on the mock provider with scripted synthesiser outputs and scripted continuation scores."""

from __future__ import annotations

import hashlib
import math
import re

import numpy as np
import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon import INFO
from benchmarks.recon.data import normalise
from benchmarks.recon.plots import run_plots
from benchmarks.recon.task import TASK_VERSION, recon
from reports.logs import samples_frame
from scorers.text.overlap import MASK, find_overlap
from twinbench.providers.scoring import ScoringError, mock_scorer

GENERIC = "They want to keep the discussion going and test the other side's position carefully."
SIGNAL = "They SIGNAL their real intent here and plan the next move with care."


def prompt_kind(text: str) -> str:
    if " then said: " in text:
        return "backward"
    if text.endswith("Reasoning:"):
        return "forward"
    return "other"


def restating_responder(prompts: list[str]):
    """Backward traces restate the action verbatim; forward traces are generic."""

    def respond(messages, config):
        text = messages[-1].text
        prompts.append(text)
        if prompt_kind(text) == "backward":
            action = re.search(r" then said: (.*)\n\nExplain ", text, re.S).group(1)
            return f"Reasoning: they decided to say exactly this: {action}"
        return GENERIC

    return respond


def signal_responder(messages, config):
    """Half the forward samples (by request seed) carry SIGNAL; backward traces never do."""
    if prompt_kind(messages[-1].text) == "forward" and hashlib.sha256(str(config.seed).encode()).digest()[0] % 2:
        return SIGNAL
    return GENERIC


def signal_scorer(messages, continuation):
    """Both the reconstructor and the user model find the action likelier the more SIGNAL traces they see."""
    return -3.0 + 0.5 * sum(m.text.count("SIGNAL") for m in messages)


def run(tmp_path, name, responder, scorer=None, **task_args):
    task = recon(**task_args)
    model = get_model(f"mock/{name}", responder=responder, memoize=False)
    if scorer is None:
        [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    else:
        with mock_scorer(f"mock/{name}", scorer):
            [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    frame = samples_frame(log)
    return log, frame, INFO.summarize(frame)


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


@pytest.fixture(scope="module")
def restating(tmp_path_factory):
    prompts: list[str] = []
    scored: list[str] = []

    def record(messages, continuation):
        scored.append(("\n".join(m.text for m in messages), continuation))
        return -2.0

    log, frame, table = run(tmp_path_factory.mktemp("restating"), "restating", restating_responder(prompts), record)
    return log, frame, table, prompts, scored


@pytest.fixture(scope="module")
def signal(tmp_path_factory):
    return run(tmp_path_factory.mktemp("signal"), "signal", signal_responder, signal_scorer, individuals=5, test=3)


def test_backward_traces_that_restate_the_action_are_caught_and_masked(restating):
    log, frame, table, prompts, scored = restating
    assert overall(table, "backward_leak_rate")["value"] == 1.0
    assert overall(table, "backward_leak_rate")["n"] == 16  # 8 individuals x 2 history examples
    assert overall(table, "forward_leak_rate")["value"] == 0.0
    for sample in log.samples:
        actions = {h["id"]: h["action"] for h in sample.metadata["history"]}
        meta = sample.scores["recon_scorer"].metadata
        for trace in meta["traces"]:
            if trace["strategy"] == "backward":
                assert trace["leaked"] and MASK in trace["trace"]
                assert not find_overlap(trace["trace"], actions[trace["example"]], 8).leaked
    # no reasoning line shown to the reconstructor or the user model quotes a history action
    all_actions = [h["action"] for s in log.samples for h in s.metadata["history"]]
    lines = [line for text, _ in scored for line in text.splitlines() if line.startswith("Reasoning of")]
    assert lines and not any(find_overlap(line, a, 8).leaked for line in lines for a in all_actions)


def test_no_held_out_action_enters_any_synthesis_or_reconstruction_prompt(restating):
    log, frame, table, prompts, scored = restating
    held_out = [normalise(t["action"]) for s in log.samples for t in s.metadata["test"]]
    history = [normalise(h["action"]) for s in log.samples for h in s.metadata["history"]]
    reconstruction = [normalise(text) for text, _ in scored if "Earlier situations" not in text]
    synthesis = [normalise(p) for p in prompts]
    assert len(held_out) == 16 and len(prompts) == 16 * 5  # forward 1 + backward 1 + recon 3 per history example
    assert len(reconstruction) == 16 * 3  # every recon candidate is scored
    assert not [a for a in held_out if any(a in p for p in synthesis + reconstruction)]
    assert all(any(a in p for p in synthesis) for a in history)  # the capture works: backward prompts hold these
    # the user model never sees the action it is scored on; a later held-out item's context may hold an earlier
    # held-out action of the same conversation (game2-germany), which the person had said by then
    user_model = [(normalise(text), normalise(action)) for text, action in scored if "Earlier situations" in text]
    assert len(user_model) == 16 * 4 and not any(action in text for text, action in user_model)


def test_a_strategy_whose_traces_carry_signal_wins(signal):
    log, frame, table = signal
    recon_backward = overall(table, "recon_vs_backward_win_rate")
    assert recon_backward["value"] == 1.0 and recon_backward["losses"] == 0
    assert recon_backward["wins"] == 30 and recon_backward["individuals"] == 10
    # 10 individuals, each with 3 wins: the sign test flips each individual's outcomes together, so p = 2 / 2^10
    # (the binomial sign test over the 30 items would say 2 / 2^30, as if the items were independent)
    assert recon_backward["p_value"] == pytest.approx(2 / 2**10)
    assert overall(table, "backward_vs_none_win_rate")["ties"] == 30  # no signal either way: all ties
    assert overall(table, "recon_vs_forward_win_rate")["losses"] == 0
    # Recon never loses: a complete ordering, whose Bradley–Terry strengths are unbounded (NaN with the reason), not
    # numbers set by the regulariser
    assert math.isnan(overall(table, "recon_bt_strength")["value"])
    assert "unbounded above" in overall(table, "recon_bt_strength")["note"]
    assert overall(table, "recon_fidelity_gain")["value"] > 0 and overall(table, "recon_fidelity_gain")["ci_low"] > 0
    # Recon keeps a SIGNAL candidate whenever one of its candidates has it
    for sample in log.samples:
        for trace in sample.scores["recon_scorer"].metadata["traces"]:
            if trace["strategy"] == "recon":
                has = ["SIGNAL" in (c["trace"] or "") for c in trace["candidates"]]
                assert ("SIGNAL" in trace["trace"]) == any(has)
    assert overall(table, "recon_calls_per_example")["value"] == 6.0  # 3 candidates + 3 reconstruction scores
    assert overall(table, "forward_calls_per_example")["value"] == 1.0


def test_per_domain_and_individual_rows_and_units_reproduce_the_headline(signal):
    log, frame, table = signal
    groups = set(table["group"])
    assert {"overall", "scotus", "diplomacy"} <= groups
    assert {f"{s.metadata['domain']}/{s.metadata['individual']}" for s in log.samples} <= groups
    headline = INFO.headline_from_units(INFO.units(frame))
    for metric in INFO.headline:
        expected = overall(table, metric.name)["value"]
        assert headline[metric.name] == pytest.approx(expected, nan_ok=True), metric.name
    (svg,) = run_plots(frame, table).values()
    rates = table[table["metric"].str.endswith("_win_rate") & (table["group"] == "overall")]
    for _, r in rates.iterrows():  # each pair's overall win rate is written beside its point
        decided = f"{r['value']:.2f} ({int(r['wins'])}-{int(r['losses'])}, "
        assert (decided if r["wins"] + r["losses"] else "no wins or losses (") + f"{int(r['ties'])} ties)" in svg


def test_invalid_outputs_and_scoring_errors_are_counted_not_raised(tmp_path):
    def responder(messages, config):
        kind = prompt_kind(messages[-1].text)
        return (
            ""
            if kind == "backward"
            else ("ok" if hashlib.sha256(str(config.seed).encode()).digest()[0] % 3 == 0 else GENERIC)
        )

    def scorer(messages, continuation):
        if "Earlier situations" in messages[-1].text and "Reasoning of" not in messages[-1].text:
            raise ScoringError("scripted failure")  # the user model fails without traces
        return -2.0

    log, frame, table = run(tmp_path, "broken", responder, scorer, domains="diplomacy", individuals=2)
    assert overall(table, "backward_invalid_traces")["value"] == 4
    assert overall(table, "backward_leak_rate")["n"] == 0 and math.isnan(overall(table, "backward_leak_rate")["value"])
    none_errors = overall(table, "recon_vs_none_win_rate")["missing"]
    assert overall(table, "scoring_errors")["value"] >= none_errors == 4
    for sample in log.samples:
        for item in sample.scores["recon_scorer"].metadata["items"]:
            assert "scripted failure" in item["fidelity"]["none"]["error"]
    assert overall(table, "recon_selection_errors")["value"] == 0 < overall(table, "recon_selection_errors")["n"]


def test_failed_selection_scorings_are_counted(tmp_path):
    def scorer(messages, continuation):
        text = messages[-1].text
        if "Reasoning of" in text and "Earlier situations" not in text:
            raise ScoringError("scripted selection failure")  # the reconstructor scoring Recon's candidates
        return -2.0

    log, frame, table = run(tmp_path, "noselect", lambda m, c: GENERIC, scorer, domains="diplomacy", individuals=2)
    row = overall(table, "recon_selection_errors")
    candidates = sum(
        len(t["candidates"])
        for s in log.samples
        for t in s.scores["recon_scorer"].metadata["traces"]
        if t["strategy"] == "recon"
    )
    assert row["value"] == row["n"] == candidates > 0
    invalid = overall(table, "recon_invalid_traces")
    assert invalid["value"] == invalid["n"] > 0  # no candidate could be chosen


def test_sample_ids_are_stable_and_options_are_checked():
    first = [s.id for s in recon().dataset]
    assert first == [s.id for s in recon().dataset] and len(first) == 8
    assert all(re.fullmatch(r"(scotus|diplomacy)/[\w.-]+", i) for i in first)
    task = recon(strategies="none,recon", domains="scotus", individuals=2)
    assert task.version == TASK_VERSION == 3 and len(task.dataset) == 2
    for bad, message in ((dict(strategies="recon,magic"), "unknown strateg"), (dict(domains="mars"), "unknown domain"),
                         (dict(candidates=0), "candidates must be"), (dict(tie_margin=-1), "tie_margin"),
                         (dict(history="abc"), "history must be a whole number, got 'abc'"),
                         (dict(tie_margin="x"), "tie_margin must be a number")):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            recon(**bad)


def test_registered_info():
    assert INFO.name == "recon" and INFO.task_names == ["recon"]
    assert {m.name for m in INFO.headline} == {
        "recon_vs_backward_win_rate", "recon_vs_forward_win_rate", "backward_leak_rate", "recon_fidelity_gain"
    }  # fmt: skip
    assert np.all([m.kind in ("proportion", "mean") for m in INFO.headline])


def test_pairwise_judge_needs_both_orders(tmp_path):
    """The user model predicts "good" when its prompt holds a SIGNAL trace; the judge prefers a "good" prediction and
    otherwise always answers A (position bias), which must come out as ties, not wins."""

    def responder(messages, config):
        text = messages[-1].text
        if "Prediction A:" in text:
            a, b = text.split("Prediction A:", 1)[1].split("Prediction B:", 1)
            return "B" if "good" in b and "good" not in a else "A"
        if "Earlier situations" in text:
            return "PRED good" if "SIGNAL" in text else "PRED bad"
        return signal_responder(messages, config)

    log, frame, table = run(tmp_path, "judged", responder, signal_scorer, domains="scotus", individuals=3, judge=True)
    judged = overall(table, "recon_vs_backward_judge_win_rate")
    fidelity = overall(table, "recon_vs_backward_win_rate")
    assert judged["value"] == 1.0 and judged["wins"] == fidelity["wins"] > 0 and judged["losses"] == 0
    assert judged["ties"] == fidelity["ties"]
    position_only = overall(table, "backward_vs_none_judge_win_rate")
    assert position_only["ties"] == 6 and position_only["wins"] == position_only["losses"] == 0
    assert overall(table, "judge_seconds_per_item")["n"] == 6
    item = log.samples[0].scores["recon_scorer"].metadata["items"][0]
    assert set(item["judge"]["predictions"]) == {"none", "forward", "backward", "recon"}
    assert len(item["judge"]["pairs"]) == 6


def test_inspects_none_model_is_one_clear_error(tmp_path):
    # without --model (and outside the repository, whose .env names the embedded model) inspect runs none/none,
    # whose every call fails: the run stops with one line instead of finishing with NaN everywhere
    task = recon(individuals=1, history=1, test=1, strategies="none,forward")
    [log] = inspect_eval(task, model="none", log_dir=str(tmp_path), display="none")
    assert log.status == "error" and log.error is not None
    assert "recon: no model for the synthesizer role" in log.error.message and "--model" in log.error.message


def test_a_misspelt_model_role_is_one_clear_error(tmp_path):
    task = recon(individuals=1, history=1, test=1, strategies="none,forward")
    roles = {"reconstrutor": "mockllm/model"}
    [log] = inspect_eval(task, model="mockllm/model", model_roles=roles, log_dir=str(tmp_path), display="none")
    assert log.status == "error" and log.error is not None
    assert "recon: unknown model role reconstrutor (--model-role); its roles are judge, reconstructor" in (
        log.error.message
    )


def test_a_run_whose_scorings_or_traces_mostly_failed_is_flagged_degenerate():
    def table(errors: int, invalid: int) -> pd.DataFrame:
        rows = [("scoring_errors", errors, 64), ("recon_invalid_traces", invalid, 16), ("recon_leak_rate", 0.0, 16)]
        return pd.DataFrame([{"metric": m, "value": v, "n": n, "group": "overall"} for m, v, n in rows])

    assert INFO.degenerate is not None
    assert INFO.degenerate(table(0, 0)) is None and INFO.degenerate(table(32, 8)) is None
    assert INFO.degenerate(table(64, 0)) == "64 of 64 fidelity scorings failed"
    assert INFO.degenerate(table(0, 9)) == "9 of 16 recon traces invalid"
