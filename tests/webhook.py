"""A stand-in Slack webhook on 127.0.0.1 for tests (it answers each POST with the next scripted answer), and the server.

The answers are scripted by the tests (``Webhook.script``); none is a recording of Slack.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class Webhook(BaseHTTPRequestHandler):
    """Answers each POST with the next scripted (status, headers, body); 200 "ok" when none is left."""

    script: ClassVar[list[tuple[int, dict[str, str], str]]] = []
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        status, headers, body = type(self).script.pop(0) if type(self).script else (200, {}, "ok")
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A ThreadingHTTPServer of ``handler`` on 127.0.0.1 in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving_webhook() -> Iterator[str]:
    """A fresh stand-in webhook; yields its URL (with a token-like path a test can look for in output)."""
    Webhook.script = []
    Webhook.received = []
    with serving(Webhook) as base:
        yield f"{base}/services/T000/B000/secret-token-xyz"
