"""Serving configurations as data: plain decoding or a speculative method, mapped to each backend's server args.

A configuration is written as ``plain``, ``ngram:K`` (prompt lookup / n-gram speculation with K draft tokens), or a
JSON object in vLLM's ``speculative_config`` form (``{"method": "eagle", "model": "...", "num_speculative_tokens":
3}``; methods ngram, draft_model, eagle, eagle3, mtp, suffix). The embedded llama.cpp server (``local/``) serves
prompt lookup only (llama-cpp-python's ``LlamaPromptLookupDecoding``, n-gram size at most 2); vLLM (``vllm/``)
serves every method and gets the object as a JSON string (inspect would render a dict with single quotes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

VLLM_METHODS = ("ngram", "draft_model", "eagle", "eagle3", "mtp", "suffix")
BACKENDS = {"local": "llama.cpp", "vllm": "vLLM"}
LLAMA_CPP_NGRAM = 2  # llama-cpp-python's server builds LlamaPromptLookupDecoding with max_ngram_size=2


class ConfigError(ValueError):
    """A configuration that cannot be parsed or served: one line naming it."""


@dataclass(frozen=True)
class ServingConfig:
    label: str  # plain, ngram-k4, eagle-k3, ...
    spec: dict[str, Any] | None  # vLLM's speculative_config; None for plain decoding

    @property
    def plain(self) -> bool:
        return self.spec is None

    def server_args(self, backend: str) -> dict[str, Any]:
        """The model args (``-M``) that serve this configuration on ``backend`` (``local`` or ``vllm``)."""
        if self.spec is None:
            return {}
        if backend == "vllm":
            return {"speculative_config": json.dumps(self.spec, sort_keys=True)}
        if self.spec["method"] != "ngram":
            raise ConfigError(
                f"specserve: {self.label}: llama.cpp (local/) serves prompt lookup (ngram) only; use vllm/"
            )
        extra = set(self.spec) - {"method", "num_speculative_tokens", "prompt_lookup_max", "prompt_lookup_min"}
        if extra or self.spec.get("prompt_lookup_max", LLAMA_CPP_NGRAM) != LLAMA_CPP_NGRAM:
            raise ConfigError(
                f"specserve: {self.label}: llama.cpp's prompt lookup takes only num_speculative_tokens "
                f"(its n-gram size is fixed at {LLAMA_CPP_NGRAM})"
            )
        # logits_all: llama-cpp-python 0.3.36 sizes its logits buffer by logits_all (n_batch rows without it) but
        # writes every drafted position's row once a draft model is set, so past position 512 eval() raised and
        # the stream stopped mid-answer on long prompts
        return {
            "draft_model": "prompt-lookup-decoding",
            "draft_model_num_pred_tokens": self.spec["num_speculative_tokens"],
            "logits_all": True,
        }


def parse_config(item: Any) -> ServingConfig:
    """One configuration from ``plain``, ``ngram:K``, a JSON object string or a dict."""
    if isinstance(item, str) and item.strip().startswith("{"):
        try:
            item = json.loads(item)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"specserve: configuration {item!r} is not valid JSON ({exc.msg})") from None
    if isinstance(item, dict):
        spec = dict(item)
        method, k = spec.get("method"), spec.get("num_speculative_tokens")
        if method not in VLLM_METHODS:
            raise ConfigError(f"specserve: configuration {item!r}: method must be one of {', '.join(VLLM_METHODS)}")
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ConfigError(f"specserve: configuration {item!r}: num_speculative_tokens must be a positive integer")
        if method == "ngram":
            spec.setdefault("prompt_lookup_max", LLAMA_CPP_NGRAM)
            spec.setdefault("prompt_lookup_min", 1)
        return ServingConfig(f"{method}-k{k}", spec)
    text = str(item).strip()
    if text == "plain":
        return ServingConfig("plain", None)
    method, sep, k_text = text.partition(":")
    if method == "ngram" and sep and k_text.isdigit() and int(k_text) >= 1:
        return parse_config({"method": "ngram", "num_speculative_tokens": int(k_text)})
    raise ConfigError(f"specserve: configuration {text!r}: use plain, ngram:K or a JSON speculative_config object")


def parse_configs(value: Any) -> list[ServingConfig]:
    """The run's configurations, plain first (every speedup is over it): a list, or text ``plain,ngram:4`` (a JSON
    object needs the list form: ``-T 'configs=["plain", "{\\"method\\": \\"eagle\\", ...}"]'``)."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    configs = [parse_config(item) for item in (value if isinstance(value, list | tuple) else [value])]
    labels = [c.label for c in configs]
    if "plain" not in labels:
        configs.insert(0, ServingConfig("plain", None))
    if len(set(c.label for c in configs)) != len(configs):
        raise ConfigError(f"specserve: configuration listed twice in {labels}")
    return sorted(configs, key=lambda c: not c.plain)


def parse_concurrency(value: Any) -> list[int]:
    """``1`` or ``1,4`` or a list -> positive integers, in the order given."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else [value]
    levels: list[int] = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or int(text) < 1:
            raise ConfigError(f"specserve: concurrency {item!r} must be a positive integer")
        levels.append(int(text))
    return levels


def backend_of(model_name: str) -> str:
    provider = model_name.partition("/")[0]
    if provider not in BACKENDS:
        raise ConfigError(
            f"specserve: model {model_name!r}: serving is measured on local/ (llama.cpp) or vllm/ models only"
        )
    return provider
