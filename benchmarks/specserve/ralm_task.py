"""RaLMSpec: speculative retrieval for iterative retrieval-augmented generation (Zhang et al. 2024).

inspect eval benchmarks/specserve/ralm_task.py@ralmspec --model local/smollm2-135m
inspect eval benchmarks/specserve/ralm_task.py@ralmspec -T retriever=bm25 -T corpus_sizes=100,819 -T questions=16

One sample per Natural Questions question (Spec-Bench's ``qa`` prompts, ids ``qa-<question_id>``). For every corpus
size the question is answered twice with the model under test, by the baseline loop (retrieve at every step) and
by RaLMSpec (speculate from a cache, verify in batches, roll back): :mod:`benchmarks.specserve.ralmspec`. The two
run back to back, baseline first on even samples and RaLMSpec first on odd ones (a warm server cache or a drifting
machine favours neither), and one question is timed at a time. The scorer records wall times, their split,
retrieval calls, speculation accuracy and whether the outputs were equal; ``ralm_summary.summarize_ralm`` turns
them into speedups with CIs. The retrievers and corpus: :mod:`benchmarks.specserve.retrieval`.
"""

# No `from __future__ import annotations`: `inspect eval <this file>` loads it outside sys.modules, where dataclasses
# and pydantic cannot resolve string annotations.
import math
import zlib
from dataclasses import asdict, dataclass
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageUser, GenerateConfig, Model, get_model
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel, concurrency
from pydantic import Field

from benchmarks.specserve.ralmspec import Generator, LoopSettings, Run, baseline, compare
from benchmarks.specserve.ralmspec import ralmspec as speculative
from benchmarks.specserve.retrieval import (
    EMBEDDING_MODEL,
    EMBEDDING_THREADS,
    LlamaEmbedder,
    Passage,
    Retriever,
    all_passages,
    build_retriever,
    load_rows,
)

TASK_VERSION = 1
# The default run: about 19 s per question and corpus size on 2 busy cores (12 questions x 3 sizes: 11.4 min), so
# 6 x 2 is about 4 min; the first dense run also embeds 200 passages (1-4 s each there; cached afterwards).
DEFAULT_SIZES = "100,819"
DEFAULT_QUESTIONS = 6
PROMPT = "{passage}\n\nQuestion: {question}\nAnswer: {text}"
# Sent (untimed) before every timed loop. llama.cpp's server reuses the longest prefix of the previous prompt only:
# without this, the second loop of a question started with the passage and question already evaluated (the first
# loop's last prompt), which made it about 2x faster per call whichever loop it was (measured, bm25, 12 questions).
# vLLM's prefix cache keeps more than one prompt; there the alternating order is what cancels the advantage.
FLUSH = "Say OK."
METHODS = ("baseline", "ralmspec")
LOOPS = {"baseline": baseline, "ralmspec": speculative}


@dataclass(frozen=True)
class RalmSettings:
    retriever: str
    sizes: tuple[int, ...]
    loop: LoopSettings
    seed: int = 0
    embedding_model: str = EMBEDDING_MODEL
    embedding_threads: int = EMBEDDING_THREADS


class RalmRecord(StoreModel):
    """What the solver hands the scorer: per corpus size (as text) both runs, or the error that stopped them."""

    done: bool = False
    results: dict[str, dict[str, Any]] = Field(default_factory=dict)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


