"""Serving configurations as data, and what each backend is told."""

from __future__ import annotations

import json

import pytest

from benchmarks.specserve.configs import ConfigError, backend_of, parse_concurrency, parse_config, parse_configs


def test_plain_first_and_added_when_absent():
    assert [c.label for c in parse_configs("ngram:4")] == ["plain", "ngram-k4"]
    assert [c.label for c in parse_configs("ngram:2,plain,ngram:8")] == ["plain", "ngram-k2", "ngram-k8"]
    eagle = {"method": "eagle3", "model": "yuhuili/EAGLE3-LLaMA3.1-Instruct-8B", "num_speculative_tokens": 3}
    listed = parse_configs(["plain", json.dumps(eagle), {"method": "suffix", "num_speculative_tokens": 8}])
    assert [c.label for c in listed] == ["plain", "eagle3-k3", "suffix-k8"]
    assert listed[1].spec == eagle
    with pytest.raises(ConfigError, match="listed twice"):
        parse_configs("ngram:4,ngram:4")


def test_server_args_per_backend():
    ngram = parse_config("ngram:4")
    assert ngram.server_args("local") == {
        "draft_model": "prompt-lookup-decoding",
        "draft_model_num_pred_tokens": 4,
        "logits_all": True,  # llama-cpp-python's buffer otherwise has n_batch rows: eval() fails past 512 tokens
    }
    # vLLM gets a JSON string: inspect would render a dict with single quotes
    spec = json.loads(ngram.server_args("vllm")["speculative_config"])
    assert spec == {"method": "ngram", "num_speculative_tokens": 4, "prompt_lookup_max": 2, "prompt_lookup_min": 1}
    assert parse_config("plain").server_args("local") == {} == parse_config("plain").server_args("vllm")
    with pytest.raises(ConfigError, match="serves prompt lookup \\(ngram\\) only"):
        parse_config({"method": "eagle", "num_speculative_tokens": 3}).server_args("local")
    with pytest.raises(ConfigError, match="n-gram size is fixed"):
        parse_config({"method": "ngram", "num_speculative_tokens": 3, "prompt_lookup_max": 4}).server_args("local")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ngram:0", "use plain, ngram:K"),
        ("medusa:3", "use plain, ngram:K"),
        ('{"method": "medusa", "num_speculative_tokens": 3}', "method must be one of"),
        ('{"method": "ngram"}', "num_speculative_tokens must be a positive integer"),
        ('{"method": "ngram",', "not valid JSON"),
    ],
)
def test_bad_configurations_are_one_line(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_concurrency_and_backend():
    assert parse_concurrency(1) == [1] and parse_concurrency("1,4") == [1, 4] and parse_concurrency([2, 8]) == [2, 8]
    with pytest.raises(ConfigError, match="'0' must be a positive integer"):
        parse_concurrency("1,0")
    assert backend_of("local/smollm2-135m") == "local" and backend_of("vllm/Qwen/Qwen3-8B") == "vllm"
    with pytest.raises(ConfigError, match="local/ \\(llama.cpp\\) or vllm/"):
        backend_of("openai/gpt-4o")
