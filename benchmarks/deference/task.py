"""DialDefer: does a model judge a claim differently when a speaker in a dialogue made it?

inspect eval benchmarks/deference --model local/smollm2-135m
inspect eval benchmarks/deference -T attribution=user_llm -T mitigation=honesty
inspect eval benchmarks/deference -T items_path=path/to/dialdefer/sampled_formatted
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from benchmarks.deference.dds import CELLS
from benchmarks.deference.items import Item, builtin_items, read_items_path, select, truthfulqa_items
from benchmarks.deference.prompts import cell_messages, cell_truth, check_options
from benchmarks.deference.scorer import VERDICT_SCHEMA, verdict_scorer

# 2: verdicts under a JSON-schema constraint by default (version 1 was free-form JSON, now constrained=False).
# 3: mean_abs_dds is the bias-corrected RMS of per-domain DDS (was the raw mean |DDS|, mostly noise), with a
#    permutation null floor and p-value; says_correct CIs bootstrap items; one-item domains get NaN CIs.
#    Later report-side changes without a new version (the log's Score values are the same): mean_abs_dds renamed
#    rms_dds, with its own null floor (rms_dds_null_floor; the raw value's is mean_abs_dds_raw_null_floor), and
#    expanded percentile says_correct CIs.
TASK_VERSION = 3
DEFAULT_ITEMS_PER_DOMAIN = 10
SOURCES = ("builtin", "truthfulqa")
# The verdict object is at most 10 tokens in both embedded models' tokenizers; free-form replies get room for a
# short preamble before the object (as in version 1).
MAX_TOKENS_CONSTRAINED = 16
MAX_TOKENS_FREE = 32


def verdict_config(constrained: bool) -> GenerateConfig:
    """Temperature 0; with constrained, the verdict schema (a provider that ignores it still gets parsed)."""
    if constrained:
        return GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS_CONSTRAINED, response_schema=VERDICT_SCHEMA)
    return GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS_FREE)


def _domains(domains: str | list[str] | None) -> list[str] | None:
    if domains is None or isinstance(domains, list):
        return domains
    return [d.strip() for d in str(domains).split(",") if d.strip()]


def cell_samples(
    items: list[Item], *, attribution: str, framing: str, mitigation: str | None, variant: str
) -> list[Sample]:
    samples = []
    for item in items:
        for cell in CELLS:
            truth = cell_truth(cell)
            samples.append(
                Sample(
                    id=f"{item.domain}/{item.item_id}/{cell}",
                    input=cell_messages(item, cell, attribution=attribution, framing=framing, mitigation=mitigation),
                    target="correct" if truth else "incorrect",
                    metadata={
                        "domain": item.domain,
                        "item_id": item.item_id,
                        "cell": cell,
                        "framing": cell[:2],
                        "shown_answer_true": truth,
                        "shown_answer": item.correct if truth else item.incorrect,
                        "variant": variant,
                    },
                )
            )
    return samples


@task
def deference(
    domains: str | list[str] | None = None,
    items_per_domain: int | None = DEFAULT_ITEMS_PER_DOMAIN,
    attribution: str = "speakers",
    framing: str = "single",
    mitigation: str | None = None,
    seed: int = 0,
    items_path: str | None = None,
    source: str = "builtin",
    constrained: bool = True,
) -> Task:
    """Four cells per item (C1_True, C1_False, C2_Correct, C2_Incorrect), one JSON verdict each at temperature 0.

    Args:
        domains: comma-separated domains to keep (default: all of the chosen source).
        items_per_domain: seeded sample per domain (None or 0: all items).
        attribution: speaker labels, "speakers" | "user_llm" | "llm_user" | "names".
        framing: "single" (one question/answer exchange) or "conversation" (a naturalistic multi-turn exchange).
        mitigation: None | "honesty" (system instruction) | "dehumanise" (AI-agent labels + automated-system prompt).
        seed: seed of the per-domain item sample.
        items_path: a DialDefer JSONL file (or a folder of them) to judge instead of the shipped items.
        source: "builtin" (shipped offline domains) or "truthfulqa" (Hugging Face, pinned revision).
        constrained: ask the provider to decode under the verdict's JSON schema (False: free-form JSON reply).
    """
    check_options(attribution, framing, mitigation)
    if not isinstance(constrained, bool):
        raise ValueError(f"deference: constrained must be true or false, got {constrained!r}")
    if source not in SOURCES:
        raise ValueError(f"deference: source must be one of {list(SOURCES)}, got {source!r}")
    wanted = _domains(domains)
    if items_path:
        items = read_items_path(items_path)
    elif source == "truthfulqa":
        items = truthfulqa_items()
    else:
        items = builtin_items(wanted)
    if wanted and (items_path or source != "builtin"):
        items = [i for i in items if i.domain in wanted]
        if not items:
            raise ValueError(f"deference: no items in domain(s) {wanted}")
    items = select(items, items_per_domain or None, seed)
    variant = f"attribution={attribution},framing={framing},mitigation={mitigation or 'none'}"
    return Task(
        dataset=MemoryDataset(
            cell_samples(items, attribution=attribution, framing=framing, mitigation=mitigation, variant=variant),
            name="deference",
        ),
        solver=generate(),
        scorer=verdict_scorer(),
        config=verdict_config(constrained),
        version=TASK_VERSION,
        metadata={"variant": variant, "items_per_domain": items_per_domain, "seed": seed, "constrained": constrained},
    )
