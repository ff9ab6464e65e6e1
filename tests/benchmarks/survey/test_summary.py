import re

import numpy as np
import pandas as pd
import pytest

from benchmarks.survey.analysis import alignment_test, unit_statistics
from benchmarks.survey.plots import distribution_figure, run_plots
from benchmarks.survey.prompts import option_letters
from benchmarks.survey.solver import letter_probabilities
from benchmarks.survey.summary import _pooled_result, summarize, unit_table
from scorers.stats.contingency import homogeneity_test
from scorers.stats.proportions import wilson_interval
from twinbench.providers.mock import mock_output, probabilities_to_logprobs


def _row(item_id, subpop, human_shares, population, result, *, epoch=1, n=200, ordinal=True, question="s/q"):
    test_counts = [int(round(x * n)) for x in human_shares]
    meta = {
        "source": "s",
        "question_id": question,
        "subpop": subpop,
        "attribute": subpop.split("=")[0],
        "ordinal": ordinal,
        "options": ["a", "b", "c"][: len(human_shares)],
        "human_shares": human_shares,
        "population_shares": population,
        "test_counts": test_counts,
        "n": n,
        "n_eff": float(n),
    }
    value, details = unit_statistics(
        item_id=item_id,
        human_test_counts=test_counts,
        human_shares=human_shares,
        n_eff=n,
        ordinal=ordinal,
        result=result,
    )
    value["conditioned"] = int(subpop != "all")
    return {"sample_id": item_id, "epoch": epoch, "score": value, "score_metadata": details, "answer": "A",
            "metadata": meta}  # fmt: skip


def _lp(shares, invalid=0.0):
    return {"mode": "logprobs", "option_shares": shares, "invalid_share": invalid, "calls": 1}


def test_steerability_hand_computed():
    population, group = [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]
    frame = pd.DataFrame(
        [
            _row("s/q/all", "all", population, population, _lp([1 / 3, 1 / 3, 1 / 3])),
            _row("s/q/g=x", "g=x", group, population, _lp([0.0, 0.0, 1.0])),
        ]
    )
    unit = unit_table(frame).set_index("sample_id").loc["s/q/g=x"]
    # model moved from uniform to all-"c": W1 = 1, / (N - 1) = 0.5; the group differs from everyone by W1 0.6 -> 0.3
    assert unit["steer_model"] == pytest.approx(0.5)
    assert unit["steer_human"] == pytest.approx(0.3)
    # representativeness for the group: persona 1 - 1.3/2 = 0.35, unconditioned 1 - 0.3/2 = 0.85
    assert unit["representativeness"] == pytest.approx(0.35)
    assert unit["steer_gain"] == pytest.approx(-0.5)
    head = summarize(frame).query("group == 'overall'").set_index("metric")
    assert head.loc["steer_ratio", "value"] == pytest.approx(0.5 / 0.3)
    # unconditioned model (uniform) vs everyone: CDFs (1/3, 2/3) vs (0.2, 0.5) -> W1 0.3, / 2 -> 0.85
    assert head.loc["unconditioned_representativeness", "value"] == pytest.approx(0.85)


def test_rejected_share_uses_bh_and_a_wilson_interval_over_questions():
    population = [0.2, 0.3, 0.5]
    rows = []
    for q in range(4):  # questions 0 and 1: the model is far from every sub-population; 2 and 3: equal to them
        model = [1.0, 0.0, 0.0] if q < 2 else population
        rows.append(_row(f"s/q{q}/all", "all", population, population, _lp(population), question=f"s/q{q}"))
        for g in range(3):
            rows.append(_row(f"s/q{q}/g={g}", f"g={g}", population, population, _lp(model), question=f"s/q{q}"))
    head = summarize(pd.DataFrame(rows)).query("group == 'overall'").set_index("metric")
    row = head.loc["rejected_share"]
    assert (row["value"], row["n"], row["n_rejected"]) == (0.5, 12, 6)
    # items of one question are not 12 independent trials: 4 questions of 3 items, all-or-nothing, are 2 of 4
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(wilson_interval(2, 4))
    assert "Kish effective number of questions" in row["ci_method"] and "4 questions" in row["note"]
    assert head.loc["representativeness", "n"] == 12
    assert "expanded percentile bootstrap over questions" in head.loc["representativeness", "ci_method"]


def _logprob_reply(top: dict, letters: int = 2) -> dict:
    res = letter_probabilities(mock_output("A", top_logprobs=probabilities_to_logprobs(top)), option_letters(letters))
    return {**res, "mode": "logprobs", "calls": 1}


