"""What the embedded provider costs over its engine: inspect + ``local/`` vs direct HTTP vs llama.cpp in-process.

    .venv/bin/python scripts/bench_provider.py [--model local/smollm2-135m] [--samples 50] [--repeats 3]
                                               [--workloads deference,survey] [--no-eval] [--threads N]

Workloads (real prompts; the benchmark modules are only read):

  deference  ``deference(items_per_domain=5)`` inputs: one JSON verdict under the verdict schema (grammar-constrained),
             temperature 0, max_tokens 16
  survey     ``survey(max_items=50)`` inputs: first-token log-probabilities (logprobs, top_logprobs=20, max_tokens=1,
             temperature 0)

Methods, seconds per sample:

  provider   inspect's ``Model.generate`` through ``local/`` (the OpenAI-compatible provider), as a solver calls it
  direct     the provider's own request body (captured on the wire), POSTed with httpx to the same server
  inproc     the same request to the same engine (llama_engine.TwinLlama, same settings) in a worker process, no HTTP
  upstream   the same body to a second server running upstream llama-cpp-python unchanged with logits_all=True: the
             embedded server as it was before llama_engine.py (for survey: first-token log-probabilities with
             logits_all, against 'direct' without)
  in order   (not with --no-eval) direct, the samples one after the other in dataset order (consecutive prompts
             share prefixes), no pauses: the counterpart of
  eval       (not with --no-eval) ``inspect eval`` of the same samples through the provider: wall time / samples,
             including inspect's per-eval setup and per-sample scoring and logging; its ratio is to 'in order'

Timing: every repeat is one pass in which, at each step, every per-request method handles one sample, in a random
(seeded) order and each method on a different sample (offset by samples / methods), so load changes on a shared
machine hit all methods alike. Before each timed request, untimed: a pause (--settle, so the previous engine's
OpenMP threads stop spinning) and a one-token "Hi" request to the same engine, so every method meets a warm engine
whose prompt cache holds just the chat template's prefix. The two in-order blocks run after each pass, in
alternating order.
Reported: the median over repeats of seconds per sample, and of the ratio of each method's pass total to direct's
in the same pass (with its range over repeats). Client CPU is this process's CPU time per request (inspect + OpenAI
SDK vs httpx): provider and direct send the same body to the same server, so the difference between them is the
harness's own cost, and this column is that cost without the machine's load in it. Target: provider / direct <= 1.10.

Engines run with the provider's settings (2 llama.cpp threads) unless --threads says otherwise. On a machine whose
cores are busy with other work, 2 threads are slowed many times over by llama.cpp's per-operation thread barriers
(each waits for the other thread to be scheduled) and their times vary too much to compare; --threads 1 avoids that.
Every engine then computes more slowly, so provider / direct moves towards 1: read it with the client CPU column.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET = 1.10
SERVER_ONLY_FIELDS = {"n", "logit_bias_type", "user", "min_tokens"}  # what llama_cpp.server drops before the engine
# Sent, untimed, to a method's engine before each timed request: the engine is warm (as between the back-to-back
# requests of an eval) and its prompt cache holds only the chat template's prefix, whichever method ran last.
WARM = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, "temperature": 0.0}


@dataclass
class Workload:
    name: str
    task: Any
    inputs: list[Any]
    config: Any
    bodies: list[dict[str, Any]] = field(default_factory=list)


def workloads(names: list[str], n: int) -> list[Workload]:
    out = []
    for name in names:
        if name == "deference":
            from benchmarks.deference.task import deference

            task = deference(items_per_domain=5)
            config = task.config
        elif name == "survey":
            from benchmarks.survey.solver import LOGPROB_CONFIG
            from benchmarks.survey.task import survey

            task = survey(max_items=50)
            config = LOGPROB_CONFIG
        else:
            raise SystemExit(f"unknown workload {name!r}; choose from deference, survey")
        samples = list(task.dataset)[:n]
        out.append(Workload(name, task, [s.input for s in samples], config))
    return out


# -- in-process engine, in a worker process so its threads and the GIL stay out of this client ---------------------


def _inproc_worker(conn: Any, model_path: str, llama_kwargs: dict[str, Any], engine: str) -> None:
    import llama_cpp
    from llama_cpp.server.types import CreateChatCompletionRequest

    if llama_kwargs.get("draft_model"):
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        llama_kwargs["draft_model"] = LlamaPromptLookupDecoding()
    llama = llama_cpp.Llama(model_path=model_path, **llama_kwargs)
    if engine == "twin":
        from twinbench.providers.llama_engine import TwinLlama

        TwinLlama.adopt(llama)
    conn.send("ready")
    while True:
        body = conn.recv()
        if body is None:
            return
        kwargs = CreateChatCompletionRequest(**body).model_dump(exclude=SERVER_ONLY_FIELDS)
        kwargs.pop("model", None)
        start = time.perf_counter()
        out: Any = llama.create_chat_completion(**kwargs)
        elapsed = time.perf_counter() - start
        conn.send((elapsed, out["choices"][0]["message"]["content"]))


class InProcess:
    def __init__(self, server_args: dict[str, Any], model_path: Path) -> None:
        import llama_cpp

        known = set(llama_cpp.Llama.__init__.__code__.co_varnames)
        args = {k: v for k, v in server_args.items() if k in known and v is not None}
        engine = str(server_args.get("engine", "twin"))
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_inproc_worker, args=(child, str(model_path), args, engine), daemon=True)
        self.process.start()
        if self.conn.recv() != "ready":
            raise RuntimeError("in-process worker did not start")

    def __call__(self, body: dict[str, Any]) -> tuple[float, str]:
        self.conn.send(body)
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


# -- the benchmark ---------------------------------------------------------------------------------------------------


def local_server(model: Any) -> Any:
    """The llama.cpp server behind a ``local/`` model."""
    return model.api._server


async def capture_bodies(model: Any, work: Workload) -> list[str]:
    """One provider call per sample (also the warm-up); returns completions; fills work.bodies from the wire."""
    seen: list[bytes] = []

    async def hook(request: Any) -> None:
        if request.url.path.endswith("/chat/completions"):
            seen.append(request.content)

    hooks = model.api.http_client.event_hooks["request"]
    hooks.append(hook)
    completions = []
    try:
        for item in work.inputs:
            before = len(seen)
            out = await model.generate(item, config=work.config)
            completions.append(out.completion)
            if len(seen) != before + 1:
                raise RuntimeError(f"expected one request per generate, saw {len(seen) - before}")
    finally:
        hooks.remove(hook)
    work.bodies = [json.loads(b) for b in seen]
    return completions


async def run_eval(model: Any, work: Workload, log_dir: str) -> float:
    from inspect_ai import eval_async

    start = time.perf_counter()
    [log] = await eval_async(work.task, model=model, limit=len(work.inputs), log_dir=log_dir)
    elapsed = time.perf_counter() - start
    if log.status != "success":
        raise RuntimeError(f"eval of {work.name} ended {log.status}: {log.error}")
    return elapsed / len(work.inputs)


async def bench(args: argparse.Namespace) -> int:
    import httpx
    from inspect_ai.model import get_model
    from inspect_ai.util._display import init_display_type

    from twinbench.models import resolve_local_model

    init_display_type("none")
    works = workloads(args.workloads.split(","), args.samples)
    threads = {"n_threads": args.threads, "n_threads_batch": args.threads} if args.threads else {}
    model = get_model(args.model, memoize=False, **threads)
    server = local_server(model)
    model_path, _ = resolve_local_model(args.model.split("/", 1)[1])
    upstream = get_model(args.model, memoize=False, engine="upstream", logits_all=True, **threads)
    inproc = InProcess(server.server_args, model_path)
    client = httpx.AsyncClient(timeout=600)
    url = f"{server.base_url}/chat/completions"
    log_dir = tempfile.mkdtemp(prefix="twinbench-bench-provider-")
    print(f"model {args.model}, server {dict(sorted(server.server_args.items()))}", flush=True)
    print(
        f"{args.samples} samples per workload, {args.repeats} repeats; machine: {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    async def direct(body: dict[str, Any], target: str = url) -> str:
        response = await client.post(target, json=body)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]

    async def warm_inproc() -> None:
        inproc(WARM)

    rows: list[tuple[Any, ...]] = []
    rng = random.Random(0)
    try:
        for work in works:
            completions = await capture_bodies(model, work)
            n = len(work.inputs)
            methods: dict[str, Any] = {
                "provider": lambda i, w=work: model.generate(w.inputs[i], config=w.config),
                "direct": lambda i, w=work: direct(w.bodies[i]),
                "inproc": None,  # synchronous, see below
            }
            upstream_url = f"{local_server(upstream).base_url}/chat/completions"
            methods["upstream"] = lambda i, w=work, u=upstream_url: direct(w.bodies[i], u)
            names = list(methods)
            warm: dict[str, Any] = {
                "provider": lambda: direct(WARM),
                "direct": lambda: direct(WARM),
                "inproc": warm_inproc,
            }
            warm["upstream"] = lambda u=upstream_url: direct(WARM, u)
            totals: dict[str, list[float]] = {m: [] for m in names}
            cpu: dict[str, list[float]] = {m: [] for m in ("provider", "direct")}
            evals: list[float] = []
            in_order: list[float] = []  # direct, one sample after the other in dataset order: eval's counterpart
            mismatches = {m: 0 for m in names}
            for repeat in range(args.repeats):
                spent = dict.fromkeys(names, 0.0)
                for step in range(n):
                    order = rng.sample(names, len(names))
                    for m in order:
                        i = (step + names.index(m) * n // len(names)) % n
                        await asyncio.sleep(args.settle)  # untimed: the previous engine's spinning threads stop
                        await warm[m]()  # untimed: every timed request meets a warm engine and the same cached prefix
                        if m == "inproc":
                            elapsed, text = inproc(work.bodies[i])
                        else:
                            c0, t0 = time.process_time(), time.perf_counter()
                            out = await methods[m](i)
                            elapsed = time.perf_counter() - t0
                            if m in cpu:
                                cpu[m].append(time.process_time() - c0)
                            text = out.completion if m == "provider" else out
                        spent[m] += elapsed
                        mismatches[m] += text != completions[i]
                for m in names:
                    totals[m].append(spent[m])
                if not args.no_eval:
                    for block in ("eval", "in order") if repeat % 2 else ("in order", "eval"):
                        if block == "eval":
                            evals.append(await run_eval(model, work, log_dir))
                        else:
                            start = time.perf_counter()
                            for body in work.bodies:
                                await direct(body)
                            in_order.append((time.perf_counter() - start) / n)
                print(
                    f"  {work.name} repeat {repeat + 1}: "
                    + ", ".join(f"{m} {spent[m] / n:.3f}" for m in names)
                    + (f"; in order: direct {in_order[-1]:.3f}, eval {evals[-1]:.3f}" if evals else "")
                    + " s/sample",
                    flush=True,
                )
            for m in names:
                per_sample = statistics.median(t / n for t in totals[m])
                ratios = [t / d for t, d in zip(totals[m], totals["direct"])]
                rows.append((work.name, m, per_sample, ratios, mismatches[m], cpu.get(m)))
            if evals:
                rows.append((work.name, "in order", statistics.median(in_order), [1.0] * len(in_order), None, None))
                ratios = [e / d for e, d in zip(evals, in_order)]
                rows.append((work.name, "eval", statistics.median(evals), ratios, None, None))
    finally:
        inproc.close()
        await client.aclose()
        model.api.close()
        upstream.api.close()

    print()
    print(
        f"{'workload':<10} {'method':<9} {'s/sample':>9} {'/ direct':>9} {'range':>13} "
        f"{'client CPU ms':>14} {'text != provider warm-up':>25}"
    )
    medians: dict[tuple[str, str], float] = {}
    for name, m, per_sample, ratios, mism, cpu_s in rows:
        ratio = medians[name, m] = statistics.median(ratios)
        cpu_ms = f"{1000 * statistics.median(cpu_s):.1f}" if cpu_s else ""
        mism_s = "" if mism is None else f"{mism}/{args.samples * args.repeats}"
        print(
            f"{name:<10} {m:<9} {per_sample:>9.3f} {ratio:>9.3f} {f'{min(ratios):.2f}-{max(ratios):.2f}':>13} "
            f"{cpu_ms:>14} {mism_s:>25}"
        )
    if not args.no_eval:
        print(
            "('in order': direct requests one after the other in dataset order, as an eval sends them; the eval row's "
            "ratio is to that row)"
        )
    print()
    for name in dict.fromkeys(name for name, *_ in rows):
        ratio = medians[name, "provider"]
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(
            f"{name}: provider / direct = {ratio:.3f} (target <= {TARGET:.2f}: {verdict})"
            f"; in-process / direct = {medians[name, 'inproc']:.3f}"
            f"; logits_all server (upstream) / direct = {medians[name, 'upstream']:.3f}"
            + (" (first-token log-probabilities with / without logits_all)" if name == "survey" else "")
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="local/smollm2-135m")
    parser.add_argument("--samples", type=int, default=50, help="samples per workload (default 50)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved passes (default 3)")
    parser.add_argument("--workloads", default="deference,survey")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.05,
        help="untimed pause before each request, so one engine's OpenMP threads, still spinning "
        "after their request, do not slow the next engine's (default 0.05 s)",
    )
    parser.add_argument("--no-eval", action="store_true", help="skip the inspect eval blocks")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="llama.cpp threads of every engine (default: the provider's, 2). On a machine whose cores are busy with "
        "other work, 1 avoids llama.cpp's per-operation thread barriers, whose waits then dominate every request",
    )
    args = parser.parse_args()
    if not args.model.startswith("local/"):
        raise SystemExit("--model must be a local/ model")
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
