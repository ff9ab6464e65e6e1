"""Speculative-decoding counters with vLLM's names, for the embedded llama.cpp server and for clients that read them.

vLLM publishes its speculative-decoding counters on ``/metrics`` (Prometheus text):
``vllm:spec_decode_num_drafts_total``, ``vllm:spec_decode_num_draft_tokens_total``,
``vllm:spec_decode_num_accepted_tokens_total`` and ``vllm:spec_decode_num_accepted_tokens_per_pos_total{position=…}``.
The embedded server (``llama_server.py``) publishes the same names, counted by :class:`CountingDraftModel`, so one
client (:func:`parse_counters`, ``benchmarks/specserve``) reads acceptance from either backend.

How llama-cpp-python verifies a draft (``Llama.generate``, 0.3.36): the draft model is called with the history
(prompt, tokens so far and the token just sampled), its k tokens are evaluated in one batch, and sampling walks
along them until the first token the model would not have produced; the next call's history then ends with the
accepted draft tokens and one more sampled token. So when the next call of the same request comes, its history is
``j + 1`` tokens longer than the last one, ``j`` of them the draft's first ``j`` tokens: ``j`` were accepted. A draft
is counted once it is resolved that way; the last draft of a request (cut by the stop rule or the token limit) is
not counted, which vLLM, verifying every drafted position, would count.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
import numpy.typing as npt

DRAFTS = "vllm:spec_decode_num_drafts_total"
DRAFT_TOKENS = "vllm:spec_decode_num_draft_tokens_total"
ACCEPTED = "vllm:spec_decode_num_accepted_tokens_total"
PER_POSITION = "vllm:spec_decode_num_accepted_tokens_per_pos_total"
COUNTERS = (DRAFTS, DRAFT_TOKENS, ACCEPTED)


class CountingDraftModel:
    """Wraps a llama-cpp-python draft model (prompt lookup) and counts drafts, drafted and accepted tokens."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.drafts = 0
        self.draft_tokens = 0
        self.accepted = 0
        self.per_position: list[int] = []
        self._pending: tuple[npt.NDArray[np.intc], npt.NDArray[np.intc]] | None = None  # (history, draft)
        self._lock = threading.Lock()

    def __call__(self, input_ids: npt.NDArray[np.intc], /, **kwargs: Any) -> npt.NDArray[np.intc]:
        draft = np.asarray(self.inner(input_ids, **kwargs), dtype=np.intc)
        with self._lock:
            self._resolve(input_ids)
            self._pending = (np.array(input_ids, dtype=np.intc), draft) if len(draft) else None
        return draft

    def _resolve(self, history: npt.NDArray[np.intc]) -> None:
        """Count the pending draft if ``history`` continues the request it was made for (else a new request)."""
        if self._pending is None:
            return
        before, draft = self._pending
        self._pending = None
        p, q = len(before), len(history)
        accepted = q - p - 1
        if not 0 <= accepted <= len(draft) or not np.array_equal(history[:p], before):
            return  # another request: the pending draft's outcome is unknown
        if not np.array_equal(history[p : p + accepted], draft[:accepted]):
            return
        self.drafts += 1
        self.draft_tokens += len(draft)
        self.accepted += accepted
        if len(self.per_position) < len(draft):
            self.per_position += [0] * (len(draft) - len(self.per_position))
        for position in range(accepted):
            self.per_position[position] += 1

    def prometheus(self) -> str:
        """The counters as Prometheus text, vLLM's names."""
        with self._lock:
            lines = [f"# TYPE {name} counter" for name in (*COUNTERS, PER_POSITION)]
            lines += [f"{DRAFTS} {self.drafts}", f"{DRAFT_TOKENS} {self.draft_tokens}", f"{ACCEPTED} {self.accepted}"]
            lines += [f'{PER_POSITION}{{position="{i}"}} {n}' for i, n in enumerate(self.per_position)]
        return "\n".join(lines) + "\n"


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def parse_counters(text: str) -> dict[str, float]:
    """The speculative-decoding counters of a Prometheus ``/metrics`` page, summed over label sets (vLLM labels each
    counter by model and engine); ``{}`` when the server publishes none (plain decoding on llama.cpp does)."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match and match.group(1) in COUNTERS:
            totals[match.group(1)] = totals.get(match.group(1), 0.0) + float(match.group(3))
    return totals
