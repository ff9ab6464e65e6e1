"""``twinbench leaderboard --serve``: the built site over HTTP on 127.0.0.1 only.

Browsers block the bundled transcript viewer's requests from ``file://`` pages (it fetches the logs), so the
transcripts need a server; the tables and figures work either way.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # never anything but loopback


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request would drown the URL
        pass


def site_server(site: str | Path, port: int = 0) -> ThreadingHTTPServer:
    """A server of the folder ``site`` on 127.0.0.1:``port`` (0: a free port); call ``serve_forever()``."""
    handler = functools.partial(_QuietHandler, directory=str(Path(site).resolve()))
    return ThreadingHTTPServer((HOST, port), handler)


def url(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/index.html"
