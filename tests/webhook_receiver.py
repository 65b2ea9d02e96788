"""A webhook receiver on 127.0.0.1 for tests: records every request, answers with queued statuses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from catalog.webhooks import EVENT_ID_HEADER


@dataclass
class Receiver:
    """A webhook endpoint's state: what it received, and the statuses it answers with (then 200)."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        """Record one request and pick its status."""
        time.sleep(self.delay)
        with self.lock:
            self.received.append((headers, body))
            return self.statuses.pop(0) if self.statuses else 200

    def event_ids(self) -> list[str]:
        """The event id of every request, in the order received."""
        return [headers[EVENT_ID_HEADER] for headers, _ in self.received]


@contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    """A running receiver and its URL; stopped on exit."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
