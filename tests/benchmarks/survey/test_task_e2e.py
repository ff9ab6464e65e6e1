"""End-to-end inspect evals of the survey task on the scripted mock provider."""

import math
import uuid
from pathlib import Path

import numpy as np
import pytest
from inspect_ai import eval
from inspect_ai.model import get_model
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from benchmarks.survey import INFO, summarize
from benchmarks.survey.task import survey
from twinbench.providers.mock import mock_output, probabilities_to_logprobs


def _run(task, responder, tmp_path):
    calls = []

    def counted(messages, config):
        calls.append(config)
        return responder(messages, config)

    # a fresh model name per run: get_model caches instances by name
    model = get_model(f"mock/survey-{uuid.uuid4().hex}", responder=counted)
    log = eval(task, model=model, log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success", log.error
    return log, calls


def _metrics(log):
    return {k: v.value for k, v in log.results.scores[0].metrics.items()}


def _prompt_shares(task):
    """prompt text -> the item's human shares, so a scripted model can answer exactly like the humans."""
    return {s.input[-1].content: s.metadata["human_shares"] for s in task.dataset}


def test_model_that_matches_the_humans_is_never_rejected(tmp_path, samples_frame):
    task = survey(surveys="beps,wvs")
    shares = _prompt_shares(task)

    def perfect(messages, config):
        p = shares[messages[-1].text]
        letters = "ABCDEFGHIJK"
        return mock_output("A", top_logprobs=probabilities_to_logprobs({letters[i]: x for i, x in enumerate(p)}))

    log, calls = _run(task, perfect, tmp_path)
    n = len(task.dataset)
    assert len(calls) == n  # logprob mode: exactly one call per (question, sub-population)
    assert all(c.logprobs and c.top_logprobs == 20 and c.max_tokens == 1 and c.temperature == 0 for c in calls)
    m = _metrics(log)
    assert m["model_calls"] == n
    assert m["rejected_share"] == 0.0
    assert m["representativeness"] == pytest.approx(1.0, abs=1e-5)
    assert m["invalid_share"] == pytest.approx(0.0, abs=1e-9)
    table = summarize(samples_frame(log))
    head = table[table.group == "overall"].set_index("metric")
    assert head.loc["rejected_share", "value"] == 0.0
    assert head.loc["rejected_share", "n"] == n - 3  # three unconditioned items are not in the BH family
    assert head.loc["model_calls", "value"] == n
    assert "calls per item: 1.00" in head.loc["model_calls", "note"]
    # the persona moves the model exactly as far as the sub-populations really differ
    assert head.loc["steer_ratio", "value"] == pytest.approx(1.0, abs=1e-4)


def test_opinionqa_items_are_tested_like_the_offline_surveys(tmp_path, samples_frame):
    """OpinionQA's release has respondent-level answers, so its items get the chi-square test (the other public
    sets publish shares only)."""
    fixture = Path(__file__).parent / "fixtures" / "opinionqa"
    task = survey(surveys="opinionqa", opinionqa_dir=str(fixture), min_n=2)
    assert len(task.dataset) == 17
    shares = _prompt_shares(task)

    def perfect(messages, config):
        p = shares[messages[-1].text]
        return mock_output("A", top_logprobs=probabilities_to_logprobs({"ABCD"[i]: x for i, x in enumerate(p)}))

    log, calls = _run(task, perfect, tmp_path)
    assert len(calls) == 17
    head = summarize(samples_frame(log)).query("group == 'overall'").set_index("metric")
    assert head.loc["rejected_share", "value"] == 0.0 and head.loc["rejected_share", "n"] == 15
    assert head.loc["representativeness", "value"] == pytest.approx(1.0, abs=1e-5)


def test_always_invalid_model_is_untestable_and_scores_zero(tmp_path, samples_frame):
    """No valid answer: no distribution to test (never a rejection manufactured by the invalid mass), the lowest
    representativeness, and an invalid share of 1 as its own headline number."""
    task = survey(surveys="beps")
    log, calls = _run(
        task, lambda m, c: mock_output("The", top_logprobs={"The": math.log(0.7), "Hello": math.log(0.3)}), tmp_path
    )
    m = _metrics(log)
    assert len(calls) == len(task.dataset)
    assert m["invalid_share"] == pytest.approx(1.0)
    assert math.isnan(m["rejected_share"])
    assert m["representativeness"] == 0.0
    head = summarize(samples_frame(log)).query("group == 'overall'").set_index("metric")
    assert math.isnan(head.loc["rejected_share", "value"]) and head.loc["rejected_share", "n"] == 0
    assert head.loc["untestable_items", "value"] == len(task.dataset) - 2  # all conditioned items (2 questions)
    assert head.loc["representativeness", "value"] == 0.0
    assert head.loc["invalid_share", "value"] == pytest.approx(1.0)


def test_uniform_model_scores_exactly_the_scipy_reference(tmp_path, samples_frame):
    task = survey(surveys="beps,chile")

    def uniform(messages, config):
        k = messages[-1].text.count("\n") - 1  # question line + options + instruction
        return mock_output("A", top_logprobs=probabilities_to_logprobs({chr(65 + i): 1 / k for i in range(k)}))

    log, calls = _run(task, uniform, tmp_path)
    expected = []
    for s in task.dataset:
        if s.metadata["subpop"] == "all":
            continue
        h = np.asarray(s.metadata["human_shares"])
        u = np.full(h.size, 1 / h.size)
        if s.metadata["ordinal"]:
            idx = np.arange(h.size)
            expected.append(1 - wasserstein_distance(idx, idx, u, h) / (h.size - 1))
        else:
            expected.append(1 - jensenshannon(u, h, base=2))
    m = _metrics(log)
    assert m["representativeness"] == pytest.approx(np.mean(expected), abs=1e-6)
    table = summarize(samples_frame(log))
    rep = table.query("group == 'overall' and metric == 'representativeness'").iloc[0]
    assert rep["value"] == pytest.approx(np.mean(expected), abs=1e-6)
    assert rep["ci_low"] < rep["value"] < rep["ci_high"]
    # the per-question table puts the worst question first
    questions = table[(table.table == "question") & (table.metric == "representativeness")]
    assert list(questions["value"]) == sorted(questions["value"])


def test_auto_mode_falls_back_to_samples_without_logprobs(tmp_path, samples_frame):
    task = survey(surveys="beps", k=4, max_items=3)
    log, calls = _run(task, lambda m, c: "B", tmp_path)
    n = len(task.dataset)
    assert len(calls) == n * 5  # one log-probability try, then k = 4 samples
    frame = samples_frame(log)
    assert set(s["mode"] for s in frame.score) == {"samples"}
    assert all(s["calls"] == 5 and s["model_valid_n"] == 4 for s in frame.score)
    assert all(s["model_counts"].startswith("[0, 4, 0") for s in frame.score)


def test_samples_mode_counts_invalid_answers(tmp_path, samples_frame):
    task = survey(surveys="beps", mode="samples", k=4, max_items=2)
    replies = iter(["A", "no idea", "The answer is B", "Z"] * 100)
    log, calls = _run(task, lambda m, c: next(replies), tmp_path)
    assert len(calls) == 4 * len(task.dataset)
    assert all(c.temperature == 1.0 for c in calls)
    for s in samples_frame(log).score:
        assert s["mode"] == "samples" and s["model_valid_n"] == 2 and s["model_invalid_n"] == 2
        assert s["invalid_share"] == 0.5  # "no idea" and "Z" (not an option)


def test_logprobs_mode_without_logprobs_is_an_error(tmp_path):
    task = survey(surveys="beps", mode="logprobs", max_items=1)
    log = eval(task, model=get_model(f"mock/{uuid.uuid4().hex}", text="B"), log_dir=str(tmp_path), display="none")[0]
    assert log.status == "error"
    assert "returned no log-probabilities" in str(log.error)


def test_registry_info_and_task_options():
    assert INFO.name == "survey" and INFO.task_names == ["survey"]
    assert {h.name for h in INFO.headline} == {"rejected_share", "representativeness", "invalid_share"}
    with pytest.raises(ValueError, match="unknown survey"):
        survey(surveys="nope")
    with pytest.raises(ValueError, match="unknown mode"):
        survey(mode="guess")
    small = survey(max_items=10, seed=1)
    conditioned = [s for s in small.dataset if s.metadata["subpop"] != "all"]
    assert len(conditioned) == 10
    assert [s.id for s in survey(max_items=10, seed=1).dataset] == [s.id for s in small.dataset]
