"""Statistics of items that cluster in independent units (e.g. a person's held-out items, which share that person's
reasoning traces): a cluster-robust t interval of a mean, a Wilson interval of a share at the design effect, and an
exact sign test that flips a whole cluster's outcomes together.

Each reduces to its textbook form when every cluster holds one item: the ordinary t interval of a mean, the Wilson
score interval, the exact two-sided binomial sign test. Items of one cluster that move together make the textbook
forms too confident (an audit measured a sign test over 5 items per person rejecting 16% under H0 when a person's
traces shifted both strategies' outcomes); these do not assume the items of a cluster are independent, only that
clusters are.

* :func:`cluster_t_interval`: the mean of the items, with the cluster-robust (CR1) standard error
  sqrt(G / (G - 1) * sum_g (sum_{i in g} (y_i - mean))^2) / N over G clusters and N items, and the t quantile with
  G - 1 degrees of freedom (the "few clusters" rule of Cameron & Miller 2015, 3.3 and 4.2). NaN below 2 clusters.
  A percentile bootstrap of G clusters cannot leave the range of their means (it covers at most 1 - 2^(1 - G) of a
  symmetric truth: 0.5 at 2 clusters, 0.875 at 4), which is why this is not a bootstrap.
* :func:`clustered_wilson_interval`: the Wilson score interval at n_eff = n / deff trials, with the design effect
  deff = max(1, V_clusters / V_items): the CR1 variance of the pooled share over clusters divided by the same
  estimator with every item its own cluster, r (1 - r) / (n - 1). Where every item agrees (share 0 or 1) the data
  hold no variance to estimate it from, and n_eff is Kish's effective number of clusters (sum n_g)^2 / sum n_g^2, the
  worst case of all-or-nothing clusters (``scorers.stats.contingency.clustered_share_interval``).
* :func:`clustered_sign_test`: the exact two-sided randomisation test of sum_g (wins_g - losses_g) = 0 that flips
  every cluster's net outcome with probability 1/2 (exchangeable outcomes within each cluster under H0), computed
  exactly by convolution over the clusters' integer nets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from scorers.stats.contingency import kish_effective_n
from scorers.stats.proportions import wilson_at_effective_n
from scorers.stats.settings import CONFIDENCE


@dataclass(frozen=True)
class ClusteredMean:
    estimate: float  # the mean over the items (NaN without one)
    low: float
    high: float
    n: int  # items used (finite values)
    n_clusters: int


def cluster_t_interval(values, clusters=None, confidence: float = CONFIDENCE) -> ClusteredMean:
    """The mean of the finite ``values`` with a cluster-robust t interval over ``clusters`` (one label per value;
    None: every value its own cluster, the ordinary t interval). NaN interval below 2 clusters."""
    values = np.asarray(values, dtype=float)
    labels = np.arange(values.size) if clusters is None else np.asarray(clusters)
    if labels.shape[0] != values.shape[0]:
        raise ValueError("clusters needs one label per value")
    keep = np.isfinite(values)
    values, labels = values[keep], labels[keep]
    n = int(values.size)
    if n == 0:
        return ClusteredMean(math.nan, math.nan, math.nan, 0, 0)
    mean = float(values.mean())
    _, inverse = np.unique(labels, return_inverse=True)
    g = int(inverse.max()) + 1
    if g < 2:
        return ClusteredMean(mean, math.nan, math.nan, n, g)
    sums = np.bincount(inverse, weights=values - mean, minlength=g)
    se = math.sqrt(g / (g - 1) * float(np.sum(sums**2))) / n
    q = float(scipy_stats.t.ppf(1 - (1 - confidence) / 2, g - 1))
    return ClusteredMean(mean, mean - q * se, mean + q * se, n, g)


def _per_cluster(successes, trials) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(successes, dtype=float)
    t = np.asarray(trials, dtype=float)
    if s.shape != t.shape or np.any(s < 0) or np.any(s > t):
        raise ValueError("successes and trials need one non-negative count per cluster, successes <= trials")
    keep = t > 0
    return s[keep], t[keep]


def design_effect_n(successes, trials) -> float:
    """n_eff = n / deff of the pooled share sum(successes) / sum(trials) over clusters (module docstring)."""
    s, t = _per_cluster(successes, trials)
    n, k = float(t.sum()), float(s.sum())
    if n == 0:
        return 0.0
    g = s.size
    if 0 < k < n and g > 1:
        r = k / n
        v_clusters = g / (g - 1) * float(np.sum((s - r * t) ** 2)) / n**2
        v_items = r * (1 - r) / (n - 1)
        return n / max(1.0, v_clusters / v_items)
    return kish_effective_n(t)  # every item agrees: Kish's effective number of clusters


def clustered_wilson_interval(successes, trials, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson interval of sum(successes) / sum(trials) at the design-effect n_eff (one count pair per cluster; the
    plain Wilson interval when every cluster holds one trial). Bounds exactly 0 / 1 at no / all successes; NaN
    without a trial."""
    s, t = _per_cluster(successes, trials)
    n, k = float(t.sum()), float(s.sum())
    if n == 0:
        return math.nan, math.nan
    return wilson_at_effective_n(k / n, design_effect_n(s, t), confidence)


def clustered_sign_test(wins, losses) -> float:
    """Exact two-sided sign test of wins against losses that flips each cluster's net (wins - losses) as one
    (one count pair per cluster). Equals the binomial sign test (``scipy.stats.binomtest`` at 1/2) when each cluster
    has at most one decisive item; NaN without a decisive item."""
    w = np.asarray(wins, dtype=int)
    losses_ = np.asarray(losses, dtype=int)
    if w.shape != losses_.shape or np.any(w < 0) or np.any(losses_ < 0):
        raise ValueError("wins and losses need one non-negative count per cluster")
    if int(w.sum() + losses_.sum()) == 0:
        return math.nan
    if int((w + losses_).max()) <= 1:
        return float(scipy_stats.binomtest(int(w.sum()), int(w.sum() + losses_.sum()), 0.5).pvalue)
    net = w - losses_
    sizes = np.abs(net[net != 0])
    if sizes.size == 0:
        return 1.0  # every cluster's wins and losses cancel: the observed sum, 0, is the least extreme
    total = int(sizes.sum())
    dist = np.zeros(2 * total + 1)
    dist[total] = 1.0  # index total + s holds P(sum = s)
    for v in sizes.tolist():
        shifted = np.zeros_like(dist)
        shifted[v:] += 0.5 * dist[:-v]
        shifted[:-v] += 0.5 * dist[v:]
        dist = shifted
    observed = abs(int(net.sum()))
    extreme = np.abs(np.arange(-total, total + 1)) >= observed
    return float(min(1.0, dist[extreme].sum()))
