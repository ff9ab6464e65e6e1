"""Embedded model provider ``local/<alias or path.gguf>``: a llama.cpp server on 127.0.0.1 that we start and stop.

``local/smollm2-135m`` (the suite's default model), ``local/gemma3-270m``, or ``local//abs/path/model.gguf``.
Model args (``-M key=value``) are passed to ``llama_cpp.server`` (e.g. ``-M n_ctx=4096``,
``-M draft_model=prompt-lookup-decoding``); ``startup_timeout`` (seconds) bounds the wait for readiness; Models with
the same settings share one server unless ``own_server=True`` (a fresh one, stopped when that Model closes). The child
(``llama_server.py``) serves the model as ``llama_engine.TwinLlama``: upstream's outputs and log-probabilities without
``logits_all``; ``-M engine=upstream`` serves llama-cpp-python's ``Llama`` unchanged (with ``-M logits_all=true``: the
server as it was before, a reference for tests and ``scripts/bench_provider.py``).

The server always stops: ``close()``, an atexit handler (normal exit, exceptions, Ctrl-C) and, for deaths that run
no Python code, a watchdog in the child that exits when this process is gone (see ``llama_server.py``).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.model import ChatMessage, GenerateConfig

# inspect-ai 0.3.285 exports no OpenAI-compatible provider class publicly (inspect_ai.model has ModelAPI only). Wrapping
# a public `openai-api/...` Model instead would lose this class's behaviour (retries, connection keys, the agent
# bridge's isinstance checks), so we subclass the private one, as inspect's own llama-cpp-python provider does.
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI
from inspect_ai.tool import ToolChoice, ToolInfo
from openai import APIStatusError

from twinbench.models import resolve_local_model

HOST = "127.0.0.1"  # never bind anything but loopback
SERVER_DEFAULTS: dict[str, Any] = {
    "n_threads": 2,
    "n_threads_batch": 2,
    "n_ctx": 2048,  # a logits_all request reserves n_ctx x vocabulary floats while it runs: 2 GiB for Gemma
    # Log-probabilities of generated tokens need no logits_all (the child reads each token's own logits row, see
    # llama_engine.py); prompt log-probabilities switch it on for that request only; llama_cpp turns it on itself
    # for a draft_model (prompt-lookup speculation).
    "logits_all": False,
    "seed": 0,
    "verbose": False,
}


_CORE_SLOTS: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = {}


def core_slots(n_threads: int) -> asyncio.Semaphore:
    """The semaphore shared by all embedded servers of this process with ``n_threads`` threads: as many requests may
    compute at once as the machine has cores for (``os.cpu_count() // n_threads``, at least one). One per event loop
    (inspect runs one per eval_set call; a semaphore is bound to its loop)."""
    loop = asyncio.get_running_loop()
    if n_threads not in _CORE_SLOTS or _CORE_SLOTS[n_threads][0] is not loop:
        _CORE_SLOTS[n_threads] = (loop, asyncio.Semaphore(max(1, (os.cpu_count() or 1) // max(1, n_threads))))
    return _CORE_SLOTS[n_threads][1]


class LlamaServer:
    """One ``llama_cpp.server`` child process serving one GGUF model on a free loopback port."""

    def __init__(self, model_path: Path, alias: str, server_args: dict[str, Any], startup_timeout: float) -> None:
        self.model_path = model_path
        self.alias = alias
        self.server_args = {**SERVER_DEFAULTS, **server_args}
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.log_path: Path | None = None
        self._slot: asyncio.Lock | None = None
        self._slot_loop: asyncio.AbstractEventLoop | None = None

    @asynccontextmanager
    async def request_slot(self) -> AsyncIterator[None]:
        """Held by every request to this server while it runs: this server's lock, then a share of the cores.

        llama.cpp's server computes one request at a time. Requests sent while it is busy wait in its queue, where the
        HTTP client times them out and retries them under load (hundreds of retries in a two-model run on 2 cores).
        Waiting here instead sends each request only when the server is free. Servers of different models (a
        two-model ``twinbench run``) also share the machine's cores: two 2-thread servers computing at once on 2 cores
        were 36x slower per request than one after the other (spinning threads preempt each other), so at most
        ``cores // n_threads`` requests compute at once over all servers (:func:`core_slots`)."""
        loop = asyncio.get_running_loop()
        if self._slot is None or self._slot_loop is not loop:  # a lock is bound to one event loop
            self._slot, self._slot_loop = asyncio.Lock(), loop
        async with self._slot, core_slots(int(self.server_args["n_threads"])):
            yield

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "twinbench.providers.llama_server", str(os.getpid())]
        cmd += ["--model", str(self.model_path), "--model_alias", self.alias]
        cmd += ["--host", HOST, "--port", str(self.port)]
        for key, value in self.server_args.items():
            if value is not None:
                cmd += [f"--{key}", str(value)]
        return cmd

    def start(self) -> None:
        self.port = _free_port()
        fd, log = tempfile.mkstemp(prefix="twinbench-llama-", suffix=".log")
        self.log_path = Path(log)
        with os.fdopen(fd, "wb") as log_file:
            self.process = subprocess.Popen(self.command(), stdout=log_file, stderr=subprocess.STDOUT)
        _RUNNING.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PrerequisiteError(
                    f"llama.cpp server for {self.model_path.name} exited with code {self.process.returncode}: "
                    f"{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise PrerequisiteError(
            f"llama.cpp server for {self.model_path.name} was not ready after {self.startup_timeout:.0f}s "
            f"(raise it with -M startup_timeout=...): {self.log_tail()}"
        )

    def log_tail(self, lines: int = 5) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no server log)"
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        return " | ".join(tail) or "(empty server log)"

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None


