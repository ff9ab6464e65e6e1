"""The model inside the embedded llama.cpp server child: ``llama_cpp.Llama``, log-probabilities without ``logits_all``.

Loaded only in the server child (``llama_server.py``); the parent never imports llama_cpp for it.

Upstream ``llama_cpp.Llama`` returns log-probabilities only when the model was loaded with ``logits_all=True``. Then
every prompt position gets a vocabulary-sized logits row (the output layer runs on every prompt token, and every row
is copied to numpy), all rows are log-softmaxed, and each wanted row is sorted as a Python list: a survey question's
first-token top-20 costs about 1.7x the same request without log-probabilities. A generated token's distribution is
just the logits row of the position before it, which llama.cpp computes anyway. :class:`TwinLlama`:

1. reads that row while sampling (:meth:`TwinLlama.sample`), log-softmaxes it with upstream's
   ``Llama.logits_to_logprobs`` and keeps the top k in upstream's order (log-probability, then token id, both
   descending); :meth:`TwinLlama._logprobs_block` builds the response's logprobs as upstream does. The row is the same
   bytes as upstream's row for that position, so the log-probabilities are identical (tests compare them with an
   upstream server run with ``logits_all=True``);
2. switches ``logits_all`` on for a request that needs the rows of every position: prompt log-probabilities
   (``echo``: the block is built here, :meth:`TwinLlama._echo_block`, as upstream's but log-softmaxing and sorting
   only what it returns; Recon's continuation scoring asks for it) and streamed log-probabilities (upstream's
   streaming layout, left as it is).

What of ``llama_cpp.Llama`` (llama-cpp-python==0.3.36, pinned in pyproject) this relies on, beyond its public methods:

- ``_create_completion`` (private): overridden; upstream's is called with ``logprobs=None`` and its result completed;
- ``_logits_all`` (private): read, and set for one request in :meth:`TwinLlama.all_logits`;
- ``scores`` (public attribute, upstream's logits buffer: ``n_batch`` rows without ``logits_all``, ``n_ctx`` with it):
  swapped for an ``n_ctx``-row buffer in :meth:`TwinLlama.all_logits`;
- ``sample(idx=...)`` being called once per generated token with the absolute position of the row it samples from.

Everything else goes through public API (``ctx``, ``n_vocab()``, ``detokenize``, ``reset``, ``token_bos``,
``logits_to_logprobs``, the low-level ``llama_cpp.llama_get_logits_ith``).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

import llama_cpp
import numpy as np

_COMPLETION_PARAMS = inspect.signature(llama_cpp.Llama._create_completion)

Step = tuple[int, np.float32, list[tuple[np.float32, int]]]  # token, its log-probability, the top k (logprob, id)


def top_logprobs(logprobs: np.ndarray, k: int) -> list[tuple[np.float32, int]]:
    """The k best (log-probability, id) pairs, as upstream's ``sorted(zip(logprobs, ids), reverse=True)[:k]``."""
    if k <= 0:
        return []
    if k < logprobs.shape[0]:
        kth = np.partition(logprobs, -k)[-k]
        ids = np.flatnonzero(logprobs >= kth)  # ties at the boundary included; the sort below picks
    else:
        ids = np.arange(logprobs.shape[0])
    return sorted(zip(logprobs[ids], ids.tolist()), reverse=True)[:k]


