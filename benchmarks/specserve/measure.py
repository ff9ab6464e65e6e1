"""One prompt through an OpenAI-compatible server, streamed and timed; the server's speculative counters.

Timing follows ``vllm bench serve``: TTFT is the time to the first streamed content, end-to-end latency (E2EL) the
time to the last byte, ITL the gaps between content chunks, TPOT = (E2EL - TTFT) / (output tokens - 1). A
multi-turn prompt is sent turn by turn (each turn's answer goes into the next turn's history); its times and tokens
are summed over turns, as Spec-Bench does. Output tokens come from the stream's ``usage`` when the server sends it
(vLLM with ``stream_options.include_usage``); otherwise (llama-cpp-python's server sends none) the answer is
tokenized by the server (``/extras/tokenize``), which gives the generated tokens' count unless a re-tokenization
of the text differs from the tokens generated (rare; the same for every configuration).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from twinbench.providers.spec_metrics import COUNTERS, parse_counters


@dataclass
class Turn:
    text: str = ""
    ttft: float = float("nan")  # seconds
    e2e: float = float("nan")
    output_tokens: int = 0
    itl: list[float] = field(default_factory=list)  # seconds between content chunks
    pieces: list[str] = field(default_factory=list)  # the streamed content chunks (one token each on llama.cpp)
    finish_reason: str | None = None


@dataclass
class Measured:
    turns: list[Turn] = field(default_factory=list)
    error: str | None = None
    counters: dict[str, float] = field(default_factory=dict)  # speculative counters during this prompt (deltas)
    cumulative: dict[str, float] = field(default_factory=dict)  # since the setting started, when this prompt ended

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.turns) and all(t.output_tokens > 0 for t in self.turns)

    @property
    def text(self) -> str:
        return "\n\n".join(t.text for t in self.turns)

    def values(self) -> dict[str, float]:
        """The prompt's numbers (NaN when it failed): Spec-Bench's tokens per second (all turns' output tokens over
        their summed E2EL), TPOT, TTFT (first turn), E2EL, ITL mean, output tokens, counters."""
        nan = float("nan")
        tokens = sum(t.output_tokens for t in self.turns)
        e2e = sum(t.e2e for t in self.turns) if self.turns else nan
        decode = sum(t.e2e - t.ttft for t in self.turns)
        steps = sum(max(t.output_tokens - 1, 0) for t in self.turns)
        itl = [x for t in self.turns for x in t.itl]
        ok = self.ok
        values = {
            "ok": 1.0 if ok else 0.0,
            "output_tokens": float(tokens) if ok else nan,
            "tokens_per_s": tokens / e2e if ok and e2e > 0 else nan,
            "tpot_ms": 1000 * decode / steps if ok and steps else nan,
            "ttft_ms": 1000 * self.turns[0].ttft if ok else nan,
            "e2e_s": e2e if ok else nan,
            "itl_ms": 1000 * sum(itl) / len(itl) if ok and itl else nan,
        }
        for name in COUNTERS:
            short = name.removeprefix("vllm:spec_decode_").removesuffix("_total")
            values[short] = self.counters.get(name, nan)
            if self.cumulative:
                values[f"cum_{short}"] = self.cumulative.get(name, nan)
        return values


def server_root(base_url: str) -> str:
    return base_url.rstrip("/").removesuffix("/v1")


async def scrape(client: httpx.AsyncClient, base_url: str) -> dict[str, float]:
    """The server's speculative counters now (``{}`` when it publishes none)."""
    response = await client.get(f"{server_root(base_url)}/metrics")
    response.raise_for_status()
    return parse_counters(response.text)


async def count_tokens(client: httpx.AsyncClient, base_url: str, model: str, text: str, backend: str) -> int:
    if backend == "vllm":
        response = await client.post(
            f"{server_root(base_url)}/tokenize", json={"model": model, "prompt": text, "add_special_tokens": False}
        )
        response.raise_for_status()
        return int(response.json()["count"])
    response = await client.post(f"{server_root(base_url)}/extras/tokenize", json={"input": text})
    response.raise_for_status()
    return len(response.json()["tokens"])


async def stream_turn(client: httpx.AsyncClient, base_url: str, body: dict[str, Any]) -> tuple[Turn, int | None]:
    """One streamed chat completion: the timed turn and the server's completion-token count (None if not sent)."""
    turn, usage, last = Turn(), None, None
    start = time.perf_counter()
    async with client.stream("POST", f"{base_url.rstrip('/')}/chat/completions", json=body) as response:
        if response.status_code != 200:
            detail = (await response.aread()).decode(errors="replace")[:300]
            raise RuntimeError(f"HTTP {response.status_code}: {detail}")
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            if chunk.get("usage"):
                usage = chunk["usage"].get("completion_tokens")
            for choice in chunk.get("choices") or []:
                content = (choice.get("delta") or {}).get("content")
                if content:
                    now = time.perf_counter() - start
                    if last is None:
                        turn.ttft = now
                    else:
                        turn.itl.append(now - last)
                    last = now
                    turn.text += content
                    turn.pieces.append(content)
                if choice.get("finish_reason"):
                    turn.finish_reason = choice["finish_reason"]
    turn.e2e = time.perf_counter() - start
    if turn.finish_reason is None:  # the server stopped mid-answer (an error it could not send in the stream)
        raise RuntimeError(f"the stream ended after {len(turn.pieces)} pieces without a finish reason")
    return turn, usage


async def measure_prompt(
    client: httpx.AsyncClient,
    base_url: str,
    model: str,
    backend: str,
    turns: tuple[str, ...],
    *,
    max_tokens: int,
    seed: int,
) -> Measured:
    """Every turn of one prompt at temperature 0, timed; an HTTP or server error is recorded, not raised."""
    measured = Measured()
    messages: list[dict[str, str]] = []
    try:
        for text in turns:
            messages.append({"role": "user", "content": text})
            body = {
                "model": model,
                "messages": list(messages),
                "max_tokens": max_tokens,
                "temperature": 0.0,
                "seed": seed,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
            turn, usage = await stream_turn(client, base_url, body)
            turn.output_tokens = (
                usage
                if usage is not None
                else await count_tokens(client, base_url, model, turn.text, backend)
                if turn.text
                else 0
            )
            measured.turns.append(turn)
            messages.append({"role": "assistant", "content": turn.text})
    except (httpx.HTTPError, RuntimeError, json.JSONDecodeError, KeyError) as exc:
        measured.error = f"{type(exc).__name__}: {exc}"[:500]
    return measured
