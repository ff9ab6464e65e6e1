"""The RaLMSpec task's headline table (the registry's ``summarize`` contract): one run's questions -> speedups.

Per corpus size (``group`` ``corpus=<size>``), over the questions whose both runs succeeded:

* ``ralm_speedup``: total baseline seconds / total RaLMSpec seconds (a ratio of sums, so long answers weigh as
  much as their time), with a bootstrap CI over questions that keeps each question's two times together
  (``scorers.stats.bootstrap.cluster_ratio_ci``, expanded percentile interval: few questions);
* ``ralm_seconds_saved``: mean per-question baseline minus RaLMSpec seconds, CI as above, ``p_value`` of the
  Wilcoxon signed-rank test of the per-question differences (``scorers.stats.paired.wilcoxon_signed_rank``);
* ``ralm_retrieval_share`` (baseline) and ``ralm_spec_retrieval_share`` (RaLMSpec: query encoding, cache
  scoring, searches and verifications): retrieval seconds / wall seconds, ratios of sums; ``ralm_search_share``:
  the baseline's search seconds / wall seconds, the most RaLMSpec can save (it still encodes every query);
  ``ralm_encode_share``: the baseline's query-encoding seconds / wall seconds;
* ``ralm_speculation_accuracy``: confirmed / judged speculated steps, pooled;
* ``ralm_outputs_equal``: share of questions whose RaLMSpec output equalled the baseline's (1 by construction with
  a deterministic generator);
* ``ralm_baseline_seconds``, ``ralm_ralmspec_seconds``, ``ralm_baseline_calls``, ``ralm_ralmspec_calls`` (real
  retriever calls per question), ``ralm_rollbacks`` (per question): means;
* ``ralm_invalid``: questions whose runs failed (n: all questions; no CI).

``group == "overall"`` repeats the rows of the LARGEST corpus size (``corpus_size`` column says which); its
``ralm_speedup`` is the headline. Every row has a ``corpus_size`` column.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from scorers.stats.bootstrap import cluster_mean_ci, cluster_ratio_ci
from scorers.stats.paired import wilcoxon_signed_rank
from scorers.summary_rows import summary_row

OVERALL = "overall"
HEADLINE = "ralm_speedup"
KEY = re.compile(r"^ralmspec_seconds_(\d+)$")  # written only by the ralmspec scorer: the dispatch key
WILCOXON = "Wilcoxon signed-rank on per-question baseline - RaLMSpec seconds"
COLUMNS = ["metric", "value", "ci_low", "ci_high", "n", "group", "corpus_size", "p_value", "test"]


def corpus_sizes(samples: pd.DataFrame) -> list[int]:
    """The corpus sizes a run's scores hold (from the ``ralmspec_seconds_<size>`` keys)."""
    sizes = {
        int(m.group(1))
        for value in samples["score"]
        if isinstance(value, dict)
        for key in value
        if (m := KEY.match(str(key)))
    }
    return sorted(sizes)


def is_ralm_frame(samples: pd.DataFrame) -> bool:
    """Whether a run's samples come from the ralmspec task (its scorer alone writes ``ralmspec_seconds_<size>``)."""
    return "score" in samples.columns and bool(corpus_sizes(samples))


def _column(samples: pd.DataFrame, key: str) -> np.ndarray:
    return np.array(
        [float(v.get(key, math.nan)) if isinstance(v, dict) else math.nan for v in samples["score"]], dtype=float
    )


def size_rows(samples: pd.DataFrame, size: int, group: str) -> list[dict[str, Any]]:
    def col(name: str) -> np.ndarray:
        return _column(samples, f"{name}_{size}")

    valid = col("valid") == 1
    ids = samples["sample_id"].astype(str).to_numpy()[valid]
    base, spec = col("baseline_seconds")[valid], col("ralmspec_seconds")[valid]
    n = int(valid.sum())
    rows: list[dict[str, Any]] = []

    def add(metric: str, x: np.ndarray, y: np.ndarray | None = None, **extra: Any) -> None:
        if n == 0:
            rows.append(summary_row(metric, math.nan, math.nan, math.nan, 0, group, corpus_size=size, **extra))
            return
        ci = cluster_mean_ci(x, ids, expanded=True) if y is None else cluster_ratio_ci(x, y, ids, expanded=True)
        rows.append(summary_row(metric, ci.estimate, ci.low, ci.high, ci.n_clusters, group, corpus_size=size, **extra))

    add("ralm_speedup", base, spec)
    difference = base - spec
    add("ralm_seconds_saved", difference, p_value=wilcoxon_signed_rank(difference) if n else math.nan, test=WILCOXON)
    add("ralm_retrieval_share", col("baseline_retrieval_seconds")[valid], base)
    add("ralm_spec_retrieval_share", col("ralmspec_retrieval_seconds")[valid], spec)
    add("ralm_search_share", col("baseline_search_seconds")[valid], base)
    add("ralm_encode_share", col("baseline_encode_seconds")[valid], base)
    add("ralm_speculation_accuracy", col("confirmed")[valid], col("checked")[valid])
    add("ralm_outputs_equal", col("outputs_equal")[valid])
    add("ralm_baseline_seconds", base)
    add("ralm_ralmspec_seconds", spec)
    add("ralm_baseline_calls", col("baseline_retrieval_calls")[valid])
    add("ralm_ralmspec_calls", col("ralmspec_retrieval_calls")[valid])
    add("ralm_rollbacks", col("rollbacks")[valid])
    invalid = float(len(samples) - n)
    rows.append(summary_row("ralm_invalid", invalid, math.nan, math.nan, len(samples), group, corpus_size=size))
    return rows


def summarize_ralm(samples: pd.DataFrame) -> pd.DataFrame:
    """The ralmspec task's table: rows per corpus size, then the largest size's rows as ``overall``."""
    sizes = corpus_sizes(samples)
    rows = [row for size in sizes for row in size_rows(samples, size, f"corpus={size}")]
    if sizes:
        rows += size_rows(samples, sizes[-1], OVERALL)
    return pd.DataFrame(rows).reindex(columns=COLUMNS) if rows else pd.DataFrame(columns=COLUMNS)
