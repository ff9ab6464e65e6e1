"""chrF against sacreBLEU's own test values (sacrebleu/test/test_chrf.py, sacreBLEU 2.x)."""

import pytest

from scorers.text.chrf import chrf, own_chrf

# (hypothesis, reference, expected) with char_order 6, beta 3, eps_smoothing True
EPS_BETA3 = [
    ("abcdefg", "hijklmnop", 0.0),
    ("a", "b", 0.0),
    ("", "reference", 0.0),
    ("aa", "ab", 8.3333),
    ("a", "a", 16.6667),
    ("a b c", "a b c", 50.0),
    ("a b c", "abc", 50.0),
    (
        " risk assessment must be made of those who are qualified and expertise in the sector - these are the "
        "scientists .",
        "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the "
        "scientists .",
        63.361730,
    ),
    (
        " Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ",
        "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.",
        64.1302698,
    ),
    ("Niemand hat die Absicht, eine Mauer zu errichten", "Niemand hat die Absicht, eine Mauer zu errichten", 100.0),
]
# sacreBLEU's default averaging (eps_smoothing False), beta 3
EFFECTIVE_BETA3 = [("a", "a", 100.0), ("", "reference", 0.0), ("a b c", "abc", 100.0), ("aa", "ab", 25.0)]
# sentence_chrf defaults (beta 2) with eps_smoothing True
SENTENCE = [
    (
        "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
        "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
        39.14078509,
    ),
    (
        "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
        "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
        57.15704367,
    ),
]


@pytest.mark.parametrize("hyp,ref,expected", EPS_BETA3)
def test_eps_smoothing_beta3(hyp, ref, expected):
    assert own_chrf(hyp, ref, beta=3, eps_smoothing=True) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("hyp,ref,expected", EFFECTIVE_BETA3)
def test_effective_order_beta3(hyp, ref, expected):
    assert own_chrf(hyp, ref, beta=3) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("hyp,ref,expected", SENTENCE)
def test_sentence_level_beta2(hyp, ref, expected):
    assert own_chrf(hyp, ref, eps_smoothing=True) == pytest.approx(expected, abs=1e-4)


def test_chrf_names_its_implementation():
    value, implementation = chrf("a b c", "a b c")
    assert value == pytest.approx(100.0) and "chrF" in implementation
