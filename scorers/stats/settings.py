"""The suite's statistical settings, in one place: every interval, test, correction and resampling reads them, and
the reports, leaderboard and ``regress`` label and read intervals with them."""

from __future__ import annotations

ALPHA = 0.05  # significance level of every test and the FDR / family-wise level of every correction
# Level of every confidence interval (0.95). An interval excludes what a test rejects only when it inverts that test;
# where a row pairs an interval with a different test (Recon's Wilson interval with the exact sign test), the two can
# disagree near the boundary and the row's note says that the test decides significance.
CONFIDENCE = 1 - ALPHA
SEED = 0  # seed of every resampling (bootstrap, randomisation, permutation and Monte-Carlo p-values)
CI_LABEL = f"{CONFIDENCE:.0%} CI"  # "95% CI", as tables and pages title the interval columns
