"""How likely a model finds a given continuation: one function, :func:`score_continuation`, for every provider.

``await score_continuation(model, messages, continuation)`` scores ``continuation`` as the model's reply to the chat
``messages`` and returns a :class:`ContinuationScore` that names its method:

* ``teacher_forced``: the mean per-token log-likelihood (natural log) of the continuation's tokens, each given the
  chat prompt and the continuation's earlier tokens, from the provider itself:

  - ``local/`` (the embedded llama.cpp server): the chat prompt is rendered exactly as the server renders it for
    generation (same GGUF template or chat format, read from a vocabulary-only copy of the model in this process),
    then ``/v1/completions`` with ``echo=True``, ``logprobs=0``, ``max_tokens=1`` on prompt + continuation returns
    every prompt token's log-probability. The boundary is found on token ids, not characters: the server tokenizes
    the prompt alone and prompt + continuation (``/extras/tokenize``), and the continuation's tokens are those after
    the two lists' common prefix (when the tokenizer merges the prompt's last token with the continuation's first,
    that merged token is scored and the score says so in ``note``).
  - ``vllm/``: vLLM's ``/tokenize`` renders the chat template (prompt alone with the generation prompt, and with the
    continuation as an open final assistant message), then ``/v1/completions`` on the token ids with
    ``prompt_logprobs`` (vLLM's extension field, which openai clients send as ``extra_body``) returns each prompt
    token's log-probability.
  - ``mock/``: a scripted scorer (:func:`mock_scorer`), or by default a transparent lexical one: each continuation
    word has log-probability log 0.5 when it occurs in the prompt and log 0.01 otherwise.

* ``chrf``: any other provider cannot score a given text, so the model generates a reply at temperature 0 and the
  score is its chrF (0-100, ``scorers.text.chrf``) against the continuation; ``prediction`` keeps the reply.

A score that cannot be computed (the server rejects an over-long prompt, an empty continuation) raises
:class:`ScoringError` with a one-line message; callers count it as invalid.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from inspect_ai.model import ChatMessage, GenerateConfig, Model

TEACHER_FORCED = "teacher_forced"
CHRF = "chrf"
# Echo requests compute a log-softmax row per prompt token on the server, in Python: minutes on a loaded CPU.
REQUEST_TIMEOUT = 1800.0
CHRF_MAX_TOKENS = 256
VLLM_PROMPT_LOGPROBS = 1  # the prompt token is always returned; some vLLM versions treat 0 as "none"


class ScoringError(RuntimeError):
    """A continuation could not be scored; the message is one line."""


@dataclass(frozen=True)
class ContinuationScore:
    method: str  # TEACHER_FORCED or CHRF
    value: float  # mean log-likelihood per continuation token (teacher forced) or chrF 0-100
    total: float  # summed log-likelihood (teacher forced); the chrF again for chrf
    n_tokens: int  # continuation tokens scored (teacher forced); 0 for chrf
    provider: str  # local, vllm, mock or the model's provider
    calls: int = 1  # model requests that evaluated or generated (tokenizer requests are not counted)
    prediction: str | None = None  # chrf: the model's generated reply
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "value": self.value,
            "total": self.total,
            "n_tokens": self.n_tokens,
            "provider": self.provider,
            "calls": self.calls,
            "prediction": self.prediction,
            "note": self.note,
        }


def provider_of(model: Model) -> str:
    return str(model).split("/", 1)[0]


def scoring_method(model: Model) -> str:
    """The method :func:`score_continuation` uses for ``model``."""
    return TEACHER_FORCED if provider_of(model) in ("local", "vllm", "mock") else CHRF


async def score_continuation(
    model: Model, messages: Sequence[ChatMessage], continuation: str, *, chrf_max_tokens: int = CHRF_MAX_TOKENS
) -> ContinuationScore:
    """Score ``continuation`` as ``model``'s reply to ``messages`` (see the module docstring for the methods)."""
    if not continuation.strip():
        raise ScoringError("cannot score an empty continuation")
    provider = provider_of(model)
    if provider == "local":
        return await _score_local(model, list(messages), continuation)
    if provider == "vllm":
        return await _score_vllm(model, list(messages), continuation)
    if provider == "mock":
        return _score_mock(model, list(messages), continuation)
    return await _score_chrf(model, list(messages), continuation, chrf_max_tokens)


