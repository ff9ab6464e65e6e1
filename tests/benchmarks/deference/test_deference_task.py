import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessageSystem, get_model

from benchmarks.deference import INFO
from benchmarks.deference.items import read_jsonl
from benchmarks.deference.plots import plot_deltas, run_plots
from benchmarks.deference.prompts import cell_messages
from benchmarks.deference.scorer import VERDICTS, Verdict
from benchmarks.deference.task import TASK_VERSION, deference
from reports.logs import samples_frame

FIXTURES = Path(__file__).parent / "fixtures"
DOMAINS = "capitals,units,survey_majority"
PER_DOMAIN = 3


def responder_for(task, c1_verdict=None, c2_verdict=None, c2_incorrect_text=None):
    """A scripted judge: on statements (C1) it answers c1_verdict when given, else the truth; on speakers (C2)
    c2_verdict when given (deferring: "correct", sceptical: "incorrect"), else the truth."""
    by_prompt = {sample.input[-1].text: sample for sample in task.dataset}

    def respond(messages, config):
        assert config.temperature == 0
        sample = by_prompt[messages[-1].text]
        cell = sample.metadata["cell"]
        if cell == "C2_Incorrect" and c2_incorrect_text is not None:
            return c2_incorrect_text
        verdict = sample.target if isinstance(sample.target, str) else sample.target[0]
        if cell.startswith("C1") and c1_verdict is not None:
            verdict = c1_verdict
        if cell.startswith("C2") and c2_verdict is not None:
            verdict = c2_verdict
        return f'{{"verdict": "{verdict}"}}'

    return respond


def run(tmp_path, **responder_args):
    task = deference(domains=DOMAINS, items_per_domain=PER_DOMAIN)
    model = get_model("mock/judge", responder=responder_for(task, **responder_args), memoize=False)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    return log, INFO.summarize(samples_frame(log))


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


def test_deferring_judge_has_dds_plus_100(tmp_path):
    log, table = run(tmp_path, c2_verdict="correct")
    assert len(log.samples) == 3 * PER_DOMAIN * 4
    assert {s.id.split("/")[-1] for s in log.samples} == {"C1_True", "C1_False", "C2_Correct", "C2_Incorrect"}
    row = overall(table, "dds")
    assert (row["value"], row["n"]) == (100.0, 3 * PER_DOMAIN)
    assert overall(table, "delta_correct")["value"] == 0
    assert overall(table, "delta_incorrect")["value"] == -100
    assert overall(table, "accuracy_change")["value"] == -50
    assert overall(table, "rms_dds")["value"] == 100
    assert overall(table, "unparseable")["value"] == 0
    metrics = log.results.scores[0].metrics
    assert metrics["dds"].value == 100


def test_sceptical_judge_has_dds_minus_100(tmp_path):
    _, table = run(tmp_path, c2_verdict="incorrect")
    assert overall(table, "dds")["value"] == -100
    assert overall(table, "delta_correct")["value"] == -100
    assert overall(table, "delta_incorrect")["value"] == 0
    domain_rows = table[(table.metric == "dds") & (table.group != "overall")]
    assert sorted(domain_rows.group) == ["capitals", "survey_majority", "units"]
    assert (domain_rows.value == -100).all()


def test_neutral_judge_has_dds_exactly_zero(tmp_path):
    _, table = run(tmp_path)
    for metric in ("dds", "rms_dds", "accuracy_change", "delta_correct", "delta_incorrect"):
        assert overall(table, metric)["value"] == 0, metric
    assert overall(table, "accuracy_c1")["value"] == overall(table, "accuracy_c2")["value"] == 100
    assert overall(table, "delta_correct")["p_value"] == 1.0
    # a discriminating judge says "correct" to exactly the true half of the claims, in every item: the item-level
    # bootstrap has nothing to vary (n counts items, the note the verdicts)
    row = overall(table, "says_correct_c1")
    assert (row["value"], row["ci_low"], row["ci_high"], row["n"]) == (0.5, 0.5, 0.5, 3 * PER_DOMAIN)
    assert row["note"].startswith(f'{3 * PER_DOMAIN}/{2 * 3 * PER_DOMAIN} read verdicts say "correct"')


def test_constant_judge_has_dds_zero_and_is_flagged(tmp_path):
    """Always "correct": no deference can show, and the says_correct rows make that visible."""
    _, table = run(tmp_path, c1_verdict="correct", c2_verdict="correct")
    assert overall(table, "dds")["value"] == 0
    assert overall(table, "says_correct_c1")["value"] == overall(table, "says_correct_c2")["value"] == 1.0
    row = overall(table, "says_correct_c2")
    assert (row["ci_low"], row["ci_high"]) == (1.0, 1.0)
    assert "DDS 0 (no discrimination)" in row["note"]


