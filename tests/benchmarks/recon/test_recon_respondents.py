"""Recon's discrete-action domain ``respondents``: the shipped extract, its split, the option leakage guard and an
end-to-end run on the mock provider whose log-probabilities give exact fidelities."""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon import INFO
from benchmarks.recon.build_respondents import QUESTIONS, Config, build
from benchmarks.recon.data import DEFAULT_DOMAINS, load_domain, option_letters, split_problems
from benchmarks.recon.options import MASK, option_mentions
from benchmarks.recon.task import recon
from reports.logs import samples_frame
from twinbench.data import data_path
from twinbench.providers.mock import mock_output
from twinbench.providers.scoring import OPTION_LOGPROBS

SIGNAL = "They weigh SIGNAL from who they are and what they said before."
GENERIC = "They think about the question and their situation before they answer it."
TRUE_SIGNAL, TRUE_PLAIN, OFF_OPTION = 0.6, 0.2, 0.1  # P(true option) with / without SIGNAL; mass off the letters


def test_the_shipped_extract_rebuilds_byte_for_byte(tmp_path):
    summary = build(tmp_path)
    for name in ("respondents.jsonl", "respondents.md"):
        assert (tmp_path / name).read_bytes() == data_path("recon", name).read_bytes(), name
    assert summary["individuals"] == 40 and summary["test"] == 80 and summary["bytes"] < 400_000
    card = (tmp_path / "respondents.md").read_text("utf-8")
    assert "GPL" in card and "carData" in card and "Fox" in card and summary["sha256"][:16] in card


def test_a_smaller_build_is_seeded(tmp_path):
    a, b = build(tmp_path / "a", Config(respondents=3)), build(tmp_path / "b", Config(respondents=3))
    assert a["sha256"] == b["sha256"] and a["individuals"] == 3


def test_respondents_split_never_shares_a_question_and_never_shows_a_held_out_answer():
    people = load_domain("respondents")
    assert len(people) == 40
    shorts = {q.id: q.short for q in QUESTIONS}
    texts = {q.id: q.text for q in QUESTIONS}
    for person in people:
        assert not split_problems(person)
        assert len(person.history) == 5 and len(person.test) == 2
        held = {e.group for e in person.test}
        assert held.isdisjoint({e.group for e in person.history})
        # the ordered history: each question once, in questionnaire order, each context showing the earlier ones
        order = [q.id for q in QUESTIONS]
        assert [e.group for e in person.history] == sorted((e.group for e in person.history), key=order.index)
        for i, example in enumerate(person.history):
            assert example.metadata["shown"] == [e.group for e in person.history[:i]]
            for question in held:
                assert shorts[question] not in example.context and texts[question] not in example.context
        for example in person.test:
            other = (held - {example.group}).pop()
            assert shorts[other] not in example.context  # another held-out answer is never shown either
            meta = example.metadata
            assert example.action == meta["options"][meta["answer"]]
            assert meta["letter"] == option_letters(len(meta["options"]))[meta["answer"]]


def test_respondents_is_opt_in():
    assert "respondents" not in DEFAULT_DOMAINS
    assert {s.metadata["domain"] for s in recon().dataset} == {"scotus", "diplomacy"}
    assert {s.metadata["domain"] for s in recon(domains="respondents").dataset} == {"respondents"}


@pytest.mark.parametrize(
    ("text", "leaked", "masked"),
    [
        ("She will pick option C because of her ratings.", True, "She will pick [...] because of her ratings."),
        ("Answer: C. 3 seems right to her.", True, "[...] [...] seems right to her."),
        ("He feels (B) fits, or maybe 4.", False, "He feels [...] fits, or maybe [...]."),
        ("A 45-year-old man who rated Hague 2 out of 5 and is unsure.", False, None),
        ("She is lukewarm, 33 years old, with a mid rating in mind.", False, None),
        # SmolLM2 wrote "A.1 against ... B.2": the letter and the text after its dot are masked, decimals are not
        ("She weighs A.1 against B.2 and then picks C.3.", True, "She weighs [...] against [...] and then [...]."),
        ("A 0.3 shift or 2.5 points is small.", False, "A 0.3 shift or 2.5 points is small."),
    ],
)
def test_option_mentions_leak_on_the_true_option_and_mask_every_option(text, leaked, masked):
    options = ["1", "2", "3", "4", "5"]
    found = option_mentions(text, options, option_letters(5), answer=2)  # true: C. 3
    assert found.leaked is leaked
    if masked is not None:
        assert found.masked == masked
    assert not option_mentions(found.masked, options, option_letters(5), 2).named  # nothing left to find


def test_party_names_and_letters_d_to_k_are_named():
    options = ["Conservative", "Labour", "Liberal Democrat"]
    found = option_mentions("A Liberal  Democrat at heart, not labour.", options, option_letters(3), answer=2)
    assert found.leaked and found.named == (1, 2) and found.masked == "A [...] at heart, not [...]."
    found = option_mentions("the Liberal Democrats, not Labour's or the Conservatives", options, option_letters(3), 2)
    assert found.leaked and found.masked == "the [...], not [...] or the [...]"
    letters = option_letters(11)
    assert option_mentions("so she picks K here", [str(i) for i in range(1, 12)], letters, 10).leaked
    assert not option_mentions("scores of 11 are rare", [str(i) for i in range(1, 12)], letters, 0).leaked


def distribution(letters, true: str, q: float) -> dict[str, float]:
    """Top log-probabilities: the true letter q of the letter mass, the others equal shares, OFF_OPTION elsewhere."""
    rest = (1 - q) / (len(letters) - 1)
    probs = {x: (1 - OFF_OPTION) * (q if x == true else rest) for x in letters}
    probs[" The"] = OFF_OPTION
    return {token: math.log(p) for token, p in probs.items()}