def chat_dicts(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """Chat messages as the OpenAI-style dicts chat templates render (text content only)."""
    return [{"role": m.role, "content": m.text} for m in messages]


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def boundary_note(prompt_ids: Sequence[int], full_ids: Sequence[int]) -> tuple[int, str]:
    """(index of the continuation's first token in ``full_ids``, note): the end of the common prefix of the prompt's
    and the prompt + continuation's token ids."""
    k = common_prefix(prompt_ids, full_ids)
    if k >= len(full_ids):
        raise ScoringError("the continuation adds no token to the prompt")
    merged = len(prompt_ids) - k
    note = f"the continuation's first token merges the prompt's last {merged} token(s)" if merged else ""
    return k, note


# -- mock ---------------------------------------------------------------------------------------------------------

MockScorer = Callable[[list[ChatMessage], str], float | tuple[float, int]]
_MOCK_SCORERS: dict[str, MockScorer] = {}
_MOCK_LOCK = threading.Lock()
_WORD = re.compile(r"[\w']+")
LEXICAL_HIT, LEXICAL_MISS = math.log(0.5), math.log(0.01)


@contextlib.contextmanager
def mock_scorer(model_name: str, scorer: MockScorer) -> Iterator[None]:
    """Script how ``mock/<name>`` scores continuations while the block runs: ``scorer(messages, continuation)``
    returns the mean log-likelihood per token, or (summed log-likelihood, tokens)."""
    name = model_name if model_name.startswith("mock/") else f"mock/{model_name}"
    with _MOCK_LOCK:
        if name in _MOCK_SCORERS:
            raise ValueError(f"a scorer for {name} is already scripted")
        _MOCK_SCORERS[name] = scorer
    try:
        yield
    finally:
        with _MOCK_LOCK:
            _MOCK_SCORERS.pop(name, None)


def lexical_score(messages: Sequence[ChatMessage], continuation: str) -> tuple[float, int]:
    """The mock's default: a continuation word found in the prompt has probability 0.5, any other 0.01."""
    seen = {w.casefold() for m in messages for w in _WORD.findall(m.text)}
    words = [w.casefold() for w in _WORD.findall(continuation)]
    if not words:
        raise ScoringError("the continuation has no word to score")
    return sum(LEXICAL_HIT if w in seen else LEXICAL_MISS for w in words), len(words)


def _score_mock(model: Model, messages: list[ChatMessage], continuation: str) -> ContinuationScore:
    scripted = _MOCK_SCORERS.get(str(model))
    result = scripted(messages, continuation) if scripted else lexical_score(messages, continuation)
    if isinstance(result, tuple):
        total, n = float(result[0]), int(result[1])
    else:
        n = max(1, len(_WORD.findall(continuation)))
        total = float(result) * n
    note = "scripted mock scorer" if scripted else "mock lexical scorer (word in prompt: p 0.5, else 0.01)"
    return ContinuationScore(TEACHER_FORCED, total / n, total, n, "mock", note=note)


# -- local (embedded llama.cpp server) ----------------------------------------------------------------------------


class _Captured(Exception):
    def __init__(self, text: bytes, add_bos: bool) -> None:
        self.text, self.add_bos = text, add_bos


@dataclass
class LocalVocabulary:
    """A vocabulary-only ``llama_cpp.Llama`` of the served GGUF: the server's chat template and special tokens."""

    llama: Any
    lock: threading.Lock

    @property
    def bos_id(self) -> int:
        return int(self.llama.token_bos())

    @property
    def bos_text(self) -> str:
        return str(self.llama._model.token_get_text(self.bos_id)) if self.bos_id >= 0 else ""

    @property
    def adds_bos(self) -> bool:
        """Whether llama.cpp puts BOS before a text prompt (``/v1/completions``)."""
        return bool(self.llama._model.add_bos_token())

    def render(self, messages: list[dict[str, str]]) -> tuple[str, bool]:
        """(prompt text, whether generation adds BOS before it) as the server's chat handler builds them: the
        handler runs up to its tokenize call, which is intercepted."""

        def capture(text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
            raise _Captured(text, add_bos)

        with self.lock:
            self.llama.tokenize = capture
            try:
                self.llama.create_chat_completion(messages=messages, max_tokens=1)
            except _Captured as got:
                return got.text.decode("utf-8"), got.add_bos
            finally:
                del self.llama.tokenize
        raise ScoringError("the chat handler of this model never tokenized its prompt (not a text chat format?)")


@lru_cache(maxsize=4)
def local_vocabulary(model_path: str, chat_format: str | None) -> LocalVocabulary:
    import llama_cpp

    llama = llama_cpp.Llama(model_path=model_path, vocab_only=True, chat_format=chat_format, verbose=False)
    return LocalVocabulary(llama, threading.Lock())


def local_prompt(vocab: LocalVocabulary, messages: list[dict[str, str]]) -> tuple[str, str]:
    """(prompt text for ``/v1/completions``, note).

    Generation tokenizes the rendered chat with BOS added when the chat format asks for it and the vocabulary adds
    one; ``/v1/completions`` adds BOS whenever the vocabulary does. llama-cpp-python's echo log-probabilities are
    aligned only when the prompt's first token is BOS, so a prompt that would have none gets BOS's text prepended.
    Where the scored prompt's leading BOS count differs from generation's, the note says so."""
    text, generation_bos = vocab.render(messages)
    in_text = int(bool(vocab.bos_text) and text.startswith(vocab.bos_text))
    generation = in_text + int(generation_bos and vocab.adds_bos)
    scored = in_text + int(vocab.adds_bos)
    if scored == 0:
        if vocab.bos_id < 0 or not vocab.bos_text:
            raise ScoringError(
                "this model has no BOS token: llama-cpp-python's echo log-probabilities would be shifted"
            )
        text, scored = vocab.bos_text + text, 1
    note = "" if scored == generation else f"scored with {scored} leading BOS token(s), generation has {generation}"
    return text, note


def echo_logprobs(
    full_ids: Sequence[int], start: int, bos_id: int, logprobs: dict[str, Any], continuation: str
) -> tuple[list[float], str]:
    """The log-probabilities of ``full_ids[start:]`` from llama-cpp-python's echo ``logprobs`` block.

    Upstream's echo lists leave out the leading BOS (position 0, which has no log-probability) and every other
    BOS token; list entry j holds log P(token j + 1 | tokens <= j) of the full prompt. A continuation token that is
    BOS is skipped and noted."""
    if not full_ids or full_ids[0] != bos_id:
        raise ScoringError("the prompt does not start with BOS: llama-cpp-python's echo log-probabilities are shifted")
    tokens, values = logprobs.get("tokens") or [], logprobs.get("token_logprobs") or []
    position: dict[int, int] = {}
    j = 0
    for p in range(1, len(full_ids)):
        if full_ids[p] != bos_id:
            position[p] = j
            j += 1
    if len(values) < j or len(values) > j + 1 or len(tokens) != len(values):
        raise ScoringError(f"echo returned {len(values)} log-probabilities for {j} prompt tokens: cannot align")
    picked, text, note = [], [], ""
    for p in range(start, len(full_ids)):
        if p not in position:
            note = "a BOS token inside the continuation was not scored"
            continue
        value = values[position[p]]
        if value is None or not math.isfinite(float(value)):
            raise ScoringError(f"echo gave no finite log-probability for continuation token {p - start}")
        picked.append(float(value))
        text.append(str(tokens[position[p]]))
    squeezed, expected = "".join("".join(text).split()), "".join(continuation.split())
    if expected.isascii() and not squeezed.endswith(expected[-20:]):
        raise ScoringError("echo tokens do not spell the continuation: the token boundary is misaligned")
    return picked, note


async def _score_local(model: Model, messages: list[ChatMessage], continuation: str) -> ContinuationScore:
    import anyio

    api: Any = model.api
    server = getattr(api, "_server", None)
    if server is None:
        raise ScoringError(f"{model}: not served by the embedded llama.cpp provider")
    vocab = await anyio.to_thread.run_sync(
        local_vocabulary, str(server.model_path), server.server_args.get("chat_format")
    )
    prompt, note = await anyio.to_thread.run_sync(local_prompt, vocab, chat_dicts(messages))
    full = prompt + continuation
    async with server.request_slot():
        if not server.running():
            raise ScoringError(f"the llama.cpp server for {model} has stopped: {server.log_tail()}")
        root = server.base_url.removesuffix("/v1")
        async with httpx.AsyncClient(base_url=root, timeout=REQUEST_TIMEOUT) as client:
            prompt_ids = await _post_json(client, "/extras/tokenize", {"input": prompt}, "tokens")
            full_ids = await _post_json(client, "/extras/tokenize", {"input": full}, "tokens")
            start, merged = boundary_note(prompt_ids, full_ids)
            body = {"prompt": full, "max_tokens": 1, "echo": True, "logprobs": 0, "temperature": 0.0}
            choices = await _post_json(client, "/v1/completions", body, "choices")
    block = (choices[0] if choices else {}).get("logprobs") or {}
    values, bos_note = echo_logprobs(full_ids, start, vocab.bos_id, block, continuation)
    if not values:
        raise ScoringError("no continuation token was scored")
    total = sum(values)
    notes = "; ".join(n for n in (note, merged, bos_note) if n)
    return ContinuationScore(TEACHER_FORCED, total / len(values), total, len(values), "local", note=notes)


async def _post_json(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], key: str, headers: dict[str, str] | None = None
) -> Any:
    try:
        response = await client.post(path, json=body, headers=headers)
    except httpx.HTTPError as ex:
        raise ScoringError(f"{path}: {type(ex).__name__}: {ex}") from None
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:300]
        raise ScoringError(f"{path}: HTTP {response.status_code}: {detail}")
    data = response.json()
    if key not in data:
        raise ScoringError(f"{path}: the response has no {key!r}")
    return data[key]


