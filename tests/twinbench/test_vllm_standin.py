"""The vllm/ path end to end without a GPU: inspect's own vLLM provider starts the stand-in ``vllm`` executable
(``vllm_standin.py``: the embedded model behind vLLM's interfaces), talks to it and stops it (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from tests.twinbench.vllm_standin import install

MODEL = "vllm/HuggingFaceTB/SmolLM2-135M-Instruct"
INSPECT = str(Path(sys.executable).parent / "inspect")


def run(tmp_path: Path, *args: str, fail: str | None = None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    record = tmp_path / "serve.jsonl"
    env = {**os.environ, **install(tmp_path / "standin"), "VLLM_STANDIN_RECORD": str(record)}
    if fail:
        env["VLLM_STANDIN_FAIL"] = fail
    done = subprocess.run(
        [INSPECT, "eval", *args, "--model", MODEL, "--log-dir", str(tmp_path / "logs"), "--display", "none"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    serves = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return done, serves


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def only_log(tmp_path: Path):
    [file] = (tmp_path / "logs").glob("*.eval")
    return read_eval_log(str(file))


@pytest.mark.slow
def test_specserve_restarts_vllm_per_setting_with_its_speculative_config(tmp_path):
    args = [
        "benchmarks/specserve/task.py@specserve",
        "-T",
        "categories=summarization",
        "-T",
        "per_category=1",
        "-T",
        "max_tokens=16",
    ]
    done, serves = run(tmp_path, *args, "-M", "gpu_memory_utilization=0.5", "-M", "max_model_len=4096")
    assert done.returncode == 0, done.stderr[-2000:]
    # one `vllm serve` per setting, plain first; the model args passed through; loopback only
    assert len(serves) == 2
    for serve in serves:
        argv = serve["argv"]
        assert argv[:2] == ["serve", "HuggingFaceTB/SmolLM2-135M-Instruct"]
        assert argv[argv.index("--host") + 1] == "127.0.0.1"
        assert argv[argv.index("--gpu-memory-utilization") + 1] == "0.5"
        assert argv[argv.index("--max-model-len") + 1] == "4096"
        assert not alive(serve["pid"])  # stopped before the next setting and at the end
    assert "--speculative-config" not in serves[0]["argv"]
    spec = json.loads(serves[1]["argv"][serves[1]["argv"].index("--speculative-config") + 1])
    assert spec == {"method": "ngram", "num_speculative_tokens": 4, "prompt_lookup_max": 2, "prompt_lookup_min": 1}
    log = only_log(tmp_path)
    values = {s.metadata["setting"]: s.scores["specserve_scorer"].value for s in log.samples}
    assert values["plain@c1"]["ok"] == values["ngram-k4@c1"]["ok"] == 1.0
    assert values["ngram-k4@c1"]["num_drafts"] > 0  # counter deltas read from the stand-in's /metrics


@pytest.mark.slow
def test_a_server_that_fails_to_start_is_one_error_per_setting_and_leaves_no_process(tmp_path):
    args = [
        "benchmarks/specserve/task.py@specserve",
        "-T",
        "categories=qa",
        "-T",
        "per_category=1",
        "-T",
        "max_tokens=8",
    ]
    done, serves = run(tmp_path, *args, fail="CUDA out of memory")
    assert len(serves) == 2 and not any(alive(s["pid"]) for s in serves)
    log = only_log(tmp_path)
    for sample in log.samples:
        score = sample.scores["specserve_scorer"]
        assert score.value["ok"] == 0.0
        assert score.explanation.startswith(f"{sample.metadata['setting']}: RuntimeError: Failed to start vLLM server")
        assert "\n" not in score.explanation


@pytest.mark.slow
def test_another_benchmark_runs_through_vllm_with_its_response_schema(tmp_path):
    args = ["benchmarks/deference", "-T", "domains=capitals", "-T", "items_per_domain=1"]
    done, serves = run(tmp_path, *args, "-M", "tensor_parallel_size=1")
    assert done.returncode == 0, done.stderr[-2000:]
    [serve] = serves
    assert serve["argv"][serve["argv"].index("--tensor-parallel-size") + 1] == "1"
    log = only_log(tmp_path)
    assert log.status == "success" and len(log.samples) == 4
    # deference asks for its verdict under a JSON schema (OpenAI's json_schema format, as vLLM takes it)
    assert all(s.scores["verdict_scorer"].value["parsed"] == 1 for s in log.samples)
    assert not alive(serve["pid"])
