"""Recon's summarize_runs hook: transfer of traces chosen with one reconstructor to another user model, from scripted
runs of mock models bound to the ``reconstructor`` and ``user_model`` roles."""

from __future__ import annotations

import hashlib
import json
from contextlib import ExitStack

import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon import INFO
from benchmarks.recon.summary import summarize_runs
from reports.logs import samples_frame
from twinbench.providers.scoring import mock_scorer

SIGNAL = "They SIGNAL their real intent here and plan the next move with care."
GENERIC = "They want to keep the discussion going and test the other side's position carefully."
ARGS = {"domains": "scotus", "individuals": 3, "history": 1, "test": 3, "candidates": 3}


def synthesizer(messages, config):
    """Half the forward samples (by request seed) carry SIGNAL; backward traces never do."""
    text = messages[-1].text
    if text.endswith("Reasoning:") and " then said: " not in text:
        return SIGNAL if hashlib.sha256(str(config.seed).encode()).digest()[0] % 2 else GENERIC
    return GENERIC


def sees_signal(messages, continuation):  # the action is likelier the more SIGNAL the model sees
    return -3.0 + 0.5 * sum(m.text.count("SIGNAL") for m in messages)


def prefers_generic(messages, continuation):  # a reconstructor that picks the candidates WITHOUT the signal
    return -3.0 - 0.5 * sum(m.text.count("SIGNAL") for m in messages)


def blind(messages, continuation):  # a user model the traces do not move: every item ties
    return -2.0


SCORERS = {"mock/good": sees_signal, "mock/contrary": prefers_generic, "mock/blind": blind}


def one_run(tmp_path, reconstructor: str, user_model: str):
    roles = {
        "reconstructor": get_model(reconstructor, memoize=False),
        "user_model": get_model(user_model, memoize=False),
    }
    model = get_model("mock/synth", responder=synthesizer, memoize=False)
    with ExitStack() as stack:
        for name in {reconstructor, user_model}:
            stack.enter_context(mock_scorer(name, SCORERS[name]))
        [log] = inspect_eval(
            INFO.tasks[0](**ARGS), model=model, model_roles=roles, log_dir=str(tmp_path), display="none"
        )
    assert log.status == "success", log.error
    frame = samples_frame(log).assign(
        task="recon",
        task_version=str(log.eval.task_version),
        model="mock/synth",
        model_roles=json.dumps({"reconstructor": reconstructor, "user_model": user_model}, sort_keys=True),
        task_args=json.dumps(ARGS, sort_keys=True),
        log=log.location,
    )
    return frame


PAIRS = [("mock/good", "mock/good"), ("mock/contrary", "mock/good"), ("mock/good", "mock/blind")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return {pair: one_run(tmp_path_factory.mktemp("transfer"), *pair) for pair in PAIRS}


def cell(table, reconstructor, user_model, metric):
    rows = table[(table.group == f"{reconstructor} -> {user_model}") & (table.metric == metric)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_transfer_table_has_each_pair_with_the_single_run_statistics(runs):
    table = summarize_runs(pd.concat(runs.values(), ignore_index=True))
    assert set(table.group) == {f"{r} -> {u}" for r, u in PAIRS}
    assert set(table.metric) == {"recon_vs_backward_win_rate", "recon_vs_forward_win_rate"}
    assert table.scope.nunique() == 1 and "3 (reconstructor, user model) pairs" in table.scope.iloc[0]
    for pair, frame in runs.items():
        single = INFO.summarize(frame)
        for metric in ("recon_vs_backward_win_rate", "recon_vs_forward_win_rate"):
            row = cell(table, *pair, metric)
            ref = single[(single.metric == metric) & (single.group == "overall")].iloc[0]
            for column in ("value", "ci_low", "ci_high", "p_value", "wins", "losses", "ties", "n"):
                assert row[column] == pytest.approx(ref[column], nan_ok=True), (pair, metric, column)
            assert row["items"] == 9 and row["runs"] == 1
            assert row["transfer"] == (pair[0] != pair[1])


def test_transfer_separates_a_good_reconstructor_from_a_contrary_one_and_a_blind_user_model(runs):
    table = summarize_runs(pd.concat(runs.values(), ignore_index=True))
    good = cell(table, "mock/good", "mock/good", "recon_vs_backward_win_rate")
    contrary = cell(table, "mock/contrary", "mock/good", "recon_vs_backward_win_rate")
    blind_cell = cell(table, "mock/good", "mock/blind", "recon_vs_backward_win_rate")
    # Recon's chosen traces carry the signal the user model reads (a candidate with it exists for these seeds)
    assert good["value"] == 1.0 and good["wins"] == 9 and good["losses"] == 0
    # 3 individuals with 3 wins each: the sign test flips an individual's items together, p = 2 / 2^3 (2 / 2^9 as
    # if the 9 items were independent); the Wilson interval is at the design effect: 3 individuals, all-or-nothing
    assert good["p_value"] == pytest.approx(2 / 2**3) and good["individuals"] == 3
    assert good["ci_low"] == pytest.approx(0.43850297, abs=1e-8) and good["ci_high"] == 1.0  # Wilson of 3 out of 3
    # the contrary reconstructor keeps the signal-free candidate wherever it can: fewer wins for the same user model
    assert contrary["wins"] < good["wins"] and contrary["losses"] == 0
    # a user model the traces do not move: all ties, no win rate
    assert blind_cell["ties"] == 9 and blind_cell["n"] == 0 and pd.isna(blind_cell["value"])


def test_repeated_runs_of_a_pair_pool_and_a_lone_run_gives_nothing(runs):
    good = runs[("mock/good", "mock/good")]
    again = good.assign(log="again.eval")
    table = summarize_runs(pd.concat([good, again, runs[("mock/contrary", "mock/good")]], ignore_index=True))
    row = cell(table, "mock/good", "mock/good", "recon_vs_backward_win_rate")
    # a repeated run scores the same 9 items again: averaged per item, not counted as 9 new ones (18 wins, p = 2 / 2^18
    # before)
    assert row["runs"] == 2 and row["items"] == 9 and row["wins"] == 9
    alone = cell(summarize_runs(pd.concat([good, runs[("mock/contrary", "mock/good")]], ignore_index=True)),
                 "mock/good", "mock/good", "recon_vs_backward_win_rate")  # fmt: skip
    for column in ("value", "ci_low", "ci_high", "p_value", "wins", "losses", "ties"):
        assert row[column] == alone[column], column
    assert summarize_runs(good).empty
    # different task arguments are different scopes: nothing to compare within either
    other = runs[("mock/contrary", "mock/good")].assign(task_args=json.dumps({**ARGS, "test": 2}))
    assert summarize_runs(pd.concat([good, other], ignore_index=True)).empty
