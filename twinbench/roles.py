"""The model a benchmark's role is played by, refusing inspect's ``none`` model and unknown roles with one clear
line."""

from __future__ import annotations

from collections.abc import Iterable

from inspect_ai.model import Model, get_model, model_roles

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


def check_roles(benchmark: str, roles: Iterable[str]) -> None:
    """Refuse ``--model-role`` bindings that name none of the benchmark's ``roles`` (a misspelt role would otherwise
    be ignored and its part played by the model under test) with a RuntimeError that names them. ``twinbench run``
    refuses them before starting; this is the same check under a plain ``inspect eval``."""
    known = sorted(roles)
    unknown = sorted(set(model_roles()) - set(known))
    if unknown:
        raise RuntimeError(
            f"{benchmark}: unknown model role {', '.join(unknown)} (--model-role); its roles are {', '.join(known)}"
        )
