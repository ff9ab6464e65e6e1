"""The leakage guard's overlap rule and masking."""

import pytest

from scorers.text.overlap import MASK, find_overlap, longest_common_run, mask_spans

ACTION = "I would like to reserve the balance of my time for rebuttal, Your Honor."


def test_a_quote_with_other_case_and_punctuation_is_found_and_masked():
    trace = "He plans to say: I would like to RESERVE the balance, of my time for rebuttal; then sit down."
    overlap = find_overlap(trace, ACTION, min_words=8)
    assert overlap.leaked and overlap.words == 12 and overlap.longest_run == 12
    masked = mask_spans(trace, overlap.spans)
    assert masked == f"He plans to say: {MASK}; then sit down."
    assert not find_overlap(masked, ACTION, 8).leaked


def test_seven_shared_words_are_not_a_leak_at_eight():
    trace = "Counsel would like to reserve the balance of her argument."  # "would like to reserve the balance of": 7
    overlap = find_overlap(trace, ACTION, min_words=8)
    assert not overlap.leaked and overlap.longest_run == 7
    assert find_overlap(trace, ACTION, min_words=7).leaked


def test_two_separate_quotes_give_two_spans():
    action = "one two three four five six seven eight nine ten eleven twelve"
    trace = "A one two three four five six seven eight B nine ten eleven twelve one two three four"
    overlap = find_overlap(trace, action, min_words=4)
    assert len(overlap.spans) == 2 and overlap.words == 16
    assert mask_spans(trace, overlap.spans) == f"A {MASK} B {MASK}"


def test_longest_common_run_and_bad_rule():
    assert longest_common_run(list("abcxabcd"), list("zabcdz")) == 4
    with pytest.raises(ValueError):
        find_overlap("a", "a", min_words=0)
