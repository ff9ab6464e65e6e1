"""summarize_ralm against a hand computation."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmarks.specserve.ralm_summary import HEADLINE, corpus_sizes, is_ralm_frame, summarize_ralm
from benchmarks.specserve.ralm_task import size_values


def result(base: float, spec: float, base_ret: float, spec_ret: float, checked: int, confirmed: int, equal=True):
    run = {"seconds": {"generation": 0.0, "encode": 0.1}, "retrieval_calls": 4, "speculated": checked, "rollbacks": 1}
    run |= {"discarded_steps": 1, "checked": checked, "confirmed": confirmed}
    return {
        "baseline": run | {"wall_seconds": base, "retrieval_seconds": base_ret, "search_seconds": base_ret / 2},
        "ralmspec": run
        | {"wall_seconds": spec, "retrieval_seconds": spec_ret, "search_seconds": 0.0, "retrieval_calls": 2},
        "outputs_equal": equal,
        "error": None,
    }


def frame() -> pd.DataFrame:
    per_question = {
        "qa-1": {10: result(4.0, 2.0, 2.0, 0.5, 4, 3), 20: result(6.0, 3.0, 3.0, 1.0, 4, 4)},
        "qa-2": {10: result(2.0, 2.0, 1.0, 1.0, 2, 1), 20: result(5.0, 4.0, 2.5, 1.5, 3, 1)},
        "qa-3": {10: result(3.0, 1.0, 1.0, 0.2, 5, 5, equal=False), 20: {"error": "RuntimeError: boom"}},
    }
    rows = []
    for sample_id, sizes in per_question.items():
        value: dict[str, float] = {}
        for size, res in sizes.items():
            value |= size_values(size, res)
        rows.append(
            {"sample_id": sample_id, "epoch": 1, "score": value, "score_metadata": {}, "answer": "", "metadata": {}}
        )
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, metric: str, group: str) -> pd.Series:
    [found] = [r for _, r in table.iterrows() if r["metric"] == metric and r["group"] == group]
    return found


def test_summary_matches_hand_computation():
    samples = frame()
    assert is_ralm_frame(samples) and corpus_sizes(samples) == [10, 20]
    table = summarize_ralm(samples)
    speedup = row(table, "ralm_speedup", "corpus=10")
    assert speedup["value"] == pytest.approx((4 + 2 + 3) / (2 + 2 + 1)) and speedup["n"] == 3
    assert speedup["ci_low"] <= speedup["value"] <= speedup["ci_high"]
    assert row(table, "ralm_speedup", "corpus=20")["value"] == pytest.approx((6 + 5) / (3 + 4))
    assert row(table, "ralm_speedup", "corpus=20")["n"] == 2  # qa-3 failed at 20
    assert row(table, "ralm_invalid", "corpus=20")["value"] == 1 and row(table, "ralm_invalid", "corpus=20")["n"] == 3
    assert row(table, "ralm_retrieval_share", "corpus=10")["value"] == pytest.approx(4 / 9)
    assert row(table, "ralm_spec_retrieval_share", "corpus=10")["value"] == pytest.approx(1.7 / 5)
    assert row(table, "ralm_search_share", "corpus=10")["value"] == pytest.approx(2 / 9)
    assert row(table, "ralm_encode_share", "corpus=10")["value"] == pytest.approx(0.3 / 9)
    assert row(table, "ralm_speculation_accuracy", "corpus=10")["value"] == pytest.approx(9 / 11)
    assert row(table, "ralm_outputs_equal", "corpus=10")["value"] == pytest.approx(2 / 3)
    assert row(table, "ralm_baseline_calls", "corpus=10")["value"] == 4
    assert row(table, "ralm_ralmspec_calls", "corpus=10")["value"] == 2
    saved = row(table, "ralm_seconds_saved", "corpus=10")
    assert saved["value"] == pytest.approx(np.mean([2.0, 0.0, 2.0]))
    differences = np.array([2.0, 0.0, 2.0])
    assert saved["p_value"] == pytest.approx(stats.wilcoxon(differences, zero_method="wilcox").pvalue)
    assert "Wilcoxon" in saved["test"]
    # overall: the largest corpus size, the headline
    headline = row(table, HEADLINE, "overall")
    assert headline["value"] == pytest.approx(11 / 7) and headline["corpus_size"] == 20
    assert set(table["group"]) == {"corpus=10", "corpus=20", "overall"}
    assert {"metric", "value", "ci_low", "ci_high", "n", "group"} <= set(table.columns)


def test_all_invalid_and_foreign_frames():
    samples = frame().iloc[[2]]
    table = summarize_ralm(samples)
    assert math.isnan(row(table, HEADLINE, "overall")["value"]) and row(table, HEADLINE, "overall")["n"] == 0
    foreign = pd.DataFrame({"sample_id": ["a"], "score": [{"speedup": 1.0}]})
    assert not is_ralm_frame(foreign)
    assert summarize_ralm(foreign).empty
