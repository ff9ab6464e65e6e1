"""What a new user runs into: a failing therapist model (counted, flagged degenerate), no model at all (one clear
error), a constant PTC judge (flagged degenerate), bad task options (one ``psi:`` message naming the option), and
the summary's n and intervals of undefined statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.psi import INFO
from benchmarks.psi.references import degenerate, scripted_samples
from benchmarks.psi.summary import summarize
from benchmarks.psi.task import TASK_VERSION, psi
from tests.benchmarks.psi.test_psi_task import overall, run, scores


def varied(messages, config):
    """A patient whose every turn is a different sentence (so no other degenerate rule fires)."""
    said = sum(1 for m in messages if m.role == "assistant")
    return f"I keep worrying about work, it is day {len(messages)} and turn {said} of this."


def down(messages, config):
    raise ConnectionError("Connection error.")  # what openai-api reports with nothing listening


# ---------------------------------------------------------------- a failing therapist model


@pytest.fixture(scope="module")
def dead_therapist(tmp_path_factory):
    prompts = []

    def patient(messages, config):
        prompts.append(messages)
        return varied(messages, config)

    roles = {"therapist": get_model("mock/dead-therapist", responder=down, memoize=False)}
    log, frame, table = run(tmp_path_factory.mktemp("dead"), "patient", patient, model_roles=roles,
                            therapist="model", conversations=2, max_turns=4)  # fmt: skip
    return log, table, prompts


def test_failed_therapist_turns_are_counted_and_the_conversation_goes_on(dead_therapist):
    log, table, prompts = dead_therapist
    for score in scores(log):
        assert score.value["therapist_calls"] == 3 and score.value["therapist_errors"] == 3  # the opening is scripted
        assert score.value["patient_turns"] == 4 and score.value["invalid_turns"] == 0
        assert score.metadata["stop"] == "max_turns"
        failed = [t for t in score.metadata["transcript"] if t.get("source") == "model"]
        assert all(t["text"] == "" and "Connection error" in t["error"] for t in failed)
        assert "therapist: 3 of 3 failed" in score.explanation
    # the failed turn is left out of the next prompt: the patient sees its own last message last
    assert all(p[-1].role == "assistant" for p in prompts if sum(m.role == "assistant" for m in p))
    row = overall(table, "therapist_errors")
    assert row["value"] == 6 and row["n"] == 6
    assert degenerate(table) == "100% of the model therapist's turns failed (6 of 6)"
    assert log.results.scores[0].metrics["therapist_error_share"].value == 1.0
    assert "therapist_errors" in {d.name for d in INFO.diagnostics}


def test_an_empty_therapist_reply_counts_as_failed_and_half_is_not_degenerate(tmp_path):
    calls = {"n": 0}

    def therapist(messages, config):
        calls["n"] += 1
        return "Patient: (only the other side's line)" if calls["n"] % 2 else "How does that feel?"

    roles = {"therapist": get_model("mock/half-therapist", responder=therapist, memoize=False)}
    log, frame, table = run(tmp_path, "patient", varied, model_roles=roles, therapist="model", conversations=1,
                            max_turns=3)  # fmt: skip
    [score] = scores(log)
    assert score.value["therapist_calls"] == 2 and score.value["therapist_errors"] == 1
    assert overall(table, "therapist_errors")["value"] == 1 and degenerate(table) is None


def test_replayed_and_scripted_therapists_have_no_therapist_rows(tmp_path):
    log, frame, table = run(tmp_path, "patient", varied, conversations=1, max_turns=2)
    assert scores(log)[0].value["therapist_calls"] == scores(log)[0].value["therapist_errors"] == 0
    assert "therapist_errors" not in set(table["metric"])
    assert math.isnan(log.results.scores[0].metrics["therapist_error_share"].value)


def test_logs_before_version_2_still_summarize():
    assert TASK_VERSION == 2 and INFO.oldest_log_version is None
    frame = scripted_samples("copy", conversations=3)
    old = [{k: v for k, v in value.items() if not k.startswith("therapist_")} for value in frame["score"]]
    table = summarize(frame.assign(score=old))
    assert "therapist_errors" not in set(table["metric"]) and degenerate(table) is None
    assert overall(table, "aggregate_fidelity")["value"] == pytest.approx(100.0)


# ---------------------------------------------------------------- no model


def test_inspects_none_model_is_one_clear_error(tmp_path):
    [log] = inspect_eval(psi(conversations=2, max_turns=2), model="none", log_dir=str(tmp_path), display="none")
    assert log.status == "error"
    assert "psi: no model for the patient role" in log.error.message and "--model" in log.error.message


def test_a_misspelt_model_role_is_one_clear_error(tmp_path):
    roles = {"patinet": get_model("mock/misspelt", responder=varied, memoize=False)}
    [log] = inspect_eval(psi(conversations=1, max_turns=2), model="mockllm/model", model_roles=roles,
                         log_dir=str(tmp_path), display="none")  # fmt: skip
    assert log.status == "error"
    assert (
        "psi: unknown model role patinet (--model-role); its roles are judge, patient, therapist" in log.error.message
    )


def test_an_unbound_therapist_under_the_none_model_is_refused(tmp_path):
    roles = {"patient": get_model("mock/bound-patient", responder=varied, memoize=False)}
    [log] = inspect_eval(psi(conversations=1, max_turns=2, therapist="model"), model="none", model_roles=roles,
                         log_dir=str(tmp_path), display="none")  # fmt: skip
    assert log.status == "error" and "psi: no model for the therapist role" in log.error.message


# ---------------------------------------------------------------- a constant PTC judge


def judge_run(tmp_path, name, judge):
    roles = {"judge": get_model(f"mock/{name}", responder=judge, memoize=False)}
    return run(tmp_path, "patient", varied, model_roles=roles, judge=True, conversations=3, max_turns=4)


def test_a_judge_giving_every_turn_one_label_is_degenerate(tmp_path):
    log, frame, table = judge_run(tmp_path, "constant-judge", lambda messages, config: '{"label": "P"}')
    assert overall(table, "ptc_score")["value"] == pytest.approx(100.0)  # what it would lift the aggregate with
    row = overall(table, "judge_distinct_labels")
    assert row["value"] == 1 and row["n"] == 2 * sum(s.value["ptc_turns"] for s in scores(log))
    assert degenerate(table) == f"the PTC judge gave all {int(row['n'])} judged turns of both sides the same label"


def test_a_judge_constant_on_the_simulated_side_only_is_not_flagged(tmp_path):
    def judge(messages, config):  # a simulator that stays in Problem: a finding, not a broken judge
        return '{"label": "P"}' if "I keep worrying" in messages[-1].text.split("to label:")[1] else '{"label": "T"}'

    log, frame, table = judge_run(tmp_path, "sided-judge", judge)
    assert overall(table, "judge_distinct_labels")["value"] == 2
    assert overall(table, "ptc_score")["value"] < 100 and degenerate(table) is None


# ---------------------------------------------------------------- task options


@pytest.mark.parametrize(
    ("args", "option", "choices"),
    [
        ({"stop_on_goodbye": "maybe"}, "stop_on_goodbye", "true or false"),
        ({"judge": "yes"}, "judge", "true or false"),
        ({"conversations": "abc"}, "conversations", "a whole number >= 0"),
        ({"conversations": -1}, "conversations", "a whole number >= 0"),
        ({"max_turns": 17}, "max_turns", "from 1 to 16"),
        ({"max_turns": "six"}, "max_turns", "from 1 to 16"),
        ({"turn_tokens": 4}, "turn_tokens", ">= 8"),
        ({"judge_tokens": 0}, "judge_tokens", ">= 1"),
        ({"seed": "x"}, "seed", ">= 0"),
        ({"temperature": "hot"}, "temperature", ">= 0"),
        ({"therapist_temperature": -1}, "therapist_temperature", ">= 0"),
        ({"therapist": "robot"}, "therapist", "replay, scripted, model"),
        ({"emotion_types": ""}, "emotion_types", "left out for all"),
        ({"emotion_types": " , "}, "emotion_types", "left out for all"),
        ({"emotion_types": "anxiety,joy"}, "emotion_types", "choose from"),
    ],
)
def test_a_bad_option_is_one_psi_message_naming_it_and_its_choices(args, option, choices):
    with pytest.raises(ValueError) as raised:
        psi(**args)
    message = str(raised.value)
    assert message.startswith(f"psi: {option}") and choices in message


def test_zero_conversations_is_every_profile_and_emotion_types_keeps_only_those():
    assert len(psi(conversations=0).dataset) == len(psi(conversations=None).dataset) == 196
    kept = psi(conversations=0, emotion_types="anxiety,depression").dataset
    assert {s.metadata["emotion_type"] for s in kept} == {"anxiety", "depression"}
    assert psi(stop_on_goodbye=False, conversations="3") is not None


# ---------------------------------------------------------------- n and intervals of undefined statistics


def test_undefined_statistics_have_no_interval_and_n_counts_the_conversations_used():
    table = summarize(scripted_samples("fixed", conversations=4))  # the fixed sentence: too short for MTLD
    undefined = table[table["value"].isna()]
    assert undefined["ci_low"].isna().all() and undefined["ci_high"].isna().all()
    assert not undefined[undefined.metric.str.endswith(("_difference", "mtld_score", "mtld_wasserstein"))]["n"].any()
    assert math.isnan(overall(table, "mtld_score")["value"]) and overall(table, "mtld")["n"] == 0
    note = overall(table, "aggregate_fidelity")["note"]
    assert "averaged verbosity_score, marker_score, valence_score; left out: mtld_score (MTLD undefined: no " \
        "simulated conversation of 100+ tokens)" in note  # fmt: skip

    copied = scripted_samples("copy", conversations=4)
    long_enough = sum(m["real"]["diagnostics"]["mtld"] is not None for m in copied["score_metadata"])
    assert 0 < long_enough < 4
    table = summarize(copied)
    for metric in ("mtld_score", "mtld_wasserstein", "mtld_difference", "sd_ratio_mtld"):
        assert overall(table, metric)["n"] == long_enough, metric
    assert overall(table, "words_per_turn_difference")["n"] == 4
    assert "left out" not in overall(table, "aggregate_fidelity")["note"]


def test_a_lone_mtld_has_an_undefined_spread_without_an_interval():
    table = summarize(scripted_samples("copy", conversations=2))  # one of the two is long enough for MTLD
    row = overall(table, "real_sd_mtld")
    assert row["n"] == 1 and np.isnan([row["value"], row["ci_low"], row["ci_high"]]).all()
