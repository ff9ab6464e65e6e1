"""Loaded by inspect through the ``inspect_ai`` entry point: registers our model providers and every benchmark's
tasks.

A benchmark registers once, in the ``twinbench.benchmarks`` entry-point group (ours in this project's
pyproject.toml, a plugin's in its own): loading its ``BenchmarkInfo`` imports its ``@task`` functions, which is what
registers them with inspect. So ``inspect eval benchmarks/deference`` (installed), ``inspect eval
twinbench_my_bench/my_bench`` (a plugin) and ``twinbench run`` find the same tasks, and no list of tasks is kept
here. A benchmark that fails to import is named on stderr and skipped (``load_benchmarks``).
"""

from inspect_ai.model import ModelAPI, modelapi

from twinbench.registry import load_benchmarks


@modelapi(name="local")
def local() -> type[ModelAPI]:
    from twinbench.providers.local import LocalLlamaAPI

    return LocalLlamaAPI


@modelapi(name="mock")
def mock() -> type[ModelAPI]:
    from twinbench.providers.mock import MockAPI

    return MockAPI


load_benchmarks()
