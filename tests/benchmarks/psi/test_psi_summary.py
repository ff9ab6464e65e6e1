"""PSI's summarize against the diagnostics library, its references (ceiling and floor) and degenerate rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from benchmarks.psi import diagnostics as dx
from benchmarks.psi.references import (
    CITABLE_CONVERSATIONS,
    FIXED_SENTENCE,
    annomi_samples,
    degenerate,
    other_seekers,
    references,
    scripted_samples,
)
from benchmarks.psi.summary import bootstrap, sides, summarize, weighted_wasserstein
from benchmarks.psi.task import DEFAULT_CONVERSATIONS


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


@pytest.fixture(scope="module")
def copy_frame():
    return scripted_samples("copy", max_turns=16, conversations=30)


@pytest.fixture(scope="module")
def fixed_frame():
    return scripted_samples("fixed", max_turns=16, conversations=30)


def test_a_simulator_copying_the_real_seekers_scores_100(copy_frame):
    table = summarize(copy_frame)
    for metric in ("verbosity_score", "marker_score", "valence_score", "mtld_score", "aggregate_fidelity"):
        row = overall(table, metric)
        assert row["value"] == pytest.approx(100.0), metric
        assert row["ci_low"] == pytest.approx(100.0) and row["ci_high"] == pytest.approx(100.0)
    assert overall(table, "words_per_turn_difference")["value"] == 0.0
    assert overall(table, "words_per_turn_difference")["p_value"] == 1.0
    assert overall(table, "sd_ratio_words_per_turn")["value"] == pytest.approx(1.0)
    assert degenerate(table) is None


def test_a_fixed_sentence_scores_low_and_is_degenerate(fixed_frame):
    table = summarize(fixed_frame)
    assert overall(table, "aggregate_fidelity")["value"] < 50
    assert overall(table, "marker_score")["value"] < 20
    assert overall(table, "sd_words_per_turn")["value"] == 0.0
    assert overall(table, "words_per_turn")["value"] == len(FIXED_SENTENCE.split())
    assert degenerate(table) == "every patient turn is the same text"


def test_population_statistics_match_the_diagnostics_library(fixed_frame, copy_frame):
    frame = fixed_frame.copy()
    frame["score_metadata"] = [
        {**fixed, "real": copied["real"]}
        for fixed, copied in zip(fixed_frame["score_metadata"], copy_frame["score_metadata"])
    ]
    table = summarize(frame)
    sim_turns = [m["simulated"]["turns"] for m in frame["score_metadata"]]
    real_turns = [m["real"]["turns"] for m in frame["score_metadata"]]
    sim, real = dx.summarize_population(sim_turns), dx.summarize_population(real_turns)
    assert overall(table, "words_per_turn")["value"] == pytest.approx(sim["words_per_turn"])
    assert overall(table, "real_words_per_sentence")["value"] == pytest.approx(real["words_per_sentence"])
    assert overall(table, "real_mtld")["value"] == pytest.approx(real["mtld_mean"])
    assert overall(table, "real_marker_ptk")["value"] == pytest.approx(real["markers"]["combined_ptk"])
    assert overall(table, "real_marker_msg_pct")["value"] == pytest.approx(real["markers"]["combined_msg"])
    assert overall(table, "real_resolved_share")["value"] == pytest.approx(real["resolved_share"])
    assert overall(table, "real_resolution_turn")["value"] == pytest.approx(real["resolution_turn_mean"])
    assert overall(table, "real_uniform_trajectory_share")["value"] == pytest.approx(real["uniform_trajectory_share"])
    assert overall(table, "real_distinct_2")["value"] == pytest.approx(real["distinct_2"])
    assert overall(table, "real_sd_mtld")["value"] == pytest.approx(real["spread"]["mtld"]["sd"])
    assert overall(table, "verbosity_score")["value"] == pytest.approx(dx.verbosity_score(sim, real))
    marker = dx.marker_score(sim["markers"]["combined_ptk"], real["markers"]["combined_ptk"],
                             sim["markers"]["combined_msg"], real["markers"]["combined_msg"])  # fmt: skip
    assert overall(table, "marker_score")["value"] == pytest.approx(marker)
    sim_labels = [dx.diagnose(t).valence_labels for t in sim_turns]
    real_labels = [dx.diagnose(t).valence_labels for t in real_turns]
    js_score, _ = dx.label_js_score(sim_labels, real_labels, ("positive", "negative"))
    assert overall(table, "valence_score")["value"] == pytest.approx(js_score)
    wd = dx.mtld_distance(sim["mtld_values"], real["mtld_values"])
    assert overall(table, "mtld_wasserstein")["value"] == pytest.approx(wd)
    assert overall(table, "mtld_score")["value"] == pytest.approx(max(0.0, 100 * (1 - wd / real["mtld_mean"])))


def test_weighted_wasserstein_equals_scipy():
    rng = np.random.default_rng(3)
    u, v = rng.normal(80, 20, 12), rng.normal(60, 15, 9)
    wu, wv = rng.integers(0, 3, (4, 12)).astype(float), rng.integers(0, 3, (4, 9)).astype(float)
    expected = [wasserstein_distance(u, v, wu[b], wv[b]) for b in range(4)]
    assert weighted_wasserstein(u, v, wu, wv) == pytest.approx(expected)


def test_bootstrap_resamples_pairs_together(copy_frame):
    sim, real = sides(copy_frame)
    stats = bootstrap(sim, real, n_resamples=200)
    low, high = stats["words_per_turn_difference"][1:]
    assert low == high == 0.0  # identical sides stay identical in every resample
    assert stats["words_per_turn"][1] < stats["words_per_turn"][0] < stats["words_per_turn"][2]


def test_annomi_reference_is_read_from_derived_statistics():
    frame = annomi_samples()
    assert len(frame) == 133
    table = summarize(frame)
    assert 10 < overall(table, "words_per_turn")["value"] < 30
    assert np.isnan(overall(table, "marker_score")["value"])  # tallies cover 16 turns; the default span is shorter
    assert np.isnan(overall(table, "words_per_turn_difference")["p_value"])  # pairs are arbitrary: no paired test
    assert degenerate(table) is None
    full = summarize(annomi_samples(max_turns=16))
    assert overall(full, "real_words_per_turn")["n"] == 133
    assert overall(full, "marker_ptk")["value"] == pytest.approx(47.6, abs=0.1)  # datasets/psi/README.md


def test_other_seekers_is_a_seeded_derangement():
    partner = other_seekers(196)
    assert sorted(partner) == list(range(196))
    assert not (partner == np.arange(196)).any()
    assert (other_seekers(196) == partner).all() and not (other_seekers(196, seed=1) == partner).all()
    with pytest.raises(ValueError):
        other_seekers(1)


def test_the_ceiling_is_another_real_seeker_and_a_smaller_set_is_a_prefix():
    small, large = scripted_samples("other", conversations=4), scripted_samples("other", conversations=20)
    assert list(small["sample_id"]) == list(large["sample_id"][:4])
    for (_, a), (_, b) in zip(small.iterrows(), large.iterrows()):
        sim, real = a["score_metadata"]["simulated"]["turns"], a["score_metadata"]["real"]["turns"]
        assert sim != real and 0 < len(sim) <= len(real)
        assert sim == b["score_metadata"]["simulated"]["turns"]
    with pytest.raises(ValueError, match="unknown scripted simulator"):
        scripted_samples("nobody", conversations=2)


def test_references_carry_the_ceiling_and_floor_at_the_default_and_citable_sizes():
    refs = references()
    aggregate = refs[refs.metric == "aggregate_fidelity"].set_index("reference")
    assert aggregate.loc["real ESConv seekers (copying their own turns)", "value"] == pytest.approx(100.0)
    for n in (DEFAULT_CONVERSATIONS, CITABLE_CONVERSATIONS):
        ceiling = aggregate[aggregate.index.str.startswith(f"ceiling at {n} conversations")].iloc[0]
        floor = aggregate[aggregate.index.str.startswith(f"floor at {n} conversations")].iloc[0]
        assert ceiling["n"] == floor["n"] == n
        assert floor["value"] < ceiling["value"] < 100  # a perfect simulator is below 100 at a finite n
    full = aggregate.loc["ceiling: other real seekers (a perfect simulator), all profiles"]
    assert 95 < full["value"] < 100
    assert "NOT calibrated at small n" in full["note"]
    fixed = summarize(scripted_samples("fixed", conversations=DEFAULT_CONVERSATIONS))
    assert degenerate(fixed) == "every patient turn is the same text"
