"""The embedded llama.cpp provider: serving, logprobs, outputs equal to a logits_all server, and no orphaned server.

Tests marked slow start the real SmolLM2 (or Gemma) model; the others run the engine's pieces without one.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.log import list_eval_logs, read_eval_log
from inspect_ai.model import GenerateConfig, get_model

from twinbench.providers.local import running_servers

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def servers_of(parent_pid: int) -> list[int]:
    """PIDs of embedded-model servers started by the process parent_pid (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"twinbench.providers.llama_server" in argv and str(parent_pid).encode() in argv[3:4]:
            found.append(int(entry.name))
    return found


def interruptible() -> None:
    """Child preexec: take SIGINT as a terminal's Ctrl-C does. An ignored or blocked SIGINT survives fork and exec
    (a job started with `&` by a non-interactive shell inherits it ignored, and Python keeps it ignored), so without
    this the signal could do nothing and the test time out for a reason that is not the product's."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def sigint_state(pid: int) -> str:
    """The process's ignored and blocked signal masks (for a failure message: SIGINT is bit 1)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return " ".join(line for line in lines if line.startswith(("SigIgn", "SigBlk", "SigCgt")))


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
async def test_serves_chat_with_logprobs_and_close_stops_the_server():
    # its own server: servers other tests share may be running in this process
    model = get_model("local/smollm2-135m", memoize=False, own_server=True)
    server = model.api._server
    assert server in running_servers()
    assert server.base_url.startswith("http://127.0.0.1:")
    out = await model.generate(
        "Answer with one letter. What is the capital of France? A) Paris B) Rome",
        config=GenerateConfig(max_tokens=1, temperature=0, logprobs=True, top_logprobs=5),
    )
    top = out.choices[0].logprobs.content[0].top_logprobs
    assert len(top) == 5 and all(t.logprob <= 0 for t in top)
    assert out.usage.input_tokens > 10 and out.usage.output_tokens == 1
    pid = server.process.pid
    model.api.close()
    assert server not in running_servers()
    assert wait_until(lambda: pid not in servers_of(os.getpid()))


@pytest.mark.slow
async def test_gemma3_base_model_serves_with_the_gemma_turn_format():
    model = get_model("local/gemma3-270m", memoize=False)
    try:
        out = await model.generate("The capital of France is", config=GenerateConfig(max_tokens=8, temperature=0))
        assert out.usage.output_tokens >= 1
    finally:
        model.api.close()


@pytest.mark.slow
def test_a_file_that_is_no_model_fails_with_one_line_and_no_server(tmp_path):
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file" * 100)
    before = servers_of(os.getpid())  # servers other tests share may be running in this process
    with pytest.raises(PrerequisiteError) as err:
        get_model(f"local/{bogus}", memoize=False, startup_timeout=60)
    assert "bogus.gguf exited with code" in str(err.value.message)
    assert servers_of(os.getpid()) == before


@pytest.mark.slow
def test_inspect_eval_cli_runs_a_task_and_leaves_no_server(tmp_path):
    proc = subprocess.Popen(
        [
            BIN / "inspect",
            "eval",
            "tests/twinbench/fixtures/capitals_task.py",
            "--model",
            "local/smollm2-135m",
            "--limit",
            "2",
            "--log-dir",
            tmp_path,
            "--display",
            "plain",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-2000:]
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and len(log.samples) == 2
    assert all(s.output.completion.strip() for s in log.samples)
    assert servers_of(proc.pid) == []


STARTER = """
import time
from inspect_ai.model import get_model
get_model("local/smollm2-135m")
print("ready", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_server_dies_with_its_parent(sig):
    proc = subprocess.Popen(
        [sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True, preexec_fn=interruptible
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        [server_pid] = servers_of(proc.pid)
        state = sigint_state(proc.pid)
        proc.send_signal(sig)
        try:
            proc.wait(timeout=180)  # SIGINT runs the exit handlers: slow on a loaded machine (CI with other jobs)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 180 s after {sig.name} ({state})")
        assert wait_until(lambda: not Path(f"/proc/{server_pid}").exists(), timeout=15)
    finally:
        proc.kill()


@pytest.mark.slow
def test_ctrl_c_during_an_inspect_eval_leaves_no_server(tmp_path):
    proc = subprocess.Popen(
        [
            BIN / "inspect",
            "eval",
            "tests/twinbench/fixtures/slow_task.py",
            "--model",
            "local/smollm2-135m",
            "--log-dir",
            tmp_path,
            "--display",
            "plain",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=interruptible,
    )
    try:
        assert wait_until(lambda: servers_of(proc.pid) != [], timeout=120)
        [server_pid] = servers_of(proc.pid)
        time.sleep(3)  # mid-generation
        state = sigint_state(proc.pid)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=240)  # inspect cancels the eval and writes its log first: slow on a loaded machine
        except subprocess.TimeoutExpired:
            pytest.fail(f"inspect eval still running 240 s after SIGINT ({state})")
        assert wait_until(lambda: not Path(f"/proc/{server_pid}").exists(), timeout=15)
    finally:
        proc.kill()


@pytest.mark.slow
async def test_a_response_schema_constrains_the_output_to_valid_json():
    from typing import Literal

    from inspect_ai.model import ResponseSchema
    from inspect_ai.util import json_schema
    from pydantic import BaseModel

    class Verdict(BaseModel):
        verdict: Literal["correct", "incorrect"]

    model = get_model("local/smollm2-135m", memoize=False)
    schema = ResponseSchema(name="verdict", json_schema=json_schema(Verdict))
    try:
        out = await model.generate(
            "Speaker 1: What is the capital of France?\nSpeaker 2: Rome.\nIs Speaker 2 correct?",
            config=GenerateConfig(max_tokens=20, temperature=0, response_schema=schema),
        )
    finally:
        model.api.close()
    assert Verdict.model_validate_json(out.completion).verdict in ("correct", "incorrect")


@pytest.mark.slow
async def test_a_prompt_longer_than_the_context_stops_with_model_length():
    model = get_model("local/smollm2-135m", memoize=False, n_ctx=256)
    try:
        out = await model.generate("word " * 2000, config=GenerateConfig(max_tokens=4))
    finally:
        model.api.close()
    assert out.stop_reason == "model_length"
    assert "maximum context length is 256 tokens" in out.completion


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_a_request_the_server_rejects_fails_at_once_with_its_message():
    model = get_model("local/smollm2-135m", memoize=False)
    bad = {"response_format": {"type": "no-such-format"}}
    start = time.monotonic()
    try:
        with pytest.raises(Exception, match="response_format"):
            await model.generate("hello", config=GenerateConfig(max_tokens=4, extra_body=bad))
    finally:
        model.api.close()
    assert time.monotonic() - start < 20  # no retry back-off (inspect's first retry waits longer than this)


@pytest.mark.slow
async def test_a_dead_server_is_named_not_retried():
    model = get_model("local/smollm2-135m", memoize=False, own_server=True)  # not the server other tests share
    server = model.api._server
    server.process.kill()
    server.process.wait()
    try:
        with pytest.raises(RuntimeError, match="llama.cpp server for smollm2-135m has stopped"):
            await model.generate("hello")
    finally:
        model.api.close()


# -- the engine (llama_engine.py): log-probabilities without logits_all ------------------------------------------


def test_top_logprobs_are_a_full_sort_cut_to_k_ties_included():
    import numpy as np

    from twinbench.providers.llama_engine import top_logprobs

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        values = rng.choice(np.array([-3.0, -2.5, -1.0, -0.5, -7.25], dtype=np.float32), size=n)  # many ties
        for k in (0, 1, 3, 20, n, n + 5):
            expected = sorted(zip(values, range(n)), reverse=True)[:k]  # upstream's order
            assert top_logprobs(values, k) == [(v, i) for v, i in expected]


def _benchmark_requests():
    """Real prompts: survey first-token log-probabilities, deference verdicts under the schema, and more."""
    from benchmarks.deference.task import deference
    from benchmarks.survey.solver import LOGPROB_CONFIG
    from benchmarks.survey.task import survey

    verdicts = deference(items_per_domain=1)
    questions = survey(max_items=6)
    requests = [(s.input, LOGPROB_CONFIG) for s in list(questions.dataset)[:6]]
    requests += [(s.input, verdicts.config) for s in list(verdicts.dataset)[::5][:6]]
    several = GenerateConfig(max_tokens=5, temperature=0, logprobs=True, top_logprobs=5)
    requests += [(s.input, several) for s in list(questions.dataset)[6:8]]
    requests += [(list(questions.dataset)[0].input, GenerateConfig(max_tokens=8, temperature=0))]
    requests += [(list(questions.dataset)[1].input, LOGPROB_CONFIG)] * 2  # the second: an exact prompt-cache hit
    return requests


def _assert_same_output(new, ref, where):
    """Identical text, stop reason, token counts and log-probabilities (every float equal, not approximately)."""
    assert new.completion == ref.completion, where
    assert new.stop_reason == ref.stop_reason, where
    assert (new.usage.input_tokens, new.usage.output_tokens) == (ref.usage.input_tokens, ref.usage.output_tokens)
    new_lp, ref_lp = new.choices[0].logprobs, ref.choices[0].logprobs
    assert (new_lp is None) == (ref_lp is None), where
    if ref_lp is not None:
        assert new_lp.model_dump() == ref_lp.model_dump(), where


@pytest.mark.slow
@pytest.mark.parametrize("alias,n_requests", [("smollm2-135m", None), ("gemma3-270m", 8)])
async def test_outputs_equal_those_of_the_logits_all_server(alias, n_requests):
    """Greedy text, stop reasons and top logprobs as from upstream's server with logits_all=True (the old one)."""
    requests = _benchmark_requests()
    if n_requests:  # Gemma: a 262k vocabulary, a bigger model; its first survey and verdict requests
        requests = requests[:4] + requests[6:10]
    new = get_model(f"local/{alias}", memoize=False)
    ref = get_model(f"local/{alias}", memoize=False, engine="upstream", logits_all=True)
    try:
        assert new.api._server.server_args["logits_all"] is False
        for i, (prompt, config) in enumerate(requests):  # the same sequence on both: the same prompt-cache history
            _assert_same_output(
                await new.generate(prompt, config=config), await ref.generate(prompt, config=config), f"request {i}"
            )
        top = (await new.generate(requests[0][0], config=requests[0][1])).choices[0].logprobs.content[0].top_logprobs
        assert len(top) == 20
    finally:
        new.api.close()
        ref.api.close()


@pytest.mark.slow
async def test_prompt_and_streamed_logprobs_switch_logits_all_on_for_that_request_only():
    import httpx

    new = get_model("local/smollm2-135m", memoize=False)
    ref = get_model("local/smollm2-135m", memoize=False, engine="upstream", logits_all=True)
    chat = {
        "messages": [{"role": "user", "content": "Name a colour."}],
        "max_tokens": 3,
        "temperature": 0,
        "logprobs": True,
        "top_logprobs": 3,
    }
    echo = {"prompt": "The capital of France is", "max_tokens": 2, "temperature": 0, "logprobs": 3, "echo": True}

    def streamed(text):
        chunks = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data: {")]
        return [c["choices"][0]["logprobs"]["content"][0] for c in chunks if c["choices"][0].get("logprobs")]

    try:
        async with httpx.AsyncClient(timeout=300) as client:

            async def both(path, body):
                out = []
                for model in (new, ref):
                    response = await client.post(f"{model.api._server.base_url}{path}", json=body)
                    response.raise_for_status()
                    out.append(response)
                return out

            # generated-token logprobs (fast path), then prompt logprobs (logits_all for one request), then back
            plain_new, plain_ref = await both("/chat/completions", chat)
            echo_new, echo_ref = await both("/completions", echo)
            stream_new, stream_ref = await both("/chat/completions", {**chat, "stream": True})
            again_new, _ = await both("/chat/completions", chat)
    finally:
        new.api.close()
        ref.api.close()

    def values(content):
        return [(t["token"], t["logprob"], [(x["token"], x["logprob"]) for x in t["top_logprobs"]]) for t in content]

    plain = values(plain_new.json()["choices"][0]["logprobs"]["content"])
    assert len(plain) == 3 and all(len(top) == 3 for _, _, top in plain)
    assert plain == values(plain_ref.json()["choices"][0]["logprobs"]["content"])  # equal floats, not approximately
    assert values(streamed(stream_new.text)) == values(streamed(stream_ref.text)) == plain
    assert values(again_new.json()["choices"][0]["logprobs"]["content"]) == plain
    lp_new, lp_ref = echo_new.json()["choices"][0]["logprobs"], echo_ref.json()["choices"][0]["logprobs"]
    assert len(lp_new["tokens"]) > 5  # the prompt's tokens and the reply's
    assert lp_new == lp_ref


@pytest.mark.slow
@pytest.mark.parametrize("alias", ["smollm2-135m", "gemma3-270m"])
async def test_echo_logprobs_equal_upstreams(alias):
    """Prompt log-probabilities (Recon's continuation scoring: echo, logprobs 0, one token) and a top 2 are upstream's
    block float for float, text offsets and the first position's None included, on both tokenizers (Gemma's has BOS)."""
    import httpx

    new = get_model(f"local/{alias}", memoize=False)
    ref = get_model(f"local/{alias}", memoize=False, engine="upstream", logits_all=True)
    prompt = "JUSTICE SCALIA: Counsel, is that your position? MR. SMITH: It is, Your Honor — naïve as it sounds."
    try:
        async with httpx.AsyncClient(timeout=600) as client:
            for k, max_tokens in ((0, 1), (2, 3)):
                body = {"prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "logprobs": k, "echo": True}
                new_r = await client.post(f"{new.api._server.base_url}/completions", json=body)
                ref_r = await client.post(f"{ref.api._server.base_url}/completions", json=body)
                new_lp, ref_lp = new_r.json()["choices"][0]["logprobs"], ref_r.json()["choices"][0]["logprobs"]
                assert len(new_lp["tokens"]) > 20 and new_lp["token_logprobs"][0] is None
                assert new_lp == ref_lp, (alias, k)
                assert new_r.json()["choices"][0]["text"] == ref_r.json()["choices"][0]["text"]
    finally:
        new.api.close()
        ref.api.close()