class TwinLlama(llama_cpp.Llama):
    """``llama_cpp.Llama`` with log-probabilities read from each sampled token's own logits row."""

    _steps: list[Step] | None = None  # while a log-probability request runs: one Step per sampled token
    _steps_k: int = 0

    @classmethod
    def adopt(cls, llama: llama_cpp.Llama) -> TwinLlama:
        """Turn an already loaded ``Llama`` into a TwinLlama (the same object, model and context)."""
        llama.__class__ = cls
        assert isinstance(llama, TwinLlama)
        return llama

    def sample(self, *args: Any, **kwargs: Any) -> int:
        if self._steps is None:
            return super().sample(*args, **kwargs)
        idx = kwargs.get("idx")  # generate() passes the absolute position; the row's index is relative to n_tokens
        ridx = idx - self.n_tokens if idx is not None else -1
        row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.ctx, ridx), shape=(self.n_vocab(),))
        logprobs = llama_cpp.Llama.logits_to_logprobs(row)  # a new array: the row is overwritten by the next decode
        token = int(super().sample(*args, **kwargs))
        self._steps.append((token, logprobs[token], top_logprobs(logprobs, self._steps_k)))
        return token

    @contextlib.contextmanager
    def all_logits(self) -> Iterator[None]:
        """``logits_all`` for the request inside: every evaluated position keeps its logits row in ``scores``."""
        small = self.scores
        self.scores = np.ndarray((self.n_ctx(), self.n_vocab()), dtype=np.single)
        self._logits_all = True
        self.reset()  # the cached prefix has no rows: evaluate the whole prompt again
        try:
            yield
        finally:
            self._logits_all = False
            self.scores = small  # the n_ctx x vocabulary buffer is only needed in here

    def _create_completion(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        params = _COMPLETION_PARAMS.bind(self, *args, **kwargs)
        params.apply_defaults()
        p = params.arguments
        if p["logprobs"] is None or self._logits_all:
            yield from super()._create_completion(*args, **kwargs)
        elif p["stream"] or not isinstance(self.tokenizer_, llama_cpp.LlamaTokenizer):  # upstream's layouts
            with self.all_logits():
                yield from super()._create_completion(*args, **kwargs)
        else:
            del p["self"]
            k, echo = int(p.pop("logprobs")), bool(p["echo"])
            self._steps, self._steps_k = [], 0 if echo else k
            try:
                with self.all_logits() if echo else contextlib.nullcontext():
                    completion = next(super()._create_completion(**p, logprobs=None))
                    steps, self._steps = self._steps, None
                    # generate() samples an end-of-generation token that the completion leaves out
                    steps = steps[: completion["usage"]["completion_tokens"]]
                    if echo:
                        block = self._echo_block(completion["usage"]["prompt_tokens"], [t for t, _, _ in steps], k)
                    else:
                        block = self._logprobs_block(len(p["prompt"]), [t for t, _, _ in steps], steps)
            finally:
                self._steps = None
            completion["choices"][0]["logprobs"] = block
            yield completion

    def _echo_block(self, n_prompt: int, completion_tokens: list[int], k: int) -> llama_cpp.CompletionLogprobs:
        """Upstream's echo logprobs block: every position's log-probability and top k, from the logits rows of the
        request just run (``all_logits``). Upstream log-softmaxes every row and sorts each one as a Python list of
        (value, id) pairs (0.85 s per token for SmolLM2); here each row is log-softmaxed alone (the same float32
        operations, so the same values) and only its top k are sorted (:func:`top_logprobs`)."""
        prompt_tokens = [int(t) for t in self.input_ids[:n_prompt]]
        skip = 1 if prompt_tokens and prompt_tokens[0] == self.token_bos() else 0  # upstream drops a leading BOS
        all_tokens = prompt_tokens[skip:] + completion_tokens
        rows = self._scores  # one row per evaluated position; upstream pairs token i with row i
        steps: list[Step] = []
        for idx, token in enumerate(all_tokens[: rows.shape[0]]):
            logprobs = llama_cpp.Llama.logits_to_logprobs(rows[idx])
            steps.append((token, logprobs[token], top_logprobs(logprobs, k)))
        block = self._logprobs_block(0, all_tokens, steps)
        if all_tokens:  # the OpenAI layout: no log-probability for the first token
            block["token_logprobs"][0] = None
            block["top_logprobs"][0] = None
        return block

    def _logprobs_block(
        self, text_offset: int, all_tokens: list[int], steps: list[Step]
    ) -> llama_cpp.CompletionLogprobs:
        """Upstream ``Llama._create_completion``'s logprobs block for ``steps`` (token ``all_tokens[i]`` with its
        log-probability and top k) at ``text_offset``. A token's text offset is the length of the text of the tokens
        before it, as upstream's ``detokenize(all_tokens[:idx])``, built up token by token instead of detokenizing
        every prefix again."""
        bos_token_id = self.token_bos()
        text_offsets: list[int] = []
        token_logprobs: list[Any] = []
        tokens: list[str] = []
        top_logprobs_: list[Any] = []
        prefix = b""
        for idx, (token, logprob, top) in enumerate(steps):
            if idx:
                prefix += self.detokenize([all_tokens[idx - 1]])
            if token == bos_token_id:
                continue
            # detokenize() drops the space a sequence starting with BOS begins with
            before = prefix[1:] if idx and all_tokens[0] == bos_token_id and prefix[:1] == b" " else prefix
            # prev_tokens would not change a piece: LlamaTokenizer ignores it (other tokenizers take upstream's path)
            token_str = self.detokenize([token]).decode("utf-8", errors="ignore")
            text_offsets.append(text_offset + len(before.decode("utf-8", errors="ignore")))
            tokens.append(token_str)
            token_logprobs.append(logprob)
            top_logprob = {self.detokenize([i]).decode("utf-8", errors="ignore"): value for value, i in top}
            top_logprob.update({token_str: logprob})
            top_logprobs_.append(top_logprob)
        return {
            "tokens": tokens,
            "text_offset": text_offsets,
            "token_logprobs": token_logprobs,
            "top_logprobs": top_logprobs_,
        }