def test_says_correct_to_statements_only_gives_dds_minus_200(tmp_path):
    """The audit's case: "correct" to every statement, "incorrect" to every speaker. DDS is −200, not 0, and
    equals 200 · (says_correct_c2 − says_correct_c1), as the rows' note says."""
    _, table = run(tmp_path, c1_verdict="correct", c2_verdict="incorrect")
    c1, c2 = overall(table, "says_correct_c1")["value"], overall(table, "says_correct_c2")["value"]
    assert (c1, c2) == (1.0, 0.0)
    assert overall(table, "dds")["value"] == -200 == 200 * (c2 - c1)
    note = overall(table, "says_correct_c1")["note"]
    assert "200·(says_correct_c2 − says_correct_c1)" in note and "−200" in note
    assert "by construction" not in note


def test_unparseable_verdicts_are_counted_and_scored_wrong(tmp_path):
    log, table = run(tmp_path, c2_incorrect_text="Hmm, hard to say.")
    assert overall(table, "unparseable")["value"] == 3 * PER_DOMAIN
    assert overall(table, "acc_C2_Incorrect")["value"] == 0
    assert overall(table, "dds")["value"] == 100
    assert log.results.scores[0].metrics["unparseable"].value == 3 * PER_DOMAIN


def test_headline_metrics_present_and_plot_renders(tmp_path):
    log, table = run(tmp_path, c2_verdict="correct")
    for metric in INFO.headline:
        row = overall(table, metric.name)
        assert row["ci_low"] <= row["value"] <= row["ci_high"]
    samples = samples_frame(log)
    svg = plot_deltas(samples)
    assert svg.startswith("<?xml") and "<svg" in svg and "overall DDS +" in svg
    # one point with its two error bars per domain, labelled with the domain
    domains = [g for g in table[table["metric"] == "dds"]["group"] if g != "overall"]
    assert svg.count("<circle") == len(domains) and all(f">{d}</text>" in svg for d in domains)
    # the leaderboard's per-run hook draws the same figure from the run's summary table, without summarizing again
    figures = run_plots(samples, table)
    assert figures == {"Δ_Correct vs Δ_Incorrect per domain": svg}


def test_variants_change_labels_and_system_prompt():
    item = read_jsonl(FIXTURES / "dialdefer_unified.jsonl")[0]
    text = cell_messages(item, "C2_Correct", attribution="user_llm")[-1].text
    assert "User: In which country" in text and "LLM: In Argentina" in text and "Is LLM correct?" in text
    text = cell_messages(item, "C2_Incorrect", attribution="names", framing="conversation")[-1].text
    assert "Jane: In the United States" in text and "John: Thanks!" in text
    messages = cell_messages(item, "C2_Correct", mitigation="dehumanise")
    assert isinstance(messages[0], ChatMessageSystem) and "No humans" in messages[0].text
    assert "AI Agent B: In Argentina" in messages[-1].text
    honesty = cell_messages(item, "C1_True", mitigation="honesty")
    assert isinstance(honesty[0], ChatMessageSystem) and 'is "In Argentina' in honesty[-1].text


@pytest.mark.parametrize(
    "args, message",
    [
        ({"attribution": "robots"}, "attribution must be one of"),
        ({"framing": "essay"}, "framing must be one of"),
        ({"mitigation": "prayer"}, "mitigation must be one of"),
        ({"mitigation": "dehumanise", "attribution": "names"}, "replaces the speaker labels"),
        ({"source": "web"}, "source must be one of"),
    ],
)
def test_bad_task_options_fail_clearly(args, message):
    with pytest.raises(ValueError, match=message):
        deference(**args)


def test_items_path_runs_dialdefer_files(tmp_path):
    task = deference(items_path=str(FIXTURES / "dialdefer_formatted.jsonl"), items_per_domain=None)
    ids = [s.id for s in task.dataset]
    assert ids[:4] == [f"gpqa/gpqa-rec0001/{c}" for c in ("C1_True", "C1_False", "C2_Correct", "C2_Incorrect")]
    assert "Context: The asker started" in task.dataset[4].input[-1].text
    model = get_model("mock/judge", responder=responder_for(task, c2_verdict="correct"), memoize=False)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    with pytest.warns(UserWarning, match="advisorqa, gpqa have fewer than 2 items"):
        table = INFO.summarize(samples_frame(log))
    assert overall(table, "dds")["value"] == 100 and overall(table, "dds")["n"] == 2
    assert table[table.group == "gpqa"]["ci_low"].isna().all()


def test_default_size_fits_the_main_job():
    task = deference(**INFO.default_task_args)
    assert len(task.dataset) == 10 * 10 * 4
    assert len({s.id for s in task.dataset}) == len(task.dataset)


def test_unparseable_split_by_framing_and_parsed_only_sensitivity(tmp_path):
    _, table = run(tmp_path, c2_incorrect_text="Hmm, hard to say.")
    assert overall(table, "unparseable_c1")["value"] == 0
    assert overall(table, "unparseable_c2")["value"] == 3 * PER_DOMAIN
    assert overall(table, "unparseable_c2")["n"] == 2 * 3 * PER_DOMAIN
    row = overall(table, "dds_all_parsed")
    assert row["n"] == 0 and pd.isna(row["value"])
    _, table = run(tmp_path, c2_verdict="correct")
    assert overall(table, "dds_all_parsed")["value"] == 100
    assert overall(table, "dds_all_parsed")["n"] == 3 * PER_DOMAIN
    # every verdict read: the sensitivity row is the overall DDS row (same items, same bootstrap)
    columns = ["value", "ci_low", "ci_high", "n", "p_value"]
    assert overall(table, "dds_all_parsed")[columns].tolist() == overall(table, "dds")[columns].tolist()


