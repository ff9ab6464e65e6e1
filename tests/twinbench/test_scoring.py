"""The provider-level continuation scorer: mock (scripted and lexical), vLLM against a stand-in with vLLM's response
shape, llama.cpp's echo alignment, the chrF fallback, and (slow) the embedded model against a direct computation."""

from __future__ import annotations

import json
import math

import httpx
import pytest
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, get_model

from scorers.text.chrf import own_chrf
from twinbench.providers.scoring import (
    CHRF,
    TEACHER_FORCED,
    ScoringError,
    VLLMEndpoint,
    _score_chrf,
    echo_logprobs,
    mock_scorer,
    score_continuation,
    scoring_method,
)

MESSAGES = [ChatMessageSystem(content="Predict the reply."), ChatMessageUser(content="The court asks about the ferry.")]


async def test_mock_lexical_scorer_prefers_words_from_the_prompt():
    model = get_model("mock/lexical", memoize=False)
    near = await score_continuation(model, MESSAGES, "the ferry court")
    far = await score_continuation(model, MESSAGES, "zebra quantum violin")
    assert near.method == TEACHER_FORCED and near.n_tokens == 3
    assert near.value == pytest.approx(math.log(0.5)) and far.value == pytest.approx(math.log(0.01))
    assert scoring_method(model) == TEACHER_FORCED


async def test_mock_scripted_scorer_sees_messages_and_continuation():
    seen = []

    def scripted(messages, continuation):
        seen.append((messages[-1].text, continuation))
        return -1.25

    model = get_model("mock/scripted", memoize=False)
    with mock_scorer("mock/scripted", scripted):
        score = await score_continuation(model, MESSAGES, "Yes, counsel.")
    assert score.value == pytest.approx(-1.25) and seen == [("The court asks about the ferry.", "Yes, counsel.")]
    with pytest.raises(ScoringError, match="empty"):
        await score_continuation(model, MESSAGES, "   ")


async def test_chrf_fallback_generates_and_compares():
    model = get_model("mock/predictor", text="The court asks about a ferry.", memoize=False)
    score = await _score_chrf(model, MESSAGES, "The court asked about the ferry.", 64)
    assert score.method == CHRF and score.prediction == "The court asks about a ferry."
    assert score.value == pytest.approx(own_chrf("The court asks about a ferry.", "The court asked about the ferry."))
    assert "chrF" in score.note


# -- vLLM stand-in ------------------------------------------------------------------------------------------------


def tokenize(text: str) -> list[int]:
    """The stand-in's tokenizer: one id per character, except "ab", one token (so a boundary can merge)."""
    ids, i = [], 0
    while i < len(text):
        if text.startswith("ab", i):
            ids.append(2000)
            i += 2
        else:
            ids.append(ord(text[i]))
            i += 1
    return ids


def render(messages: list[dict], add_generation_prompt: bool, continue_final: bool) -> str:
    text = "".join(f"<{m['role']}>{m['content']}" + ("" if continue_final and k == len(messages) - 1 else "</>")
                   for k, m in enumerate(messages))  # fmt: skip
    return text + ("<assistant>" if add_generation_prompt else "")


def logprob_of(position: int) -> float:
    return -0.1 * (1 + position % 7)


