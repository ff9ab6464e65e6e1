"""The local provider sends one request at a time to its llama.cpp server, whatever inspect's concurrency."""

import asyncio
from pathlib import Path

from inspect_ai.model import GenerateConfig

from twinbench.providers import local
from twinbench.providers.local import LlamaServer, LocalLlamaAPI


def test_concurrent_generates_reach_the_server_one_at_a_time(monkeypatch):
    server = LlamaServer(Path("model.gguf"), "m", {}, startup_timeout=1)
    server.port = 1
    monkeypatch.setattr(server, "running", lambda: True)
    monkeypatch.setattr(local, "shared_server", lambda *args, **kwargs: server)
    active, peak = 0, 0

    async def fake_generate(self, input, tools, tool_choice, config):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1
        return "done"

    monkeypatch.setattr(LocalLlamaAPI.__bases__[0], "generate", fake_generate)  # the HTTP request
    api = LocalLlamaAPI("smollm2-135m")

    async def many() -> list:
        return await asyncio.gather(*(api.generate([], [], "none", GenerateConfig()) for _ in range(8)))

    assert asyncio.run(many()) == ["done"] * 8
    assert peak == 1
    # a second event loop (inspect runs one per eval) gets its own lock instead of one bound to a closed loop
    assert asyncio.run(many()) == ["done"] * 8


def test_servers_of_different_models_share_the_cores(monkeypatch):
    """Two 2-thread servers on 2 cores compute one request at a time between them; on 4 cores, two at once."""
    servers = [LlamaServer(Path(f"{name}.gguf"), name, {}, startup_timeout=1) for name in ("a", "b")]
    active, peak = 0, 0

    async def request(server: LlamaServer) -> None:
        nonlocal active, peak
        async with server.request_slot():
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    async def both() -> None:
        await asyncio.gather(*(request(s) for s in servers for _ in range(4)))

    for cores, expected in ((2, 1), (3, 1), (4, 2)):
        monkeypatch.setattr(local.os, "cpu_count", lambda cores=cores: cores)
        local._CORE_SLOTS.clear()
        peak = 0
        asyncio.run(both())
        assert peak == expected, cores