def parse_sizes(value: str | int | list[Any] | tuple[Any, ...]) -> tuple[int, ...]:
    """``100,400`` / ``[100, 400]`` / ``400`` -> (100, 400): sorted, without repeats."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else [value]
    sizes = sorted({int(str(v).strip()) for v in items if str(v).strip()})
    if not sizes or sizes[0] < 1:
        raise ValueError(f"ralmspec: corpus_sizes must be positive integers, got {value!r}")
    return tuple(sizes)


def select_questions(rows: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """The first ``n`` ``qa`` prompts in a seeded order (CRC-32 of seed and id; 0: all)."""
    qa = [r for r in rows if r["category"] == "qa"]
    qa.sort(key=lambda r: (zlib.crc32(f"{seed}/{r['question_id']}".encode()), r["question_id"]))
    return qa[:n] if n else qa


def model_generator(model: Model, stride: int) -> Generator:
    """Greedy steps of ``stride`` tokens through inspect, so the same code runs on llama.cpp and vLLM."""
    config = GenerateConfig(temperature=0.0, max_tokens=stride, seed=0)

    async def generate(passage: str, question: str, text: str) -> tuple[str, bool]:
        prompt = PROMPT.format(passage=passage, question=question, text=text)
        output = await model.generate([ChatMessageUser(content=prompt)], config=config)
        if output.error:
            raise RuntimeError(output.error)
        return output.completion, output.stop_reason == "stop"

    return generate


class Knowledge:
    """The passages and one real retriever per corpus size, built on first use (embedding takes minutes)."""

    def __init__(self, settings: RalmSettings) -> None:
        self.s = settings
        self.passages: list[Passage] | None = None
        self.embedder: LlamaEmbedder | None = None
        self.retrievers: dict[int, Retriever] = {}

    def texts(self, size: int) -> list[str]:
        assert self.passages is not None
        return [p.text for p in self.passages[:size]]

    def retriever(self, size: int) -> Retriever:
        if self.passages is None:
            self.passages = all_passages(load_rows(), seed=self.s.seed)
        if size not in self.retrievers:
            if self.s.retriever == "dense" and self.embedder is None:
                self.embedder = LlamaEmbedder(self.s.embedding_model, self.s.embedding_threads)
            self.retrievers[size] = build_retriever(self.s.retriever, size, self.passages, self.embedder)
        return self.retrievers[size]


async def flush(generate: Generator) -> None:
    """An unrelated untimed request: the next timed call starts without this question's prompt in the server's
    prefix cache (and the first call of a fresh server, which is slow, is not timed)."""
    try:
        await generate("", FLUSH, "")
    except Exception:
        pass  # the timed calls record the error


@solver
def ralm_solver(settings: RalmSettings) -> Solver:
    knowledge = Knowledge(settings)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        record = state.store_as(RalmRecord)
        question = state.input_text
        order = METHODS if state.metadata["order"] == "baseline_first" else METHODS[::-1]
        model_generate = model_generator(get_model(), settings.loop.stride)
        # Timed one question at a time: concurrent samples would share the cores and each other's waits.
        async with concurrency("ralmspec-timing", 1, visible=False):
            for size in settings.sizes:
                try:
                    retriever = knowledge.retriever(size)
                    texts = knowledge.texts(size)
                    runs: dict[str, Run] = {}
                    for method in order:
                        await flush(model_generate)
                        runs[method] = await LOOPS[method](question, texts, retriever, model_generate, settings.loop)
                    result: dict[str, Any] = {m: runs[m].to_dict() for m in METHODS}
                    result |= {"outputs_equal": compare(runs["baseline"], runs["ralmspec"]), "error": None}
                except Exception as error:  # a failed generation or retrieval makes this size invalid
                    result = {"error": first_line(error)}
                record.results = {**record.results, str(size): result}  # assigned: the store keeps it
        record.done = True
        return state

    return solve


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def size_values(size: int, result: dict[str, Any]) -> dict[str, float]:
    """The numbers of one corpus size (NaN and valid 0 when it failed)."""
    keys = (
        "valid",
        "baseline_seconds",
        "ralmspec_seconds",
        "speedup",
        "baseline_retrieval_seconds",
        "ralmspec_retrieval_seconds",
        "baseline_search_seconds",
        "ralmspec_search_seconds",
        "baseline_encode_seconds",
        "ralmspec_encode_seconds",
        "baseline_generation_seconds",
        "ralmspec_generation_seconds",
        "retrieval_share",
        "ralmspec_retrieval_share",
        "search_share",
        "speculation_accuracy",
        "speculated",
        "checked",
        "confirmed",
        "rollbacks",
        "discarded_steps",
        "baseline_retrieval_calls",
        "ralmspec_retrieval_calls",
        "outputs_equal",
    )
    if result.get("error"):
        values = dict.fromkeys(keys, math.nan) | {"valid": 0.0}
    else:
        base, spec = result["baseline"], result["ralmspec"]
        values = {
            "valid": 1.0,
            "baseline_seconds": base["wall_seconds"],
            "ralmspec_seconds": spec["wall_seconds"],
            "speedup": ratio(base["wall_seconds"], spec["wall_seconds"]),
            "baseline_retrieval_seconds": base["retrieval_seconds"],
            "ralmspec_retrieval_seconds": spec["retrieval_seconds"],
            "baseline_search_seconds": base["search_seconds"],
            "ralmspec_search_seconds": spec["search_seconds"],
            "baseline_encode_seconds": base["seconds"]["encode"],
            "ralmspec_encode_seconds": spec["seconds"]["encode"],
            "baseline_generation_seconds": base["seconds"]["generation"],
            "ralmspec_generation_seconds": spec["seconds"]["generation"],
            "retrieval_share": ratio(base["retrieval_seconds"], base["wall_seconds"]),
            "ralmspec_retrieval_share": ratio(spec["retrieval_seconds"], spec["wall_seconds"]),
            "search_share": ratio(base["search_seconds"], base["wall_seconds"]),
            "speculation_accuracy": ratio(spec["confirmed"], spec["checked"]),
            "speculated": spec["speculated"],
            "checked": spec["checked"],
            "confirmed": spec["confirmed"],
            "rollbacks": spec["rollbacks"],
            "discarded_steps": spec["discarded_steps"],
            "baseline_retrieval_calls": base["retrieval_calls"],
            "ralmspec_retrieval_calls": spec["retrieval_calls"],
            "outputs_equal": float(result["outputs_equal"]),
        }
    return {f"{key}_{size}": float(value) for key, value in values.items()}


def _sizes(scores: list[SampleScore]) -> list[str]:
    keys = {k for s in scores if isinstance(s.score.value, dict) for k in s.score.value}
    return sorted((k.removeprefix("ralmspec_seconds_") for k in keys if k.startswith("ralmspec_seconds_")), key=int)


def _sum(scores: list[SampleScore], key: str, size: str) -> float:
    total = 0.0
    for s in scores:
        value = s.score.value
        if isinstance(value, dict) and value.get(f"valid_{size}") == 1:
            total += float(value[f"{key}_{size}"])
    return total


@metric
def ralm_speedup() -> Metric:
    """Live speedup per corpus size: total baseline seconds / total RaLMSpec seconds over valid questions
    (``summarize_ralm`` adds the CIs)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        return {
            f"speedup_{size}": ratio(_sum(scores, "baseline_seconds", size), _sum(scores, "ralmspec_seconds", size))
            for size in _sizes(scores)
        }

    return compute


