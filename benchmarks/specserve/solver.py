"""Specserve's solver: each sample (a prompt under one serving setting) takes its measurement from the run's
engine (``engine.py``), which measures every setting in turn; the result goes to the scorer as a typed record."""

from __future__ import annotations

import uuid
from typing import Any

from inspect_ai.model import ModelOutput, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from benchmarks.specserve.data import Prompt
from benchmarks.specserve.engine import Engine, Setting


class SpecRecord(StoreModel):
    """One sample's measurement, handed from the solver to the scorer."""

    values: dict[str, float] = Field(default_factory=dict)
    text: str = ""
    turns: list[dict[str, Any]] = Field(default_factory=list)  # per turn: text, ttft, e2e, tokens, itl, finish
    error: str | None = None


_ENGINES: dict[tuple[str, int], Engine] = {}  # (the task's run token, epoch) -> its engine: one sweep per epoch


@solver
def specserve_solver(settings: list[Setting], prompts: list[Prompt], max_tokens: int, seed: int) -> Solver:
    token = uuid.uuid4().hex

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        key = (token, state.epoch)
        if key not in _ENGINES:  # the model under test, with its -M args, is the active model here
            model = get_model()
            _ENGINES[key] = Engine(
                str(model), dict(model.model_args), settings, prompts, max_tokens=max_tokens, seed=seed
            )
        engine = _ENGINES[key]
        meta = state.metadata
        measured = await engine.result(meta["setting"], meta["prompt_id"])
        record = state.store_as(SpecRecord)
        record.values = measured.values()
        record.text, record.error = measured.text, measured.error
        record.turns = [
            {
                "text": t.text,
                "ttft": t.ttft,
                "e2e": t.e2e,
                "output_tokens": t.output_tokens,
                "itl": [round(x, 6) for x in t.itl],
                "finish_reason": t.finish_reason,
                "pieces": t.pieces,
            }
            for t in measured.turns
        ]
        state.output = ModelOutput.from_content(str(get_model()), measured.text)
        return state

    return solve
