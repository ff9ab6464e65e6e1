"""Iterative retrieval-augmented generation, two ways: retrieve at every step (baseline) or speculate (RaLMSpec).

Both loops generate in steps of ``stride`` tokens. Before step i the query is the question plus the last
``query_words`` words generated so far, and step i is generated from the prompt (passage, question, text so far).

* :func:`baseline`: the passage of every step is the real retriever's top-1 for that step's query.
* :func:`ralmspec` (Zhang et al. 2024): the passage of a step is speculated from a local cache (the passages real
  retrievals have returned for this question so far, top-``prefetch`` of each), ranked by the same retriever's
  scores restricted to the cache. Every ``window`` speculated steps (and before finishing) the pending queries are
  verified in ONE batched call to the real retriever. At the first step whose speculated passage is not the real
  top-1, the text is rolled back to before that step, which is generated again with the verified passage; the
  steps after it are discarded unverified. The first step has an empty cache and retrieves for real.

So every kept step was generated from the passage the baseline retrieves for the same query after the same text:
with a deterministic generator the outputs are equal by construction (:func:`compare` records it).

Timers (seconds): ``generation`` (every generation call, discarded ones included), ``encode`` (turning a query into
what the retriever searches with: an embedding, BM25 token ids; every step of both loops), ``search`` (real
one-query searches: all the baseline's, RaLMSpec's first step), ``cache`` (scoring RaLMSpec's cache) and
``verification`` (RaLMSpec's batched real searches). Retrieval time is all but generation; RaLMSpec can save only
search time (it still encodes every query, to speculate). Speculation accuracy: of the speculated steps
verification judged (those up to and including each window's first mismatch; later ones are discarded unjudged),
the share whose passage verification confirmed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from benchmarks.specserve.retrieval import Retriever

# (passage, question, text so far) -> (next chunk of at most `stride` tokens, whether the model stopped)
Generator = Callable[[str, str, str], Awaitable[tuple[str, bool]]]


@dataclass(frozen=True)
class LoopSettings:
    stride: int = 4  # tokens per step (RaLM's retrieval stride)
    max_tokens: int = 32  # tokens per answer: max_tokens / stride steps
    window: int = 4  # RaLMSpec's speculation stride: speculated steps per batched verification
    query_words: int = 8  # generated words added to the question in a query
    prefetch: int = 1  # passages each real retrieval adds to RaLMSpec's cache

    @property
    def steps(self) -> int:
        return -(-self.max_tokens // self.stride)


@dataclass
class Run:
    """One question answered by one loop."""

    method: str
    text: str = ""
    docs: list[int] = field(default_factory=list)  # passage of each kept step
    seconds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("generation", "encode", "search", "cache", "verification"), 0.0)
    )
    wall_seconds: float = 0.0
    retrieval_calls: int = 0  # calls to the real retriever (a batched verification is one call)
    verified_queries: int = 0  # queries those calls answered
    generation_calls: int = 0
    speculated: int = 0  # steps generated from a speculated passage
    checked: int = 0  # speculated steps verification judged
    confirmed: int = 0  # ... and found right
    rollbacks: int = 0
    discarded_steps: int = 0  # generated steps thrown away by rollbacks

    @property
    def retrieval_seconds(self) -> float:
        return sum(v for k, v in self.seconds.items() if k != "generation")

    @property
    def search_seconds(self) -> float:
        """Time in the real retriever's search (what speculation saves): one-query searches and verifications."""
        return self.seconds["search"] + self.seconds["verification"]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"retrieval_seconds": self.retrieval_seconds, "search_seconds": self.search_seconds}


def query_of(question: str, text: str, words: int) -> str:
    tail = text.split()[-words:] if words > 0 else []
    return " ".join([question, *tail]).strip()


class _Clock:
    def __init__(self, run: Run, key: str) -> None:
        self.run, self.key = run, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.run.seconds[self.key] += time.perf_counter() - self.start


async def baseline(
    question: str, passages: Sequence[str], retriever: Retriever, generate: Generator, s: LoopSettings
) -> Run:
    run = Run("baseline")
    began = time.perf_counter()
    chunks: list[str] = []
    for _ in range(s.steps):
        with _Clock(run, "encode"):
            query = retriever.encode(query_of(question, "".join(chunks), s.query_words))
        with _Clock(run, "search"):
            doc = int(retriever.search([query])[0, 0])
        run.retrieval_calls += 1
        run.verified_queries += 1
        with _Clock(run, "generation"):
            chunk, stopped = await generate(passages[doc], question, "".join(chunks))
        run.generation_calls += 1
        chunks.append(chunk)
        run.docs.append(doc)
        if stopped:
            break
    run.text = "".join(chunks)
    run.wall_seconds = time.perf_counter() - began
    return run


@dataclass
class _Pending:
    step: int  # index of the speculated step
    query: Any  # its encoded query
    doc: int  # the speculated passage


async def ralmspec(
    question: str, passages: Sequence[str], retriever: Retriever, generate: Generator, s: LoopSettings
) -> Run:
    run = Run("ralmspec")
    began = time.perf_counter()
    chunks: list[str] = []
    cache: dict[int, None] = {}  # passages retrieved so far, in order (a dict: ordered, no repeats)
    pending: list[_Pending] = []
    forced: int | None = None  # the verified passage of the step generated again after a rollback
    stopped = False
    while True:
        finished = stopped or len(chunks) >= s.steps
        if pending and (finished or len(pending) >= s.window):
            with _Clock(run, "verification"):
                found = retriever.search([p.query for p in pending], s.prefetch)
            run.retrieval_calls += 1
            run.verified_queries += len(pending)
            for p, row in zip(pending, found):
                run.checked += 1
                cache.update(dict.fromkeys(int(d) for d in row))
                if int(row[0]) != p.doc:  # roll back to before this step; the steps after it are discarded
                    run.rollbacks += 1
                    run.discarded_steps += len(chunks) - p.step
                    del chunks[p.step :], run.docs[p.step :]
                    forced, stopped = int(row[0]), False
                    break
                run.confirmed += 1
            pending.clear()
            continue
        if finished:
            break
        text = "".join(chunks)
        if forced is not None:
            doc, forced = forced, None
        elif not cache:
            with _Clock(run, "encode"):
                query = retriever.encode(query_of(question, text, s.query_words))
            with _Clock(run, "search"):
                found = retriever.search([query], s.prefetch)
            run.retrieval_calls += 1
            run.verified_queries += 1
            cache.update(dict.fromkeys(int(d) for d in found[0]))
            doc = int(found[0, 0])
        else:
            with _Clock(run, "encode"):
                query = retriever.encode(query_of(question, text, s.query_words))
            with _Clock(run, "cache"):
                ids = list(cache)
                doc = ids[int(np.argmax(retriever.score(query, ids)))]  # ties: the earliest cached
            pending.append(_Pending(len(chunks), query, doc))
            run.speculated += 1
        with _Clock(run, "generation"):
            chunk, stopped = await generate(passages[doc], question, text)
        run.generation_calls += 1
        chunks.append(chunk)
        run.docs.append(doc)
    run.text = "".join(chunks)
    run.wall_seconds = time.perf_counter() - began
    return run


def compare(base: Run, spec: Run) -> bool:
    """Whether RaLMSpec reproduced the baseline: the same passages at every step and the same text."""
    return base.docs == spec.docs and base.text == spec.text
