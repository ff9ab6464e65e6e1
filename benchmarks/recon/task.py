"""Recon: is a reasoning trace as good as it makes a real person's next action predictable?

inspect eval benchmarks/recon                                    # embedded model, default size
inspect eval benchmarks/recon -T individuals=8 -T test=10 -T candidates=5
inspect eval benchmarks/recon --model-role reconstructor=local/gemma3-270m
inspect eval benchmarks/recon -T convokit_path=path/to/corpus   # your own ConvoKit corpus as a domain
inspect eval benchmarks/recon -T domains=respondents             # survey respondents: discrete actions

Method: Zhu, Miroyan, Wang et al. (2026), reasoning synthesis for user modelling; see README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from benchmarks.recon.data import DEFAULT_DOMAINS, DOMAINS, Example, Individual, load_convokit, load_domain
from benchmarks.recon.prompts import speaker
from benchmarks.recon.scorer import recon_scorer
from benchmarks.recon.solver import STRATEGIES, Settings, recon_solver

# 1: first version.
# 2: a judge pair with a missing verdict is missing (was: a tie); the live leak metric counts valid traces, as
#    summarize does (was: non-empty ones). Report-side in the same change: fidelity CIs clustered by individual,
#    no per-individual CI below 5 items, Bradley–Terry without a finite estimate reported as NaN with the reason.
# 3: discrete items (respondents): an option letter outside the first token's top log-probabilities is scored
#    teacher-forced (was: probability 0), option scoring counts every model request in the costs, and the option
#    guard masks "C.3" whole (was: "[...].3") and plurals and possessives of an option ("Liberal Democrats"). Free-text
#    domains compute exactly as in version 2.
# Report side after 3, no new version (the per-item scores are the same; summarize gives any log the new statistics):
#    win rates' sign test and Wilson interval, the leak rate's interval and the Bradley–Terry bootstrap treat the
#    individual as the unit; the fidelity rows' interval is a cluster-robust t interval (was a cluster bootstrap that
#    covered ~0.65 at the main job's size); repeated transfer runs are averaged per item, not pooled as new items.
#    Letters outside the top log-probabilities are completed inside scoring.score_options (same numbers).
TASK_VERSION = 3
# logs of version 1 keep the same layout: summarize recomputes their judge outcomes from the stored verdicts.
OLDEST_LOG_VERSION = 1
DEFAULT_INDIVIDUALS = 4
DEFAULT_HISTORY = 2
DEFAULT_TEST = 2
DEFAULT_CANDIDATES = 3
# Held-out items whose fidelities (mean log-likelihood per token, nats) differ by at most this much are ties.
DEFAULT_TIE_MARGIN = 0.02


def names(value: str | list[str] | tuple[str, ...] | None, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    """Comma-separated or listed names, checked against ``known`` (order kept)."""
    if value is None:
        return known
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v).strip() for v in value]
    items = [v for v in items if v]
    unknown = [v for v in items if v not in known]
    if unknown or not items:
        raise ValueError(f"recon: unknown {what} {unknown or value!r}; choose from {', '.join(known)}")
    return tuple(dict.fromkeys(items))


def example_record(individual: Individual, example: Example) -> dict[str, Any]:
    return {
        "id": example.id,
        "group": example.group,
        "speaker": speaker(individual, example),
        "context": example.context,
        "action": example.action,
        "metadata": example.metadata,
    }


def individual_sample(individual: Individual, history: int, test: int) -> Sample:
    """One sample per individual: its last ``history`` synthesis-history examples (the closest in time to the
    held-out ones) and its first ``test`` held-out examples."""
    shown = individual.history[-history:] if history else []
    held = individual.test[:test]
    return Sample(
        id=f"{individual.domain}/{individual.id}",
        input=f"Recon user modelling: {individual.name} ({individual.domain}), {len(shown)} history and "
        f"{len(held)} held-out examples",
        target="",
        metadata={
            "domain": individual.domain,
            "individual": individual.id,
            "name": individual.name,
            "history": [example_record(individual, e) for e in shown],
            "test": [example_record(individual, e) for e in held],
        },
    )


def load_individuals(
    domains: tuple[str, ...], individuals: int, data_dir: str | None, convokit_path: str | None
) -> list[Individual]:
    found: list[Individual] = []
    for domain in domains:
        path = Path(data_dir) / f"{domain}.jsonl" if data_dir else None
        found += load_domain(domain, path)[:individuals]
    if convokit_path:
        found += load_convokit(convokit_path, max_individuals=individuals)
    return found


@task
def recon(
    domains: str | list[str] | None = None,
    individuals: int = DEFAULT_INDIVIDUALS,
    history: int = DEFAULT_HISTORY,
    test: int = DEFAULT_TEST,
    strategies: str | list[str] | None = None,
    candidates: int = DEFAULT_CANDIDATES,
    tie_margin: float = DEFAULT_TIE_MARGIN,
    temperature: float = 0.8,
    trace_tokens: int = 96,
    context_chars: int = 1500,
    leak_words: int = 8,
    trace_fidelity: bool = False,
    judge: bool = False,
    seed: int = 0,
    data_dir: str | None = None,
    convokit_path: str | None = None,
) -> Task:
    """One sample per individual: traces for its history by each strategy, then its held-out actions scored.

    Args:
        domains: comma-separated shipped domains (scotus, diplomacy, respondents; default scotus and diplomacy:
            respondents, survey answers as discrete actions, is opt-in, ``-T domains=respondents``).
        individuals: individuals per domain (file order; the shipped files hold 5, 8 and 40).
        history: synthesis-history examples per individual (its latest), each given a trace per strategy.
        test: held-out examples per individual whose fidelity is compared between strategies.
        strategies: comma-separated subset of none, forward, backward, recon (default all).
        candidates: Recon's forward candidates per history example (N); the best by reconstruction fidelity is kept.
        tie_margin: held-out fidelities closer than this (nats per token; chrF points under the chrF fallback) tie.
        temperature: sampling temperature of every synthesised trace (forward = one sample, Recon = best of N).
        trace_tokens: maximum tokens of a trace.
        context_chars: characters of context shown in prompts (header line and the newest turns).
        leak_words: a trace sharing this many consecutive words with the action leaks (masked before use).
        trace_fidelity: also score the reconstruction fidelity of none/forward/backward traces (one call each).
        judge: also compare strategies by a pairwise judge (role ``judge``): the user model predicts each held-out
            action per strategy (temperature 0) and the judge, shown the true action, picks the closer of two
            predictions in both orders.
        seed: seeds the synthesis requests.
        data_dir: a folder of <domain>.jsonl files in the shipped format, read instead of datasets/recon.
        convokit_path: a ConvoKit corpus folder (utterances.jsonl, speakers.json) added as domain "convokit".
    """
    wanted: tuple[str, ...]
    if domains is None:
        wanted = DEFAULT_DOMAINS if not convokit_path else ()
    else:
        wanted = names(domains, DOMAINS, "domain(s)")
    chosen = names(strategies, STRATEGIES, "strateg(ies)")
    for label, number, low in (
        ("individuals", individuals, 1),
        ("history", history, 1),
        ("test", test, 1),
        ("candidates", candidates, 1),
        ("trace_tokens", trace_tokens, 8),
        ("context_chars", context_chars, 200),
        ("leak_words", leak_words, 2),
    ):
        try:
            whole = int(number)
        except (TypeError, ValueError):
            raise ValueError(f"recon: {label} must be a whole number, got {number!r}") from None
        if whole < low:
            raise ValueError(f"recon: {label} must be at least {low}, got {number}")
    try:
        float(tie_margin)
    except (TypeError, ValueError):
        raise ValueError(f"recon: tie_margin must be a number, got {tie_margin!r}") from None
    if float(tie_margin) < 0:
        raise ValueError(f"recon: tie_margin must be >= 0, got {tie_margin}")
    people = load_individuals(wanted, int(individuals), data_dir, convokit_path)
    if not people:
        raise ValueError("recon: no individuals to evaluate")
    settings = Settings(
        strategies=chosen,
        candidates=int(candidates),
        trace_tokens=int(trace_tokens),
        temperature=float(temperature),
        context_chars=int(context_chars),
        leak_words=int(leak_words),
        trace_fidelity=bool(trace_fidelity),
        judge=bool(judge),
        seed=int(seed),
    )
    return Task(
        dataset=MemoryDataset([individual_sample(p, int(history), int(test)) for p in people], name="recon"),
        solver=recon_solver(settings),
        scorer=recon_scorer(chosen, float(tie_margin)),
        version=TASK_VERSION,
        metadata={"strategies": list(chosen), "candidates": int(candidates), "tie_margin": float(tie_margin)},
    )
