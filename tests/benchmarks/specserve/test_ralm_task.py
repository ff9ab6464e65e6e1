"""The ralmspec task end to end: on the mock provider (fast) and on the embedded model (slow)."""

import math

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, get_model

from benchmarks.specserve.ralm_summary import HEADLINE, summarize_ralm
from benchmarks.specserve.ralm_task import parse_sizes, ralmspec, size_values
from reports.logs import samples_frame


def run(tmp_path, model, **task_args):
    [log] = inspect_eval(ralmspec(**task_args), model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    return log, samples_frame(log)


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


def test_options():
    assert parse_sizes("40,10,40") == (10, 40) and parse_sizes(["5", "7"]) == (5, 7) and parse_sizes(9) == (9,)
    task = ralmspec(retriever="bm25", corpus_sizes="20,10", questions=5)
    ids = [s.id for s in task.dataset]
    assert len(ids) == 5 and all(str(i).startswith("qa-") for i in ids)
    assert [(s.metadata or {})["order"] for s in task.dataset] == ["baseline_first", "ralmspec_first"] * 2 + [
        "baseline_first"
    ]
    assert ids == [s.id for s in ralmspec(retriever="bm25", questions=5, corpus_sizes="10").dataset]
    with pytest.raises(ValueError, match="retriever"):
        ralmspec(retriever="faiss")
    with pytest.raises(ValueError, match="knowledge base has"):
        ralmspec(corpus_sizes="100000")
    assert size_values(10, {"error": "x"})["valid_10"] == 0 and math.isnan(
        size_values(10, {"error": "x"})["speedup_10"]
    )


def test_mock_model_bm25(tmp_path):
    def echo(messages, config):  # the passage's first word: the text depends on the passages retrieved
        return ModelOutput.from_content("mock/echo", messages[-1].text.split()[0] + " ", stop_reason="max_tokens")

    model = get_model("mock/echo", responder=echo, memoize=False)
    log, frame = run(tmp_path, model, retriever="bm25", corpus_sizes="30,120", questions=3, max_tokens=12, window=2)
    values = [s.scores["ralm_scorer"].value for s in log.samples]
    assert all(v[f"valid_{n}"] == 1 and v[f"outputs_equal_{n}"] == 1 for v in values for n in (30, 120))
    assert all(v["baseline_retrieval_calls_120"] == 3 for v in values)  # 12 tokens / stride 4
    meta = log.samples[0].scores["ralm_scorer"].metadata
    assert meta["ralmspec"]["30"]["baseline"]["docs"] == meta["ralmspec"]["30"]["ralmspec"]["docs"]
    table = summarize_ralm(frame)
    assert overall(table, HEADLINE)["n"] == 3 and overall(table, HEADLINE)["corpus_size"] == 120
    assert set(table.group) == {"corpus=30", "corpus=120", "overall"}


def test_failures_are_invalid_not_crashes(tmp_path):
    def broken(messages, config):
        raise RuntimeError("generation failed")

    model = get_model("mock/broken", responder=broken, memoize=False)
    log, frame = run(tmp_path, model, retriever="bm25", corpus_sizes="10", questions=2)
    assert all(s.scores["ralm_scorer"].value["valid_10"] == 0 for s in log.samples)
    assert "generation failed" in log.samples[0].scores["ralm_scorer"].metadata["ralmspec"]["10"]["error"]
    assert overall(summarize_ralm(frame), "ralm_invalid")["value"] == 2
    log, _ = run(
        tmp_path, "mock/x", retriever="dense", corpus_sizes="10", questions=1, embedding_model="/nonexistent/model.gguf"
    )
    assert log.samples[0].scores["ralm_scorer"].value["valid_10"] == 0  # the dense retriever could not load


@pytest.mark.slow
def test_embedded_model_dense(tmp_path, monkeypatch):
    monkeypatch.setenv("TWINBENCH_EMBEDDINGS_DIR", str(tmp_path / "embeddings"))
    args = {"retriever": "dense", "corpus_sizes": "3,6", "questions": 2, "max_tokens": 8, "window": 1}
    # one llama.cpp thread: on 2 busy cores a 2-thread server spins at its barriers (retrieval.EMBEDDING_THREADS)
    model = get_model("local/smollm2-135m", n_threads=1, n_threads_batch=1)
    log, frame = run(tmp_path, model, **args)
    values = [s.scores["ralm_scorer"].value for s in log.samples]
    assert all(v[f"valid_{n}"] == 1 for v in values for n in (3, 6)), [
        s.scores["ralm_scorer"].explanation for s in log.samples
    ]
    assert all(v[f"outputs_equal_{n}"] == 1 for v in values for n in (3, 6))
    assert len(list((tmp_path / "embeddings").glob("*.npy"))) == 1  # one cache file, extended from 3 to 6
    table = summarize_ralm(frame)
    for size in (3, 6):
        speedup = table[(table.metric == HEADLINE) & (table.group == f"corpus={size}")].iloc[0]
        assert speedup["n"] == 2 and speedup["value"] > 0
