"""Verbatim overlap between two texts, and masking it: the leakage guard of benchmarks whose generated text must not
quote a hidden reference (a reasoning trace that restates the action it should explain).

Rule: text A *quotes* reference B where a run of at least ``min_words`` consecutive normalised words of A occurs as
consecutive words of B. Words are maximal runs of letters, digits and apostrophes (``\\w`` plus ``'``), case-folded,
so punctuation, case and spacing never hide a quote. Every word of A inside such a run is part of the overlap; the
overlap's character spans in A (from a run's first word to its last, punctuation between them included) are what
:func:`mask_spans` replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"[\w']+")
MIN_WORDS = 8  # a run of 8 words is rarely shared by chance in conversation, and short enough to catch a quote
MASK = "[...]"


@dataclass(frozen=True)
class Overlap:
    """Where ``text`` quotes ``reference``: character spans in ``text``, the words they cover, the longest run."""

    spans: tuple[tuple[int, int], ...]
    words: int  # words of text inside a quoted run
    text_words: int  # words of text in all
    longest_run: int  # longest run of consecutive words shared by both texts (any length, for reporting)

    @property
    def leaked(self) -> bool:
        return bool(self.spans)

    @property
    def share(self) -> float:
        """Share of the text's words that are quoted (0 for an empty text)."""
        return self.words / self.text_words if self.text_words else 0.0


def words_with_spans(text: str) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) for every word of ``text``."""
    return [(m.group().casefold(), m.start(), m.end()) for m in WORD.finditer(text)]


def longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of consecutive words common to ``a`` and ``b`` (dynamic programming)."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def find_overlap(text: str, reference: str, min_words: int = MIN_WORDS) -> Overlap:
    """Where ``text`` quotes ``reference`` (runs of at least ``min_words`` shared consecutive words)."""
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, got {min_words}")
    tokens = words_with_spans(text)
    words = [w for w, _, _ in tokens]
    ref = [w for w, _, _ in words_with_spans(reference)]
    grams = {tuple(ref[i : i + min_words]) for i in range(len(ref) - min_words + 1)}
    quoted = [False] * len(words)
    for i in range(len(words) - min_words + 1):
        if tuple(words[i : i + min_words]) in grams:
            quoted[i : i + min_words] = [True] * min_words
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not quoted[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and quoted[j + 1]:
            j += 1
        spans.append((tokens[i][1], tokens[j][2]))
        i = j + 1
    return Overlap(tuple(spans), sum(quoted), len(words), longest_common_run(words, ref))


def mask_spans(text: str, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]], mask: str = MASK) -> str:
    """``text`` with every span replaced by ``mask``."""
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        out.append(mask)
        last = end
    out.append(text[last:])
    return "".join(out)
