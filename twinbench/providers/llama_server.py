"""Child-process entry for the embedded llama.cpp server: ``python -m twinbench.providers.llama_server PARENT_PID ...``.

It serves ``llama_cpp.server``'s OpenAI-compatible app, configured from the remaining arguments by upstream's own
parser, with two changes:

- the loaded model is a :class:`~twinbench.providers.llama_engine.TwinLlama`, which returns log-probabilities
  of generated tokens without ``logits_all`` (the same outputs; see ``llama_engine.py``);
- no access log line per request;
- ``/metrics`` publishes speculative-decoding counters with vLLM's names when a draft model (prompt lookup) is
  configured (``spec_metrics.py``), so clients read acceptance the same way from both backends.

``--engine upstream`` serves upstream's model unchanged instead (see :func:`serve`).

A watchdog thread exits as soon as the parent process is gone. The parent's atexit handler stops the server on a
normal exit or Ctrl-C; the watchdog covers the cases where no Python code of the parent runs (SIGKILL, SIGTERM, a
crash), so no server is ever orphaned.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any, cast

POLL_SECONDS = 0.5


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)  # our parent died and we were re-parented: stop serving at once
        time.sleep(POLL_SECONDS)


ENGINES = ("twin", "upstream")


def build_app(argv: list[str]) -> tuple[Any, str, int]:
    """Parse ``llama_cpp.server`` arguments (plus ``--engine``) and load the model: (app, host, port).

    ``--engine twin`` (default) serves the model as a TwinLlama; ``--engine upstream`` serves llama-cpp-python's
    ``Llama`` unchanged (with ``--logits_all True``, the server as it was before TwinLlama: a reference for tests
    and benchmarks, and a way out should TwinLlama ever misbehave).
    """
    from llama_cpp.server import app as server_app
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    parser = argparse.ArgumentParser(prog="twinbench.providers.llama_server")
    parser.add_argument("--engine", choices=ENGINES, default="twin")
    add_args_from_model(parser, Settings)
    args = parser.parse_args(argv)
    # parse_model_from_args takes the class (its annotation says an instance)
    server_settings = cast(ServerSettings, parse_model_from_args(ServerSettings, args))
    model_settings = cast(ModelSettings, parse_model_from_args(ModelSettings, args))
    app = server_app.create_app(server_settings=server_settings, model_settings=[model_settings])
    # _llama_proxy (private module global of llama_cpp.server.app, llama-cpp-python==0.3.36) is the LlamaProxy
    # that create_app just made; calling it returns the one model this server serves, already loaded.
    proxy = server_app._llama_proxy
    assert proxy is not None
    if args.engine == "twin":
        from twinbench.providers.llama_engine import TwinLlama

        TwinLlama.adopt(proxy())
    add_metrics(app, proxy())
    return app, server_settings.host, server_settings.port


def serve(argv: list[str]) -> None:
    """Build the app (:func:`build_app`) and serve it until stopped."""
    import uvicorn

    app, host, port = build_app(argv)
    uvicorn.run(app, host=host, port=port, access_log=False)


def add_metrics(app: Any, llama: Any) -> None:
    """Count the served model's drafts (:class:`~twinbench.providers.spec_metrics.CountingDraftModel`) and publish
    them on ``GET /metrics``; without a draft model the page is empty, as vLLM's has no spec_decode counters then."""
    from fastapi.responses import PlainTextResponse

    from twinbench.providers.spec_metrics import CountingDraftModel

    counter = None
    if llama.draft_model is not None:
        counter = llama.draft_model = CountingDraftModel(llama.draft_model)

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return counter.prometheus() if counter is not None else ""


def main() -> None:
    parent_pid = int(sys.argv[1])
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    serve(sys.argv[2:])


if __name__ == "__main__":
    main()
