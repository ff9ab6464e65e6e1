import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from twinbench import cli


def test_list_shows_benchmarks_tasks_and_headlines(toy_only, capsys):
    assert cli.main(["list", "--models"]) == 0
    out = capsys.readouterr().out
    assert "toy  (v1)  Toy doubling quiz <b>not bold</b>" in out
    assert "tasks:    toy_quiz" in out
    assert "headline: correct (Accuracy; higher is better)" in out
    assert "headline: invalid (Invalid rate; lower is better)" in out
    assert "local/smollm2-135m  [default]" in out


def test_unknown_benchmark_is_a_one_line_error(toy_only, capsys):
    assert cli.main(["run", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "twinbench: error: unknown benchmark 'nope' (registered: toy)"


@pytest.mark.parametrize(
    "arg, message",
    [
        ("colour=red", "-T colour: no selected task takes this parameter"),
        ("toy.colour=red", "-T toy.colour: no task of 'toy' ('toy_quiz') has a parameter 'colour'"),
        ("novalue", "-T 'novalue': expected key=value"),
        ("other.n=3", "-T other.n: 'other' is not a selected benchmark (toy)"),
        # the task itself fails on the value: one line naming the benchmark, task, arguments and cause
        ("n=abc", "toy: task toy_quiz (n='abc'): TypeError: 'str' object cannot be interpreted as an integer"),
    ],
)
def test_bad_task_args_are_named(toy_only, capsys, arg, message):
    assert cli.main(["run", "-T", arg, "--model", "mock/x"]) == 2
    assert message in capsys.readouterr().err


def accuracy(log) -> float:  # type: ignore[no-untyped-def]
    return next(s.metrics["mean"].value for s in log.results.scores if s.name == "correct")


def test_run_on_the_mock_model_writes_logs_and_resumes(toy_only, tmp_path, capsys):
    argv = ["run", "--model", "mock/x", "-M", "text=0", "--log-dir", str(tmp_path), "--display", "none"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"logs are in {tmp_path.resolve()}" in out
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and log.eval.model == "mock/x" and log.eval.model_roles is None
    assert accuracy(log) == pytest.approx(1 / 10)  # "0" is right for "What is 0 + 0?" only
    # A second run of the same set finds the finished log and runs nothing again.
    assert cli.main(argv) == 0
    assert len(list_eval_logs(str(tmp_path))) == 1


def test_limit_reaches_the_task(toy_only, tmp_path):
    assert cli.main(["run", "--model", "mock/x", "--limit", "2", "--log-dir", str(tmp_path), "--display", "none"]) == 0
    [info] = list_eval_logs(str(tmp_path))
    assert len(read_eval_log(info).samples) == 2


def test_model_roles_reach_the_task_and_the_log(toy_only, tmp_path, capsys):
    judge = 'judge={model: mock/j, temperature: 0.5, model_args: {text: "no"}}'
    argv = [
        "run",
        "--model",
        "mock/x",
        "-M",
        "text=0",
        "--model-role",
        "opponent=mock/o",
        "--model-role",
        judge,
        "--log-dir",
        str(tmp_path),
        "--display",
        "none",
    ]
    assert cli.main(argv) == 0
    assert (
        "toy_quiz [mock/x; judge=mock/j (temperature=0.5, text=no); opponent=mock/o]: success"
        in capsys.readouterr().out
    )
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    roles = log.eval.model_roles
    assert sorted(roles) == ["judge", "opponent"]
    assert roles["opponent"].model == "mock/o" and roles["opponent"].args == {}
    assert roles["judge"].model == "mock/j" and roles["judge"].args == {"text": "no"}
    assert roles["judge"].config.temperature == 0.5
    assert accuracy(log) == 0.0  # the judge says "no" to every answer, even the right one
    scores = [s.scores["doubling_scorer"].value for s in log.samples]
    assert all(s["opponent_correct"] == 0.0 and s["win"] == 0.0 for s in scores)  # mock/o says "mock output"
    assert cli.main(argv) == 0  # resumes: the roles are part of the eval set's task identity
    assert len(list_eval_logs(str(tmp_path))) == 1


def test_parse_model_roles_takes_inspects_forms():
    roles = cli.parse_model_roles(["players=mock/a, mock/b", "team=[mock/c, {model: mock/d, seed: 3}]",
                                   "opponent=mock/o"])  # fmt: skip
    assert [str(m) for m in roles["players"]] == ["mock/a", "mock/b"]
    assert [str(m) for m in roles["team"]] == ["mock/c", "mock/d"] and roles["team"][1].config.seed == 3
    assert str(roles["opponent"]) == "mock/o"
    assert cli.describe_roles(roles) == "players=mock/a,mock/b; team=mock/c,mock/d; opponent=mock/o"
    assert roles["players"][0] is not roles["players"][1]  # one instance per role binding, as inspect does
    assert cli.parse_model_roles([]) == {}


@pytest.mark.parametrize(
    "role, message",
    [
        ("opponent", "--model-role 'opponent': expected ROLE=MODEL"),
        ("=mock/o", "--model-role '=mock/o': expected ROLE=MODEL"),
        ("judge={temperature: 1}", "--model-role judge: the inline form needs a model (e.g. {model: mock/x})"),
        ("judge={model: mock/j, temperature: hot}", "--model-role judge: invalid generate config (temperature)"),
        ("judge={model: mock/j, model_args: [1]}", "--model-role judge: model_args must be a mapping"),
        ("judge=nope/x", "--model-role judge: model 'nope/x': Model API nope of model 'nope/x' not recognized."),
        (
            "judge={model: mock/j, model_args: {colour: red}}",
            "--model-role judge: model 'mock/j': mock model: unknown model args ['colour']",
        ),
        ("judge={model: [", "--model-role judge: '{model: [' is not a model name or valid YAML/JSON"),
    ],
)
def test_bad_model_roles_are_one_line_errors(toy_only, capsys, role, message):
    assert cli.main(["run", "--model", "mock/x", "--model-role", role]) == 2
    assert capsys.readouterr().err.strip() == f"twinbench: error: {message}"


def test_a_role_given_twice_is_an_error(toy_only, capsys):
    assert cli.main(["run", "--model", "mock/x", "--model-role", "a=mock/a", "--model-role", "a=mock/b"]) == 2
    assert "--model-role a: given twice (bind several models as a=model_a,model_b)" in capsys.readouterr().err


def test_key_values_parse_as_yaml():
    assert cli.parse_key_values(["a=1", "b=x", "c=[1, 2]", "d=true"], "-T") == {
        "a": 1,
        "b": "x",
        "c": [1, 2],
        "d": True,
    }


def test_unknown_model_is_a_one_line_error(toy_only, capsys):
    assert cli.main(["run", "--model", "nope/x"]) == 2
    assert capsys.readouterr().err.strip() == (
        "twinbench: error: model 'nope/x': Model API nope of model 'nope/x' not recognized."
    )


def test_unknown_local_model_is_a_one_line_error(toy_only, capsys):
    assert cli.main(["run", "--model", "local/nothing"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("twinbench: error: unknown local model 'nothing'") and "\n" not in err


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--limit", "0", "argument --limit: must be at least 1, got 0"),
        ("--limit", "-3", "argument --limit: must be at least 1, got -3"),
        ("--epochs", "x", "argument --epochs: expected an integer, got 'x'"),
        ("--retry-attempts", "-1", "argument --retry-attempts: must be at least 0, got -1"),
    ],
)
def test_counts_below_their_minimum_are_refused(toy_only, capsys, flag, value, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--model", "mock/x", flag, value])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_a_port_out_of_range_is_refused(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["leaderboard", str(tmp_path), "--bundle", "--serve", "--port", "99999"])
    assert exit_.value.code == 2 and "argument --port: must be at most 65535, got 99999" in capsys.readouterr().err


def test_serve_without_bundle_is_one_line(capsys, tmp_path):
    """Without the bundle the pages link the logs where they lie, outside the served folder: dead links."""
    assert cli.main(["leaderboard", str(tmp_path), "-o", str(tmp_path / "site"), "--serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "twinbench: error: --serve needs --bundle (the transcripts it serves are the bundled ones)"


def test_an_interrupted_run_says_how_to_resume_and_exits_130(toy_only, tmp_path, capsys, monkeypatch):
    """inspect catches Ctrl-C itself and returns the cancelled logs; twinbench must not report success."""
    from types import SimpleNamespace

    import inspect_ai

    cancelled = SimpleNamespace(
        status="cancelled", location="x.eval", eval=SimpleNamespace(task="toy_quiz", model="mock/x", model_roles=None)
    )
    monkeypatch.setattr(inspect_ai, "eval_set", lambda *args, **kwargs: (False, [cancelled]))
    assert cli.main(["run", "--model", "mock/x", "--log-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == cli.INTERRUPTED


def test_output_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "logs").mkdir()
    (tmp_path / "out.txt").write_text("x")
    for command in ("report", "leaderboard"):
        assert cli.main([command, str(tmp_path / "logs"), "-o", str(tmp_path / "out.txt"), "--no-cache"]) == 2
        assert (
            capsys.readouterr().err.strip() == f"twinbench: error: -o {tmp_path / 'out.txt'}: is a file, not a folder"
        )


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("twinbench ")


def test_another_selection_runs_in_the_same_log_dir(toy_only, tmp_path, capsys):
    """inspect's eval-set refuses a folder with other tasks' logs; twinbench run keeps one folder for every run."""
    first = ["run", "--model", "mock/x", "--limit", "2", "--log-dir", str(tmp_path), "--display", "none"]
    assert cli.main(first) == 0
    assert cli.main(["run", "--model", "mock/y", "--limit", "2", "--log-dir", str(tmp_path), "--display", "none"]) == 0
    assert sorted(read_eval_log(i, header_only=True).eval.model for i in list_eval_logs(str(tmp_path))) == [
        "mock/x",
        "mock/y",
    ]
    assert cli.main(first) == 0  # the first selection again: found finished, not run again
    assert len(list_eval_logs(str(tmp_path))) == 2


def test_a_role_no_selected_benchmark_reads_is_refused(toy_only, capsys):
    assert cli.main(["run", "--model", "mock/x", "--model-role", "referee=mock/r"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == "twinbench: error: --model-role referee: no selected benchmark reads this role (roles: toy: opponent, judge)"
    )
