"""Offline scripted model provider for tests: ``mock/<name>``.

Unlike inspect's ``mockllm/model`` it never counts tokens with tiktoken (which downloads a file): usage is counted
in whitespace-separated words, so tests run with the network cut.

Ways to script it (model args, ``-M`` on the CLI or keywords to ``get_model``):

* ``text="..."``: always answer this text (works from the CLI; ``-M 'text={"a": 1}'``, which the CLI reads as YAML,
  answers the JSON ``{"a": 1}``).
* ``outputs=[...]``: answer these in order (``str`` or ``ModelOutput``); running out is an error unless
  ``cycle=True``.
* ``responder=fn``: ``fn(messages, config) -> str | ModelOutput``, called for every generate (sync or async).
  Use :func:`mock_output` to give a reply with log-probabilities.

inspect's ``get_model`` memoizes models by name and JSON-able arguments; a responder is not JSON-able, so give each
script its own model name (``mock/defer``, ``mock/sceptic``) or pass ``memoize=False``.
"""

from __future__ import annotations

import inspect as pyinspect
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    TopLogprob,
)
from inspect_ai.tool import ToolChoice, ToolInfo

DEFAULT_TEXT = "mock output"


def word_count(text: str) -> int:
    return len(text.split())


def mock_output(
    text: str,
    *,
    top_logprobs: dict[str, float] | None = None,
    model: str = "mock",
    input_tokens: int = 0,
) -> ModelOutput:
    """A ModelOutput with usage and, optionally, log-probabilities for its first token.

    ``top_logprobs`` maps candidate first tokens to log-probabilities (natural log); the chosen token is the most
    likely one, as greedy decoding would give.
    """
    logprobs = None
    if top_logprobs:
        token, lp = max(top_logprobs.items(), key=lambda kv: kv[1])
        logprobs = Logprobs(
            content=[
                Logprob(
                    token=token,
                    logprob=lp,
                    top_logprobs=[TopLogprob(token=t, logprob=v) for t, v in top_logprobs.items()],
                )
            ]
        )
    output_tokens = max(1, word_count(text))
    return ModelOutput(
        model=model,
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=text, model=model, source="generate"),
                stop_reason="stop",
                logprobs=logprobs,
            )
        ],
        usage=ModelUsage(
            input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
        ),
    )


def probabilities_to_logprobs(probs: dict[str, float]) -> dict[str, float]:
    """Convenience for scripts: {token: p} -> {token: log p}, dropping zero-probability tokens."""
    return {t: math.log(p) for t, p in probs.items() if p > 0}


class MockAPI(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        text: str | None = None,
        outputs: Iterable[str | ModelOutput] | None = None,
        responder: Callable[..., Any] | None = None,
        cycle: bool = False,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        given = [x for x in (text, outputs, responder) if x is not None]
        if len(given) > 1:
            raise ValueError("mock model: give only one of text=, outputs=, responder=")
        if model_args:
            raise ValueError(f"mock model: unknown model args {sorted(model_args)}")
        self._responder = responder
        self._outputs: Iterator[str | ModelOutput] | None = None
        if outputs is not None:
            items = list(outputs)
            self._outputs = itertools.cycle(items) if cycle else iter(items)
        # the CLI parses -M values as YAML: text={"move": 1} arrives as a dict; answer the JSON that was written
        if isinstance(text, (dict, list)):
            text = json.dumps(text)
        self._text = DEFAULT_TEXT if text is None else str(text)
        self.calls = 0

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        self.calls += 1
        if self._responder is not None:
            result = self._responder(input, config)
            if pyinspect.isawaitable(result):
                result = await result
        elif self._outputs is not None:
            try:
                result = next(self._outputs)
            except StopIteration:
                raise RuntimeError(
                    f"mock model {self.model_name!r} ran out of scripted outputs after {self.calls - 1} calls"
                ) from None
        else:
            result = self._text
        input_tokens = sum(word_count(m.text) for m in input)
        if isinstance(result, ModelOutput):
            if result.usage is None:
                out = word_count(result.completion)
                result.usage = ModelUsage(input_tokens=input_tokens, output_tokens=out, total_tokens=input_tokens + out)
            return result
        return mock_output(str(result), model=self.model_name, input_tokens=input_tokens)

    async def count_text_tokens(self, text: str) -> int:
        return word_count(text)

    def max_connections(self) -> int:
        return 32
