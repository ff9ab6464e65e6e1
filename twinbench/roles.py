"""The model a benchmark's role is played by, refusing inspect's ``none`` model with one clear line."""

from __future__ import annotations

from inspect_ai.model import Model, get_model

NO_MODEL = "none/none"  # inspect's sentinel model when no --model is given: its every call fails


def role_model(benchmark: str, role: str, default: Model) -> Model:
    """The model bound to ``role`` (``--model-role``), else ``default`` (the model under test). Inspect's ``none``
    model raises a RuntimeError that names the benchmark, the role and both ways to give a model, instead of a run
    whose every call fails."""
    model = get_model(role=role, default=default)
    if str(model) == NO_MODEL:
        raise RuntimeError(
            f"{benchmark}: no model for the {role} role (inspect's none/none): give the model under test with "
            f"--model, or bind the role with --model-role {role}=MODEL"
        )
    return model