_RUNNING: set[LlamaServer] = set()
_SHARED: dict[tuple[str, str], LlamaServer] = {}
_LOCK = threading.Lock()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def running_servers() -> list[LlamaServer]:
    return list(_RUNNING)


def stop_all_servers() -> None:
    for server in list(_RUNNING):
        server.stop()
    _SHARED.clear()


atexit.register(stop_all_servers)


def shared_server(model_path: Path, alias: str, server_args: dict[str, Any], startup_timeout: float) -> LlamaServer:
    """One server per (model, settings) in this process, however many Model objects use it (roles, tasks)."""
    key = (str(model_path), repr(sorted(server_args.items())))
    with _LOCK:
        server = _SHARED.get(key)
        if server is None or not server.running():
            server = LlamaServer(model_path, alias, server_args, startup_timeout)
            server.start()
            _SHARED[key] = server
        return server


def llama_cpp_config(config: GenerateConfig) -> GenerateConfig:
    """llama.cpp's server takes a JSON schema as ``{"type": "json_object", "schema": ...}`` (grammar-constrained
    decoding), not OpenAI's ``json_schema`` response format that inspect sends for ``response_schema``."""
    if config.response_schema is None:
        return config
    schema = config.response_schema.json_schema.model_dump(exclude_none=True)
    extra_body = {**(config.extra_body or {}), "response_format": {"type": "json_object", "schema": schema}}
    return config.model_copy(update={"response_schema": None, "extra_body": extra_body})


class LocalLlamaAPI(OpenAICompatibleAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        startup_timeout: float = 120,
        own_server: bool = False,
        **server_args: Any,
    ) -> None:
        if base_url is not None:
            raise PrerequisiteError(
                "local/ models start their own server; to use a running OpenAI-compatible server, use "
                "openai-api/<service>/<model> with --model-base-url"
            )
        model_path, chat_format = resolve_local_model(model_name)
        if chat_format is not None:
            server_args.setdefault("chat_format", chat_format)
        if own_server:  # a fresh server for this Model alone, stopped by close() (specserve: no shared prefix cache)
            self._server = LlamaServer(model_path, model_name, server_args, float(startup_timeout))
            self._server.start()
        else:
            self._server = shared_server(model_path, model_name, server_args, float(startup_timeout))
        super().__init__(
            model_name=model_name,
            base_url=self._server.base_url,
            api_key="local",
            config=config,
            service="local",
            responses_api=False,
        )

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> Any:
        if not self._server.running():
            raise RuntimeError(f"the llama.cpp server for {self.model_name} has stopped: {self._server.log_tail()}")
        async with self._server.request_slot():
            return await super().generate(input, tools, tool_choice, llama_cpp_config(config))

    def request_slot(self) -> Any:
        """This server's turn on the cores (:meth:`LlamaServer.request_slot`), for a client that talks to the server
        directly (``benchmarks/specserve`` streams and times requests itself)."""
        return self._server.request_slot()

    def should_retry(self, ex: BaseException) -> Any:
        # Our own server on loopback: an HTTP error (a prompt longer than n_ctx, an unsupported option) will not go
        # away on retry, so the sample fails at once with the server's message instead of backing off for minutes.
        if isinstance(ex, APIStatusError):
            return False
        return super().should_retry(ex)

    def max_connections(self) -> int:
        # llama.cpp's server answers one request at a time. inspect only uses this default when adaptive connections
        # are off (an explicit max_connections); otherwise request_slot() keeps requests from piling up in the server.
        return 1

    async def count_text_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)  # a heuristic; the default would download a tiktoken file

    async def aclose(self) -> None:
        await super().aclose()
        self.close()

    def close(self) -> None:
        self._server.stop()
