"""The measurement: every serving setting in turn, each on a fresh server, every prompt streamed and timed.

For each setting (a configuration at a concurrency), in order, plain decoding first: start a server of its own
(no prefix cache shared with another setting), warm it up, send every prompt at temperature 0 with at most
``concurrency`` requests in flight, read the speculative counters, stop the server. The server is started by the
model's own provider: ``local/`` our llama.cpp server (``own_server=True``), ``vllm/`` inspect's vLLM provider
(``vllm serve`` with the configuration's ``speculative_config``), and closed before the next setting starts.

Samples are (prompt, setting) pairs; each awaits its own result, which the engine sets as soon as it is measured,
so inspect's progress and its log follow the measurement and a run stopped midway keeps what was measured.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
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
        for setting in self.settings:
            try:
                await self._run_setting(setting)
            except Exception as exc:  # a server that fails to start: every prompt of the setting is invalid
                message = f"{setting.label}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                logger.error("specserve: %s", message)
                for prompt in self.prompts:
                    future = self.results[(setting.label, prompt.id)]
                    if not future.done():
                        future.set_result(Measured(error=message))

    def _served_model(self, setting: Setting) -> Any:
        args = {**self.model_args, **setting.config.server_args(self.backend)}
        if self.backend == "local":
            args["own_server"] = True
        else:
            args.setdefault("host", "127.0.0.1")  # vLLM binds 0.0.0.0 unless told
        return get_model(self.model_name, memoize=False, **args)

    async def _run_setting(self, setting: Setting) -> None:
        logger.info("specserve: %s: starting a server", setting.label)
        model = self._served_model(setting)
        try:
            # the warm-up goes through inspect's provider, which starts a vLLM server on its first request
            await model.generate(WARMUP, config=GenerateConfig(max_tokens=16, temperature=0.0, seed=self.seed))
            api = model.api
            base_url, served = str(api.base_url), str(getattr(api, "base_model", api.model_name))
            headers = {"Authorization": f"Bearer {api.api_key}"} if getattr(api, "api_key", None) else {}
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, headers=headers) as client:
                start = await scrape(client, base_url)
                slots = asyncio.Semaphore(setting.concurrency)
                done = 0

                async def one(prompt: Prompt) -> None:
                    nonlocal done
                    async with slots:
                        before = await scrape(client, base_url) if setting.concurrency == 1 else {}
                        measured = await measure_prompt(
                            client,
                            base_url,
                            served,
                            self.backend,
                            prompt.turns,
                            max_tokens=self.max_tokens,
                            seed=self.seed,
                        )
                        after = await scrape(client, base_url)
                        if setting.concurrency == 1:  # per-prompt deltas are exact only when prompts run one at a time
                            measured.counters = {k: after[k] - before.get(k, 0.0) for k in after}
                        else:  # the setting's totals so far: their largest value is the setting's total
                            measured.cumulative = {k: after[k] - start.get(k, 0.0) for k in after}
                    done += 1
                    logger.info("specserve: %s: %d/%d prompts", setting.label, done, len(self.prompts))
                    self.results[(setting.label, prompt.id)].set_result(measured)

                await asyncio.gather(*(one(p) for p in self.prompts))
        finally:
            await model.api.aclose()