# -- vLLM -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VLLMEndpoint:
    """A vLLM OpenAI-compatible server: ``root`` without ``/v1``; ``model`` the name requests use."""

    root: str
    model: str
    api_key: str | None = None

    async def score(
        self, messages: list[ChatMessage], continuation: str, http_client: httpx.AsyncClient | None = None
    ) -> ContinuationScore:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        owned = http_client is None
        client = http_client or httpx.AsyncClient(timeout=REQUEST_TIMEOUT)
        try:
            chat = chat_dicts(messages)
            prompt_ids = await self._tokenize(client, headers, {"messages": chat, "add_generation_prompt": True})
            full_ids = await self._tokenize(
                client,
                headers,
                {
                    "messages": [*chat, {"role": "assistant", "content": continuation}],
                    "add_generation_prompt": False,
                    "continue_final_message": True,
                },
            )
            start, note = boundary_note(prompt_ids, full_ids)
            # prompt_logprobs is vLLM's extension of the completions request (openai clients send it as extra_body)
            body = {
                "model": self.model,
                "prompt": list(full_ids),
                "max_tokens": 1,
                "temperature": 0.0,
                "prompt_logprobs": VLLM_PROMPT_LOGPROBS,
            }
            choices = await _post_json(client, f"{self.root}/v1/completions", body, "choices", headers=headers)
        finally:
            if owned:
                await client.aclose()
        entries = choices[0].get("prompt_logprobs") if choices and isinstance(choices[0], dict) else None
        values = vllm_prompt_logprobs(entries, full_ids, start)
        total = sum(values)
        return ContinuationScore(TEACHER_FORCED, total / len(values), total, len(values), "vllm", note=note)

    async def _tokenize(self, client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> list[int]:
        try:
            response = await client.post(f"{self.root}/tokenize", json={"model": self.model, **body}, headers=headers)
        except httpx.HTTPError as ex:
            raise ScoringError(f"vLLM /tokenize: {type(ex).__name__}: {ex}") from None
        if response.status_code != 200:
            raise ScoringError(f"vLLM /tokenize: HTTP {response.status_code}: {' '.join(response.text.split())[:300]}")
        tokens = response.json().get("tokens")
        if not isinstance(tokens, list):
            raise ScoringError("vLLM /tokenize: the response has no token list")
        return [int(t) for t in tokens]


def vllm_prompt_logprobs(entries: Any, full_ids: Sequence[int], start: int) -> list[float]:
    """Log-probabilities of ``full_ids[start:]`` from vLLM's ``prompt_logprobs``: one entry per prompt token, None
    for the first, else {token id: {"logprob", "rank", "decoded_token"}} holding at least the prompt's own token."""
    if not isinstance(entries, list) or len(entries) != len(full_ids):
        got = len(entries) if isinstance(entries, list) else "no"
        raise ScoringError(f"vLLM returned {got} prompt log-probabilities for {len(full_ids)} prompt tokens")
    values = []
    for p in range(start, len(full_ids)):
        entry = entries[p]
        item = entry.get(str(full_ids[p]), entry.get(full_ids[p])) if isinstance(entry, dict) else None
        logprob = item.get("logprob") if isinstance(item, dict) else item
        if not isinstance(logprob, int | float) or not math.isfinite(logprob):
            raise ScoringError(f"vLLM gave no log-probability for prompt token {p} (id {full_ids[p]})")
        values.append(float(logprob))
    return values


async def _score_vllm(model: Model, messages: list[ChatMessage], continuation: str) -> ContinuationScore:
    api: Any = model.api
    ensure = getattr(api, "_ensure_server_started", None)
    if ensure is not None:
        await ensure()  # vLLM's provider starts or finds its server lazily
    if getattr(api, "base_url", None) is None:
        raise ScoringError(f"{model}: the vLLM server has no base URL")
    root = api._server_root() if hasattr(api, "_server_root") else str(api.base_url).rstrip("/").removesuffix("/v1")
    endpoint = VLLMEndpoint(root=root, model=api.service_model_name(), api_key=getattr(api, "api_key", None))
    return await endpoint.score(messages, continuation)


# -- any other provider: chrF of a generated reply ------------------------------------------------------------------


async def _score_chrf(
    model: Model, messages: list[ChatMessage], continuation: str, max_tokens: int
) -> ContinuationScore:
    from scorers.text.chrf import chrf

    output = await model.generate(messages, config=GenerateConfig(temperature=0.0, max_tokens=max_tokens))
    prediction = output.completion
    value, implementation = chrf(prediction, continuation)
    note = f"{implementation} of a generated reply (temperature 0): the provider cannot score a given text"
    return ContinuationScore(CHRF, value, value, 0, provider_of(model), prediction=prediction, note=note)


# -- discrete options ---------------------------------------------------------------------------------------------

OPTION_LOGPROBS = "option_logprobs"
OPTION_TEACHER_FORCED = "option_teacher_forced"
OPTION_GENERATED = "option_generated"
OPTION_TOP_LOGPROBS = 20
OPTION_CONFIG = GenerateConfig(logprobs=True, top_logprobs=OPTION_TOP_LOGPROBS, max_tokens=1, temperature=0.0)
_OPTION_LEADING = re.compile(r"^\W*([A-Z])(?![A-Za-z])")


@dataclass(frozen=True)
class OptionScore:
    """How likely a model finds each lettered option as its reply: ``probabilities`` renormalised over the options
    (in the order of ``letters``), ``off_option_mass`` the first-token probability outside the option letters (NaN
    where the method does not measure it)."""

    method: str  # OPTION_LOGPROBS, OPTION_TEACHER_FORCED or OPTION_GENERATED
    letters: tuple[str, ...]
    probabilities: tuple[float, ...]
    off_option_mass: float
    provider: str
    calls: int = 1
    prediction: str | None = None  # OPTION_GENERATED: the generated reply
    note: str = ""
    completed_letters: int = 0  # OPTION_LOGPROBS: letters outside the top log-probabilities scored teacher-forced

    def probability(self, letter: str) -> float:
        return self.probabilities[self.letters.index(letter)]


def option_token_letter(token: str) -> str | None:
    """The option letter a first token stands for (" A", "A", "A.", "(A"), else None."""
    core = token.strip().strip("().:*").strip()
    return core if len(core) == 1 and core.isalpha() and core.isupper() else None


@dataclass(frozen=True)
class FirstTokenMass:
    """The option letters' probability mass at the first generated token, from its top log-probabilities."""

    token: str  # the first generated token
    letters: dict[str, float]  # each letter's listed mass (all its token forms summed)
    listed: float  # the mass of every listed token, letters or not

    @property
    def off_letters(self) -> float:
        """The mass outside the option letters (listed non-letters and everything unlisted)."""
        return max(0.0, 1.0 - sum(self.letters.values()))

    @property
    def unlisted(self) -> float:
        """The mass outside the top-k list: any part of it may belong to any letter."""
        return max(0.0, 1.0 - self.listed)


def first_token_option_mass(output: Any, letters: Sequence[str]) -> FirstTokenMass | None:
    """Each letter's probability mass among the first generated token's top log-probabilities (all its token forms
    summed), or None when the reply carries no log-probabilities."""
    logprobs = output.choices[0].logprobs if output.choices else None
    if logprobs is None or not logprobs.content:
        return None
    first = logprobs.content[0]
    listed = [(t.token, t.logprob) for t in (first.top_logprobs or [])] or [(first.token, first.logprob)]
    listed = [(t, lp) for t, lp in listed if lp is not None and math.isfinite(lp)]
    mass = dict.fromkeys(letters, 0.0)
    for token, logprob in listed:
        letter = option_token_letter(token)
        if letter in mass:
            mass[letter] += math.exp(logprob)
    return FirstTokenMass(first.token, mass, sum(math.exp(lp) for _, lp in listed))


async def score_options(model: Model, messages: Sequence[ChatMessage], letters: Sequence[str]) -> OptionScore:
    """How likely ``model`` answers each option letter to ``messages`` (a prompt that asks for one letter).

    * ``option_logprobs``: ONE generate (max_tokens=1, temperature 0, top_logprobs=20); each letter's mass among
      the first token's top log-probabilities (all its token forms summed), renormalised over the letters. Works
      wherever the provider returns log-probabilities (the embedded llama.cpp server, vLLM, the mock's
      ``mock_output(top_logprobs=...)``, OpenAI-style APIs). A letter missing from the top 20 is not counted as 0
      where the provider can score a given text (local, vllm, mock): it is scored teacher-forced by
      :func:`score_continuation` (one more call each; ``completed_letters`` counts them, ``calls`` includes them).
      Renormalising the listed letters alone gave an unlisted true option probability 0: on Gemma-3-270M the letters
      hold about 3% of the first-token mass and the true letter is often outside the top 20. A listed letter's
      log-probability and its teacher-forced one are the same number (a slow test on both embedded models); a
      completed letter has one token form. Other providers keep 0 for an unlisted letter. (The survey benchmark
      reads its option letters itself and does not use this function.)
    * ``option_teacher_forced``: without log-probabilities (or with no letter among the top 20) on a provider that
      can score a given text (local, vllm, mock), each letter is scored by :func:`score_continuation` and the
      likelihoods are renormalised over the letters (one scoring call per letter).
    * ``option_generated``: any other provider: the reply at temperature 0 is read as a letter and gets probability
      1 (a point mass); an unreadable reply raises :class:`ScoringError`.
    """
    letters = tuple(letters)
    if not letters or len(set(letters)) != len(letters):
        raise ScoringError(f"options need distinct letters, got {letters!r}")
    provider = provider_of(model)
    output = await model.generate(list(messages), config=OPTION_CONFIG)
    found = first_token_option_mass(output, letters)
    can_score = scoring_method(model) == TEACHER_FORCED
    if found is not None and sum(found.letters.values()) > 0:
        mass = dict(found.letters)  # each letter's listed first-token mass
        unlisted = [x for x in letters if mass[x] == 0.0] if can_score else []
        calls = 1
        note = f"first-token top-{OPTION_TOP_LOGPROBS} log-probabilities renormalised over the option letters"
        for letter in unlisted:
            forced = await score_continuation(model, messages, letter)
            mass[letter] = math.exp(forced.total)
            calls += forced.calls
        if unlisted:
            note += f"; {len(unlisted)} letter(s) outside the top {OPTION_TOP_LOGPROBS} scored teacher-forced"
        total = sum(mass.values())
        return OptionScore(
            OPTION_LOGPROBS,
            letters,
            tuple(mass[x] / total for x in letters),
            max(0.0, 1.0 - total),
            provider,
            calls=calls,
            note=note,
            completed_letters=len(unlisted),
        )
    why = "no log-probabilities" if found is None else "no option letter among the top log-probabilities"
    if can_score:
        scores = [await score_continuation(model, messages, letter) for letter in letters]
        top = max(s.total for s in scores)
        weights = [math.exp(s.total - top) for s in scores]
        return OptionScore(
            OPTION_TEACHER_FORCED,
            letters,
            tuple(w / sum(weights) for w in weights),
            math.nan,
            provider,
            calls=1 + sum(s.calls for s in scores),
            note=f"{why} in the reply: each letter scored teacher-forced, renormalised over the letters",
        )
    reply = output.completion if output.choices else ""
    if not reply.strip():
        generated = await model.generate(list(messages), config=GenerateConfig(temperature=0.0, max_tokens=8))
        reply = generated.completion
    match = _OPTION_LEADING.search(reply.strip())
    if match is None or match.group(1) not in letters:
        raise ScoringError(f"{why} and the reply names no option letter: {reply.strip()[:40]!r}")
    return OptionScore(
        OPTION_GENERATED,
        letters,
        tuple(1.0 if x == match.group(1) else 0.0 for x in letters),
        math.nan,
        provider,
        prediction=reply,
        note=f"{why}: the generated letter (temperature 0) as a point mass",
    )
