"""The RL reward export: (context, trace, fidelity) rows from a recon log."""

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model

from benchmarks.recon.export import main, reward_rows
from benchmarks.recon.task import recon
from twinbench.providers.scoring import mock_scorer


def test_export_writes_every_scored_candidate(tmp_path):
    def respond(messages, config):
        if " then said: " in messages[-1].text:
            action = messages[-1].text.split(" then said: ", 1)[1].split("\n\nExplain", 1)[0]
            return f"They meant exactly: {action}"
        return f"They weigh the situation carefully, variant {config.seed % 97}."

    task = recon(domains="diplomacy", individuals=2, history=2, test=1, trace_fidelity=True)
    model = get_model("mock/export", responder=respond, memoize=False)
    with mock_scorer("mock/export", lambda messages, continuation: -1.0 - len(messages[-1].text) / 1e4):
        [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    rows = list(reward_rows(log.location))
    # 2 individuals x 2 history examples: 3 recon candidates and 1 forward trace each; backward left out
    assert len(rows) == 16 and {r["strategy"] for r in rows} == {"recon", "forward"}
    recon_rows = [r for r in rows if r["strategy"] == "recon"]
    assert sum(r["chosen"] for r in recon_rows) == 4 and {r["candidate"] for r in recon_rows} == {0, 1, 2}
    for example in {r["example"] for r in recon_rows}:
        group = [r for r in recon_rows if r["example"] == example]
        assert max(group, key=lambda r: r["reward"])["chosen"]
    assert all(r["method"] == "teacher_forced" and r["prompt"][-1]["role"] == "user" for r in rows)
    assert all(r["context"][-100:] in r["prompt"][-1]["content"] for r in rows)  # the prompt shows the context's tail
    with_backward = list(reward_rows(log.location, ("backward",), include_leaked=True))
    assert len(with_backward) == 4 and all(r["leaked"] for r in with_backward)
    assert list(reward_rows(log.location, ("backward",))) == []  # leaked traces are left out by default

    out = tmp_path / "rewards.jsonl"
    assert main([log.location, "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 16


@pytest.mark.parametrize(
    ("args", "named"),
    [(["missing.eval"], "missing.eval: not a file"), ([".", "--strategies", "bogus"], "--strategies: bogus")],
)
def test_export_errors_are_one_line(tmp_path, capsys, args, named):
    args = [str(tmp_path / args[0]), *args[1:]]
    assert main([*args, "-o", str(tmp_path / "x.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("recon export: ") and named in err and err.count("\n") == 1


@pytest.mark.parametrize("bad", ["deference"])
def test_export_refuses_other_logs(tmp_path, bad):
    from benchmarks.deference.task import deference

    task = deference(domains="capitals", items_per_domain=1)
    [log] = inspect_eval(task, model=get_model("mock/d", text='{"verdict": "correct"}'), log_dir=str(tmp_path),
                         display="none")  # fmt: skip
    with pytest.raises(ValueError, match="not a recon log"):
        list(reward_rows(log.location))
