"""PSI-Bench's patient-simulator diagnostics, computed on the patient's turns of a conversation.

Definitions follow PSI-Bench's released code as summarised in ``ANCHORS.md`` (``psibench/eval/*.py``); where that
code left a detail open, the choice made here is written beside it and in ``benchmarks/psi/README.md``
("Deviations from PSI-Bench"). Everything is offline: no NLTK data, no model.

Input is one list of patient turns (strings) per conversation, consecutive messages of the patient already merged
into one turn (PSI-Bench merges them when it loads its real reference). Turn indices are 0-based and only the
first ``MAX_TURNS`` (16) patient turns count, as in PSI-Bench's runs.

Per conversation (:func:`diagnose`): words and words per sentence of each turn, bidirectional MTLD (``None`` under
100 tokens), depressive-marker counts, VADER valence of each turn, the turn of emotional resolution and whether the
valence trajectory is uniformly negative-to-positive. Over a population (:func:`summarize_population`): the
turn-index curves, pooled marker rates, MTLD distribution, resolution, trajectory share, distinct-n and the spread of
each per-conversation diagnostic. Fidelity formulas (:func:`verbosity_score`, :func:`marker_score`,
:func:`mtld_scores`, :func:`label_js_score`, :func:`aggregate_score`) compare a simulated population with a real
one exactly as PSI-Bench does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

MAX_TURNS = 16
MTLD_THRESHOLD = 0.72
MTLD_MIN_TOKENS = 100
VADER_POSITIVE = 0.05  # VADER's own thresholds on the compound score (Hutto & Gilbert 2014, the package README)
VADER_NEGATIVE = -0.05

Valence = Literal["positive", "negative", "neutral"]

# ---------------------------------------------------------------- tokens and sentences

# PSI-Bench's lexical-diversity preprocessing: lower-case, drop punctuation (``[^\w\s]``), drop disfluency tokens.
DISFLUENCIES = frozenset({"um", "uh", "hm", "ah", "er", "mm", "mhm", "huh"})
_PUNCT = re.compile(r"[^\w\s]")

# A sentence ends at . ! ? or … (runs of them, optionally followed by closing quotes/brackets) before whitespace or
# the end of the text, or at a line break. Common abbreviations and single initials do not end a sentence.
_ABBREVIATIONS = frozenset("mr mrs ms dr prof sr jr st vs etc e.g i.e a.m p.m u.s no approx dept est misc".split())
_SENTENCE_END = re.compile(r"(?:[.!?…]+[\"')\]]*)(?=\s|$)|\n+")
_WORD = re.compile(r"\w")


def words(text: str) -> int:
    """Words of a turn as PSI-Bench counts them: a whitespace split."""
    return len(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` by a rule-based splitter (no model, no download; PSI-Bench's NLTK punkt needs one).

    Ends at ``.``, ``!``, ``?``, ``…`` (or a run of them) followed by whitespace or the end, and at line breaks,
    except after a listed abbreviation (``Dr.``, ``e.g.``) or a single-letter initial. Pieces without a word
    character (a lone ``...``) are not sentences."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.end()]
        if match.group().startswith("."):
            before = text[start : match.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha() and match.group() == "."):
                continue
        if _WORD.search(piece):
            sentences.append(piece.strip())
        start = match.end()
    tail = text[start:]
    if _WORD.search(tail):
        sentences.append(tail.strip())
    return sentences


def words_per_sentence(text: str) -> float | None:
    """Whitespace words of the turn over its sentences; None for a turn without a sentence."""
    n = len(split_sentences(text))
    return words(text) / n if n else None


def lexical_tokens(text: str) -> list[str]:
    """Tokens for MTLD: lower-cased, punctuation removed (``don't`` → ``dont``), disfluencies dropped."""
    return [t for t in _PUNCT.sub("", text.lower()).split() if t not in DISFLUENCIES]


def mtld(tokens: Sequence[str], threshold: float = MTLD_THRESHOLD) -> float:
    """Bidirectional MTLD (mean of the forward and reversed passes) by ``lexicalrichness`` (McCarthy & Jarvis 2010),
    the implementation PSI-Bench calls. Raises ValueError on an empty token list."""
    if not tokens:
        raise ValueError("MTLD of an empty text")
    from lexicalrichness import LexicalRichness  # imports textblob; only needed here

    return float(LexicalRichness(list(tokens), preprocessor=None, tokenizer=None).mtld(threshold=threshold))


def session_mtld(turns: Sequence[str], min_tokens: int = MTLD_MIN_TOKENS) -> float | None:
    """MTLD of the patient's turns of one conversation joined; None under ``min_tokens`` tokens (PSI-Bench drops
    such conversations from the MTLD distribution)."""
    tokens = [t for turn in turns for t in lexical_tokens(turn)]
    return mtld(tokens) if len(tokens) >= min_tokens else None


def distinct_n(texts: Iterable[str], n: int) -> float | None:
    """Distinct-n (Li et al. 2016): unique n-grams over all n-grams of the texts, n-grams never crossing a text;
    tokens are the lower-cased words of :func:`lexical_tokens`. None when there is no n-gram."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        tokens = lexical_tokens(text)
        grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else None


# ---------------------------------------------------------------- depressive markers

# PSI-Bench's lexicons (psibench/eval/depressive_linguistic_markers.py, as listed in ANCHORS.md); matched
# case-insensitively as whole words (``\b…\b``), except the two ellipses, which have no word boundary.
ABSOLUTIST = (
    "absolutely all always complete completely constant constantly definitely entire ever every everyone "
    "everything full must never nothing totally whole"
).split()
DEPRESSIVE_WORDS = [
    *"depression collapse stress suicide apastia anxious sad tired death lonely insomnia bad desperate".split(),
    "give up",
    *"low leave fear danger close sensitive lost shadow destroy suspect crash dark helpless guilt negative".split(),
    *"frustration nervous melancholy rubbish jump forget goodbye".split(),
    "cut wrist",
    *"edge haze antidepressant".split(),
]
NON_FLUENCIES = [
    *"uh um er ah eh oh hmm mm mmm hm huh mhm".split(),
    *["you know", "yknow", "y'know", "i mean", "lets see", "let's see"],
]
ELLIPSES = ("...", "…")
FIRST_PERSON_SINGULAR = ("i", "me", "mine", "my", "myself")  # reported, not scored (as in PSI-Bench)
SOCIAL_PRONOUNS = ("we", "us", "our", "ours", "ourselves")
MARKER_CATEGORIES = ("absolutist", "depressive_words", "non_fluencies")


def _word_regex(terms: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_MARKER_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "absolutist": [_word_regex(ABSOLUTIST)],
    "depressive_words": [_word_regex(DEPRESSIVE_WORDS)],
    "non_fluencies": [_word_regex(NON_FLUENCIES), re.compile(r"\.\.\.|…")],
    "first_person_singular": [_word_regex(FIRST_PERSON_SINGULAR)],
    "social_pronouns": [_word_regex(SOCIAL_PRONOUNS)],
}


def marker_counts(text: str) -> dict[str, int]:
    """Matches of each PSI-Bench lexicon in ``text`` (non-overlapping, as ``re.findall`` counts them)."""
    return {name: sum(len(p.findall(text)) for p in patterns) for name, patterns in _MARKER_PATTERNS.items()}


def approx_tokens(text: str) -> int:
    """PSI-Bench's token count: characters // 4."""
    return len(text) // 4


@dataclass(frozen=True)
class MarkerTally:
    """Marker counts over a set of patient messages, pooled the way PSI-Bench pools them: counts and tokens of the
    messages joined by spaces (per conversation, then summed); a message counts as marked when any of the three
    scored lexicons matches it."""

    counts: dict[str, int]
    tokens: int
    messages: int
    marked_messages: int

    @property
    def combined_ptk(self) -> float | None:
        """Absolutist + depressive + non-fluency matches per 1,000 tokens (tokens = characters // 4)."""
        if self.tokens <= 0:
            return None
        return sum(self.counts[c] for c in MARKER_CATEGORIES) / self.tokens * 1000

    @property
    def combined_msg(self) -> float | None:
        """Percentage of messages with at least one scored marker."""
        return self.marked_messages / self.messages * 100 if self.messages else None

    def ptk(self, category: str) -> float | None:
        return self.counts[category] / self.tokens * 1000 if self.tokens > 0 else None

    def __add__(self, other: MarkerTally) -> MarkerTally:
        return MarkerTally(
            {k: self.counts[k] + other.counts[k] for k in self.counts},
            self.tokens + other.tokens,
            self.messages + other.messages,
            self.marked_messages + other.marked_messages,
        )


EMPTY_TALLY = MarkerTally({k: 0 for k in _MARKER_PATTERNS}, 0, 0, 0)


def tally_markers(turns: Sequence[str]) -> MarkerTally:
    """PSI-Bench's marker tally of one conversation's patient turns."""
    turns = [t.strip() for t in turns if t.strip()]
    if not turns:
        return EMPTY_TALLY
    joined = " ".join(turns)
    marked = sum(1 for t in turns if any(marker_counts(t)[c] for c in MARKER_CATEGORIES))
    return MarkerTally(marker_counts(joined), approx_tokens(joined), len(turns), marked)


# ---------------------------------------------------------------- valence


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # ships its lexicon; no download

    return SentimentIntensityAnalyzer()


def valence_score(text: str) -> float:
    """VADER's compound score of the turn, in [-1, 1]."""
    return float(_vader().polarity_scores(text)["compound"])


def valence_label(compound: float) -> Valence:
    """positive at compound >= 0.05, negative at <= -0.05, else neutral (VADER's recommended cut-offs)."""
    if compound >= VADER_POSITIVE:
        return "positive"
    if compound <= VADER_NEGATIVE:
        return "negative"
    return "neutral"


def resolution_turn(labels: Sequence[str]) -> int | None:
    """Turn of emotional resolution: the first turn index t whose valence is positive, with at least one negative
    turn before it and no negative turn from t on. None when the conversation never resolves (it ends negative,
    never was negative, or never turns positive)."""
    last_negative = max((i for i, v in enumerate(labels) if v == "negative"), default=None)
    if last_negative is None:
        return None
    return next((i for i in range(last_negative + 1, len(labels)) if labels[i] == "positive"), None)


def uniform_negative_to_positive(labels: Sequence[str]) -> bool:
    """True when the non-neutral valence labels are one or more negatives followed by one or more positives (no
    positive before a negative, no negative after a positive): the "uniform" trajectory PSI-Bench finds
    simulators follow. Neutral turns are dropped, as PSI-Bench drops them."""
    polar = [v for v in labels if v != "neutral"]
    if not polar or polar[0] != "negative" or polar[-1] != "positive":
        return False
    switch = polar.index("positive")
    return all(v == "positive" for v in polar[switch:])


# ---------------------------------------------------------------- one conversation


@dataclass(frozen=True)
class ConversationDiagnostics:
    """The diagnostics of one conversation's first ``MAX_TURNS`` patient turns."""

    turns: int
    words: tuple[int, ...]  # per turn index
    words_per_sentence: tuple[float | None, ...]
    mtld: float | None  # None under MTLD_MIN_TOKENS tokens
    lexical_tokens: int
    markers: MarkerTally
    valence: tuple[float, ...]  # VADER compound per turn
    valence_labels: tuple[str, ...]
    resolution_turn: int | None
    uniform_trajectory: bool

    @property
    def mean_words(self) -> float | None:
        return float(np.mean(self.words)) if self.words else None

    @property
    def mean_valence(self) -> float | None:
        return float(np.mean(self.valence)) if self.valence else None

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["markers"] = asdict(self.markers)
        return row


def diagnose(patient_turns: Sequence[str], max_turns: int = MAX_TURNS) -> ConversationDiagnostics:
    """All per-conversation diagnostics of the patient's turns (empty turns skipped, as PSI-Bench skips them)."""
    turns = [t.strip() for t in patient_turns if t and t.strip()][:max_turns]
    compounds = tuple(valence_score(t) for t in turns)
    labels = tuple(valence_label(c) for c in compounds)
    n_tokens = sum(len(lexical_tokens(t)) for t in turns)
    return ConversationDiagnostics(
        turns=len(turns),
        words=tuple(words(t) for t in turns),
        words_per_sentence=tuple(words_per_sentence(t) for t in turns),
        mtld=session_mtld(turns),
        lexical_tokens=n_tokens,
        markers=tally_markers(turns),
        valence=compounds,
        valence_labels=labels,
        resolution_turn=resolution_turn(labels),
        uniform_trajectory=uniform_negative_to_positive(labels),
    )


# ---------------------------------------------------------------- a population


def by_turn_index(series: Iterable[Sequence[float | None]], max_turns: int = MAX_TURNS) -> dict[int, float]:
    """Mean over conversations at each turn index (None values skipped; indices with no value absent)."""
    buckets: dict[int, list[float]] = {}
    for values in series:
        for i, v in enumerate(values[:max_turns]):
            if v is not None:
                buckets.setdefault(i, []).append(float(v))
    return {i: float(np.mean(vs)) for i, vs in sorted(buckets.items())}


def mean_over_turn_indices(curve: Mapping[int, float]) -> float | None:
    """PSI-Bench's verbosity statistic: the per-turn-index means averaged over turn indices."""
    return float(np.mean(list(curve.values()))) if curve else None


def label_shares_by_turn(
    label_series: Iterable[Sequence[str | None]], labels: Sequence[str], max_turns: int = MAX_TURNS
) -> dict[int, dict[str, float]]:
    """Share of each label among the labels in ``labels`` at each turn index (others, e.g. neutral, filler or an
    invalid judge reply's None, dropped)."""
    counts: dict[int, Counter[str]] = {}
    for series in label_series:
        for i, label in enumerate(series[:max_turns]):
            if label is not None and label in labels:
                counts.setdefault(i, Counter())[label] += 1
    return {i: {lab: c[lab] / sum(c.values()) for lab in labels} for i, c in sorted(counts.items()) if sum(c.values())}


def spread(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """Population spread of a per-conversation diagnostic: n, mean, sample SD, IQR (numpy's linear quantiles)
    and coefficient of variation (SD / |mean|), None values dropped."""
    xs = np.array([v for v in values if v is not None], dtype=float)
    if xs.size == 0:
        return {"n": 0, "mean": None, "sd": None, "iqr": None, "cv": None}
    mean = float(xs.mean())
    sd = float(xs.std(ddof=1)) if xs.size > 1 else None
    q1, q3 = np.quantile(xs, [0.25, 0.75])
    cv = sd / abs(mean) if sd is not None and mean != 0 else None
    return {"n": int(xs.size), "mean": mean, "sd": sd, "iqr": float(q3 - q1), "cv": cv}


def summarize_population(
    conversations: Sequence[Sequence[str]] | Sequence[ConversationDiagnostics], max_turns: int = MAX_TURNS
) -> dict[str, Any]:
    """The population-level diagnostics of a set of conversations (patient turns, or their diagnostics)."""
    diags = [c if isinstance(c, ConversationDiagnostics) else diagnose(c, max_turns) for c in conversations]
    diags = [d for d in diags if d.turns]
    turn_texts_needed = [c for c in conversations if not isinstance(c, ConversationDiagnostics)]
    words_curve = by_turn_index((d.words for d in diags), max_turns)
    wps_curve = by_turn_index((d.words_per_sentence for d in diags), max_turns)
    tally = sum((d.markers for d in diags), EMPTY_TALLY)
    mtlds = [d.mtld for d in diags if d.mtld is not None]
    resolved = [d.resolution_turn for d in diags if d.resolution_turn is not None]
    summary: dict[str, Any] = {
        "conversations": len(diags),
        "patient_turns": sum(d.turns for d in diags),
        "words_per_turn_by_index": words_curve,
        "words_per_sentence_by_index": wps_curve,
        "words_per_turn": mean_over_turn_indices(words_curve),
        "words_per_sentence": mean_over_turn_indices(wps_curve),
        "mtld_values": mtlds,
        "mtld_mean": float(np.mean(mtlds)) if mtlds else None,
        "mtld_dropped": sum(1 for d in diags if d.mtld is None),
        "markers": {
            "combined_ptk": tally.combined_ptk,
            "combined_msg": tally.combined_msg,
            **{f"{c}_ptk": tally.ptk(c) for c in (*MARKER_CATEGORIES, "first_person_singular", "social_pronouns")},
            "tokens": tally.tokens,
            "messages": tally.messages,
        },
        "valence_by_index": by_turn_index((d.valence for d in diags), max_turns),
        "valence_shares_by_index": label_shares_by_turn(
            (d.valence_labels for d in diags), ("positive", "negative"), max_turns
        ),
        "resolved_share": len(resolved) / len(diags) if diags else None,
        "resolution_turn_mean": float(np.mean(resolved)) if resolved else None,
        "resolution_turn_median": float(np.median(resolved)) if resolved else None,
        "uniform_trajectory_share": sum(d.uniform_trajectory for d in diags) / len(diags) if diags else None,
        "spread": {
            "words_per_turn": spread(d.mean_words for d in diags),
            "mtld": spread(d.mtld for d in diags),
            "marker_ptk": spread(d.markers.combined_ptk for d in diags),
            "valence": spread(d.mean_valence for d in diags),
            "turns": spread(d.turns for d in diags),
        },
    }
    if turn_texts_needed:
        texts = [t for c in turn_texts_needed for t in list(c)[:max_turns]]
        summary["distinct_1"] = distinct_n(texts, 1)
        summary["distinct_2"] = distinct_n(texts, 2)
    return summary


# ---------------------------------------------------------------- fidelity (PSI-Bench's scores, 0-100)


def ratio_score(simulated: float, real: float) -> float:
    """PSI-Bench's verbosity score of one statistic: 100 * exp(-|ln(simulated / real)|) = 100 * min(s/r, r/s)."""
    if simulated <= 0 or real <= 0:
        raise ValueError(f"ratio score needs positive values, got simulated={simulated}, real={real}")
    return 100 * math.exp(-abs(math.log(simulated / real)))


def verbosity_score(simulated: Mapping[str, Any], real: Mapping[str, Any]) -> float:
    """Mean of the ratio scores of words per turn and words per sentence (population summaries)."""
    return (
        ratio_score(simulated["words_per_turn"], real["words_per_turn"])
        + ratio_score(simulated["words_per_sentence"], real["words_per_sentence"])
    ) / 2


def marker_score(sim_ptk: float, real_ptk: float, sim_msg: float, real_msg: float) -> float:
    """PSI-Bench's depressive-marker score: 100 - (ptk_distance + msg_difference) / 2, where ptk_distance =
    min(100, |s - h| / h * 100) (for h <= 0: 0 if s <= 0 else 100) and msg_difference = |s - h| in percentage
    points."""
    if real_ptk <= 0:
        ptk_distance = 0.0 if sim_ptk <= 0 else 100.0
    else:
        ptk_distance = min(100.0, abs(sim_ptk - real_ptk) / real_ptk * 100)
    return 100 - (ptk_distance + abs(sim_msg - real_msg)) / 2


def mtld_distance(simulated: Sequence[float], real: Sequence[float]) -> float:
    """Wasserstein-1 distance between the simulated and real per-conversation MTLD distributions."""
    return float(wasserstein_distance(list(simulated), list(real)))


def mtld_scores(distances: Mapping[str, float]) -> dict[str, float]:
    """PSI-Bench's MTLD score across systems: 100 * (1 - (WD - WD_min) / (WD_max - WD_min)), with the real
    reference included at WD 0 (so WD_min = 0). A single system alone scores 0; all-equal distances score 100."""
    wd = {"real": 0.0, **distances}
    low, high = min(wd.values()), max(wd.values())
    if high == low:
        return {k: 100.0 for k in distances}
    return {k: 100 * (1 - (v - low) / (high - low)) for k, v in distances.items()}


def label_js_score(
    simulated: Iterable[Sequence[str | None]],
    real: Iterable[Sequence[str | None]],
    labels: Sequence[str],
    max_turns: int = MAX_TURNS,
) -> tuple[float | None, dict[int, float]]:
    """PSI-Bench's narrative/valence score: at each turn index t < max_turns with labels on both sides, the
    Jensen-Shannon distance (scipy, natural log) between the simulated and real label distributions (labels not in
    ``labels``, e.g. neutral or filler, dropped); score = (1 - mean_t JS) * 100. Returns (score, JS per index)."""
    sim = label_shares_by_turn(simulated, labels, max_turns)
    ref = label_shares_by_turn(real, labels, max_turns)
    js = {
        t: float(jensenshannon([sim[t][lab] for lab in labels], [ref[t][lab] for lab in labels]))
        for t in sorted(set(sim) & set(ref))
    }
    if not js:
        return None, {}
    return (1 - float(np.mean(list(js.values())))) * 100, js


def aggregate_score(scores: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float | None:
    """Weighted mean of the available metric scores (PSI-Bench: MTLD, affect, PTC, depressive, verbosity; every
    weight 1 by default). Metrics that are None are left out of numerator and denominator."""
    weights = weights or {}
    present = {k: v for k, v in scores.items() if v is not None}
    total = sum(weights.get(k, 1.0) for k in present)
    if not present or total == 0:
        return None
    return sum(v * weights.get(k, 1.0) for k, v in present.items()) / total