# ---------------------------------------------------------------- end to end on the mock provider

_RESPONDENT = re.compile(r"respondent (\d+)\.")


def truth_table() -> dict[tuple[str, str], str]:
    """(respondent row, question text) -> true letter, from the shipped data (the scripted model's oracle)."""
    table = {}
    for person in load_domain("respondents"):
        for example in person.examples:
            question = re.search(r"Question: (.*)", example.context).group(1)
            table[(str(example.metadata["row"]), question)] = example.metadata["letter"]
    return table


def scripted(prompts: list[str]):
    truth = truth_table()

    def respond(messages, config):
        text = messages[-1].text
        if text.endswith("Reasoning:"):
            prompts.append(text)
            if " then answered: " in text:  # backward: restates the true option
                answer = re.search(r" then answered: (.*)\n\nExplain", text).group(1)
                return f"Reasoning: they chose {answer} after weighing their earlier answers."
            if hashlib.sha256(str(config.seed).encode()).digest()[0] % 2:
                return SIGNAL
            return GENERIC
        # a reconstructor or user-model prompt: the new question is the last one in the prompt
        question = re.findall(r"Question: (.*)", text)[-1]
        row = _RESPONDENT.findall(text)[-1]
        letters = option_letters(len(re.findall(r"^[A-K]\. ", text.split(f"Question: {question}")[-1], re.M)))
        q = TRUE_SIGNAL if "SIGNAL" in text else TRUE_PLAIN
        return mock_output("A", top_logprobs=distribution(letters, truth[(row, question)], q))

    return respond


@pytest.fixture(scope="module")
def respondents_run(tmp_path_factory):
    prompts: list[str] = []
    task = recon(domains="respondents", individuals=4)
    model = get_model("mock/respondents", responder=scripted(prompts), memoize=False)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path_factory.mktemp("respondents")), display="none")
    assert log.status == "success", log.error
    frame = samples_frame(log)
    return log, frame, INFO.summarize(frame), prompts


def overall(table, metric):
    return table[(table.metric == metric) & (table.group == "overall")].iloc[0]


def test_discrete_fidelity_is_the_probability_of_the_true_option(respondents_run):
    log, frame, table, prompts = respondents_run
    items = 0
    for sample in log.samples:
        meta = sample.scores["recon_scorer"].metadata
        chosen = {t["strategy"]: [] for t in meta["traces"]}
        for t in meta["traces"]:
            chosen[t["strategy"]].append(t.get("trace") or "")
        for item in meta["items"]:
            items += 1
            assert item["discrete"] and "judge" not in item
            for strategy, result in item["fidelity"].items():
                signal = any("SIGNAL" in t for t in chosen.get(strategy, []))
                assert result["method"] == OPTION_LOGPROBS
                assert result["value"] == pytest.approx(TRUE_SIGNAL if signal else TRUE_PLAIN)
                assert result["off_option_mass"] == pytest.approx(OFF_OPTION)
        # each Recon candidate's reconstruction fidelity is exact too, and the best one is kept
        for t in meta["traces"]:
            if t["strategy"] == "recon":
                values = [c["fidelity"]["value"] for c in t["candidates"]]
                for c, v in zip(t["candidates"], values):
                    assert v == pytest.approx(TRUE_SIGNAL if "SIGNAL" in c["trace"] else TRUE_PLAIN)
                assert t["fidelity"]["value"] == max(values)
    assert items == 8
    assert overall(table, "none_fidelity")["value"] == pytest.approx(TRUE_PLAIN)
    assert overall(table, "backward_fidelity")["value"] == pytest.approx(TRUE_PLAIN)
    recon_row = overall(table, "recon_vs_backward_win_rate")
    assert recon_row["losses"] == 0 and recon_row["wins"] + recon_row["ties"] == 8 and recon_row["wins"] > 0
    assert recon_row["value"] == 1.0
    mass = overall(table, "option_letter_mass")
    assert mass["value"] == pytest.approx(1 - OFF_OPTION) and mass["n"] == 8 * 4
    assert "0 of 32 had letters outside" in mass["note"] and "0 failed" in mass["note"]


def test_backward_traces_naming_the_option_leak_and_are_masked(respondents_run):
    log, frame, table, prompts = respondents_run
    assert overall(table, "backward_leak_rate")["value"] == 1.0
    assert overall(table, "forward_leak_rate")["value"] == 0.0
    for sample in log.samples:
        history = {h["id"]: h for h in sample.metadata["history"]}
        for t in sample.scores["recon_scorer"].metadata["traces"]:
            if t["strategy"] == "backward":
                h = history[t["example"]]
                options = h["metadata"]["options"]
                assert t["leaked"] and MASK in t["trace"]
                assert not option_mentions(t["trace"], options, option_letters(len(options)), 0).named


def test_no_held_out_answer_enters_a_synthesis_prompt(respondents_run):
    log, frame, table, prompts = respondents_run
    shorts = {q.id: q.short for q in QUESTIONS}
    texts = {q.id: q.text for q in QUESTIONS}
    assert len(prompts) == 4 * 2 * 5  # 4 respondents x 2 history examples x (forward + backward + 3 candidates)
    for sample in log.samples:
        row = f"respondent {sample.metadata['history'][0]['metadata']['row']}."
        mine = [p for p in prompts if row in p]
        assert len(mine) == 10
        for t in sample.metadata["test"]:
            assert not any(shorts[t["group"]] in p or texts[t["group"]] in p for p in mine)
