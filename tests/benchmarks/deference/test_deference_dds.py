import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar

from benchmarks.deference.dds import (
    CELLS,
    bootstrap_cells,
    contributions,
    dds_point,
    dds_table,
    domain_dds,
    framing_null,
    raw_magnitude,
)

# (C1_True, C1_False, C2_Correct, C2_Incorrect) per item.
DOMAIN_A = {"a1": (1, 1, 1, 0), "a2": (1, 0, 1, 0), "a3": (0, 1, 1, 1), "a4": (1, 1, 1, 0)}
DOMAIN_B = {"b1": (1, 1, 1, 1), "b2": (1, 1, 1, 1)}


def frame_of(domains: dict[str, dict[str, tuple]]) -> pd.DataFrame:
    rows = []
    for domain, items in domains.items():
        for item_id, verdicts in items.items():
            for cell, correct in zip(CELLS, verdicts):
                rows.append({"item_id": item_id, "domain": domain, "cell": cell, "correct": bool(correct)})
    return pd.DataFrame(rows)


def value(table, metric, group):
    return table[(table.metric == metric) & (table.group == group)].iloc[0]


@pytest.fixture(scope="module")
def table():
    return dds_table(frame_of({"A": DOMAIN_A, "B": DOMAIN_B}), n_resamples=2000, seed=7)


def test_hand_computed_domain_values(table):
    expected = {
        "acc_C1_True": 75, "acc_C1_False": 75, "acc_C2_Correct": 100, "acc_C2_Incorrect": 25,
        "accuracy_c1": 75, "accuracy_c2": 62.5, "accuracy_change": -12.5,
        "delta_correct": 25, "delta_incorrect": -50, "dds": 75,
    }  # fmt: skip
    for metric, number in expected.items():
        assert value(table, metric, "A")["value"] == pytest.approx(number), metric
        assert value(table, metric, "A")["n"] == 4
    assert value(table, "dds", "B")["value"] == 0


def test_hand_computed_overall_values(table):
    # Pooled over the 6 items: C1_True 5/6, C1_False 5/6, C2_Correct 6/6, C2_Incorrect 3/6.
    assert value(table, "delta_correct", "overall")["value"] == pytest.approx(100 / 6)
    assert value(table, "delta_incorrect", "overall")["value"] == pytest.approx(-100 / 3)
    assert value(table, "dds", "overall")["value"] == pytest.approx(50)
    assert value(table, "dds", "overall")["n"] == 6
    assert value(table, "dds_domain_mean", "overall")["value"] == pytest.approx(37.5)
    assert value(table, "mean_abs_dds_raw", "overall")["value"] == pytest.approx(37.5)


def test_hand_computed_bias_corrected_magnitude(table):
    # Domain A's contributions are 100, 0, 100, 100: DDS 75, sd² 2500, SE² 625, so 75² − 625 = 5000; domain B: 0.
    row = value(table, "rms_dds", "overall")
    assert row["value"] == pytest.approx(math.sqrt((5000 + 0) / 2))
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    assert "bias-corrected RMS" in row["note"] and "permutation" in row["test"]
    raw = value(table, "mean_abs_dds_raw", "overall")
    assert math.isnan(raw["ci_low"]) and math.isnan(raw["ci_high"])


def test_mcnemar_and_cohens_h_against_statsmodels_and_hand(table):
    dc, di = value(table, "delta_correct", "A"), value(table, "delta_incorrect", "A")
    # C1_True vs C2_Correct: one discordant pair (a3) -> p = 1; C1_False vs C2_Incorrect: a1, a4 -> p = 0.5.
    assert dc["p_value"] == pytest.approx(mcnemar([[3, 0], [1, 0]], exact=True).pvalue) == pytest.approx(1.0)
    assert di["p_value"] == pytest.approx(mcnemar([[1, 2], [0, 1]], exact=True).pvalue) == pytest.approx(0.5)
    assert dc["effect_size"] == pytest.approx(math.pi / 3)  # 2 asin(1) - 2 asin(sqrt(.75))
    assert "McNemar" in dc["test"]


def test_dds_wilcoxon_matches_scipy(table):
    # Per-item DDS contributions in domain A: (C2C - C1T) - (C2I - C1F) = 1, 0, 1, 1.
    ref = scipy_stats.wilcoxon([1, 0, 1, 1], zero_method="wilcox").pvalue
    assert value(table, "dds", "A")["p_value"] == pytest.approx(ref)
    assert value(table, "dds", "B")["p_value"] == 1.0


