"""Speculative counters of the embedded server, with vLLM's names, and the client's reading of them."""

from __future__ import annotations

import numpy as np

from twinbench.providers.spec_metrics import ACCEPTED, DRAFT_TOKENS, DRAFTS, CountingDraftModel, parse_counters


class Scripted:
    """A draft model that proposes the given drafts in turn."""

    def __init__(self, drafts: list[list[int]]) -> None:
        self.drafts = drafts

    def __call__(self, input_ids, **kwargs):
        return np.array(self.drafts.pop(0), dtype=np.intc)


def ids(*tokens: int) -> np.ndarray:
    return np.array(tokens, dtype=np.intc)


def test_a_draft_counts_once_the_next_call_shows_how_far_it_was_accepted():
    counter = CountingDraftModel(Scripted([[7, 8, 9, 10], [11, 12], [], [5, 5, 5], [1, 2]]))
    history = ids(1, 2, 3)
    counter(history)  # drafts 7 8 9 10 after 1 2 3
    history = ids(1, 2, 3, 7, 8, 42)  # 7 and 8 accepted, 9 rejected, 42 sampled instead
    counter(history)  # resolves the first draft; drafts 11 12
    history = ids(1, 2, 3, 7, 8, 42, 11, 12, 13)  # both accepted, 13 the bonus token
    counter(history)  # resolves the second; no draft (nothing counted for an empty one)
    counter(ids(1, 2, 3, 7, 8, 42, 11, 12, 13, 14))  # drafts 5 5 5
    counter(ids(9, 9, 9))  # a new request: the pending draft's outcome is unknown and dropped; drafts 1 2
    assert (counter.drafts, counter.draft_tokens, counter.accepted) == (2, 6, 4)
    assert counter.per_position == [2, 2, 0, 0]
    text = counter.prometheus()
    assert parse_counters(text) == {DRAFTS: 2.0, DRAFT_TOKENS: 6.0, ACCEPTED: 4.0}
    assert 'vllm:spec_decode_num_accepted_tokens_per_pos_total{position="1"} 2' in text


def test_parse_counters_sums_vllms_label_sets_and_ignores_the_rest():
    page = """# HELP vllm:spec_decode_num_drafts_total Number of spec decoding drafts.
# TYPE vllm:spec_decode_num_drafts_total counter
vllm:spec_decode_num_drafts_total{engine="0",model_name="m"} 10.0
vllm:spec_decode_num_drafts_total{engine="1",model_name="m"} 5.0
vllm:spec_decode_num_draft_tokens_total{engine="0",model_name="m"} 60.0
vllm:spec_decode_num_accepted_tokens_total{engine="0",model_name="m"} 21.0
vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",position="0"} 12.0
vllm:generation_tokens_total{engine="0"} 400.0
"""
    assert parse_counters(page) == {DRAFTS: 15.0, DRAFT_TOKENS: 60.0, ACCEPTED: 21.0}
    assert parse_counters("") == {}
