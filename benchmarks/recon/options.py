"""The leakage guard for discrete actions: a trace that names an option (its letter or its text).

A discrete action is one lettered option of a survey question (``A. 1`` ... ``E. 5``; ``A. Conservative``). A
trace *names* an option when it contains

* the option's text as whole words, plural or possessive too (case-insensitive; "Liberal Democrat", "Liberal
  Democrats", "4"), or
* its letter as an answer reference: "option B", "answer: B", "choice (B)", "letter B", "(B)", "B." or "B)" at a
  word boundary (also right before a digit, "B.2"), and, for letters other than A and I (English words), the
  capital letter standing alone ("picks D").

The trace *leaks* when it names the TRUE option. Masking replaces the mentions of EVERY option, true or not, with
``[...]``: masking only the true one would tell the reader where the answer was (the mask itself would carry it),
so every trace of a discrete item is shown without option names, and only naming the true one is counted. The rule
is deliberately broad (a trace saying "on a scale of 1 to 5" names options 1 and 5; "the Labour leader" names the
option Labour), so the guard over-masks rather than lets an answer through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MASK = "[...]"
_REFERENCE = r"(?i:options?|answers?|choices?|letters?|picks?|chooses?|choosing|selects?|selecting)"


@dataclass(frozen=True)
class OptionMentions:
    leaked: bool  # the true option is named
    named: tuple[int, ...]  # indices of the options named (sorted)
    spans: tuple[tuple[int, int], ...]  # character spans of every mention, merged, in order
    masked: str  # the text with every span replaced by MASK


def _letter_pattern(letter: str) -> re.Pattern[str]:
    forms = [
        rf"\b{_REFERENCE}\s*(?:is\s+)?[:\-]?\s*\(?{letter}[.)]?(?![A-Za-z0-9])",
        rf"\({letter}\)",
        rf"(?<![A-Za-z0-9']){letter}[.)](?=\s|$|\d)",  # "C. 3", and "C.3" as a trace wrote it
    ]
    if letter not in ("A", "I"):
        forms.append(rf"(?<![A-Za-z0-9'\-]){letter}(?![A-Za-z0-9'\-])")
    return re.compile("|".join(forms))


def _text_pattern(option: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in option.split()]
    # not inside a decimal ("0.1"), but after a letter's dot ("A.1", which a SmolLM2 trace wrote)
    # a plural or possessive is the same option ("Liberal Democrats", "Labour's"; a SmolLM2 trace wrote the former)
    return re.compile(r"(?<!\w)(?<!\d\.)" + r"\s+".join(words) + r"(?:'?s)?(?![\w]|\.\d)", re.IGNORECASE)


def option_mentions(text: str, options: Sequence[str], letters: Sequence[str], answer: int) -> OptionMentions:
    """Where ``text`` names any option (see the module docstring), whether it names option ``answer``, and the text
    with every mention masked."""
    spans: list[tuple[int, int]] = []
    named: set[int] = set()
    for index, (option, letter) in enumerate(zip(options, letters)):
        for pattern in (_text_pattern(option), _letter_pattern(letter)):
            for match in pattern.finditer(text):
                spans.append(match.span())
                named.add(index)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # overlapping, or apart by a letter's dot alone ("picks C" + "." + "3"): one mask, so no "." is left between
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start] in (".", ")")):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return OptionMentions(answer in named, tuple(sorted(named)), tuple(merged), "".join(out))