def test_pooled_epochs_keep_the_allowance_for_unlisted_letters():
    """The audit's repro_pooled.py: one epoch p = 0.906, the same reply pooled over two epochs p = 0.0 (the pooled
    result had lost the letter masses, so the missing letter B became impossible). Pooled must equal one epoch."""
    population = [0.95, 0.05]
    reply = _logprob_reply({"A": 0.9, "The": 0.05})  # B unlisted; 0.05 of the mass is outside the list
    assert reply["letter_mass"] == pytest.approx([0.9, 0.0]) and reply["unlisted_mass"] == pytest.approx(0.05)
    rows = [_row("s/q/all", "all", population, population, reply, n=100, ordinal=False)]
    rows += [_row("s/q/g=x", "g=x", population, population, reply, n=100, ordinal=False, epoch=e) for e in (1, 2)]
    single = rows[1]["score"]
    assert single["p_value"] > 0.05  # 5 of 100 people on B: possible when B may hold the unlisted mass
    unit = unit_table(pd.DataFrame(rows)).set_index("sample_id").loc["s/q/g=x"]
    assert unit["epochs"] == 2 and unit["p_value"] == pytest.approx(single["p_value"])
    assert unit["test_method"] == rows[1]["score_metadata"]["test_method"]
    # the audit's hand-built dicts, through the same pooling
    one = {"mode": "logprobs", "option_shares": [1.0, 0.0], "letter_mass": [0.9, 0.0], "unlisted_mass": 0.05,
           "invalid_share": 0.1, "calls": 1}  # fmt: skip
    epoch = {**one, "model_shares": one["option_shares"]}
    pooled = _pooled_result([epoch, epoch])
    assert pooled["letter_mass"] == pytest.approx([0.9, 0.0]) and pooled["unlisted_mass"] == pytest.approx(0.05)
    assert alignment_test(pooled, [95, 5], seed=0).p_value == pytest.approx(
        alignment_test(one, [95, 5], seed=0).p_value
    )
    assert alignment_test(one, [95, 5], seed=0).p_value > 0.05


def test_pooled_unlisted_mass_is_the_mean_over_epochs():
    epochs = [
        {"mode": "logprobs", "model_shares": [1.0, 0.0], "letter_mass": [0.6, 0.0], "unlisted_mass": 0.3,
         "invalid_share": 0.4, "calls": 1},
        {"mode": "logprobs", "model_shares": [0.5, 0.5], "letter_mass": [0.4, 0.4], "unlisted_mass": 0.1,
         "invalid_share": 0.2, "calls": 1},
    ]  # fmt: skip
    pooled = _pooled_result(epochs)
    assert pooled["letter_mass"] == pytest.approx([0.5, 0.2]) and pooled["unlisted_mass"] == pytest.approx(0.2)
    assert pooled["option_shares"] == pytest.approx([0.5 / 0.7, 0.2 / 0.7])
    assert pooled["invalid_share"] == pytest.approx(0.3)


def test_items_with_an_infinite_cohens_w_are_counted_not_dropped():
    population = [0.5, 0.3, 0.2]
    rows = [_row("s/q/all", "all", population, population, _lp(population))]
    rows.append(_row("s/q/g=1", "g=1", population, population, _lp([0.4, 0.3, 0.3])))
    rows.append(_row("s/q/g=2", "g=2", population, population, _lp([1.0, 0.0, 0.0])))  # humans on B, C: w infinite
    out = summarize(pd.DataFrame(rows))
    w = out.query("metric == 'cohens_w' and group == 'overall'").iloc[0]
    assert w["n_infinite"] == 1 and w["n"] == 1
    assert "1 of 2 have an infinite w" in w["note"]
    worst = out.query("table == 'item'").iloc[0]
    assert worst["group"] == "s/q/g=2" and worst["note"].endswith("w infinite")


def test_invalid_mass_does_not_move_the_test():
    """The audit's case: exact population shares with 30% off-letter mass must not be rejected."""
    population = [0.2, 0.3, 0.5]
    clean = _row("s/q/g=x", "g=x", population, population, _lp(population))["score"]
    noisy = _row("s/q/g=x", "g=x", population, population, _lp(population, invalid=0.3))
    assert clean["p_value"] == noisy["score"]["p_value"] == pytest.approx(1.0)
    assert noisy["score"]["representativeness"] == pytest.approx(1.0) and noisy["score"]["invalid_share"] == 0.3
    assert noisy["score_metadata"]["test_method"] == "goodness of fit asymptotic" and noisy["score"]["dof"] == 2


