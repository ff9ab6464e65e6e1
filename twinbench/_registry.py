"""Loaded by inspect through the ``inspect_ai`` entry point: registers our model providers and tasks."""

# ruff: noqa: F401

from inspect_ai.model import ModelAPI, modelapi


@modelapi(name="local")
def local() -> type[ModelAPI]:
    from twinbench.providers.local import LocalLlamaAPI

    return LocalLlamaAPI


@modelapi(name="mock")
def mock() -> type[ModelAPI]:
    from twinbench.providers.mock import MockAPI

    return MockAPI


# Benchmark tasks (one import line per benchmark).
from benchmarks.deference.task import deference
from benchmarks.survey.task import survey
