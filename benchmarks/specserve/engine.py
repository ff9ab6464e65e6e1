"""The measurement: every serving setting in turn, each on a fresh server, every prompt streamed and timed.

Every setting (a configuration at a concurrency) gets a server of its own (no prefix cache shared with another
setting), warmed up, then every prompt at temperature 0, then the server stops. Blocked (vLLM, and concurrency above
1): one setting at a time, plain decoding first, with at most ``concurrency`` requests in flight. Interleaved
(``local/`` at concurrency 1): all the settings' servers run at once and each prompt goes to each setting in turn,
so load drift on a shared CPU cancels in the paired ratios. The server is started by the
model's own provider: ``local/`` our llama.cpp server (``own_server=True``), ``vllm/`` inspect's vLLM provider
(``vllm serve`` with the configuration's ``speculative_config``), and closed before the next setting starts.

Samples are (prompt, setting) pairs; each awaits its own result, which the engine sets as soon as it is measured,
so inspect's progress and its log follow the measurement and a run stopped midway keeps what was measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from inspect_ai.model import GenerateConfig, get_model

from benchmarks.specserve.configs import ServingConfig, backend_of
from benchmarks.specserve.data import Prompt
from benchmarks.specserve.measure import Measured, measure_prompt, scrape

logger = logging.getLogger(__name__)
WARMUP = "Say hello in one short sentence."
HTTP_TIMEOUT = 600.0  # one streamed answer on a loaded CPU can take minutes


@dataclass(frozen=True)
class Setting:
    config: ServingConfig
    concurrency: int

    @property
    def label(self) -> str:
        return f"{self.config.label}@c{self.concurrency}"


@dataclass
class Served:
    """A setting's running server: the Model that started it, where to reach it, a client."""

    model: Any
    base_url: str
    name: str  # the model name the server answers to
    client: httpx.AsyncClient
    start: dict[str, float] = field(default_factory=dict)  # counters when it was ready
    done: int = 0

    async def close(self) -> None:
        await self.client.aclose()
        await self.model.api.aclose()  # stops the server (our llama.cpp child; inspect's vLLM process)


