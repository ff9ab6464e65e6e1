"""chrF (Popović 2015), sentence level, as sacreBLEU 2.x computes it: sacreBLEU's ``sentence_chrf`` when sacreBLEU
is installed, else this implementation of the same definition (checked against sacreBLEU's own test values).

Character n-grams of orders 1..6 with whitespace removed; per order, precision and recall of the hypothesis's
n-grams against the reference's (clipped counts). sacreBLEU's default (``eps_smoothing=False``) averages precision
and recall over the orders both texts have n-grams of, then takes F-beta of the averages; with ``eps_smoothing=True``
(chrF++.py, NLTK) it averages per-order F-beta scores over all orders, an order without n-grams scoring ~0.
"""

from __future__ import annotations

from collections import Counter

CHAR_ORDER = 6
BETA = 2.0
_EPS = 1e-16


def char_ngrams(text: str, order: int) -> list[Counter[str]]:
    """Counters of character n-grams of orders 1..order, whitespace removed."""
    squeezed = "".join(text.split())
    return [Counter(squeezed[i : i + n] for i in range(len(squeezed) - n + 1)) for n in range(1, order + 1)]


def chrf_statistics(hypothesis: str, reference: str, order: int = CHAR_ORDER) -> list[tuple[int, int, int]]:
    """Per order: (hypothesis n-grams, reference n-grams, matching n-grams)."""
    stats = []
    for hyp, ref in zip(char_ngrams(hypothesis, order), char_ngrams(reference, order)):
        stats.append((sum(hyp.values()), sum(ref.values()), sum((hyp & ref).values())))
    return stats


def chrf_from_statistics(stats: list[tuple[int, int, int]], beta: float = BETA, eps_smoothing: bool = False) -> float:
    """chrF in [0, 100] from per-order statistics (sacreBLEU's ``CHRF._compute_f_score``)."""
    factor = beta**2
    score = avg_prec = avg_rec = 0.0
    effective = 0
    for n_hyp, n_ref, n_match in stats:
        prec = n_match / n_hyp if n_hyp > 0 else _EPS
        rec = n_match / n_ref if n_ref > 0 else _EPS
        denom = factor * prec + rec
        score += (1 + factor) * prec * rec / denom if denom > 0 else _EPS
        if n_hyp > 0 and n_ref > 0:
            avg_prec += prec
            avg_rec += rec
            effective += 1
    if eps_smoothing:
        return 100 * score / len(stats)
    if effective == 0:
        return 0.0
    avg_prec /= effective
    avg_rec /= effective
    if avg_prec + avg_rec == 0:
        return 0.0
    return 100 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)


def own_chrf(hypothesis: str, reference: str, *, beta: float = BETA, eps_smoothing: bool = False) -> float:
    """This module's chrF of one hypothesis against one reference (0-100)."""
    return chrf_from_statistics(chrf_statistics(hypothesis, reference), beta, eps_smoothing)


def chrf(hypothesis: str, reference: str, *, beta: float = BETA, eps_smoothing: bool = False) -> tuple[float, str]:
    """(chrF 0-100, implementation): sacreBLEU's when installed, else :func:`own_chrf`."""
    try:
        from sacrebleu.metrics import CHRF
    except ImportError:
        return own_chrf(hypothesis, reference, beta=beta, eps_smoothing=eps_smoothing), "twinbench chrF"
    metric = CHRF(char_order=CHAR_ORDER, word_order=0, beta=beta, eps_smoothing=eps_smoothing)
    return float(metric.sentence_score(hypothesis, [reference]).score), "sacrebleu chrF"