class VLLMStandIn:
    """/tokenize and /v1/completions with vLLM's request and response shapes."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append((request.url.path, body))
        assert request.headers.get("authorization") == "Bearer secret"
        if request.url.path == "/tokenize":
            assert not (body.get("continue_final_message") and body.get("add_generation_prompt"))
            text = render(body["messages"], body["add_generation_prompt"], body.get("continue_final_message", False))
            ids = [1, *tokenize(text)]  # BOS
            return httpx.Response(200, json={"count": len(ids), "max_model_len": 4096, "tokens": ids})
        if request.url.path == "/v1/completions":
            assert body["model"] == "org/model" and body["prompt_logprobs"] >= 1 and body["max_tokens"] == 1
            prompt = body["prompt"]
            entries: list = [None]
            for p in range(1, len(prompt)):
                entries.append({str(prompt[p]): {"logprob": logprob_of(p), "rank": 2, "decoded_token": "x"},
                                "42": {"logprob": -0.01, "rank": 1, "decoded_token": "*"}})  # fmt: skip
            choice = {"index": 0, "text": "!", "logprobs": None, "finish_reason": "length", "prompt_logprobs": entries}
            return httpx.Response(200, json={"id": "cmpl-1", "object": "text_completion", "model": body["model"],
                                             "choices": [choice], "usage": {"prompt_tokens": len(prompt)}})  # fmt: skip
        return httpx.Response(404, json={"detail": "not found"})


async def score_with_standin(continuation: str, standin: VLLMStandIn | None = None):
    standin = standin or VLLMStandIn()
    client = httpx.AsyncClient(transport=httpx.MockTransport(standin))
    endpoint = VLLMEndpoint(root="http://vllm.test", model="org/model", api_key="secret")
    async with client:
        return await endpoint.score(MESSAGES, continuation, http_client=client), standin


async def test_vllm_scores_the_continuation_tokens_from_prompt_logprobs():
    score, standin = await score_with_standin("Yes.")
    chat = [{"role": "system", "content": "Predict the reply."}, {"role": "user", "content": MESSAGES[1].text}]
    n_prompt = 1 + len(tokenize(render(chat, True, False)))
    assert score.n_tokens == 4 and score.method == TEACHER_FORCED and score.provider == "vllm" and not score.note
    expected = [logprob_of(p) for p in range(n_prompt, n_prompt + 4)]
    assert score.total == pytest.approx(sum(expected)) and score.value == pytest.approx(sum(expected) / 4)
    assert [path for path, _ in standin.requests] == ["/tokenize", "/tokenize", "/v1/completions"]


async def test_vllm_merged_boundary_is_scored_and_noted():
    # the generation prompt ends "...<assistant>"; a continuation starting "b" after a prompt ending "a" would merge:
    # make the prompt end in "a" by a user message that ends the chat with it
    standin = VLLMStandIn()
    client = httpx.AsyncClient(transport=httpx.MockTransport(standin))
    endpoint = VLLMEndpoint(root="http://vllm.test", model="org/model", api_key="secret")

    async def merged_tokenize(client, headers, body):
        text = "<user>a" if body.get("add_generation_prompt") else "<user>ab c"
        return [1, *tokenize(text)]

    endpoint_any: object = endpoint
    object.__setattr__(endpoint_any, "_tokenize", merged_tokenize)
    async with client:
        score = await endpoint.score(MESSAGES, "b c", http_client=client)
    assert score.n_tokens == 3 and "merges the prompt's last 1 token" in score.note


async def test_vllm_missing_prompt_logprobs_is_a_scoring_error():
    class NoLogprobs(VLLMStandIn):
        def __call__(self, request):
            response = super().__call__(request)
            if request.url.path == "/v1/completions":
                data = response.json()
                del data["choices"][0]["prompt_logprobs"]
                return httpx.Response(200, json=data)
            return response

    with pytest.raises(ScoringError, match="prompt log-probabilities"):
        await score_with_standin("Yes.", NoLogprobs())


async def test_vllm_http_error_is_one_line():
    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": "This model's maximum context length is 4096 tokens.\nMore."})

    client = httpx.AsyncClient(transport=httpx.MockTransport(failing))
    async with client:
        with pytest.raises(ScoringError) as info:
            await VLLMEndpoint("http://vllm.test", "m").score(MESSAGES, "x", http_client=client)
    assert "HTTP 400" in str(info.value) and "\n" not in str(info.value)


# -- llama.cpp echo alignment -------------------------------------------------------------------------------------


def echo_block(full_ids: list[int], bos: int, completion: int = 1) -> dict:
    """What llama-cpp-python's echo returns: entries for full_ids[1:] minus BOS tokens, then the generated token;
    entry j is log P(all_tokens[j]) (first None)."""
    tokens, values = [], []
    for p in range(1, len(full_ids)):
        if full_ids[p] == bos:
            continue
        tokens.append(chr(full_ids[p]) if full_ids[p] < 0x110000 else "?")
        values.append(-0.5 - p / 100)
    values[0] = None
    tokens += ["!"] * completion
    values += [-9.0] * completion
    return {"tokens": tokens, "token_logprobs": values, "text_offset": [0] * len(tokens), "top_logprobs": []}


def test_echo_alignment_skips_bos_tokens_inside_the_prompt():
    bos = 1
    prompt = [bos, *map(ord, "<s>user hi"), bos, *map(ord, "assistant ")]
    full = [*prompt, *map(ord, "Yes sir")]
    values, note = echo_logprobs(full, len(prompt), bos, echo_block(full, bos), "Yes sir")
    assert values == pytest.approx([-0.5 - p / 100 for p in range(len(prompt), len(full))]) and note == ""


def test_echo_misalignment_is_caught():
    bos = 1
    full = [bos, *map(ord, "hello there")]
    with pytest.raises(ScoringError, match="cannot align"):
        echo_logprobs(full, 7, bos, echo_block(full, bos, completion=3), "there")
    with pytest.raises(ScoringError, match="BOS"):
        echo_logprobs(full[1:], 6, bos, echo_block(full, bos), "there")
    block = echo_block(full, bos)
    block["tokens"] = ["x"] * len(block["tokens"])
    with pytest.raises(ScoringError, match="spell"):
        echo_logprobs(full, 7, bos, block, "there")


# -- the embedded model ---------------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_local_teacher_forced_score_equals_a_direct_computation():
    """The server's echo path (through the chat template and the token boundary) against the same model evaluated
    in this process with every position's logits."""
    import llama_cpp

    from twinbench.models import resolve_local_model
    from twinbench.providers.scoring import chat_dicts, local_prompt, local_vocabulary

    model = get_model("local/smollm2-135m", memoize=False)
    continuation = "Good morning, Your Honors, and may it please the Court."
    try:
        score = await score_continuation(model, MESSAGES, continuation)
    finally:
        await model.api.aclose()
    path, chat_format = resolve_local_model("smollm2-135m")
    prompt, _ = local_prompt(local_vocabulary(str(path), chat_format), chat_dicts(MESSAGES))
    llm = llama_cpp.Llama(model_path=str(path), logits_all=True, n_ctx=512, verbose=False)
    prompt_ids = llm.tokenize(prompt.encode(), add_bos=True, special=True)
    full_ids = llm.tokenize((prompt + continuation).encode(), add_bos=True, special=True)
    start = next(i for i, (a, b) in enumerate(zip(prompt_ids + [-1], full_ids)) if a != b)
    llm.eval(full_ids)
    logprobs = llama_cpp.Llama.logits_to_logprobs(llm.scores[: len(full_ids)])
    direct = [float(logprobs[i - 1, full_ids[i]]) for i in range(start, len(full_ids))]
    assert score.n_tokens == len(direct) > 5
    assert score.total == pytest.approx(sum(direct), abs=1e-3)
