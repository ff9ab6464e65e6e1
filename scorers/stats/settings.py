"""The suite's statistical settings, in one place: every interval, test, correction and resampling reads them, and
the reports, leaderboard and ``regress`` label and read intervals with them."""

from __future__ import annotations

ALPHA = 0.05  # significance level of every test and the FDR / family-wise level of every correction
CONFIDENCE = 1 - ALPHA  # level of every confidence interval (0.95): an interval excludes what a test rejects
SEED = 0  # seed of every resampling (bootstrap, randomisation, permutation and Monte-Carlo p-values)
CI_LABEL = f"{CONFIDENCE:.0%} CI"  # "95% CI", as tables and pages title the interval columns