def test_cohens_w_is_one_sample_and_does_not_shrink_with_n():
    human, model = [0.5, 0.3, 0.2], [0.3, 0.3, 0.4]
    w = np.sqrt((0.2**2) / 0.3 + 0 + (0.2**2) / 0.4)  # sum (h - m)^2 / m
    for n in (60, 500, 4000):
        value = _row("s/q/g=x", "g=x", human, human, _lp(model), n=n)["score"]
        assert value["cohens_w"] == pytest.approx(w, abs=0.01)  # test counts are rounded to n
    # power grows with n at a fixed w
    powers = [_row("s/q/g=x", "g=x", human, human, _lp(model), n=n)["score"]["power_w0.1"] for n in (60, 500, 4000)]
    assert powers == sorted(powers) and powers[-1] > 0.99


def test_zero_model_share_with_human_answers_rejects():
    row = _row("s/q/g=x", "g=x", [0.5, 0.5, 0.0], [0.5, 0.5, 0.0], _lp([1.0, 0.0, 0.0]))
    assert row["score"]["p_value"] == 0.0 and row["score_metadata"]["test_method"] == "goodness of fit zero_expected"
    assert np.isnan(row["score"]["cohens_w"]) and np.isnan(row["score"]["statistic"])  # infinite: not a number


def test_epochs_are_pooled_before_testing():
    population = [0.2, 0.3, 0.5]

    def samples(counts, invalid):
        valid = sum(counts)
        return {
            "mode": "samples",
            "option_counts": counts,
            "invalid_count": invalid,
            "option_shares": [c / valid for c in counts],
            "invalid_share": invalid / (valid + invalid),
            "calls": 5,
        }

    rows = [
        _row("s/q/all", "all", population, population, samples([1, 1, 3], 0)),
        _row("s/q/g=x", "g=x", population, population, samples([4, 0, 0], 1), epoch=1),
        _row("s/q/g=x", "g=x", population, population, samples([2, 1, 1], 1), epoch=2),
    ]
    unit = unit_table(pd.DataFrame(rows)).set_index("sample_id").loc["s/q/g=x"]
    pooled = homogeneity_test([40, 60, 100], [6, 1, 1], seed=0)  # valid answers only: invalid is not a category
    assert unit["model_valid_n"] == 8 and unit["calls"] == 10 and unit["epochs"] == 2
    assert unit["invalid_share"] == pytest.approx(0.2)
    assert unit["statistic"] == pytest.approx(pooled.statistic)
    assert unit["test_method"] == "homogeneity monte_carlo"


def test_the_least_representative_items_are_listed_worst_first():
    population = [0.2, 0.3, 0.5]
    rows = [_row("s/q/all", "all", population, population, _lp(population))]
    models = {0: [0.2, 0.3, 0.5], 1: [1.0, 0.0, 0.0], 2: [0.4, 0.3, 0.3]}
    rows += [_row(f"s/q/g={g}", f"g={g}", population, population, _lp(m, invalid=0.1)) for g, m in models.items()]
    items = summarize(pd.DataFrame(rows)).query("table == 'item'")
    assert list(items["group"]) == ["s/q/g=1", "s/q/g=2", "s/q/g=0"]  # the unconditioned item is not listed
    assert list(items["rank"]) == [1, 2, 3] and list(items["value"]) == sorted(items["value"])
    worst = items.iloc[0]
    assert worst["note"].startswith("human 0.20/0.30/0.50; model 1.00/0.00/0.00 (invalid 0.10); goodness of fit")
    assert worst["p_adjusted"] == 0.0  # people answered options the model never gives
    assert items.iloc[2]["value"] == pytest.approx(1.0) and items.iloc[2]["p_adjusted"] == pytest.approx(1.0)


def test_plot_hook():
    population = [0.2, 0.3, 0.5]
    frame = pd.DataFrame(
        [
            _row("s/q/all", "all", population, population, _lp([0.3, 0.3, 0.4])),
            _row("s/q/g=x", "g=x", [0.5, 0.3, 0.2], population, _lp([0.0, 0.5, 0.5], invalid=0.4)),
        ]
    )
    figures = run_plots(frame, summarize(frame))
    assert list(figures) == ["model vs human answer distributions, least representative items"]
    svg = figures["model vs human answer distributions, least representative items"]
    # one panel (the conditioned item): human bars, then the model's full distribution (option shares x valid mass,
    # the invalid mass last), read back from the bars' heights in px (panel 165 px high = share 1)
    bars = [float(h) for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill="#', svg)]
    human, model = bars[0:8:2], bars[1:8:2]  # (the legend's two swatches follow)
    assert [h / 165 for h in human] == pytest.approx([0.5, 0.3, 0.2, 0.0], abs=0.001)
    assert [m / 165 for m in model] == pytest.approx([0.0, 0.3, 0.3, 0.4], abs=0.001)
    # drawn from the summary's item rows (only those items computed again): the same figure as from scratch
    assert distribution_figure(frame) == svg and "BH p" in svg
    with pytest.raises(ValueError):
        summarize(frame.iloc[0:0])
