"""RaLMSpec's corpus and retrievers: exact results on a hand-made corpus (dense with injected embeddings, BM25 real)."""

import numpy as np
import pytest

from benchmarks.specserve.retrieval import (
    PASSAGE_WORDS,
    BM25Retriever,
    DenseRetriever,
    Passage,
    all_passages,
    article_passages,
    content_hash,
    corpus,
    corpus_embeddings,
    grid_scale,
    load_rows,
    quantise,
    rag_passages,
    retrieve,
    retrieve_batch,
)

DOCS = [
    "The cat sat on the mat and purred at the cat next door.",
    "Dogs bark at the mailman every morning.",
    "The capital of France is Paris, on the river Seine.",
    "Jupiter is the largest planet of the solar system.",
    "Paris hosted the Olympic games in 1900, 1924 and 2024.",
]
WORDS = ["cat", "dog", "paris", "planet", "olympic"]


def fake_embed(text: str) -> np.ndarray:
    """Deterministic bag-of-keywords embedding: one axis per keyword, plus a constant axis."""
    lower = text.lower()
    return np.array([lower.count(w) for w in WORDS] + [0.1], dtype=np.float32)


def dense() -> DenseRetriever:
    return DenseRetriever(np.stack([fake_embed(d) for d in DOCS]), fake_embed)


def test_dense_exact_top_k_and_ties_to_lowest_index():
    r = dense()
    assert retrieve(r, "a cat") == [0]
    assert retrieve(r, "which planet") == [3]
    # "paris" alone: docs 2 and 4 mention Paris once each and score the same: the lower index wins
    assert retrieve(r, "paris", k=2) == [2, 4]
    assert retrieve(r, "paris olympic", k=1) == [4]
    # brute force agrees: cosine of normalised vectors
    e = np.stack([fake_embed(d) for d in DOCS]).astype(float)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    q = fake_embed("dog and cat").astype(float)
    assert retrieve(r, "dog and cat", k=5) == [int(i) for i in np.argsort(-(e @ q), kind="stable")]


def test_dense_batch_equals_single_and_cache_scores_equal_full_scores():
    r = dense()
    queries = ["a cat", "which planet", "paris", "dogs", "olympic paris"]
    assert retrieve_batch(r, queries, k=3) == [retrieve(r, q, k=3) for q in queries]
    q = r.encode("paris olympic")
    full = r.matrix @ q
    assert np.array_equal(r.score(q, [4, 0, 2]), full[[4, 0, 2]])


def test_quantised_inner_products_are_exact_integers():
    rng = np.random.default_rng(0)
    e = quantise(rng.standard_normal((50, 576)))
    q = quantise(rng.standard_normal((7, 576)))
    assert np.all(np.abs(e) <= grid_scale(576)) and np.all(e == np.round(e))
    batch = q @ e.T
    assert np.array_equal(batch, np.stack([e @ row for row in q], axis=1).T)  # any kernel, the same sums
    assert np.array_equal(batch[2], (q[2:3] @ e.T)[0])


def test_bm25_real_retrieval():
    r = BM25Retriever(DOCS)
    assert retrieve(r, "cat on a mat") == [0]
    assert retrieve(r, "largest planet") == [3]
    assert retrieve(r, "Olympic games in Paris") == [4]
    queries = ["dogs bark", "river Seine", "solar system", "cat"]
    assert retrieve_batch(r, queries, k=2) == [retrieve(r, q, k=2) for q in queries]
    # the cache's scores are the index's own BM25 scores of those documents
    q = r.encode("Paris olympic cat")
    assert np.allclose(r.score(q, [4, 2, 0]), r.model.get_scores(q)[[4, 2, 0]], rtol=1e-6)
    assert r.score(q, [4])[0] > r.score(q, [2])[0] > 0


def test_corpus_is_deterministic_prefix_and_fixed_size():
    rows = load_rows()
    passages = all_passages(rows)
    assert passages == all_passages(rows)
    assert len({p.text for p in passages}) == len(passages) == len({p.id for p in passages})
    assert all(len(p.text.split()) == PASSAGE_WORDS for p in passages)
    assert {p.id.split("-")[0] for p in passages} == {"rag", "sum"}
    small, large = corpus(50, passages), corpus(200, passages)
    assert large[:50] == small
    assert all_passages(rows, seed=1) != passages
    with pytest.raises(ValueError, match="corpus size"):
        corpus(len(passages) + 1, passages)


def test_passage_splitting():
    rag = {"question_id": 7, "category": "rag", "turns": ["first passage\nsecond passage\nWho?"]}
    assert rag_passages(rag) == [Passage("rag-7-0", "first passage"), Passage("rag-7-1", "second passage")]
    article = {"question_id": 3, "category": "summarization", "turns": ["Summarize: " + " ".join(["w"] * 25)]}
    assert [len(p.text.split()) for p in article_passages(article, words=10)] == [10, 10]  # 5 words dropped


def test_corpus_embeddings_cache_extends_a_prefix(tmp_path):
    passages = [Passage(f"p{i}", f"{WORDS[i % 5]} text {i}") for i in range(8)]
    calls: list[str] = []

    def embed(text: str) -> np.ndarray:
        calls.append(text)
        return fake_embed(text)

    first = corpus_embeddings(passages, 3, embed, "model", tmp_path)
    assert first.shape == (3, 6) and len(calls) == 3
    second = corpus_embeddings(passages, 8, embed, "model", tmp_path)
    assert len(calls) == 8 and np.array_equal(second[:3], first)  # only the five new passages embedded
    assert np.array_equal(corpus_embeddings(passages, 5, embed, "model", tmp_path), second[:5])
    assert len(calls) == 8
    corpus_embeddings(passages, 2, embed, "other-model", tmp_path)  # another model: another file
    assert len(calls) == 10
    assert len(list(tmp_path.glob(f"*{content_hash(passages)}*.npy"))) == 2
