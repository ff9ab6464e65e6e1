"""Independent calls of a report (one ``summarize`` per run, one run's figures) in forked worker processes.

The calls are handed to the workers by ``fork`` (they inherit the parent's memory: the registry, the samples, test
hooks defined in a function), so nothing but the results is pickled. Where ``fork`` does not exist, with
``jobs <= 1`` or a single call, they run in this process. A result that cannot be sent back (pickle refuses it) is
recomputed here; an exception is returned, not raised, with its type name and message.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

_PENDING: Sequence[Callable[[], Any]] = ()


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
