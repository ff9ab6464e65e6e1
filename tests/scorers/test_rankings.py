"""Plackett–Luce strengths (choix) against an independent maximum-likelihood fit, and their bootstrap intervals."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from scorers.stats.proportions import two_proportion_test
from scorers.stats.rankings import plackett_luce, plackett_luce_ci

# a known ranking set: 4 systems, system 0 usually first, 3 usually last; every system wins and loses somewhere
RANKINGS = [[0, 1, 2, 3]] * 6 + [[1, 0, 2, 3]] * 3 + [[2, 0, 1, 3]] * 2 + [[0, 2, 3, 1]] * 2 + [[3, 1, 0, 2]]


def reference_fit(rankings, n):
    """Maximum likelihood of PL written out: sum over places of theta_winner - logsumexp(theta of the rest)."""

    def nll(free):
        theta = np.append(free, 0.0)
        total = 0.0
        for r in rankings:
            for k in range(len(r) - 1):
                rest = theta[r[k:]]
                total -= theta[r[k]] - np.log(np.exp(rest).sum())
        return total

    theta = np.append(minimize(nll, np.zeros(n - 1), method="BFGS", options={"gtol": 1e-9}).x, 0.0)
    return theta - theta.mean()


def test_plackett_luce_matches_the_likelihood_maximum():
    ours = plackett_luce(RANKINGS, 4, alpha=1e-9)
    assert np.allclose(ours, reference_fit(RANKINGS, 4), atol=1e-4)
    assert ours[0] > ours[1] > ours[2] > ours[3] and abs(ours.sum()) < 1e-9


def test_plackett_luce_partial_rankings_and_empty():
    partial = [[0, 1], [0, 2], [1, 2], [2, 0, 1]]
    assert np.allclose(plackett_luce(partial, 3, alpha=1e-9), reference_fit(partial, 3), atol=1e-4)
    assert np.isnan(plackett_luce([[1]], 3)).all()


def test_plackett_luce_intervals_hold_the_estimate():
    fit = plackett_luce_ci(RANKINGS, 4, n_resamples=200)
    assert fit.n_items == len(RANKINGS) and fit.n_resamples == 200
    assert np.all(fit.low <= fit.estimate) and np.all(fit.estimate <= fit.high)
    assert fit.low[0] > fit.high[3]  # the clear first and last are told apart
    single = plackett_luce_ci(RANKINGS[:1], 4)
    assert np.isnan(single.low).all()


def test_two_proportion_test():
    assert two_proportion_test(5, 10, 5, 10) == 1.0
    assert two_proportion_test(10, 10, 0, 10) < 1e-4
    assert two_proportion_test(3, 0, 1, 5) == 1.0


def test_plackett_luce_interval_is_the_percentile_of_a_fit_per_resample():
    """Repeated resamples are fitted once: the interval equals one fitted per resample, written out here."""
    from scorers.stats.bootstrap import percentile_interval, stratified_draws

    rankings = RANKINGS[:5]  # 5 games: 126 distinct resamples among 300, most fits reused
    fit = plackett_luce_ci(rankings, 4, n_resamples=300, seed=7)
    index = stratified_draws(np.zeros(5, dtype=int), 300, np.random.default_rng(7))
    draws = [plackett_luce([rankings[i] for i in rows], 4) for rows in index]
    low, high = percentile_interval(np.array(draws), n=5.0)
    assert np.allclose(fit.low, low, atol=1e-9) and np.allclose(fit.high, high, atol=1e-9)
