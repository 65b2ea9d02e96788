"""The web service's known faults, measured on a real server on 127.0.0.1 (issue 11, item 9).

Usage: python bench/bench_web_faults.py [--stalled 50] [--wait 15]

Builds the app with `skill.webservice.create_app`, a verifier trusting the test PKI of
tests/skill/alexa_test_pki.py, and a counting chain host instead of S3 (no network). It serves the app
with `skill.server.create_server` when that module exists, else on Werkzeug's threaded development
server, which is what `app.run()` (the old `voiceshop serve`) used. So the same script measures any
checkout: `git archive <commit> | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python bench/...`.

Rows: stalled bodies (threads held, a new request's latency, when the server cuts them off), bodies over
MAX_REQUEST_BYTES (with Content-Length, chunked), cert URLs with new query strings, racing first
requests for one chain, and the health route.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "skill"))

from alexa_test_pki import CERT_URL, NOW, make_chain, sign

from skill.verification import AlexaRequestVerifier, CachingChainFetcher
from skill.webservice import MAX_REQUEST_BYTES, create_app

HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


class CountingHost:
    """Serves one PEM chain for any URL and counts downloads, slowly enough for requests to race."""

    def __init__(self, pem: bytes, delay: float = 0.0) -> None:
        self.pem, self.delay, self.count, self.lock = pem, delay, 0, threading.Lock()

    def __call__(self, url: str, timeout: float = 5.0) -> bytes:
        with self.lock:
            self.count += 1
        time.sleep(self.delay)
        return self.pem


def serve(app: Any) -> tuple[int, Callable[[], None], str]:
    """Start the app on a free loopback port; return the port, a stop function and the server's name."""
    try:
        from skill.server import ServerLimits, create_server
    except ImportError:
        from werkzeug.serving import make_server

        dev = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=dev.serve_forever, daemon=True).start()
        return dev.server_port, dev.shutdown, "werkzeug development server"
    server = create_server(app, "127.0.0.1", 0, ServerLimits())
    stop = threading.Event()
    thread = threading.Thread(target=server.serve_until, args=(stop,), daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(10)

    limits = ServerLimits()
    return server.port, halt, f"waitress ({limits.threads} threads, {limits.timeout} s timeout)"


def status_of(port: int, raw: bytes, timeout: float = 10.0) -> tuple[str, float]:
    """Send raw bytes and return the status line's code (or what happened) and the seconds it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        try:
            conn.sendall(raw)
            head = conn.recv(64)
        except OSError as error:
            return type(error).__name__, time.monotonic() - started
    code = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "closed"
    return code, time.monotonic() - started


def post(body: bytes, headers: dict[str, str], chunked: bool = False) -> bytes:
    """A raw POST /alexa, with Content-Length or as one chunk."""
    lines = [f"{k}: {v}" for k, v in headers.items()] + ["Content-Type: application/json", "Connection: close"]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    return ("POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode() + payload


def signed_padded(chain: Any, size: int) -> tuple[bytes, dict[str, str]]:
    """A signed envelope padded with spaces to exactly ``size`` bytes (still valid JSON)."""
    from alexa_test_pki import envelope_body

    body = envelope_body()
    body = body[:-1] + b" " * (size - len(body)) + b"}"
    return body, sign(body, chain)


def measure_stalls(port: int, stalled: int, wait: float) -> list[tuple[str, str]]:
    """Open stalled uploads, then time a new request and watch for the server closing the stalled ones."""
    before = threading.active_count()
    sent_at = time.monotonic()
    conns = []
    for _ in range(stalled):
        conn = socket.create_connection(("127.0.0.1", port), timeout=wait)
        conn.sendall(post(b"x" * 10, {}).replace(b"Content-Length: 10", b"Content-Length: 1000"))
        conns.append(conn)
    time.sleep(0.5)
    held = threading.active_count() - before
    code, latency = status_of(port, HEALTH)
    closed_at: list[float] = []
    deadline = time.monotonic() + wait
    for conn in conns:
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if conn.recv(64) is not None:
                closed_at.append(time.monotonic() - sent_at)
        except OSError:
            pass
        conn.close()
    cut = (
        f"all {stalled} cut off {max(closed_at):.1f} s after they stalled"
        if len(closed_at) == stalled
        else (f"{stalled - len(closed_at)} of {stalled} still open {wait:.0f} s later")
    )
    return [
        (f"{stalled} stalled bodies: threads started for them", str(held)),
        ("  then GET /health: status, latency", f"{code}, {latency * 1000:.0f} ms"),
        ("  stalled connections", cut),
    ]


def main() -> None:
    """Print one row per fault: what the server did."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stalled", type=int, default=50)
    parser.add_argument("--wait", type=float, default=15.0)
    args = parser.parse_args()
    for name in ("werkzeug", "skill.webservice"):  # a log line per probe would bury the table
        logging.getLogger(name).setLevel(logging.ERROR)

    chain = make_chain()
    host = CountingHost(chain.pem())
    verifier = AlexaRequestVerifier(
        trust_store=chain.trust_store(), fetch_chain=CachingChainFetcher(download=host), clock=lambda: NOW
    )
    app = create_app(lambda envelope: {"version": "1.0", "response": {}}, verifier)
    port, stop, name = serve(app)
    rows = [("code from", str(Path(sys.modules[create_app.__module__].__file__ or "").parents[1])), ("server", name)]
    try:
        rows += measure_stalls(port, args.stalled, args.wait)
        too_big = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
        rows.append(("body over limit, Content-Length", status_of(port, post(too_big, {}))[0]))
        rows.append(("body over limit, chunked", status_of(port, post(too_big, {}, chunked=True))[0]))
        exact, headers = signed_padded(chain, MAX_REQUEST_BYTES)
        rows.append(("signed limit-size body + 1 byte, chunked", status_of(port, post(exact + b" ", headers, True))[0]))
        small, small_headers = signed_padded(chain, 1000)
        host.count = 0
        for n in range(20):
            status_of(port, post(small, {**small_headers, "SignatureCertChainUrl": f"{CERT_URL}?n={n}"}))
        rows.append(("20 requests, new query string each: downloads", str(host.count)))
    finally:
        stop()

    racing = CountingHost(chain.pem(), delay=0.3)
    fetch = CachingChainFetcher(download=racing)
    gate = threading.Barrier(8, timeout=10)

    def first_request() -> None:
        gate.wait()
        fetch(CERT_URL)

    workers = [threading.Thread(target=first_request) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    rows.append(("8 racing first requests for one URL: downloads", str(racing.count)))

    port, stop, _ = serve(app)
    try:
        rows.append(("GET /health", status_of(port, HEALTH)[0]))
    finally:
        stop()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
