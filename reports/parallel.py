"""Independent calls of a report (one ``summarize`` per run, one run's figures) in forked worker processes.

The calls are handed to the workers by ``fork`` (they inherit the parent's memory: the registry, the samples, test
hooks defined in a function), so nothing but the results is pickled. Where ``fork`` does not exist, with
``jobs <= 1`` or a single call, they run in this process. A result that cannot be sent back (pickle refuses it) is
recomputed here; an exception is returned, not raised, with its type name and message.

:func:`frozen_heap` keeps what a build finds in memory (the suite, inspect, pandas, the runs loaded so far) out of
the cyclic garbage collector's full collections, each of which otherwise walks all of it: 0.2 s a collection with
the suite imported, a fifth of adding one log to a site of 200 runs and 2.4 of the parent's 14 CPU s in a cold
build of 200 logs; forked workers inherit it, so their collections do not touch (and copy) the parent's pages either.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_PENDING: Sequence[Callable[[], Any]] = ()
_FROZEN = 0  # depth of frozen_heap blocks


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Within the block, the objects alive at its start (and at the start of any block inside it) are left out of
    the cyclic garbage collector (``gc.freeze``); objects made in the block are collected as usual. The outermost
    block puts them back (``gc.unfreeze``) when it ends. Only cyclic garbage among frozen objects waits until then:
    reference counting frees everything else as always."""
    global _FROZEN
    gc.freeze()
    _FROZEN += 1
    try:
        yield
    finally:
        _FROZEN -= 1
        if _FROZEN == 0:
            gc.unfreeze()


@dataclass(frozen=True)
class Failure:
    """A call that raised: ``f"{kind}: {message}"`` reads as the exception did."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _call(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as ex:
        return Failure(type(ex).__name__, str(ex))


def _call_pending(index: int) -> Any:
    return _call(_PENDING[index])


def run_calls(calls: Sequence[Callable[[], Any]], jobs: int = 1) -> list[Any]:
    """Each call's return value (or a :class:`Failure`), in order, using up to ``jobs`` processes."""
    global _PENDING
    if jobs <= 1 or len(calls) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_call(call) for call in calls]
    _PENDING = calls
    try:
        if _FROZEN:  # what was made since the block began (the samples the calls read): out of the workers' sight too
            gc.freeze()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(calls)), mp_context=context) as pool:
            futures = [pool.submit(_call_pending, i) for i in range(len(calls))]
            results = []
            for call, future in zip(calls, futures):
                try:
                    results.append(future.result())
                except Exception:  # the worker could not send it back (or died): compute it here
                    results.append(_call(call))
            return results
    finally:
        _PENDING = ()
