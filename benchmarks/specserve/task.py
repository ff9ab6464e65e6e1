"""Specserve: how much faster does speculative decoding serve the same model, at what acceptance, with the same
outputs? Plain decoding and each speculative configuration are measured side by side in one run.

inspect eval benchmarks/specserve --model local/smollm2-135m                                  # plain vs ngram:4
inspect eval benchmarks/specserve -T configs=plain,ngram:2,ngram:4,ngram:8 -T concurrency=1,4
inspect eval benchmarks/specserve --model vllm/Qwen/Qwen3-8B -M host=127.0.0.1 \\
    -T 'configs=["plain", "ngram:4", {"method": "eagle3", "model": "...", "num_speculative_tokens": 3}]'

Method: Spec-Bench (Xia et al., 2024) prompts and speedup; vLLM's counters and latency definitions; see README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from benchmarks.specserve.configs import parse_concurrency, parse_configs
from benchmarks.specserve.data import load_prompts, parse_groups, select
from benchmarks.specserve.engine import Setting
from benchmarks.specserve.scorer import specserve_scorer
from benchmarks.specserve.solver import specserve_solver

TASK_VERSION = 1
DEFAULT_CONFIGS = "plain,ngram:4"
DEFAULT_PER_CATEGORY = 2  # 12 prompts x 2 settings: ~4 minutes with SmolLM2 on 2 cores
DEFAULT_MAX_TOKENS = 128  # Spec-Bench: 1024; CPU time


@task
def specserve(
    configs: str | list[Any] = DEFAULT_CONFIGS,
    concurrency: int | str | list[int] = 1,
    categories: str | list[str] | None = None,
    per_category: int | None = DEFAULT_PER_CATEGORY,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    seed: int = 0,
    data_path: str | None = None,
) -> Task:
    """Spec-Bench prompts served under each configuration, plain decoding first, each on a fresh server.

    Args:
        configs: serving configurations: ``plain``, ``ngram:K`` (prompt lookup with K draft tokens), or vLLM
            ``speculative_config`` JSON objects (list form); plain decoding is added when absent.
        concurrency: requests in flight (one value or several: each configuration is measured at each).
        categories: Spec-Bench task groups (mt_bench, translation, summarization, qa, math_reasoning, rag); all
            when None.
        per_category: prompts per group (seeded choice; None or 0: all 80).
        max_tokens: most output tokens per turn (Spec-Bench: 1024).
        seed: seeds the choice of prompts and the server's sampler (decoding is greedy).
        data_path: a question file in Spec-Bench's format instead of the shipped one.
    """
    if int(max_tokens) < 2:
        raise ValueError(f"specserve: max_tokens must be at least 2, got {max_tokens}")
    if per_category is not None and int(per_category) < 0:
        raise ValueError(f"specserve: per_category must be >= 0, got {per_category}")
    parsed = parse_configs(configs)
    levels = parse_concurrency(concurrency)
    prompts = select(
        load_prompts(Path(data_path) if data_path else None),
        parse_groups(categories),
        int(per_category or 0) or None,
        int(seed),
    )
    settings = [Setting(c, n) for n in levels for c in parsed]
    samples = [
        Sample(
            id=f"{p.id}@{s.label}",
            input=p.turns[0],
            target="",
            metadata={
                "prompt_id": p.id,
                "group": p.group,
                "category": p.category,
                "turns": len(p.turns),
                "setting": s.label,
                "config": s.config.label,
                "spec": s.config.spec,
                "concurrency": s.concurrency,
            },
        )
        for s in settings
        for p in prompts
    ]
    return Task(
        dataset=MemoryDataset(samples, name="specserve", shuffled=False),
        solver=specserve_solver(settings, prompts, int(max_tokens), int(seed)),
        scorer=specserve_scorer(),
        version=TASK_VERSION,
        metadata={"settings": [s.label for s in settings], "max_tokens": int(max_tokens)},
    )
