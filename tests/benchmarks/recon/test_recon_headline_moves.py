"""Every headline metric can move: a degenerate model (constant traces and scores) and a scripted perfect one (its
Recon traces carry what the user model needs; or its backward traces quote the action) get different values, and a
contrary one moves the win rate and the gain the other way. Mock provider, exact values."""

from __future__ import annotations

import hashlib
import math
import re
from contextlib import ExitStack

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon import INFO
from benchmarks.recon.task import recon
from reports.logs import samples_frame
from twinbench.providers.mock import mock_output
from twinbench.providers.scoring import mock_scorer

HEADLINE = [m.name for m in INFO.headline]
GENERIC = "They want to keep the discussion going and test the other side's position carefully."
SIGNAL = "They SIGNAL their real intent here and plan the next move with care."
ARGS = {"domains": "scotus", "individuals": 3, "history": 2, "test": 2}


def constant(messages, config):
    return GENERIC  # every trace of every strategy is the same text


def seeded_signal(messages, config):
    """Forward candidates carry SIGNAL for half the request seeds; backward traces quote the action or not."""
    text = messages[-1].text
    if " then said: " in text:
        return GENERIC
    return SIGNAL if hashlib.sha256(str(config.seed).encode()).digest()[0] % 2 else GENERIC


def quoting(messages, config):
    text = messages[-1].text
    if " then said: " in text:  # backward restates the action verbatim
        return "Reasoning: they say exactly this: " + re.search(r" then said: (.*)\n\nExplain ", text, re.S).group(1)
    return GENERIC


SCORERS = {
    "constant": lambda messages, action: -2.0,
    "perfect": lambda messages, action: -3.0 + 0.5 * sum(m.text.count("SIGNAL") for m in messages),
    "contrary": lambda messages, action: -3.0 - 0.5 * sum(m.text.count("SIGNAL") for m in messages),
}


def headline(tmp_path, name: str, responder, scorer: str, user_scorer: str | None = None):
    """One run; ``user_scorer``: the user model is another mock model, scored so (the reconstructor keeps
    ``scorer``)."""
    model = get_model(f"mock/{name}", responder=responder, memoize=False)
    roles = {}
    with ExitStack() as stack:
        stack.enter_context(mock_scorer(f"mock/{name}", SCORERS[scorer]))
        if user_scorer:
            stack.enter_context(mock_scorer(f"mock/{name}-user", SCORERS[user_scorer]))
            roles["user_model"] = get_model(f"mock/{name}-user", memoize=False)
        [log] = inspect_eval(recon(**ARGS), model=model, model_roles=roles, log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    table = INFO.summarize(samples_frame(log))
    overall = table[table.group == "overall"].set_index("metric")
    return log, {m: float(overall.loc[m, "value"]) for m in HEADLINE}, overall


def recon_signal_gain(log) -> float:
    """Under the perfect scorer, a held-out item's gain is 0.5 x the SIGNAL traces of Recon in its prompt (none has
    none): the mean over items of 0.5 x the individual's Recon traces that carry SIGNAL."""
    gains = []
    for sample in log.samples:
        meta = sample.scores["recon_scorer"].metadata
        signal = sum(1 for t in meta["traces"] if t["strategy"] == "recon" and "SIGNAL" in (t.get("trace") or ""))
        gains += [0.5 * signal] * len(meta["items"])
    return sum(gains) / len(gains)


def test_free_text_headline_metrics_move_between_a_degenerate_and_a_perfect_model(tmp_path):
    _, degenerate, table = headline(tmp_path / "c", "constant", constant, "constant")
    # constant traces and scores: every comparison ties, no win rate; the gain is exactly 0; nothing quoted
    assert math.isnan(degenerate["recon_vs_backward_win_rate"]) and math.isnan(degenerate["recon_vs_forward_win_rate"])
    assert table.loc["recon_vs_backward_win_rate", "ties"] == 6 and table.loc["recon_vs_backward_win_rate", "n"] == 0
    assert degenerate["recon_fidelity_gain"] == 0.0 and degenerate["backward_leak_rate"] == 0.0

    log, perfect, table = headline(tmp_path / "p", "perfect", seeded_signal, "perfect")
    expected_gain = recon_signal_gain(log)
    assert expected_gain > 0
    assert perfect["recon_fidelity_gain"] == pytest.approx(expected_gain)
    assert perfect["recon_vs_backward_win_rate"] == 1.0 and perfect["recon_vs_forward_win_rate"] == 1.0
    assert perfect["backward_leak_rate"] == 0.0

    log, contrary, _ = headline(tmp_path / "x", "contrary", seeded_signal, "perfect", user_scorer="contrary")
    # the user model is put off by what the reconstructor chose: Recon loses every decisive item, the gain is < 0
    assert contrary["recon_vs_backward_win_rate"] == 0.0
    assert contrary["recon_fidelity_gain"] == pytest.approx(-recon_signal_gain(log))

    _, leaky, _ = headline(tmp_path / "q", "quoting", quoting, "constant")
    assert leaky["backward_leak_rate"] == 1.0  # every backward trace quotes its action (the guard masks it)
    for metric in HEADLINE:
        values = {v[metric] for v in (degenerate, perfect, contrary, leaky)}
        assert len({("nan" if math.isnan(v) else round(v, 12)) for v in values}) > 1, metric


def uniform_letters(messages, config):
    """Every trace the same text, and every scoring prompt answered with the same flat distribution over A-K."""
    text = messages[-1].text
    if text.endswith("Reasoning:"):
        return GENERIC
    return mock_output("A", top_logprobs={letter: math.log(1 / 11) for letter in "ABCDEFGHIJK"})


def test_respondents_headline_metrics_of_a_degenerate_model(tmp_path):
    """The degenerate discrete model: every option equally likely whatever the trace. Its probability of the true
    option is 1/k on every item (the perfect-signal counterpart is test_recon_respondents: 0.6 against 0.2)."""
    model = get_model("mock/flat", responder=uniform_letters, memoize=False)
    [log] = inspect_eval(
        recon(domains="respondents", individuals=3, test=2), model=model, log_dir=str(tmp_path), display="none"
    )
    assert log.status == "success", log.error
    table = INFO.summarize(samples_frame(log))
    overall = table[table.group == "overall"].set_index("metric")
    assert math.isnan(overall.loc["recon_vs_backward_win_rate", "value"])
    assert overall.loc["recon_vs_backward_win_rate", "ties"] == 6
    assert overall.loc["recon_fidelity_gain", "value"] == 0.0
    for sample in log.samples:
        for item in sample.scores["recon_scorer"].metadata["items"]:
            k = len(item["fidelity"]["none"]["probabilities"])
            assert all(f["value"] == pytest.approx(1 / k) for f in item["fidelity"].values())
            assert item["fidelity"]["none"]["off_option_mass"] == pytest.approx(1 - k / 11)