class Engine:
    def __init__(
        self,
        model_name: str,
        model_args: dict[str, Any],
        settings: list[Setting],
        prompts: list[Prompt],
        *,
        max_tokens: int,
        seed: int,
    ) -> None:
        self.model_name = model_name
        self.backend = backend_of(model_name)
        for setting in settings:  # a configuration the backend cannot serve fails before any server starts
            setting.config.server_args(self.backend)
        self.model_args = model_args
        self.settings = settings
        self.prompts = prompts
        self.max_tokens = max_tokens
        self.seed = seed
        self.results: dict[tuple[str, str], asyncio.Future[Measured]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            loop = asyncio.get_running_loop()
            for setting in self.settings:
                for prompt in self.prompts:
                    self.results[(setting.label, prompt.id)] = loop.create_future()
            self._task = loop.create_task(self._run())

    async def result(self, setting: str, prompt: str) -> Measured:
        self.start()
        return await asyncio.shield(self.results[(setting, prompt)])

    async def _run(self) -> None:
        try:
            for level in dict.fromkeys(s.concurrency for s in self.settings):
                group = [s for s in self.settings if s.concurrency == level]
                if self.backend == "local" and level == 1:
                    await self._run_interleaved(group)
                else:
                    for setting in group:
                        await self._run_blocked(setting)
        except Exception as exc:  # never leave a sample waiting for a result that will not come
            for setting in self.settings:
                self._fail(setting, exc)

    def _fail(self, setting: Setting, exc: Exception) -> None:
        """A server that failed (to start): every prompt of the setting not yet measured is invalid, one line."""
        message = f"{setting.label}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        logger.error("specserve: %s", message)
        for prompt in self.prompts:
            future = self.results[(setting.label, prompt.id)]
            if not future.done():
                future.set_result(Measured(error=message))

    async def _open(self, setting: Setting) -> Served:
        logger.info("specserve: %s: starting a server", setting.label)
        args = {**self.model_args, **setting.config.server_args(self.backend)}
        if self.backend == "local":
            args["own_server"] = True
        else:
            args.setdefault("host", "127.0.0.1")  # vLLM binds 0.0.0.0 unless told
        model = get_model(self.model_name, memoize=False, **args)
        try:
            # the warm-up goes through inspect's provider, which starts a vLLM server on its first request
            await model.generate(WARMUP, config=GenerateConfig(max_tokens=16, temperature=0.0, seed=self.seed))
            api = model.api
            headers = {"Authorization": f"Bearer {api.api_key}"} if getattr(api, "api_key", None) else {}
            served = Served(
                model,
                str(api.base_url),
                str(getattr(api, "base_model", api.model_name)),
                # no keep-alive: an idle server (interleaved settings wait minutes) closes pooled connections, and a
                # request sent on one that is closing fails with "server disconnected" (5 of 12 did, 2026-12-02)
                httpx.AsyncClient(
                    timeout=HTTP_TIMEOUT, headers=headers, limits=httpx.Limits(max_keepalive_connections=0)
                ),
            )
            served.start = await scrape(served.client, served.base_url)
            return served
        except BaseException:
            await model.api.aclose()
            raise

    async def _measure(self, served: Served, setting: Setting, prompt: Prompt) -> None:
        """Measure one prompt and hand the sample its result; a failure is that measurement's error, not the run's."""
        try:
            measured = await self._timed(served, setting, prompt)
        except Exception as exc:
            measured = Measured(error=f"{type(exc).__name__}: {exc}"[:500])
        served.done += 1
        logger.info("specserve: %s: %d/%d prompts", setting.label, served.done, len(self.prompts))
        self.results[(setting.label, prompt.id)].set_result(measured)

    async def _timed(self, served: Served, setting: Setting, prompt: Prompt) -> Measured:
        # On llama.cpp at concurrency 1 the prompt waits for its turn on the cores, shared with every other
        # embedded-model request of this process (another benchmark in the same `twinbench run`), so nothing else
        # computes while it is timed. At higher concurrency queueing is part of what is measured: run it alone.
        local = self.backend == "local" and setting.concurrency == 1
        slot = served.model.api.request_slot() if local else contextlib.nullcontext()
        async with slot:
            before = await scrape(served.client, served.base_url) if setting.concurrency == 1 else {}
            measured = await measure_prompt(
                served.client,
                served.base_url,
                served.name,
                self.backend,
                prompt.turns,
                max_tokens=self.max_tokens,
                seed=self.seed,
            )
            after = await scrape(served.client, served.base_url)
        if setting.concurrency == 1:  # per-prompt deltas are exact only when prompts run one at a time
            measured.counters = {k: after[k] - before.get(k, 0.0) for k in after}
        else:  # the setting's totals so far: their largest value is the setting's total
            measured.cumulative = {k: after[k] - served.start.get(k, 0.0) for k in after}
        return measured

    async def _run_blocked(self, setting: Setting) -> None:
        """One setting's server at a time, every prompt at the setting's concurrency (vLLM; or concurrency > 1)."""
        try:
            served = await self._open(setting)
        except Exception as exc:
            self._fail(setting, exc)
            return
        try:
            slots = asyncio.Semaphore(setting.concurrency)

            async def one(prompt: Prompt) -> None:
                async with slots:
                    await self._measure(served, setting, prompt)

            await asyncio.gather(*(one(p) for p in self.prompts))
        except Exception as exc:
            self._fail(setting, exc)
        finally:
            await served.close()

    async def _run_interleaved(self, settings: list[Setting]) -> None:
        """Every setting's server at once (idle servers cost no CPU), each prompt sent to each setting in turn, the
        order rotated from prompt to prompt: a prompt's measurements are minutes apart at most, so a change of the
        machine's load moves both alike and cancels in their ratio (on a shared CPU it would not, blocked)."""
        open_: dict[str, Served] = {}
        try:
            for setting in settings:
                try:
                    open_[setting.label] = await self._open(setting)
                except Exception as exc:
                    self._fail(setting, exc)
            live = [s for s in settings if s.label in open_]
            for i, prompt in enumerate(self.prompts):
                for setting in live[i % len(live) :] + live[: i % len(live)] if live else []:
                    await self._measure(open_[setting.label], setting, prompt)
        finally:
            for served in open_.values():
                await served.close()