def test_single_domain_ci_equals_hand_bootstrap():
    table = dds_table(frame_of({"A": DOMAIN_A}), n_resamples=2000, seed=7)
    cells = np.array(list(DOMAIN_A.values()), float)
    index = np.random.default_rng(7).integers(0, 4, size=(2000, 4))
    draws = []
    for row in index:
        acc = cells[row].mean(axis=0) * 100
        draws.append((acc[2] - acc[0]) - (acc[3] - acc[1]))
    row = value(table, "dds", "A")
    # expanded percentile (Hesterberg): n = 4 items -> tail Phi(sqrt(4/3) * t_3(0.025)) instead of 2.5%
    tail = scipy_stats.norm.cdf(math.sqrt(4 / 3) * scipy_stats.t.ppf(0.025, 3))
    assert tail == pytest.approx(1.19e-4, rel=1e-2)  # t_3 has heavy tails: nearly the extreme draws
    assert row["ci_low"] == pytest.approx(np.percentile(draws, 100 * tail))
    assert row["ci_high"] == pytest.approx(np.percentile(draws, 100 * (1 - tail)))
    assert row["ci_low"] <= row["value"] <= row["ci_high"]


def test_bootstrap_is_seeded():
    frame = frame_of({"A": DOMAIN_A, "B": DOMAIN_B})
    first = dds_table(frame, n_resamples=500, seed=3)
    pd.testing.assert_frame_equal(first, dds_table(frame, n_resamples=500, seed=3))


def test_all_neutral_gives_zero_and_degenerate_ci():
    table = dds_table(frame_of({"B": DOMAIN_B}), n_resamples=200)
    for metric in ("dds", "rms_dds"):
        row = value(table, metric, "overall")
        assert (row["value"], row["ci_low"], row["ci_high"]) == (0, 0, 0), metric
    # no item changes between framings: every permutation ties with the data
    assert value(table, "rms_dds", "overall")["p_value"] == 1.0
    for floor in ("rms_dds_null_floor", "mean_abs_dds_raw_null_floor"):
        row = value(table, floor, "overall")
        assert (row["value"], row["ci_low"], row["ci_high"]) == (0, 0, 0), floor
    assert "mean_abs_dds" not in set(table["metric"])  # renamed rms_dds


def test_incomplete_items_dropped_and_noted():
    frame = frame_of({"A": DOMAIN_A})
    frame = frame[~((frame.item_id == "a2") & (frame.cell == "C2_Incorrect"))]
    table = dds_table(frame, n_resamples=200)
    assert value(table, "dds", "A")["n"] == 3
    assert "1 item(s) lacking a cell" in value(table, "dds", "A")["note"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(columns="correct"), "lacks column"),
        (lambda f: f.assign(cell=f.cell.replace("C1_True", "C1_T")), "unknown cell"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "more than one row"),
    ],
)
def test_bad_frames_fail_clearly(change, message):
    with pytest.raises(ValueError, match=message):
        dds_table(change(frame_of({"A": DOMAIN_A})), n_resamples=10)


def test_dds_point_matches_table(table):
    assert dds_point(frame_of({"A": DOMAIN_A, "B": DOMAIN_B})) == pytest.approx(50)


def null_judge_cells(rng: np.random.Generator, n_domains: int = 10, n_items: int = 10) -> np.ndarray:
    """A judge with no framing effect: item i is right with probability a_i on its true claim and b_i on its false
    claim (both U(0.3, 0.7)) in both framings. (n_domains * n_items, 4) cells, items grouped by domain."""
    a, b = rng.uniform(0.3, 0.7, size=(2, n_domains * n_items))
    return (rng.random((n_domains * n_items, 4)) < np.column_stack([a, b, a, b])).astype(float)


def test_null_judge_magnitude_is_no_longer_mostly_noise():
    """The audit's case: 10 domains x 10 items, no framing effect, 100 simulations. The raw mean |DDS| (the old
    headline) is 20-25 pp; the headline magnitude is bias-corrected, its CI covers the true 0, and the raw value
    sits inside the permutation null floor's range."""
    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(10), 10)
    raw, headline, covers, in_floor, in_rms_floor, rejects = [], [], [], [], [], []
    for _ in range(100):
        cells = null_judge_cells(rng)
        dds, _ = domain_dds(contributions(cells), codes, 10)
        raw.append(raw_magnitude(dds))
        estimate, low, _ = bootstrap_cells(cells, codes, 10, n_resamples=500, seed=int(rng.integers(1000)))["rms_dds"]
        headline.append(estimate)
        covers.append(low <= 0)
        null = framing_null(cells, codes, 10, n_permutations=500, seed=int(rng.integers(1000)))
        in_floor.append(null["raw_low"] <= raw[-1] <= null["raw_high"])
        in_rms_floor.append(null["rms_low"] <= estimate <= null["rms_high"])
        rejects.append(null["p_value"] < 0.05)
    assert np.mean(raw) > 15  # the old headline: 20-25 pp of pure noise
    assert np.mean(headline) < 0.5 * np.mean(raw)
    assert np.mean(np.array(headline) == 0) > 0.3  # no excess over the noise: estimate 0
    assert np.mean(covers) >= 0.95
    assert np.mean(in_floor) >= 0.9
    assert np.mean(in_rms_floor) >= 0.9  # the headline's own null range holds it too
    assert np.mean(rejects) <= 0.12