@metric
def ralm_outputs_equal() -> Metric:
    """Share of valid (question, corpus size) pairs whose RaLMSpec output equalled the baseline's."""

    def compute(scores: list[SampleScore]) -> float:
        sizes = _sizes(scores)
        valid = sum(_sum(scores, "valid", size) for size in sizes)
        return ratio(sum(_sum(scores, "outputs_equal", size) for size in sizes), valid)

    return compute


@scorer(metrics=[ralm_speedup(), ralm_outputs_equal()])
def ralm_scorer(settings: RalmSettings) -> Any:
    async def score(state: TaskState, target: Target) -> Score:
        record = state.store_as(RalmRecord)
        if not record.done:
            raise RuntimeError(f"sample {state.sample_id}: the ralmspec solver did not run")
        value: dict[str, float] = {}
        parts = []
        for size in settings.sizes:
            result = record.results.get(str(size), {"error": "not run"})
            value |= size_values(size, result)
            if result.get("error"):
                parts.append(f"corpus {size}: invalid ({result['error']})")
            else:
                parts.append(
                    f"corpus {size}: speedup {value[f'speedup_{size}']:.2f}, accuracy "
                    f"{value[f'speculation_accuracy_{size}']:.2f}, outputs equal {bool(result['outputs_equal'])}"
                )
        largest = record.results.get(str(settings.sizes[-1]), {})
        answer = largest.get("baseline", {}).get("text")
        metadata = {
            "ralmspec": record.results,
            "retriever": settings.retriever,
            "corpus_sizes": list(settings.sizes),
            "settings": asdict(settings.loop),
            "order": state.metadata["order"],
        }
        return Score(value=value, answer=answer, explanation="; ".join(parts), metadata=metadata)

    return score


