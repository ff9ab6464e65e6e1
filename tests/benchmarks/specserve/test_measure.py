"""The streaming client on a scripted server: pieces, timings, token counts, and a stream cut short."""

from __future__ import annotations

import json

import httpx
import pytest

from benchmarks.specserve.measure import measure_prompt, stream_turn


def server(finish: str | None, usage: int | None = None) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/extras/tokenize":
            return httpx.Response(200, json={"tokens": [1, 2, 3]})
        chunks = [{"choices": [{"delta": {"content": piece}, "finish_reason": None}]} for piece in ("Hel", "lo", "!")]
        chunks.append({"choices": [{"delta": {}, "finish_reason": finish}]})
        if usage is not None:
            chunks.append({"choices": [], "usage": {"completion_tokens": usage}})
        body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handle)


async def test_a_streamed_turn_keeps_its_pieces_and_times():
    async with httpx.AsyncClient(transport=server("stop", usage=4)) as client:
        turn, usage = await stream_turn(client, "http://x/v1", {"stream": True})
    assert (turn.text, turn.pieces, turn.finish_reason, usage) == ("Hello!", ["Hel", "lo", "!"], "stop", 4)
    assert 0 <= turn.ttft <= turn.e2e and len(turn.itl) == 2


async def test_tokens_come_from_the_server_when_the_stream_has_no_usage():
    async with httpx.AsyncClient(transport=server("length")) as client:
        measured = await measure_prompt(client, "http://x/v1", "m", "local", ("a", "b"), max_tokens=8, seed=0)
    assert measured.ok and [t.output_tokens for t in measured.turns] == [3, 3]
    assert measured.values()["output_tokens"] == 6


async def test_a_stream_cut_short_is_an_error_not_a_short_answer():
    async with httpx.AsyncClient(transport=server(None)) as client:
        with pytest.raises(RuntimeError, match="ended after 3 pieces without a finish reason"):
            await stream_turn(client, "http://x/v1", {"stream": True})
        measured = await measure_prompt(client, "http://x/v1", "m", "local", ("a",), max_tokens=8, seed=0)
    assert not measured.ok and "without a finish reason" in (measured.error or "")
    assert measured.values()["ok"] == 0.0
