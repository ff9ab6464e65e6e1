"""End-to-end inspect evals of the survey task on the scripted mock provider."""

import math
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
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
    assert set(m["mode"] for m in frame.score_metadata) == {"samples"}
    assert all(s["calls"] == 5 and s["model_valid_n"] == 4 for s in frame.score)
    assert all(m["model_counts"][:2] == [0, 4] and sum(m["model_counts"]) == 4 for m in frame.score_metadata)


def test_samples_mode_counts_invalid_answers(tmp_path, samples_frame):
    task = survey(surveys="beps", mode="samples", k=4, max_items=2)
    replies = iter(["A", "no idea", "The answer is B", "Z"] * 100)
    log, calls = _run(task, lambda m, c: next(replies), tmp_path)
    assert len(calls) == 4 * len(task.dataset)
    assert all(c.temperature == 1.0 for c in calls)
    frame = samples_frame(log)
    for s, m in zip(frame.score, frame.score_metadata):
        assert m["mode"] == "samples" and s["model_valid_n"] == 2 and s["model_invalid_n"] == 2
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


def _numbers_only(value) -> bool:
    return isinstance(value, dict) and all(type(v) in (int, float) for v in value.values())


def test_scores_hold_numbers_and_survive_the_log_file(tmp_path, samples_frame):
    """Score.value: numbers only, the same keys in both modes (NaN where one does not apply); the distributions are
    in Score.metadata; the solver's typed SurveyAnswer is what the sample store holds."""
    task = survey(surveys="beps", max_items=3)
    replies = iter(range(10_000))

    def half_without_logprobs(messages, config):  # every other item falls back to samples
        n = next(replies)
        if config.logprobs and n % 2 == 0:
            return mock_output("B", top_logprobs=probabilities_to_logprobs({"A": 0.5, "B": 0.3, "The": 0.2}))
        return "B"

    log, _ = _run(task, half_without_logprobs, tmp_path)
    memory = samples_frame(log)
    assert {m["mode"] for m in memory.score_metadata} == {"logprobs", "samples"}
    assert all(_numbers_only(v) for v in memory.score) and len({tuple(sorted(v)) for v in memory.score}) == 1
    first = next(i for i, m in enumerate(memory.score_metadata) if m["mode"] == "logprobs")
    assert math.isnan(memory.score[first]["model_valid_n"]) and memory.score_metadata[first]["model_counts"] is None
    assert memory.score_metadata[first]["model_shares"][:2] == pytest.approx([0.625, 0.375])
    store = log.samples[0].store
    assert store["SurveyAnswer:mode"] in ("logprobs", "samples") and "SurveyAnswer:option_shares" in store
    # through the .eval file, as the reports read it: NaN stays NaN and summarize gives the same table
    from inspect_ai.log import read_eval_log

    from_file = samples_frame(read_eval_log(log.location))
    pd.testing.assert_frame_equal(summarize(from_file), summarize(memory))


def test_epochs_use_inspects_standard_reducer(tmp_path, samples_frame):
    task = survey(surveys="beps", max_items=2)
    shares = _prompt_shares(task)

    def perfect(messages, config):
        p = shares[messages[-1].text]
        return mock_output("A", top_logprobs=probabilities_to_logprobs({chr(65 + i): x for i, x in enumerate(p)}))

    model = get_model(f"mock/survey-{uuid.uuid4().hex}", responder=perfect)
    log = eval(task, model=model, epochs=2, log_dir=str(tmp_path), display="none")[0]
    assert log.status == "success", log.error
    (reduction,) = log.reductions  # inspect's default (mean) reducer: every key averaged over the 2 epochs
    assert all(_numbers_only(r.value) and r.value["calls"] == 1.0 for r in reduction.samples)
    m = _metrics(log)
    assert m["rejected_share"] == 0.0 and m["model_calls"] == len(task.dataset)  # per epoch: scores are reduced first
    head = summarize(samples_frame(log)).query("group == 'overall'").set_index("metric")
    assert head.loc["model_calls", "value"] == 2 * len(task.dataset)  # epochs pooled per item
    assert head.loc["representativeness", "value"] == pytest.approx(1.0, abs=1e-5)


def test_a_log_of_an_older_version_is_named_with_its_version(tmp_path):
    """Logs before version 3 kept the distributions in Score.value; version 3's p-values plugged in a bound for
    letters missing from the top-20 list and its logs lack the letter masses: reports skip them in one line."""
    from inspect_ai.log import write_eval_log

    from benchmarks.survey.task import OLDEST_LOG_VERSION, TASK_VERSION
    from reports.logs import read_log_dir

    assert OLDEST_LOG_VERSION == TASK_VERSION == 4
    task = survey(surveys="beps", max_items=1)
    log, _ = _run(task, lambda m, c: mock_output("A", top_logprobs={"A": 0.0}), tmp_path / "new")
    old = log.model_copy(deep=True)
    old.eval.task_version = 3
    old_path = tmp_path / "old" / "survey-v3.eval"
    old_path.parent.mkdir()
    write_eval_log(old, str(old_path))
    logs = read_log_dir(tmp_path)
    assert len(logs.logs) == 1 and set(logs.samples["task_version"]) == {"4"}
    (problem,) = logs.problems
    assert problem.log == str(old_path)
    assert str(problem) == (
        f"{old_path}: survey task version 3: this twinbench reads survey logs of version 4 and later "
        "(the log layout changed); rerun the task"
    )
