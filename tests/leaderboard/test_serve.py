"""``twinbench leaderboard --serve``: the site over HTTP on loopback."""

import threading
import urllib.request
from pathlib import Path

from leaderboard.serve import HOST, site_server, url


def test_the_site_is_served_on_loopback_only(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>leaderboard</p>")
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "log.json").write_text('{"ok": true}')
    server = site_server(tmp_path)
    assert server.server_address[0] == HOST == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(url(server), timeout=10) as response:
            assert response.read() == b"<p>leaderboard</p>"
        with urllib.request.urlopen(url(server).replace("index.html", "transcripts/log.json"), timeout=10) as r:
            assert r.read() == b'{"ok": true}'
    finally:
        server.shutdown()
        server.server_close()
