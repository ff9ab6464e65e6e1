import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from tests.twinbench.fixtures import fake_benchmark
from twinbench import cli


@pytest.fixture
def capitals_registered(monkeypatch):
    monkeypatch.setattr(cli, "load_benchmarks", lambda: {"capitals": fake_benchmark.INFO})


def test_list_shows_benchmarks_tasks_and_headlines(capitals_registered, capsys):
    assert cli.main(["list", "--models"]) == 0
    out = capsys.readouterr().out
    assert "capitals  (v1)  Capitals (test fixture)" in out
    assert "tasks:    capitals" in out
    assert "headline: accuracy (Accuracy; higher is better)" in out
    assert "local/smollm2-135m  [default]" in out


def test_unknown_benchmark_is_a_one_line_error(capitals_registered, capsys):
    assert cli.main(["run", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "twinbench: error: unknown benchmark 'nope' (registered: capitals)"


@pytest.mark.parametrize(
    "arg, message",
    [
        ("colour=red", "-T colour: no selected task takes this parameter"),
        ("capitals.colour=red", "-T capitals.colour: task 'capitals' of 'capitals' has no parameter 'colour'"),
        ("novalue", "-T 'novalue': expected key=value"),
    ],
)
def test_bad_task_args_are_named(capitals_registered, capsys, arg, message):
    assert cli.main(["run", "-T", arg, "--model", "mock/x"]) == 2
    assert message in capsys.readouterr().err


def test_run_on_the_mock_model_writes_logs_and_resumes(capitals_registered, tmp_path, capsys):
    argv = ["run", "--model", "mock/x", "-M", "text=Paris", "--log-dir", str(tmp_path), "--display", "none"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"logs are in {tmp_path.resolve()}" in out
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and log.eval.model == "mock/x"
    assert log.results.scores[0].metrics["accuracy"].value == pytest.approx(1 / 3)
    # A second run of the same set finds the finished log and runs nothing again.
    assert cli.main(argv) == 0
    assert len(list_eval_logs(str(tmp_path))) == 1


def test_limit_reaches_the_task(capitals_registered, tmp_path):
    assert cli.main(["run", "--model", "mock/x", "--limit", "2", "--log-dir", str(tmp_path), "--display", "none"]) == 0
    [info] = list_eval_logs(str(tmp_path))
    assert len(read_eval_log(info).samples) == 2


def test_key_values_parse_as_yaml():
    assert cli.parse_key_values(["a=1", "b=x", "c=[1, 2]", "d=true"], "-T") == {"a": 1, "b": "x", "c": [1, 2], "d": True}


def test_unknown_model_is_a_one_line_error(capitals_registered, capsys):
    assert cli.main(["run", "--model", "nope/x"]) == 2
    assert capsys.readouterr().err.strip() == (
        "twinbench: error: model 'nope/x': Model API nope of model 'nope/x' not recognized."
    )


def test_unknown_local_model_is_a_one_line_error(capitals_registered, capsys):
    assert cli.main(["run", "--model", "local/nothing"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("twinbench: error: unknown local model 'nothing'") and "\n" not in err
