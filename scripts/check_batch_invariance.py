"""Does this llama.cpp build give the same logits for tokens evaluated in one batch as one at a time?

    .venv/bin/python scripts/check_batch_invariance.py [--model smollm2-135m] [--tokens 100]

Speculative decoding verifies K drafted tokens in one batch; plain decoding evaluates one token at a time. Greedy
outputs are equal only if both give the same logits. This evaluates a 200-token prefix of a real Spec-Bench article,
then the next ``--tokens`` tokens once as one batch and once one by one, and prints the largest absolute logit
difference and how many positions' greedy token differs. Measured 2026-12-02 with SmolLM2 (100 positions): the
default build (llamafile's batched kernels) 1.27 and 2 positions; ``TWINBENCH_BATCH_INVARIANT=1 make setup``
(``GGML_LLAMAFILE=OFF``) 0.0 and 0.
"""

from __future__ import annotations

import argparse

import numpy as np


def logits(model: str, tokens: int, batched: bool) -> np.ndarray:
    import llama_cpp

    from benchmarks.specserve.data import load_prompts
    from twinbench.models import resolve_local_model

    path, _ = resolve_local_model(model)
    llm = llama_cpp.Llama(str(path), n_threads=2, n_ctx=1024, n_batch=512, logits_all=True, verbose=False)
    text = next(p for p in load_prompts() if p.group == "summarization").turns[0]
    ids = llm.tokenize(text.encode())[: 200 + tokens]
    if len(ids) < 200 + tokens:
        raise SystemExit(f"the article has only {len(ids)} tokens; ask for fewer --tokens")
    llm.eval(ids[:200])
    if batched:
        llm.eval(ids[200:])
    else:
        for token in ids[200:]:
            llm.eval([token])
    return np.array(llm.scores[200 : 200 + tokens])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m", help="an embedded model alias or a .gguf path")
    parser.add_argument("--tokens", type=int, default=100)
    args = parser.parse_args()
    batch, single = logits(args.model, args.tokens, True), logits(args.model, args.tokens, False)
    flips = int((batch.argmax(axis=1) != single.argmax(axis=1)).sum())
    print(
        f"max |logit difference| {np.abs(batch - single).max():.4g}; greedy token differs at {flips} of {args.tokens}"
    )


if __name__ == "__main__":
    main()
