"""RaLMSpec's loop against a scripted generator and retriever: rollbacks reproduce the baseline exactly."""

from collections.abc import Sequence

import numpy as np

from benchmarks.specserve.ralmspec import LoopSettings, Run, baseline, compare, query_of, ralmspec

PASSAGES = ["A", "B", "C"]


class Scripted:
    """The real top passage of step i is ``schedule[i]``; a step is read off the query's last word ``<doc>.<i>``.
    Cache scores: 1 for the passage the real retriever would return, else 0 (speculation is right whenever the
    right passage is cached); top-k lists the right passage, then the others in order."""

    kind = "scripted"

    def __init__(self, schedule: Sequence[int]) -> None:
        self.schedule = list(schedule)
        self.size = len(PASSAGES)
        self.searches: list[int] = []  # batch size of every search call

    def encode(self, query: str) -> int:
        words = query.split()
        step = int(words[-1].split(".")[1]) + 1 if len(words) > 1 else 0
        return self.schedule[step]

    def search(self, queries: Sequence[int], k: int = 1) -> np.ndarray:
        self.searches.append(len(queries))
        return np.array([[q] + [d for d in range(self.size) if d != q][: k - 1] for q in queries])

    def score(self, query: int, docs: Sequence[int]) -> np.ndarray:
        return np.array([float(d == query) for d in docs])


def generator(stop_after: int | None = None):
    calls: list[tuple[str, str]] = []

    async def generate(passage: str, question: str, text: str) -> tuple[str, bool]:
        step = len(text.split())
        calls.append((passage, text))
        return f"{passage}.{step} ", stop_after is not None and step + 1 >= stop_after

    return generate, calls


async def both(schedule, settings, stop_after=None) -> tuple[Run, Run, Scripted, list]:
    base_gen, _ = generator(stop_after)
    base = await baseline("q", PASSAGES, Scripted(schedule), base_gen, settings)
    retriever = Scripted(schedule)
    spec_gen, calls = generator(stop_after)
    spec = await ralmspec("q", PASSAGES, retriever, spec_gen, settings)
    return base, spec, retriever, calls


async def test_rollback_at_a_known_step_reproduces_the_baseline():
    settings = LoopSettings(stride=1, max_tokens=8, window=4, query_words=1)
    base, spec, retriever, calls = await both([0, 0, 0, 1, 1, 1, 1, 1], settings)
    assert base.text == "A.0 A.1 A.2 B.3 B.4 B.5 B.6 B.7 "
    assert base.docs == [0, 0, 0, 1, 1, 1, 1, 1] and base.retrieval_calls == 8
    assert compare(base, spec) and spec.text == base.text
    # step 0 retrieved for real; steps 1-4 speculated A, verification confirms 1 and 2 and rejects 3: roll back,
    # discard steps 3 and 4, generate step 3 with B; steps 4-7 speculated B (now cached) and all confirmed
    assert (spec.speculated, spec.checked, spec.confirmed) == (8, 7, 6)
    assert spec.confirmed / spec.checked == 6 / 7
    assert (spec.rollbacks, spec.discarded_steps) == (1, 2)
    assert retriever.searches == [1, 4, 4]  # one real retrieval, two batched verifications
    assert spec.retrieval_calls == 3 and spec.verified_queries == 9
    assert spec.generation_calls == len(calls) == 10
    assert [c[0] for c in calls] == ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"]


async def test_mismatch_at_the_last_step_and_a_partial_window():
    settings = LoopSettings(stride=2, max_tokens=10, window=3, query_words=4)  # 5 steps: windows of 3, then 1
    base, spec, retriever, _ = await both([2, 2, 2, 2, 0], settings)
    assert compare(base, spec) and base.docs == [2, 2, 2, 2, 0]
    assert retriever.searches == [1, 3, 1]  # the last, partial window is verified before finishing
    assert (spec.checked, spec.confirmed, spec.rollbacks, spec.discarded_steps) == (4, 3, 1, 1)


async def test_prefetch_fills_the_cache_and_stop_ends_both_loops():
    settings = LoopSettings(stride=1, max_tokens=6, window=2, query_words=1, prefetch=3)
    base, spec, _, _ = await both([0, 1, 2, 1, 0, 2], settings, stop_after=5)
    assert base.docs == [0, 1, 2, 1, 0] and base.text.split()[-1] == "A.4"  # stopped after the fifth step
    assert compare(base, spec)
    assert spec.speculated == spec.checked == spec.confirmed == 4  # every passage cached at once: all right
    assert spec.rollbacks == 0


async def test_speculation_wrong_everywhere_still_equals_baseline():
    settings = LoopSettings(stride=1, max_tokens=6, window=3, query_words=1)
    schedule = [0, 1, 2, 0, 1, 2]

    class Contrary(Scripted):
        def score(self, query: int, docs: Sequence[int]) -> np.ndarray:
            return np.array([float(d != query) for d in docs])  # always prefers a wrong cached passage if any

    base_gen, _ = generator()
    base = await baseline("q", PASSAGES, Scripted(schedule), base_gen, settings)
    spec_gen, _ = generator()
    spec = await ralmspec("q", PASSAGES, Contrary(schedule), spec_gen, settings)
    assert compare(base, spec)
    assert spec.confirmed < spec.checked and spec.rollbacks >= 1


def test_query_and_compare():
    assert query_of("Who?", "one two three", 2) == "Who? two three"
    assert query_of("Who?", "", 8) == "Who?"
    assert query_of("Who?", "one", 0) == "Who?"
    a, b = Run("baseline", text="x", docs=[1]), Run("ralmspec", text="x", docs=[2])
    assert not compare(a, b)
