"""End to end on the embedded model (slow: starts a llama.cpp server per setting)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval

from benchmarks.specserve import INFO
from benchmarks.specserve.task import specserve
from reports.logs import samples_frame
from twinbench.providers.local import running_servers


@pytest.mark.slow
def test_plain_and_prompt_lookup_side_by_side(tmp_path):
    before = set(running_servers())  # servers other tests share may be running in this process
    task = specserve(configs="ngram:4", categories="summarization", per_category=1, max_tokens=24)
    [log] = inspect_eval(task, model="local/smollm2-135m", log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    assert log.samples is not None
    scores: dict[str, Any] = {s.id: s.scores["specserve_scorer"] for s in log.samples if s.scores}
    assert sorted(scores) == ["summarization-299@ngram-k4@c1", "summarization-299@plain@c1"]
    plain, spec = scores["summarization-299@plain@c1"], scores["summarization-299@ngram-k4@c1"]
    for score in (plain, spec):
        assert score.value["ok"] == 1.0 and score.value["output_tokens"] > 1
        assert score.value["tokens_per_s"] > 0 and score.value["ttft_ms"] > 0
        [turn] = score.metadata["turns"]
        assert "".join(turn["pieces"]) == score.answer == turn["text"]
    # plain decoding publishes no counters; prompt lookup on a summary of the prompt's own article drafts
    assert math.isnan(plain.value["num_drafts"])
    assert spec.value["num_drafts"] > 0 and 0 <= spec.value["num_accepted_tokens"] <= spec.value["num_draft_tokens"]
    # every setting's own server was stopped; what may remain is the eval model's shared one (stopped here)
    assert len(set(running_servers()) - before) <= 1
    summary = INFO.summarize(samples_frame(log))
    overall = summary[summary.group == "overall"].set_index("metric")
    assert overall.loc["speedup", "n"] == 1 and overall.loc["speedup", "value"] > 0
    assert overall.loc["output_equality", "value"] in (0.0, 1.0)
    assert overall.loc["invalid", "value"] == 0
