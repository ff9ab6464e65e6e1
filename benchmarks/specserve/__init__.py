"""Specserve: speculative-serving throughput side by side with plain serving, on Spec-Bench's prompts.

Every serving configuration (plain decoding, prompt lookup with K draft tokens, vLLM's speculative methods) serves
the same prompts in one run, each on a fresh server (``engine.py``); ``summary.py`` compares each with plain decoding
prompt by prompt. See ``benchmarks/specserve/README.md``.
"""

from pathlib import Path

from benchmarks.specserve.calibration import cases
from benchmarks.specserve.ralm_task import ralmspec
from benchmarks.specserve.summary import degenerate, summarize
from benchmarks.specserve.task import DEFAULT_CONFIGS, TASK_VERSION, specserve
from twinbench.registry import BenchmarkInfo, Diagnostic, Direction, HeadlineMetric

INFO = BenchmarkInfo(
    name="specserve",
    title="Specserve: speculative decoding vs plain serving (Spec-Bench)",
    paper="Xia et al. (2024), Unlocking Efficiency in LLM Inference: A Comprehensive Survey of Speculative Decoding "
    "(Spec-Bench); Miao et al. (2023), SpecInfer",
    version=str(TASK_VERSION),
    tasks=(specserve, ralmspec),
    headline=(
        HeadlineMetric(
            "speedup",
            "Speedup (tokens/s)",
            Direction.HIGHER,
            description="mean output tokens/s of the first speculative configuration over plain decoding's, same "
            "prompts, same run (Spec-Bench's speedup); paired bootstrap CI over prompts",
            digits=2,
        ),
        HeadlineMetric(
            "acceptance_rate",
            "Acceptance rate",
            Direction.HIGHER,
            description="accepted / drafted tokens (vLLM's definition), from the server's spec_decode counters",
            digits=3,
        ),
        HeadlineMetric(
            "output_equality",
            "Outputs equal to plain",
            Direction.HIGHER,
            description="share of prompts whose greedy answer equals plain decoding's (lossless methods: 1)",
            digits=3,
        ),
        HeadlineMetric(
            "ralm_speedup",
            "RaLMSpec speedup",
            Direction.HIGHER,
            description="iterative RAG (a retrieval every 4 tokens): total baseline seconds / total RaLMSpec seconds "
            "at the largest corpus size, outputs equal by construction; bootstrap CI over questions (ralmspec runs)",
            digits=2,
        ),
    ),
    summarize=summarize,
    description="How much faster does speculative decoding serve the same model, at what acceptance, and are "
    "the outputs unchanged? Spec-Bench's prompts (multi-turn chat, translation, summarisation, QA, maths, RAG) are "
    "served under plain decoding and each speculative configuration in one run, each on a fresh server, streamed "
    "and timed (TTFT, TPOT, ITL, tokens/s); speedups are paired by prompt with bootstrap CIs.",
    # main job: one prompt a group (12 measurements) and 4 RaLMSpec questions, a few minutes on 2 cores
    default_task_args={"configs": DEFAULT_CONFIGS, "per_category": 1, "questions": 4},
    readme=str(Path(__file__).with_name("README.md")),
    diagnostics=(
        Diagnostic("tpot_speedup", "TPOT speedup", "mean TPOT of plain decoding over the configuration's", 2),
        Diagnostic("mean_acceptance_length", "Mean acceptance length", "1 + accepted / drafts", 2),
        Diagnostic("bound_share", "Share of bound", "speedup / mean acceptance length", 2),
        Diagnostic("plain_tokens_per_s", "Plain tokens/s", "plain decoding's mean output tokens per second", 1),
        Diagnostic("invalid", "Failed measurements", "prompts x settings whose request failed (of n)", 0),
        Diagnostic("ralm_search_share", "RaLM search share", "baseline search seconds / wall seconds", 4),
        Diagnostic("ralm_speculation_accuracy", "Speculation accuracy", "confirmed / judged speculated steps", 2),
        Diagnostic("ralm_outputs_equal", "RaLMSpec outputs equal", "share of questions equal to the baseline", 2),
    ),
    degenerate=degenerate,
    calibration=cases,
)

__all__ = ["INFO", "ralmspec", "specserve", "summarize"]
