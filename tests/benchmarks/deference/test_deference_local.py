"""End to end on the embedded model (slow: starts llama.cpp)."""

import pytest
from inspect_ai import eval as inspect_eval

from benchmarks.deference import INFO
from benchmarks.deference.scorer import VERDICTS, Verdict
from benchmarks.deference.task import deference
from reports.logs import samples_frame


@pytest.mark.slow
def test_smollm2_runs_and_every_constrained_verdict_parses(tmp_path):
    task = deference(domains="capitals", items_per_domain=2)  # constrained: llama.cpp decodes under the schema
    [log] = inspect_eval(task, model="local/smollm2-135m", log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    assert len(log.samples) == 8
    values = [s.scores["verdict_scorer"].value for s in log.samples]
    assert all(v["parsed"] == 1 and v["correct"] in (0, 1) for v in values)
    assert all(s.scores["verdict_scorer"].metadata["parse"] == "json" for s in log.samples)
    # the whole reply is the schema's object, nothing around it
    assert all(Verdict.model_validate_json(s.output.completion).verdict in VERDICTS for s in log.samples)
    table = INFO.summarize(samples_frame(log))
    unparseable = table[(table.metric == "unparseable") & (table.group == "overall")].iloc[0]
    assert unparseable["value"] == 0
    dds = table[(table.metric == "dds") & (table.group == "overall")].iloc[0]
    assert dds["n"] == 2 and -200 <= dds["value"] <= 200
