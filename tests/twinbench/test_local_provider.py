"""The embedded llama.cpp provider on the real SmolLM2 model: serving, logprobs, and no orphaned server, ever."""

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

pytestmark = pytest.mark.slow
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


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


async def test_serves_chat_with_logprobs_and_close_stops_the_server():
    model = get_model("local/smollm2-135m", memoize=False)
    [server] = running_servers()
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
    assert not running_servers()
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or servers_of(os.getpid()) == [])


async def test_gemma3_base_model_serves_with_the_gemma_turn_format():
    model = get_model("local/gemma3-270m", memoize=False)
    try:
        out = await model.generate("The capital of France is", config=GenerateConfig(max_tokens=8, temperature=0))
        assert out.usage.output_tokens >= 1
    finally:
        model.api.close()


def test_a_file_that_is_no_model_fails_with_one_line_and_no_server(tmp_path):
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file" * 100)
    with pytest.raises(PrerequisiteError) as err:
        get_model(f"local/{bogus}", memoize=False, startup_timeout=60)
    assert "bogus.gguf exited with code" in str(err.value.message)
    assert servers_of(os.getpid()) == []


def test_inspect_eval_cli_runs_a_task_and_leaves_no_server(tmp_path):
    proc = subprocess.Popen(
        [BIN / "inspect", "eval", "tests/twinbench/fixtures/capitals_task.py", "--model", "local/smollm2-135m",
         "--limit", "2", "--log-dir", tmp_path, "--display", "plain"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_server_dies_with_its_parent(sig):
    proc = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        [server_pid] = servers_of(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert wait_until(lambda: not Path(f"/proc/{server_pid}").exists(), timeout=15)
    finally:
        proc.kill()


def test_ctrl_c_during_an_inspect_eval_leaves_no_server(tmp_path):
    proc = subprocess.Popen(
        [BIN / "inspect", "eval", "tests/twinbench/fixtures/slow_task.py", "--model", "local/smollm2-135m",
         "--log-dir", tmp_path, "--display", "plain"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: servers_of(proc.pid) != [], timeout=120)
        [server_pid] = servers_of(proc.pid)
        time.sleep(3)  # mid-generation
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        assert wait_until(lambda: not Path(f"/proc/{server_pid}").exists(), timeout=15)
    finally:
        proc.kill()


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


async def test_a_prompt_longer_than_the_context_stops_with_model_length():
    model = get_model("local/smollm2-135m", memoize=False, n_ctx=256)
    try:
        out = await model.generate("word " * 2000, config=GenerateConfig(max_tokens=4))
    finally:
        model.api.close()
    assert out.stop_reason == "model_length"
    assert "maximum context length is 256 tokens" in out.completion


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


async def test_a_dead_server_is_named_not_retried():
    model = get_model("local/smollm2-135m", memoize=False)
    [server] = running_servers()
    server.process.kill()
    server.process.wait()
    try:
        with pytest.raises(RuntimeError, match="llama.cpp server for smollm2-135m has stopped"):
            await model.generate("hello")
    finally:
        model.api.close()
