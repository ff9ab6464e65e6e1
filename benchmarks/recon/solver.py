"""Recon's solver: synthesise each strategy's traces for an individual's history, then score the user model on the
individual's held-out actions with each strategy's traces in its prompt.

For every synthesis-history example (``h``) of the sample's individual:

* ``none``: no trace;
* ``forward``: one trace from the context alone (synthesizer, temperature ``temperature``);
* ``backward``: one trace from the context and the true action (synthesizer; the baseline, it rationalises);
* ``recon``: ``candidates`` forward traces; each is scored by the reconstructor's fidelity, the teacher-forced
  mean log-likelihood of the true action given the context and the trace (never the action itself), and the best
  is kept. Forward is thus Recon with one candidate and no selection.

Every trace passes the leakage guard first (``scorers.text.overlap``): a run of ``leak_words`` or more consecutive
words shared with the action is counted as a leak and masked before the trace is scored or shown to anyone. For a
discrete action (a survey answer, ``respondents``) the guard is :mod:`benchmarks.recon.options`: a trace naming the
true option (its letter or its text) leaks, and every option's mentions are masked in every trace.

Fidelity is the provider's scoring (``twinbench.providers.scoring``): the teacher-forced mean log-likelihood per token
of a free-text action (:func:`score_continuation`), or, for a discrete action, the probability of the true option
letter from the model's log-probabilities, renormalised over the options (:func:`score_options`, which scores a
letter outside the top log-probabilities teacher-forced).

Then, for every held-out test example, the user model's fidelity to the true action is scored once per strategy,
with the individual's history examples (context, that strategy's trace, action) in its prompt. Held-out examples
never enter a synthesis or reconstruction prompt.

Each model call's count and wall time is recorded per strategy and stage. With the embedded llama.cpp server, calls
to one server run one at a time (:func:`call_slot`) and the time is measured inside that slot, so it is compute,
not queueing; with other providers it is the call's latency, and calls of concurrent samples overlap.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import Any, TypeVar

from inspect_ai.model import ChatMessage, GenerateConfig, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import StoreModel
from pydantic import Field

from benchmarks.recon.data import is_discrete, option_letters
from benchmarks.recon.options import option_mentions
from benchmarks.recon.prompts import (
    Shown,
    backward_messages,
    forward_messages,
    judge_messages,
    reconstruction_messages,
    user_model_messages,
)
from scorers.text.overlap import find_overlap, mask_spans
from twinbench.providers.scoring import score_continuation, score_options, scoring_method
from twinbench.roles import check_roles, role_model

STRATEGIES = ("none", "forward", "backward", "recon")
ORDER = ("recon", "forward", "backward", "none")  # pairs are named "<earlier>_vs_<later>"
JUDGE_CONFIG = GenerateConfig(temperature=0.0, max_tokens=8)
_CHOICE = re.compile(r"\b([AB])\b")
ROLES = ("synthesizer", "reconstructor", "user_model", "judge")
MIN_TRACE_WORDS = 3
_LABEL = re.compile(r"^\s*(?:\**\s*)?(?:reasoning|thoughts?|answer)\s*[:\-]\s*", re.IGNORECASE)

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    strategies: tuple[str, ...] = STRATEGIES
    candidates: int = 3
    trace_tokens: int = 96
    temperature: float = 0.8
    context_chars: int = 1500
    leak_words: int = 8
    trace_fidelity: bool = False
    judge: bool = False
    judge_tokens: int = 128
    seed: int = 0


class ReconRecord(StoreModel):
    """What the solver hands the scorer: per trace, per held-out item, costs per strategy and stage."""

    done: bool = False
    traces: list[dict[str, Any]] = Field(default_factory=list)
    items: list[dict[str, Any]] = Field(default_factory=list)
    costs: dict[str, dict[str, float]] = Field(default_factory=dict)
    methods: dict[str, str] = Field(default_factory=dict)
    models: dict[str, str] = Field(default_factory=dict)


def clean_trace(text: str) -> str | None:
    """The trace in a generated reply: whitespace collapsed, a leading "Reasoning:" label dropped; None when it has
    fewer than MIN_TRACE_WORDS words (empty, or not reasoning)."""
    trace = _LABEL.sub("", " ".join((text or "").split()), count=1).strip()
    return trace if len(trace.split()) >= MIN_TRACE_WORDS else None


def parse_choice(text: str) -> str | None:
    """The judge's verdict, "A" or "B" (the first standalone letter), else None."""
    found = _CHOICE.search(text or "")
    return found.group(1) if found else None


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


