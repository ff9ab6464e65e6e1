"""End-to-end on the embedded llama.cpp model (slow: starts a server)."""

import math

import pytest
from inspect_ai import eval

from benchmarks.survey.task import survey


@pytest.mark.slow
def test_smollm2_gives_one_logprob_call_per_item(tmp_path, samples_frame):
    task = survey(surveys="beps", max_items=2)
    log = eval(task, model="local/smollm2-135m", log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success", log.error
    frame = samples_frame(log)
    assert len(frame) == len(task.dataset)
    assert all(m["mode"] == "logprobs" for m in frame.score_metadata) and all(s["calls"] == 1 for s in frame.score)
    for s in frame.score:
        assert 0.0 <= s["invalid_share"] <= 1.0 and 0.0 <= s["representativeness"] <= 1.0
        assert 0.0 <= s["p_value"] <= 1.0  # NaN (untestable) fails too
    metrics = {k: v.value for k, v in log.results.scores[0].metrics.items()}
    assert metrics["model_calls"] == len(task.dataset)
    assert not math.isnan(metrics["representativeness"])
