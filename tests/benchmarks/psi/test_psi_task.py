"""PSI end to end on the mock provider: scripted patients and therapists, exact diagnostics, replayed supporter
turns, invalid turns counted, model roles honoured, stop rules."""

from __future__ import annotations

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.psi import INFO
from benchmarks.psi.prompts import OPENING, PATIENT_OPENS, SCRIPTED_LINES, THERAPIST_SYSTEM, clean_reply
from benchmarks.psi.references import degenerate
from benchmarks.psi.task import merged_turns, profile_pool, psi, select
from reports.logs import samples_frame

SAD = "I feel sad today."


def run(tmp_path, name, responder, model_roles=None, **task_args):
    task = psi(**task_args)
    model = get_model(f"mock/{name}", responder=responder, memoize=False)
    [log] = inspect_eval(task, model=model, model_roles=model_roles, log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    frame = samples_frame(log)
    return log, frame, INFO.summarize(frame)


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


def scores(log):
    return [sample.scores["psi_scorer"] for sample in log.samples]


@pytest.fixture(scope="module")
def sad(tmp_path_factory):
    return run(tmp_path_factory.mktemp("sad"), "sad", lambda messages, config: SAD, conversations=3, max_turns=4)


def test_selection_is_seeded_stable_and_filters_emotions():
    pool = profile_pool()
    assert len(pool) == 196 and all(c.situation for c in pool)
    first = [c.id for c in select(pool, 5, None, 0)]
    assert first == [c.id for c in select(pool, 5, None, 0)]
    assert first != [c.id for c in select(pool, 5, None, 1)]
    assert first[:3] == [c.id for c in select(pool, 3, None, 0)]  # a smaller run is a prefix of a larger one
    anxious = select(pool, None, ["Anxiety"], 0)
    assert anxious and {c.emotion_type for c in anxious} == {"anxiety"}
    with pytest.raises(ValueError, match="no profile of emotion"):
        select(pool, 2, ["joy"], 0)
    assert [s.id for s in psi(conversations=5).dataset] == first


def test_task_options_are_checked():
    with pytest.raises(ValueError, match="therapist"):
        psi(therapist="robot")
    with pytest.raises(ValueError, match="max_turns"):
        psi(max_turns=17)


def test_replayed_therapist_turns_are_the_real_supporter_turns(sad):
    log, frame, table = sad
    for sample in log.samples:
        meta = sample.scores["psi_scorer"].metadata
        real = sample.metadata["real_turns"]
        simulated = meta["transcript"]
        assert [t["speaker"] for t in simulated] == [t["speaker"] for t in real[: len(simulated)]]
        for sim_turn, real_turn in zip(simulated, real):
            if real_turn["speaker"] == "therapist":
                assert sim_turn["text"] == real_turn["text"] and sim_turn["source"] == "replay"
        patient = [t for t in simulated if t["speaker"] == "patient"]
        real_patient = sum(1 for t in real if t["speaker"] == "patient")
        assert len(patient) == min(4, real_patient)
        assert meta["stop"] == ("max_turns" if real_patient > 4 else "replay_exhausted")
        assert meta["real"]["turns"] == sample.metadata["real_patient_turns"][:4]


def test_exact_diagnostics_of_a_scripted_patient(sad):
    log, frame, table = sad
    for score in scores(log):
        k = int(score.value["patient_turns"])
        assert score.value["invalid_turns"] == 0
        assert score.value["words_per_turn"] == 4.0 and score.value["words_per_sentence"] == 4.0
        tokens = (len(SAD) * k + k - 1) // 4  # PSI-Bench: characters // 4 of the turns joined by spaces
        assert score.value["marker_ptk"] == pytest.approx(k / tokens * 1000)  # "sad" once per turn
        assert score.value["marker_msg_pct"] == 100.0
        assert score.value["resolved"] == 0.0 and score.value["uniform_trajectory"] == 0.0
    assert overall(table, "words_per_turn")["value"] == 4.0
    assert overall(table, "words_per_turn")["n"] == 3
    assert overall(table, "marker_msg_pct")["value"] == 100.0
    assert overall(table, "sd_words_per_turn")["value"] == 0.0
    assert overall(table, "distinct_turn_share")["value"] == pytest.approx(
        1 / overall(table, "distinct_turn_share")["n"]
    )
    assert degenerate(table) == "every patient turn is the same text"
    real = overall(table, "real_words_per_turn")["value"]
    verbosity = overall(table, "verbosity_score")
    wps_real = overall(table, "real_words_per_sentence")["value"]
    expected = (100 * min(4 / real, real / 4) + 100 * min(4 / wps_real, wps_real / 4)) / 2
    assert verbosity["value"] == pytest.approx(expected)
    assert verbosity["ci_low"] <= verbosity["value"] <= verbosity["ci_high"]


def test_invalid_turns_are_counted_and_never_crash(tmp_path):
    calls = {"n": 0}

    def flaky(messages, config):
        calls["n"] += 1
        if calls["n"] % 3 == 1:
            return "   "  # empty
        if calls["n"] % 3 == 2:
            raise RuntimeError("backend down")
        return "Supporter: I am the supporter here."  # the other side's line only: nothing left

    log, frame, table = run(tmp_path, "flaky", flaky, conversations=2, max_turns=3)
    for score in scores(log):
        assert score.value["invalid_turns"] == score.value["patient_turns"] > 0
        assert score.value["turns"] == 0
        transcript = score.metadata["transcript"]
        assert any("backend down" in t.get("error", "") for t in transcript)
    assert overall(table, "invalid_turn_share")["value"] == 1.0
    assert degenerate(table) == "100% of patient turns empty or unusable"


def test_scripted_therapist_is_deterministic_and_goodbye_stops(tmp_path):
    def patient(messages, config):
        said = sum(1 for m in messages if m.role == "assistant")
        return "ok, thanks. bye!" if said == 2 else f"Things are hard, part {said}."

    texts = []
    for attempt in ("a", "b"):
        log, frame, table = run(tmp_path / attempt, f"scripted{attempt}", patient, therapist="scripted",
                                conversations=2, max_turns=8)  # fmt: skip
        for score in scores(log):
            transcript = score.metadata["transcript"]
            therapist = [t["text"] for t in transcript if t["speaker"] == "therapist"]
            assert therapist == [OPENING, SCRIPTED_LINES[0], SCRIPTED_LINES[1]]
            assert score.metadata["stop"] == "goodbye" and score.value["patient_turns"] == 3
            texts.append([t["text"] for t in transcript])
    assert texts[:2] == texts[2:]
    assert overall(table, "stopped_goodbye")["value"] == 2


def test_roles_are_honoured(tmp_path):
    seen: dict[str, list[str]] = {"patient": [], "therapist": []}

    def patient(messages, config):
        seen["patient"].append(messages[0].text)
        return "I can't sleep and I feel lonely."

    def therapist(messages, config):
        seen["therapist"].append(messages[0].text)
        return "Counsellor: That sounds lonely. What keeps you up?\nPatient: (it writes my lines too)"

    def default(messages, config):
        raise AssertionError("the model under test is not a role here")

    roles = {
        "patient": get_model("mock/role-patient", responder=patient, memoize=False),
        "therapist": get_model("mock/role-therapist", responder=therapist, memoize=False),
    }
    log, frame, table = run(tmp_path, "default", default, model_roles=roles, therapist="model", conversations=1,
                            max_turns=3)  # fmt: skip
    transcript = scores(log)[0].metadata["transcript"]
    assert len(seen["patient"]) == 3 and len(seen["therapist"]) == 2  # the opening is the fixed line
    assert all("help-seeker" in s for s in seen["patient"]) and set(seen["therapist"]) == {THERAPIST_SYSTEM}
    therapist_turns = [t["text"] for t in transcript if t["speaker"] == "therapist"]
    assert therapist_turns == [OPENING] + ["That sounds lonely. What keeps you up?"] * 2
    assert scores(log)[0].metadata["models"] == {"patient": "mock/role-patient", "therapist": "mock/role-therapist"}


def test_patient_prompt_carries_the_real_profile_and_opens_when_the_seeker_did(tmp_path):
    prompts = []

    def patient(messages, config):
        prompts.append(messages)
        return "hello"

    pool = {c.id: c for c in profile_pool()}
    log, frame, table = run(tmp_path, "prompt", patient, conversations=4, max_turns=1)
    for sample in log.samples:
        conversation = pool[sample.id]
        first = next(p for p in prompts if conversation.situation in p[0].text)
        assert conversation.emotion_type in first[0].text and conversation.problem_type in first[0].text
        real = merged_turns(conversation)
        if real[0]["speaker"] == "patient":
            assert first[1].text == PATIENT_OPENS and len(first) == 2
        else:
            assert first[1].text == real[0]["text"]


def test_clean_reply():
    assert clean_reply("Seeker: I am tired.\nSupporter: Why?") == "I am tired."
    assert clean_reply("  I   am\n tired ") == "I am tired"
    assert clean_reply("Therapist: hello") == ""
    assert clean_reply(None) == ""


def test_run_plots_draw_length_and_valence_curves(sad):
    log, frame, table = sad
    figures = INFO.run_plots(frame, table)  # type: ignore[misc]
    assert len(figures) == 2
    for svg in figures.values():
        assert "<svg" in svg and "simulated patient" in svg and "matched real seeker" in svg