@task
def ralmspec(
    retriever: str = "bm25",
    corpus_sizes: str | int | list[int] = DEFAULT_SIZES,
    questions: int = DEFAULT_QUESTIONS,
    stride: int = 4,
    window: int = 4,
    max_tokens: int = 32,
    query_words: int = 8,
    prefetch: int = 1,
    seed: int = 0,
    embedding_model: str = EMBEDDING_MODEL,
    embedding_threads: int = EMBEDDING_THREADS,
) -> Task:
    """Iterative RAG with and without speculative retrieval, per corpus size.

    Args:
        retriever: ``dense`` (exact inner product over embeddings of ``embedding_model``) or ``bm25`` (bm25s).
        corpus_sizes: comma-separated numbers of passages (at most 819, the whole knowledge base).
        questions: how many ``qa`` questions (a seeded selection; 0: all 80).
        stride: tokens generated per step (a retrieval every ``stride`` tokens).
        window: RaLMSpec's speculation stride: speculated steps per batched verification.
        max_tokens: tokens per answer.
        query_words: generated words appended to the question to form each step's query.
        prefetch: passages each real retrieval adds to RaLMSpec's cache (the paper's prefetching).
        seed: seeds the question selection and the corpus order.
        embedding_model: the dense retriever's GGUF model (a ``local/`` alias or a .gguf path).
        embedding_threads: llama.cpp threads of the dense retriever's query and passage embeddings.
    """
    if retriever not in ("dense", "bm25"):
        raise ValueError(f"ralmspec: retriever must be dense or bm25, got {retriever!r}")
    for name, number in (("stride", stride), ("window", window), ("max_tokens", max_tokens), ("prefetch", prefetch)):
        if int(number) < 1:
            raise ValueError(f"ralmspec: {name} must be at least 1, got {number}")
    if int(query_words) < 0 or int(questions) < 0:
        raise ValueError("ralmspec: questions and query_words must be >= 0")
    loop = LoopSettings(int(stride), int(max_tokens), int(window), int(query_words), int(prefetch))
    if int(embedding_threads) < 1:
        raise ValueError(f"ralmspec: embedding_threads must be at least 1, got {embedding_threads}")
    settings = RalmSettings(
        retriever, parse_sizes(corpus_sizes), loop, int(seed), embedding_model, int(embedding_threads)
    )
    rows = load_rows()
    if settings.sizes[-1] > (available := len(all_passages(rows, seed=int(seed)))):
        raise ValueError(f"ralmspec: the knowledge base has {available} passages, asked for {settings.sizes[-1]}")
    chosen = select_questions(rows, int(questions), int(seed))
    samples = [
        Sample(
            id=f"qa-{row['question_id']}",
            input=row["turns"][0],
            target=[str(r) for r in (row.get("reference") or [])][:1] or "",
            metadata={"question_id": row["question_id"], "order": "baseline_first" if i % 2 == 0 else "ralmspec_first"},
        )
        for i, row in enumerate(chosen)
    ]
    return Task(
        dataset=MemoryDataset(samples, name="ralmspec"),
        solver=ralm_solver(settings),
        scorer=ralm_scorer(settings),
        version=TASK_VERSION,
        metadata={"retriever": retriever, "corpus_sizes": list(settings.sizes), "loop": asdict(loop)},
    )