# One asyncio.Lock per (event loop, llama.cpp server): the server computes one request at a time anyway.
_SLOTS: weakref.WeakKeyDictionary[Any, dict[int, asyncio.Lock]] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def call_slot(model: Model) -> AsyncIterator[None]:
    server = getattr(model.api, "_server", None)
    if server is None or not hasattr(server, "request_slot"):
        yield
        return
    loop = asyncio.get_running_loop()
    locks = _SLOTS.setdefault(loop, {})
    lock = locks.setdefault(id(server), asyncio.Lock())
    async with lock:
        yield


class Costs:
    """Calls and seconds per (strategy, stage)."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, float]] = {}

    def add(self, strategy: str, stage: str, seconds: float, calls: int = 1) -> None:
        row = self.table.setdefault(strategy, {})
        row[f"{stage}_calls"] = row.get(f"{stage}_calls", 0) + calls
        row[f"{stage}_seconds"] = row.get(f"{stage}_seconds", 0.0) + seconds

    async def timed(self, model: Model, strategy: str, stage: str, call: Callable[[], Awaitable[T]]) -> T:
        async with call_slot(model):
            start = time.perf_counter()
            try:
                return await call()
            finally:
                self.add(strategy, stage, time.perf_counter() - start)


def options_of(example: Mapping[str, Any]) -> list[str] | None:
    """A discrete example's option texts (lettered A, B, ... in this order), None for a free-text action."""
    return list(example["metadata"]["options"]) if is_discrete(example) else None


def seed_of(*parts: object) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode()) & 0x7FFFFFFF


