"""A stand-in for vLLM, to test the ``vllm/`` path end to end on a machine without a GPU.

:func:`install` writes, under a folder, an executable ``bin/vllm`` and an importable package ``python/vllm``.
With ``bin`` first on PATH and ``python`` on PYTHONPATH, inspect's own ``vllm/`` provider finds "vLLM" (it imports
the package, then runs ``vllm serve MODEL --host H --api-key K --port P --other-arg value …``), and the stand-in
serves the embedded llama.cpp model with vLLM's interfaces:

* an OpenAI-compatible server (``llama_cpp.server`` through ``twinbench.providers.llama_server``) that checks the
  API key, on 127.0.0.1 whatever ``--host`` says (this machine binds loopback only);
* ``/metrics`` with vLLM's speculative-decoding counter names; ``--speculative-config`` with method ``ngram`` serves
  llama.cpp's prompt lookup with ``num_speculative_tokens`` draft tokens (other methods: exit 1, one line);
* ``/tokenize`` as vLLM answers it (``{"tokens": [...], "count": n}``);
* OpenAI's ``response_format: {"type": "json_schema", ...}``, which vLLM takes (structured outputs) and llama.cpp's
  server refuses (it takes ``json_object`` with a ``schema``): rewritten on the way in (:class:`JsonSchemaFormat`).

Every invocation's arguments (and pid) are appended as a JSON line to ``$VLLM_STANDIN_RECORD`` when set, so a test
sees restarts and passed model args. ``VLLM_STANDIN_FAIL=message`` makes it print that line and exit 1 (a server
that fails to start). Models: names containing ``SmolLM2-135M`` or ``gemma-3-270m``, or a ``.gguf`` path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[2]
MODELS = {"smollm2-135m": "smollm2-135m", "gemma-3-270m": "gemma3-270m"}


def install(where: Path) -> dict[str, str]:
    """Write the stand-in under ``where``; the environment variables that put it in front (PATH, PYTHONPATH)."""
    bin_dir, package = where / "bin", where / "python" / "vllm"
    bin_dir.mkdir(parents=True, exist_ok=True)
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Stand-in: not vLLM (tests/twinbench/vllm_standin.py)."""\n')
    shim = bin_dir / "vllm"
    shim.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from tests.twinbench.vllm_standin import main\nmain(sys.argv[1:])\n"
    )
    shim.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    pythonpath = os.pathsep.join(p for p in (str(where / "python"), str(REPO), os.environ.get("PYTHONPATH")) if p)
    return {"PATH": path, "PYTHONPATH": pythonpath}


def local_model(name: str) -> str:
    if name.endswith(".gguf"):
        return name
    for marker, alias in MODELS.items():
        if marker in name.lower():
            return alias
    raise SystemExit(f"vllm stand-in: cannot serve {name!r} (SmolLM2-135M, gemma-3-270m or a .gguf path only)")


def server_argv(args: argparse.Namespace, extra: list[str]) -> list[str]:
    from twinbench.models import resolve_local_model

    path, chat_format = resolve_local_model(local_model(args.model))
    argv = ["--model", str(path), "--model_alias", args.model, "--host", "127.0.0.1", "--port", str(args.port)]
    argv += ["--n_threads", "2", "--n_threads_batch", "2", "--n_ctx", "4096", "--verbose", "False"]
    if chat_format:
        argv += ["--chat_format", chat_format]
    if args.api_key:
        argv += ["--api_key", args.api_key]
    if args.speculative_config:
        spec = json.loads(args.speculative_config)
        if spec.get("method") != "ngram":
            raise SystemExit(f"vllm stand-in: speculative method {spec.get('method')!r} needs real vLLM (ngram only)")
        argv += ["--draft_model", "prompt-lookup-decoding"]
        argv += ["--draft_model_num_pred_tokens", str(spec["num_speculative_tokens"])]
    return argv


class TokenizeRequest(BaseModel):
    model: str | None = None
    prompt: str
    add_special_tokens: bool = True


def add_tokenize(app: Any, llama: Any) -> None:
    @app.post("/tokenize")
    def tokenize(body: TokenizeRequest) -> dict[str, Any]:
        tokens = llama.tokenize(body.prompt.encode("utf-8"), add_bos=body.add_special_tokens, special=True)
        return {"tokens": tokens, "count": len(tokens), "max_model_len": llama.n_ctx()}


class JsonSchemaFormat:
    """ASGI wrapper: a chat request's OpenAI ``json_schema`` response format becomes llama.cpp's ``json_object``
    with the same schema (the same grammar-constrained decoding), so a benchmark that asks for a schema (deference's
    verdicts) runs through the stand-in as through vLLM."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/chat/completions":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        wanted = request.get("response_format") if isinstance(request, dict) else None
        if isinstance(wanted, dict) and wanted.get("type") == "json_schema":
            request["response_format"] = {"type": "json_object", "schema": wanted["json_schema"]["schema"]}
            body = json.dumps(request).encode()
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        delivered = False

        async def replay() -> dict:
            nonlocal delivered
            if delivered:
                return await receive()  # after the body: the client's disconnect
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="vllm (stand-in)")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("model")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--speculative-config", default=None)
    args, extra = parser.parse_known_args(argv)
    record = os.environ.get("VLLM_STANDIN_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(json.dumps({"pid": os.getpid(), "argv": argv}) + "\n")
    if os.environ.get("VLLM_STANDIN_FAIL"):
        print(f"vllm stand-in: {os.environ['VLLM_STANDIN_FAIL']}", file=sys.stderr)
        raise SystemExit(1)
    import uvicorn

    from twinbench.providers import llama_server

    parent = os.getppid()
    threading.Thread(target=llama_server._watch_parent, args=(parent,), daemon=True).start()
    app, host, port = llama_server.build_app(server_argv(args, extra))
    from llama_cpp.server import app as server_app

    assert server_app._llama_proxy is not None
    add_tokenize(app, server_app._llama_proxy())
    uvicorn.run(JsonSchemaFormat(app), host=host, port=port, access_log=False)