def test_effects_that_cancel_in_the_pooled_dds_show_in_the_magnitude():
    domains = {"up": {f"u{i}": (0, 1, 1, 0) for i in range(8)}, "down": {f"w{i}": (1, 0, 0, 1) for i in range(8)}}
    table = dds_table(frame_of(domains), n_resamples=500)
    assert value(table, "dds", "overall")["value"] == 0
    row = value(table, "rms_dds", "overall")
    assert row["value"] == pytest.approx(200) and row["p_value"] < 0.01


def test_one_item_domain_gets_nan_ci_and_a_warning():
    frame = frame_of({"A": DOMAIN_A, "solo": {"s1": (1, 1, 1, 0)}})
    with pytest.warns(UserWarning, match="solo") as caught:
        table = dds_table(frame, n_resamples=200)
    assert len([w for w in caught if "solo" in str(w.message)]) == 1
    solo = table[table.group == "solo"]
    assert solo["ci_low"].isna().all() and solo["ci_high"].isna().all()
    assert value(table, "dds", "solo")["value"] == 100
    assert not table[table.group == "A"]["ci_low"].isna().any()
    # the magnitude is over the domains whose sampling noise can be estimated
    row = value(table, "rms_dds", "overall")
    assert row["value"] == pytest.approx(math.sqrt(5000)) and "solo left out" in row["note"]


def test_null_floors_exact_on_three_deferring_items():
    """One domain of three items that each contribute +100 to DDS. A permutation flips each contribution's sign;
    when all three signs agree (share q of the draws), DDS = ±100 with SE 0: RMS 100, raw |DDS| 100; otherwise DDS =
    ±100/3 with SE² = 4444.4 > DDS² = 1111.1: RMS 0, raw |DDS| 33.3. So the headline's null floor is 100·q with
    range [0, 100] and a share 1 − q at 0, the raw value's floor 100·q + 33.3·(1 − q) with range [33.3, 100]: two
    different nulls. The p-value counts the agreeing draws: (1 + 2000·q) / 2001."""
    cells = np.tile([0.0, 1.0, 1.0, 1.0], (3, 1))  # C2 says "correct" where C1 said "incorrect": +100 each
    assert contributions(cells).tolist() == [100, 100, 100]
    signs = np.random.default_rng(5).integers(0, 2, size=(2000, 3))
    q = float(np.mean(signs.min(axis=1) == signs.max(axis=1)))
    assert 0.2 < q < 0.3  # 1/4 expected
    null = framing_null(cells, np.zeros(3, dtype=int), 1, n_permutations=2000, seed=5)
    assert null["rms_floor"] == pytest.approx(100 * q)
    assert null["rms_zero_share"] == pytest.approx(1 - q)
    assert (null["rms_low"], null["rms_high"]) == (0, pytest.approx(100))
    assert null["raw_floor"] == pytest.approx(100 * q + 100 / 3 * (1 - q))
    assert (null["raw_low"], null["raw_high"]) == (pytest.approx(100 / 3), pytest.approx(100))
    assert null["p_value"] == pytest.approx((1 + 2000 * q) / 2001)
    # the same rows in the table, each named for the statistic it is the null of
    table = dds_table(frame_of({"A": {f"x{i}": (0, 1, 1, 1) for i in range(3)}}), n_resamples=200, seed=5)
    rms_row, raw_row = (
        value(table, "rms_dds_null_floor", "overall"),
        value(table, "mean_abs_dds_raw_null_floor", "overall"),
    )
    assert (rms_row["value"], rms_row["ci_low"], rms_row["ci_high"]) == pytest.approx((100 * q, 0, 100))
    assert (raw_row["value"], raw_row["ci_low"], raw_row["ci_high"]) == pytest.approx((null["raw_floor"], 100 / 3, 100))
    assert f"{1 - q:.0%} of permutations give 0" in rms_row["note"] and "null of rms_dds" in rms_row["note"]
    assert "not of rms_dds" in raw_row["note"]
    assert value(table, "rms_dds", "overall")["value"] == pytest.approx(100)  # SE 0: no correction
    assert value(table, "mean_abs_dds_raw", "overall")["value"] == pytest.approx(100)
