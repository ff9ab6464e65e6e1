"""RaLMSpec's knowledge base and its two real retrievers: exact dense search and BM25.

**Corpus.** Real text from the shipped Spec-Bench prompts (``datasets/specserve/question.jsonl``): the retrieved
Wikipedia passages of the ``rag`` prompts (5 per prompt, 100 words each, one per line before the question) and the
``summarization`` articles (CNN/DailyMail) cut into passages of the same fixed size (:data:`PASSAGE_WORDS` words;
a shorter tail is dropped). Exact duplicates are dropped. The passages are put in one seeded order (CRC-32 of seed
and passage id) and a corpus of size N is the first N: a larger corpus is a superset of a smaller one.

**Retrievers** (:class:`Retriever`): ``encode`` one query, ``search`` a batch of encoded queries in ONE call (one
matrix product, one ``bm25s`` call; what makes RaLMSpec's verification cheap), ``score`` one query against a few
documents (the speculation cache). Ties go to the lowest passage index (dense); BM25 ties are ``bm25s``'s own, the
same for a query alone or in a batch.

* :class:`DenseRetriever`: exact inner-product search over normalised mean-pooled embeddings of the embedded GGUF
  model (``llama_cpp.Llama(embedding=True)``). Every text is embedded ALONE: llama.cpp's embedding of a text in a
  batch differs from its embedding alone (about 3e-5, the batch's composition changes the sums), which would let
  the batched verification disagree with the one-query baseline. Embeddings are quantised to an integer grid held
  in float64 (:func:`quantise`) so every inner product is an exact integer whatever kernel or batch shape computes
  it: a query scores the same alone or in a batch, so verification reproduces the baseline bit for bit.
  Corpus embeddings are cached under ``~/.cache/twinbench/embeddings`` (:func:`corpus_embeddings`).
* :class:`BM25Retriever`: ``bm25s`` (Lucene BM25, k1 1.5, b 0.75, English stopwords, no stemmer).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from benchmarks.specserve.build_data import OUT_FILE, check_rows
from twinbench.data import data_path

log = logging.getLogger(__name__)

PASSAGE_WORDS = 100  # DPR's Wikipedia passages, as the rag prompts already hold them
SUMMARIZE_PREFIX = "Summarize:"
EMBEDDING_MODEL = "smollm2-135m"  # a twinbench.models alias or a .gguf path
# One thread: on 2 shared, busy cores a 2-thread llama.cpp context spins at its barriers; a 15-token query took a
# median 3.0 s (max 20 s) with 2 threads and 0.45 s (max 0.6 s) with 1 (load average 7). Task option embedding_threads.
EMBEDDING_THREADS = 1
EMBEDDING_CTX = 512  # a passage is about 140 tokens; longer texts are truncated
CACHE_VERSION = 1  # bump when the embedding recipe changes: old cache files are not read


@dataclass(frozen=True)
class Passage:
    id: str  # rag-<question_id>-<i> or sum-<question_id>-<i>
    text: str


def load_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """The Spec-Bench prompts as checked rows (``question.jsonl``; a bad row names its line)."""
    path = path or data_path("specserve", OUT_FILE)
    return check_rows(path.read_text(encoding="utf-8"), str(path))


def rag_passages(row: dict[str, Any]) -> list[Passage]:
    """The retrieved passages of a ``rag`` prompt: every line but the last (the question)."""
    lines = [line.strip() for line in row["turns"][0].split("\n")]
    return [Passage(f"rag-{row['question_id']}-{i}", text) for i, text in enumerate(lines[:-1]) if text]


def article_passages(row: dict[str, Any], words: int = PASSAGE_WORDS) -> list[Passage]:
    """A ``summarization`` article cut into passages of ``words`` words (the shorter tail dropped)."""
    text = row["turns"][0].strip()
    if text.startswith(SUMMARIZE_PREFIX):
        text = text[len(SUMMARIZE_PREFIX) :]
    tokens = text.split()
    return [
        Passage(f"sum-{row['question_id']}-{i // words}", " ".join(tokens[i : i + words]))
        for i in range(0, len(tokens) - words + 1, words)
    ]


def all_passages(rows: Sequence[dict[str, Any]], words: int = PASSAGE_WORDS, seed: int = 0) -> list[Passage]:
    """Every passage of the knowledge base, duplicates dropped, in the seeded order whose prefixes are the
    corpora (a passage's place depends only on its id and the seed)."""
    found: list[Passage] = []
    for row in rows:
        if row["category"] == "rag":
            found += rag_passages(row)
        elif row["category"] == "summarization":
            found += article_passages(row, words)
    unique = list({p.text: p for p in reversed(found)}.values())  # the first of each text kept
    return sorted(unique, key=lambda p: (zlib.crc32(f"{seed}/{p.id}".encode()), p.id))


def corpus(size: int, passages: Sequence[Passage]) -> list[Passage]:
    """The corpus of ``size`` passages: the first ``size`` of the ordered knowledge base."""
    if not 1 <= size <= len(passages):
        raise ValueError(f"ralmspec: corpus size must be between 1 and {len(passages)}, got {size}")
    return list(passages[:size])


def content_hash(passages: Sequence[Passage]) -> str:
    digest = hashlib.sha256()
    for p in passages:
        digest.update(f"{p.id}\t{p.text}\n".encode())
    return digest.hexdigest()[:16]


# -- retrievers -----------------------------------------------------------------------------------------------


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """(m, k) indices of each row's k highest scores, ties to the lowest index."""
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


class Retriever(Protocol):
    kind: str
    size: int

    def encode(self, query: str) -> Any: ...

    def search(self, queries: Sequence[Any], k: int = 1) -> np.ndarray:
        """(len(queries), k) passage indices, best first: ONE call for the whole batch."""
        ...

    def score(self, query: Any, docs: Sequence[int]) -> np.ndarray:
        """The retriever's scores of one query for the given passages only (the speculation cache)."""
        ...


def retrieve(retriever: Retriever, query: str, k: int = 1) -> list[int]:
    """Single-query retrieval: the top-k passage indices of one query."""
    return [int(i) for i in retriever.search([retriever.encode(query)], k)[0]]


def retrieve_batch(retriever: Retriever, queries: Sequence[str], k: int = 1) -> list[list[int]]:
    """Batched retrieval: each query encoded (dense: one by one, see the module notes), one search for all."""
    found = retriever.search([retriever.encode(q) for q in queries], k)
    return [[int(i) for i in row] for row in found]


def grid_scale(dim: int) -> float:
    """The largest power of two s such that inner products of two vectors of norm <= 1 quantised to 1/s sum
    exactly in float64: |products| <= s^2 and dim * s^2 < 2^53, so every partial sum is an exact integer."""
    return float(2 ** ((53 - math.ceil(math.log2(dim)) - 1) // 2))


def quantise(vectors: np.ndarray) -> np.ndarray:
    """Normalised vectors on the exact integer grid of :func:`grid_scale`, as float64."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    return np.round(unit * grid_scale(vectors.shape[1]))


class DenseRetriever:
    """Exact inner-product search over quantised normalised embeddings (one matrix product per batch)."""

    kind = "dense"

    def __init__(self, embeddings: np.ndarray, embed: Callable[[str], np.ndarray]) -> None:
        self.matrix = quantise(embeddings)  # (size, dim)
        self.embed = embed
        self.size = int(self.matrix.shape[0])

    def encode(self, query: str) -> np.ndarray:
        return quantise(self.embed(query))[0]

    def search(self, queries: Sequence[Any], k: int = 1) -> np.ndarray:
        # einsum, not BLAS: exact either way (integer sums), but OpenBLAS's threads spin against busy cores (a
        # 4-query product over 400 passages took a median 10 ms instead of 0.2 ms at load average 7)
        return top_k(np.einsum("qd,nd->qn", np.stack(list(queries)), self.matrix), min(k, self.size))

    def score(self, query: Any, docs: Sequence[int]) -> np.ndarray:
        return np.einsum("nd,d->n", self.matrix[list(docs)], query)


class BM25Retriever:
    """``bm25s`` over the corpus; the cache is scored from the same index's per-document term scores."""

    kind = "bm25"

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s
        from scipy import sparse

        self.tokenizer = bm25s.tokenization.Tokenizer(stopwords="en")
        tokens = self.tokenizer.tokenize(list(texts), return_as="tuple", show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)
        scores = self.model.scores
        # bm25s stores one column per token (CSC over documents); rows per document score a cache cheaply
        shape = (int(scores["num_docs"]), len(scores["indptr"]) - 1)
        self.rows = sparse.csc_matrix((scores["data"], scores["indices"], scores["indptr"]), shape=shape).tocsr()
        self.size = shape[0]

    def encode(self, query: str) -> list[int]:
        ids: list[list[int]] = self.tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )  # fmt: skip
        return ids[0]

    def search(self, queries: Sequence[Any], k: int = 1) -> np.ndarray:
        docs, _ = self.model.retrieve(
            [list(q) for q in queries],
            k=min(k, self.size),
            show_progress=False,
            n_threads=0,
            backend_selection="numpy",
        )
        return np.asarray(docs, dtype=np.int64)

    def score(self, query: Any, docs: Sequence[int]) -> np.ndarray:
        return np.asarray(self.rows[list(docs)][:, list(query)].sum(axis=1), dtype=float).ravel()


# -- embeddings -----------------------------------------------------------------------------------------------


class LlamaEmbedder:
    """Mean-pooled embeddings of one text at a time from a GGUF model (in this process, ``n_threads`` threads)."""

    def __init__(self, model: str = EMBEDDING_MODEL, n_threads: int = EMBEDDING_THREADS) -> None:
        import llama_cpp

        from twinbench.models import resolve_local_model

        self.path = Path(model).expanduser() if model.endswith(".gguf") else resolve_local_model(model)[0]
        self.llm = llama_cpp.Llama(
            model_path=str(self.path),
            embedding=True,
            pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,  # a chat model's GGUF names no pooling
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_ctx=EMBEDDING_CTX,
            n_batch=EMBEDDING_CTX,
            n_ubatch=EMBEDDING_CTX,
            verbose=False,
        )

    @property
    def key(self) -> str:
        return f"{self.path.stem}-{file_digest(str(self.path))}"

    def __call__(self, text: str) -> np.ndarray:
        return np.asarray(self.llm.embed(text, normalize=True), dtype=np.float32)


@cache
def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """``$TWINBENCH_EMBEDDINGS_DIR``, else ``$XDG_CACHE_HOME/twinbench/embeddings``, else
    ``~/.cache/twinbench/embeddings``."""
    if os.environ.get("TWINBENCH_EMBEDDINGS_DIR"):
        return Path(os.environ["TWINBENCH_EMBEDDINGS_DIR"])
    base = Path(os.environ["XDG_CACHE_HOME"]) if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "twinbench" / "embeddings"


def corpus_embeddings(
    passages: Sequence[Passage],
    size: int,
    embed: Callable[[str], np.ndarray],
    model_key: str,
    directory: Path | None = None,
) -> np.ndarray:
    """(size, dim) float32 embeddings of the first ``size`` passages of the ordered knowledge base ``passages``.

    One cache file per (model file, knowledge base content, recipe) holds the embeddings of a prefix of the
    knowledge base; a larger size embeds only the passages the file lacks and extends it (each passage is
    embedded alone, so the result does not depend on what was embedded before)."""
    directory = directory or cache_dir()
    path = directory / f"{model_key}-{content_hash(passages)}-v{CACHE_VERSION}.npy"
    done = np.load(path) if path.exists() else None
    if done is not None and done.shape[0] >= size:
        return np.asarray(done[:size])
    start = 0 if done is None else done.shape[0]
    began = time.perf_counter()
    new = [embed(p.text) for p in passages[start:size]]
    log.info("ralmspec: embedded %d passages in %.1f s", size - start, time.perf_counter() - began)
    matrix = np.stack(new).astype(np.float32) if done is None else np.concatenate([done, np.stack(new)])
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(partial, matrix)
    partial.replace(path)  # atomic: a concurrent run reads either file whole
    return matrix


def build_retriever(
    kind: str,
    size: int,
    passages: Sequence[Passage],
    embedder: LlamaEmbedder | None = None,
    directory: Path | None = None,
) -> Retriever:
    """The real retriever of ``kind`` (``dense`` or ``bm25``) over the first ``size`` passages."""
    texts = [p.text for p in corpus(size, passages)]
    if kind == "bm25":
        return BM25Retriever(texts)
    if kind == "dense":
        if embedder is None:
            raise ValueError("ralmspec: the dense retriever needs an embedder")
        return DenseRetriever(corpus_embeddings(passages, size, embedder, embedder.key, directory), embedder)
    raise ValueError(f"ralmspec: retriever must be dense or bm25, got {kind!r}")