class Run:
    """One individual's run: its examples, the role models and the settings."""

    def __init__(self, state: TaskState, settings: Settings, models: dict[str, Model]) -> None:
        self.state = state
        self.s = settings
        self.models = models
        self.costs = Costs()
        self.history: list[dict[str, Any]] = state.metadata["history"]
        self.test: list[dict[str, Any]] = state.metadata["test"]
        self.option_methods: set[tuple[str, str]] = set()  # (role, score_options method) seen for discrete items

    def config(self, *seed_parts: object) -> GenerateConfig:
        return GenerateConfig(
            temperature=self.s.temperature,
            max_tokens=self.s.trace_tokens,
            seed=seed_of(self.s.seed, self.state.sample_id, *seed_parts),
        )

    async def generate_trace(
        self, strategy: str, messages: list[ChatMessage], example: dict[str, Any], *seed: object
    ) -> dict[str, Any]:
        """One synthesised trace through the leakage guard: raw reply, trace (masked where it quotes the action)."""
        model = self.models["synthesizer"]
        record: dict[str, Any] = {"raw": None, "trace": None, "valid": False, "leaked": False, "error": None}
        try:
            output = await self.costs.timed(
                model, strategy, "synthesis", lambda: model.generate(messages, config=self.config(*seed))
            )
        except Exception as ex:  # a provider error is an invalid trace, counted, not a crashed sample
            record["error"] = first_line(ex)
            return record
        record["raw"] = output.completion
        trace = clean_trace(output.completion)
        if trace is None:
            return record
        options = options_of(example)
        if options is not None:
            mentions = option_mentions(trace, options, option_letters(len(options)), options.index(example["action"]))
            record.update(
                valid=True,
                leaked=mentions.leaked,
                named_options=list(mentions.named),
                trace=mentions.masked,  # every option's mentions masked, so the mask does not point at the answer
            )
            return record
        overlap = find_overlap(trace, example["action"], self.s.leak_words)
        record.update(
            valid=True,
            leaked=overlap.leaked,
            overlap_words=overlap.words,
            longest_run=overlap.longest_run,
            trace=mask_spans(trace, overlap.spans) if overlap.leaked else trace,
        )
        return record

    async def fidelity(
        self, role: str, strategy: str, stage: str, messages: list[ChatMessage], example: dict[str, Any]
    ) -> dict[str, Any]:
        """A role model's fidelity to ``example``'s action after ``messages``: value (NaN when it failed), tokens,
        error. A discrete action's value is the probability of its option letter (``score_options``)."""
        model = self.models[role]
        action = example["action"]
        options = options_of(example)
        if options is not None:
            letters = option_letters(len(options))
            try:
                scored = await self.costs.timed(model, strategy, stage, lambda: score_options(model, messages, letters))
            except Exception as ex:
                return {"value": math.nan, "n_tokens": 0, "error": first_line(ex)}
            self.option_methods.add((role, scored.method))
            self.costs.add(strategy, stage, 0.0, calls=scored.calls - 1)  # model requests beyond the first, timed above
            return {
                "value": scored.probability(letters[options.index(action)]),
                "n_tokens": 1,
                "error": None,
                "probabilities": list(scored.probabilities),
                "off_option_mass": scored.off_option_mass,  # 1 - the letters' first-token mass (NaN: not measured)
                "completed_letters": scored.completed_letters,
                "calls": scored.calls,
                "method": scored.method,
                "note": scored.note,
            }
        try:
            score = await self.costs.timed(model, strategy, stage, lambda: score_continuation(model, messages, action))
        except Exception as ex:  # ScoringError (an over-long prompt) and provider errors are counted, not raised
            return {"value": math.nan, "n_tokens": 0, "error": first_line(ex)}
        out: dict[str, Any] = {"value": score.value, "n_tokens": score.n_tokens, "error": None}
        if score.prediction is not None:
            out["prediction"] = score.prediction
        if score.note:
            out["note"] = score.note
        return out

    def reconstruction(self, example: dict[str, Any], trace: str | None) -> list[ChatMessage]:
        return reconstruction_messages(
            example["speaker"], example["context"], trace, self.s.context_chars, options_of(example)
        )

    async def synthesise(self, index: int, example: dict[str, Any]) -> list[dict[str, Any]]:
        """The traces of every strategy for one history example."""
        who, context, options = example["speaker"], example["context"], options_of(example)
        rows: list[dict[str, Any]] = []

        async def forward() -> dict[str, Any]:
            messages = forward_messages(who, context, self.s.context_chars, options)
            return await self.generate_trace("forward", messages, example, example["id"], "forward")

        async def backward() -> dict[str, Any]:
            messages = backward_messages(who, context, example["action"], self.s.context_chars, options)
            return await self.generate_trace("backward", messages, example, example["id"], "backward")

        async def recon() -> dict[str, Any]:
            messages = forward_messages(who, context, self.s.context_chars, options)
            candidates = await asyncio.gather(
                *(
                    self.generate_trace("recon", messages, example, example["id"], "recon", c)
                    for c in range(self.s.candidates)
                )
            )
            for candidate in candidates:
                if candidate["valid"]:
                    scored = await self.fidelity(
                        "reconstructor",
                        "recon",
                        "selection",
                        self.reconstruction(example, candidate["trace"]),
                        example,
                    )
                    candidate["fidelity"] = scored
            scored_values = [c["fidelity"]["value"] for c in candidates if c.get("fidelity")]
            finite = [v for v in scored_values if not math.isnan(v)]
            best = None
            if finite:
                top = max(finite)
                best = next(i for i, c in enumerate(candidates) if c.get("fidelity", {}).get("value") == top)
            chosen: dict[str, Any] = (
                dict(candidates[best]) if best is not None else {"trace": None, "valid": False, "leaked": False}
            )
            chosen.update(candidates=candidates, chosen=best)
            if best is None:
                chosen["valid"] = False  # no candidate could be scored: nothing to select
            return chosen

        makers: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
            "forward": forward,
            "backward": backward,
            "recon": recon,
        }
        wanted = [s for s in self.s.strategies if s in makers]
        made = await asyncio.gather(*(makers[s]() for s in wanted))
        by_strategy = dict(zip(wanted, made))
        if "none" in self.s.strategies:
            by_strategy["none"] = {"trace": None, "valid": True, "leaked": False}
        for strategy in self.s.strategies:
            record = by_strategy[strategy]
            if self.s.trace_fidelity and strategy != "recon" and record.get("valid"):
                record["fidelity"] = await self.fidelity(
                    "reconstructor",
                    strategy,
                    "trace_fidelity",
                    self.reconstruction(example, record["trace"]),
                    example,
                )
            rows.append({"example": example["id"], "index": index, "strategy": strategy, **record})
        return rows

    async def downstream(self, traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each held-out item's fidelity under each strategy's history (and, with ``judge``, the judge's verdicts)."""
        trace_of = {(t["example"], t["strategy"]): t.get("trace") for t in traces}
        items = []
        for example in self.test:
            fidelity: dict[str, Any] = {}
            prompts: dict[str, list[ChatMessage]] = {}
            for strategy in self.s.strategies:
                shown = [
                    Shown(
                        h["context"],
                        trace_of.get((h["id"], strategy)) if strategy != "none" else None,
                        h["action"],
                        tuple(options_of(h) or ()) or None,
                    )
                    for h in self.history
                ]
                prompts[strategy] = user_model_messages(
                    example["speaker"], shown, example["context"], self.s.context_chars, options_of(example)
                )
                fidelity[strategy] = await self.fidelity(
                    "user_model", strategy, "downstream", prompts[strategy], example
                )
            item: dict[str, Any] = {"id": example["id"], "group": example["group"], "fidelity": fidelity}
            if is_discrete(example):
                item["discrete"] = True  # fidelity = probability of the true option; no judge of predictions
            elif self.s.judge:
                item["judge"] = await self.judge(example, prompts)
            items.append(item)
        return items

    async def judge(self, example: dict[str, Any], prompts: dict[str, list[ChatMessage]]) -> dict[str, Any]:
        """The user model's prediction under each strategy (temperature 0), then every pair of predictions judged
        against the true action in both orders: a pair's outcome is +1 when the first strategy's prediction is
        preferred both times, -1 when the second's is, 0 when the two orders disagree, and None (missing) when a verdict
        was unreadable or failed (:func:`judge_outcome`)."""
        user_model = self.models["user_model"]
        config = GenerateConfig(temperature=0.0, max_tokens=self.s.judge_tokens)
        predictions: dict[str, str | None] = {}
        for strategy, messages in prompts.items():
            try:
                output = await self.costs.timed(
                    user_model, "judge", "prediction", partial(user_model.generate, messages, config=config)
                )
                predictions[strategy] = output.completion.strip() or None
            except Exception:  # a failed prediction loses nothing: its pairs are missing
                predictions[strategy] = None
        judge = self.models["judge"]
        pairs: dict[str, Any] = {}
        ordered = [s for s in ORDER if s in prompts]
        for a, b in combinations(ordered, 2):
            pa, pb = predictions[a], predictions[b]
            if pa is None or pb is None:
                pairs[f"{a}_vs_{b}"] = {"outcome": None, "verdicts": []}
                continue
            verdicts = []
            for first, second, first_is_a in ((pa, pb, True), (pb, pa, False)):
                messages = judge_messages(example["speaker"], example["context"], example["action"], first, second,
                                          self.s.context_chars)  # fmt: skip
                try:
                    reply = await self.costs.timed(
                        judge, "judge", "verdict", partial(judge.generate, messages, config=JUDGE_CONFIG)
                    )
                    choice = parse_choice(reply.completion)
                except Exception:
                    choice = None
                verdicts.append(None if choice is None else (choice == "A") == first_is_a)
            pairs[f"{a}_vs_{b}"] = {"outcome": judge_outcome(verdicts), "verdicts": verdicts}
        return {"predictions": predictions, "pairs": pairs}


def judge_outcome(verdicts: list[bool | None]) -> int | None:
    """A pair's judge outcome from its verdicts in both orders (True: the first strategy's prediction preferred):
    +1 both for the first, -1 both for the second, 0 when the orders disagree (a tie), None (missing, counted
    nowhere else) when a verdict is missing. Version 1 logs scored a missing verdict as a tie; summarize recomputes
    their outcomes with this rule."""
    if len(verdicts) != 2 or any(v is None for v in verdicts):
        return None
    return 1 if verdicts == [True, True] else -1 if verdicts == [False, False] else 0


def leak_counts(traces: Iterable[Mapping[str, Any]], strategy: str) -> tuple[int, int]:
    """(leaked, counted) traces of ``strategy``: the one leak-rate rule of the live metric, summarize and units. A
    trace counts when it is valid (a readable trace that was used; a Recon trace without a scored candidate and a
    failed synthesis call are not), and it leaked when the guard found the action quoted. ``none`` has no traces."""
    if strategy == "none":
        return 0, 0
    counted = [t for t in traces if t.get("strategy") == strategy and bool(t.get("valid"))]
    return sum(1 for t in counted if bool(t.get("leaked"))), len(counted)


def role_models() -> dict[str, Model]:
    """Each role's model: the bound ``--model-role``, else the model under test (inspect's ``none`` model or an
    unknown role: one error before any call, not a run whose every call fails or a role silently ignored)."""
    check_roles("recon", ROLES)
    default = get_model()
    return {role: role_model("recon", role, default) for role in ROLES}


@solver
def recon_solver(settings: Settings) -> Solver:
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        models = role_models()
        run = Run(state, settings, models)
        per_example = await asyncio.gather(*(run.synthesise(i, h) for i, h in enumerate(run.history)))
        traces = [row for rows in per_example for row in rows]
        items = await run.downstream(traces)
        record = state.store_as(ReconRecord)
        record.traces = traces
        record.items = items
        record.costs = run.costs.table
        record.methods = {role: scoring_method(models[role]) for role in ("reconstructor", "user_model")}
        for role, method in sorted(run.option_methods):  # discrete items: how the option probabilities were read
            record.methods[f"{role} (discrete)"] = method
        record.models = {role: str(models[role]) for role in ROLES}
        record.done = True
        return state

    return solve