def run_capturing_configs(tmp_path, **task_args):
    """Run a small deference eval on a judge that records the GenerateConfig of every generate."""
    task = deference(domains="capitals", items_per_domain=2, **task_args)
    respond = responder_for(task)
    configs = []

    def recording(messages, config):
        configs.append(config)
        return respond(messages, config)

    model = get_model("mock/judge", responder=recording, memoize=False)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success" and len(configs) == len(log.samples) == 8
    return log, configs


def test_constrained_by_default_passes_the_verdict_schema(tmp_path):
    log, configs = run_capturing_configs(tmp_path)
    for config in configs:
        schema = config.response_schema
        assert schema is not None and schema.name == "verdict" and schema.strict
        verdict = schema.json_schema.properties["verdict"]
        assert (verdict.type, verdict.enum) == ("string", list(VERDICTS)) == ("string", ["correct", "incorrect"])
        assert schema.json_schema.required == ["verdict"] and schema.json_schema.additionalProperties is False
        assert config.max_tokens == 16 and config.temperature == 0
    assert log.eval.task_args.get("constrained", True) is True and log.eval.metadata["constrained"] is True
    assert all(s.scores["verdict_scorer"].value == {"correct": 1, "parsed": 1} for s in log.samples)
    # the verdict the README documents fits the schema
    assert Verdict.model_validate_json('{"verdict": "incorrect"}').verdict == "incorrect"


def test_unconstrained_sends_no_schema(tmp_path):
    log, configs = run_capturing_configs(tmp_path, constrained=False)
    assert all(c.response_schema is None and c.max_tokens == 32 and c.temperature == 0 for c in configs)
    assert log.eval.metadata["constrained"] is False
    assert all(s.scores["verdict_scorer"].value == {"correct": 1, "parsed": 1} for s in log.samples)


def test_a_provider_that_ignores_the_schema_is_still_parsed_and_counted(tmp_path):
    """The schema is a request: free text that still slips through is parsed, or counted as unparseable."""
    _, table = run(tmp_path, c2_incorrect_text='Sure. {"verdict": "incorrect"} and "not sure"')
    assert overall(table, "unparseable")["value"] == 0 and overall(table, "dds")["value"] == 0
    _, table = run(tmp_path, c2_incorrect_text="I think Speaker 2 is wrong.")
    assert overall(table, "unparseable")["value"] == 3 * PER_DOMAIN


def test_constrained_must_be_a_bool():
    with pytest.raises(ValueError, match="constrained must be true or false"):
        deference(constrained="no")


def test_task_version_marks_the_bias_corrected_magnitude():
    assert TASK_VERSION == 3 and INFO.version == "3" and deference().version == 3


def test_units_hooks_reproduce_summarize_headline(tmp_path):
    """headline_from_units(units(samples)) equals summarize's overall rows on a scripted log with mixed verdicts."""
    task = deference(domains=DOMAINS, items_per_domain=PER_DOMAIN)

    def respond(messages, config):
        # a fixed but uneven mix of verdicts: some items defer, some do not, per cell
        verdict = "correct" if zlib.crc32(messages[-1].text.encode()) % 3 else "incorrect"
        return f'{{"verdict": "{verdict}"}}'

    [log] = inspect_eval(task, model=get_model("mock/judge", responder=respond, memoize=False), log_dir=str(tmp_path),
                         display="none")  # fmt: skip
    samples = samples_frame(log)
    table = INFO.summarize(samples)
    frame = INFO.units(samples)
    assert list(frame.columns) == ["unit", "cluster", "stratum", "C1_True", "C1_False", "C2_Correct", "C2_Incorrect"]
    assert len(frame) == 3 * PER_DOMAIN and frame["unit"].is_unique and (frame["unit"] == frame["cluster"]).all()
    assert frame["unit"].iloc[0].startswith(frame["stratum"].iloc[0] + "/")
    values = INFO.headline_from_units(frame)
    assert set(values) == {m.name for m in INFO.headline}
    for metric, number in values.items():
        assert number == pytest.approx(overall(table, metric)["value"], abs=1e-9), metric
    assert len({overall(table, "dds")["value"], overall(table, "rms_dds")["value"]}) == 2  # not degenerate
    # a resample repeats units (and may leave a domain out)
    resample = frame.iloc[[0, 0, 1, 4, 4, 5, 5, 8]]
    assert all(np.isfinite(v) for v in INFO.headline_from_units(resample).values())
    doubled = INFO.headline_from_units(pd.concat([frame, frame]))
    assert doubled["dds"] == pytest.approx(values["dds"])
