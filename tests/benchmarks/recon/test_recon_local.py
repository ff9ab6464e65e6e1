"""Recon's discrete domain (``respondents``) on the embedded models (slow: starts llama.cpp)."""

from __future__ import annotations

import math

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon import INFO
from benchmarks.recon.data import load_domain, option_letters
from benchmarks.recon.prompts import reconstruction_messages
from benchmarks.recon.task import recon
from reports.logs import samples_frame
from twinbench.providers.scoring import OPTION_LOGPROBS, score_continuation, score_options


@pytest.mark.slow
@pytest.mark.parametrize("name", ["local/smollm2-135m", "local/gemma3-270m"])
async def test_option_scores_are_the_renormalised_teacher_forced_letter_probabilities(name):
    # The vote question (3 options) of the first respondent, as the reconstructor sees it without a trace. On
    # Gemma-3-270M its true letter (C) is outside the top 20 first tokens and is completed teacher-forced.
    person = load_domain("respondents")[0]
    [example] = [e for e in person.examples if e.group == "vote"]
    options = example.metadata["options"]
    letters = option_letters(len(options))
    messages = reconstruction_messages(person.name, example.context, None, 1500, options)
    model = get_model(name)
    scored = await score_options(model, messages, letters)
    assert scored.method == OPTION_LOGPROBS
    assert 0 < 1 - scored.off_option_mass <= 1 + 1e-6  # the letters' first-token mass is a real probability
    forced = [math.exp((await score_continuation(model, messages, x)).total) for x in letters]
    # equal up to the other token forms a listed letter sums (" C" besides "C"), which are tiny here
    assert scored.probabilities == pytest.approx([p / sum(forced) for p in forced], abs=0.01)
    assert min(scored.probabilities) > 0
    if name.endswith("gemma3-270m"):
        assert scored.completed_letters >= 1


@pytest.mark.slow
def test_respondents_end_to_end_on_smollm2(tmp_path):
    # 1 respondent, 1 history question (vote, 3 options), 1 held-out question (5 options), Recon against no trace
    # with 2 short candidates: 6 model calls (8 s on free cores, up to 2 minutes under heavy load)
    task = recon(
        domains="respondents", individuals=1, history=1, test=1, strategies="none,recon", candidates=2, trace_tokens=24
    )
    [log] = inspect_eval(task, model="local/smollm2-135m", log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples
    meta = sample.scores["recon_scorer"].metadata
    [item] = meta["items"]
    [held] = sample.metadata["test"]
    truth = held["metadata"]["answer"]
    assert set(item["fidelity"]) == {"none", "recon"}
    for result in item["fidelity"].values():
        assert result["error"] is None and result["method"] == OPTION_LOGPROBS
        assert sum(result["probabilities"]) == pytest.approx(1.0)
        assert result["value"] == result["probabilities"][truth] and 0 < result["value"] <= 1
        assert 0 < 1 - result["off_option_mass"] <= 1 + 1e-6
    [chosen] = [t for t in meta["traces"] if t["strategy"] == "recon"]
    scored = [c["fidelity"]["value"] for c in chosen["candidates"] if c.get("fidelity")]
    assert scored and chosen["fidelity"]["value"] == max(scored)
    table = INFO.summarize(samples_frame(log))
    row = table[(table.metric == "option_letter_mass") & (table.group == "overall")].iloc[0]
    assert row["n"] == 2 and 0 < row["value"] <= 1
    assert table[(table.metric == "scoring_errors")].iloc[0]["value"] == 0
    assert table[(table.metric == "recon_vs_none_win_rate") & (table.group == "overall")].iloc[0]["ties"] <= 1
