"""A minimal headless-Chromium driver over the Chrome DevTools protocol (aiohttp websocket), for the browser tests.

Debian's ``/usr/bin/chromium`` is started with a fresh profile and no network services; pages are opened from
``file://``. Only what the tests need: open a page, evaluate JavaScript, click an element with real mouse events,
take a screenshot, and list the JavaScript exceptions the page raised.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
]


class BrowserError(RuntimeError):
    pass


class Chromium:
    def __init__(self, binary: str = CHROMIUM, timeout: float = 30.0) -> None:
        self.binary = binary
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="twinbench-chromium-")
        self.loop = asyncio.new_event_loop()
        self.process: subprocess.Popen[str] | None = None
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.target_session: str | None = None
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> Chromium:
        self.process = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = self._devtools_url()
        self.loop.run_until_complete(self._connect(url))
        return self

    def _devtools_url(self) -> str:
        assert self.process is not None and self.process.stderr is not None
        deadline = time.monotonic() + self.timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            seen.append(line)
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1)
        raise BrowserError(f"chromium did not start: {''.join(seen)[-500:]}")

    async def _connect(self, url: str) -> None:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(url, max_msg_size=0)

    def close(self) -> None:
        try:
            if self.ws is not None:
                self.loop.run_until_complete(self.ws.close())
            if self.session is not None:
                self.loop.run_until_complete(self.session.close())
        finally:
            if self.process is not None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.loop.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- protocol ------------------------------------------------------------------------------------------

    async def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> dict[str, Any]:
        assert self.ws is not None
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        while True:
            reply = await asyncio.wait_for(self.ws.receive(), self.timeout)
            if reply.type != aiohttp.WSMsgType.TEXT:
                raise BrowserError(f"devtools connection closed during {method}")
            data = json.loads(reply.data)
            if data.get("id") == self.next_id:
                if "error" in data:
                    raise BrowserError(f"{method}: {data['error']}")
                return data.get("result", {})
            self.events.append(data)

    def send(self, method: str, params: dict[str, Any] | None = None, *, page: bool = True) -> dict[str, Any]:
        return self.loop.run_until_complete(self._send(method, params, self.target_session if page else None))

    # -- page ----------------------------------------------------------------------------------------------

    def open(self, path: str | Path) -> None:
        """Open a local file in a new tab and wait until it has loaded."""
        url = Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
        self.target_session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, page=False)[
            "sessionId"
        ]
        self.send("Runtime.enable")
        self.send("Page.enable")
        self.send("Log.enable")
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete" or self.evaluate("location.href") != url:
            if time.monotonic() > deadline:
                raise BrowserError(f"page did not load: {url}")
            time.sleep(0.05)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluate {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self, path: str | Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def exceptions(self) -> list[str]:
        """JavaScript exceptions and console/CSP errors the page has reported so far."""
        self.evaluate("0")  # drain pending events
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)
