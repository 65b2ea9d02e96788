"""The real server on a free loopback port: stalled clients are cut off, big bodies refused, threads capped."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from alexa_test_pki import CERT_URL, NOW, FakeChainHost, SigningChain, envelope_body, make_chain, sign

from skill.server import ServerLimits, WebServer, create_server
from skill.verification import AlexaRequestVerifier, CachingChainFetcher
from skill.webservice import MAX_REQUEST_BYTES, create_app

LIMITS = ServerLimits(threads=2, timeout=2)
REPLY = {"version": "1.0", "response": {}}


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return make_chain()


class Skill:
    """Counts the envelopes that reach it and how many run at once; ``gate`` can hold them."""

    def __init__(self) -> None:
        self.lock, self.handled, self.running, self.most_at_once = threading.Lock(), 0, 0, 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, envelope: dict) -> dict:
        with self.lock:
            self.handled += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.gate.wait(10)
        with self.lock:
            self.running -= 1
        return REPLY


@pytest.fixture
def skill() -> Skill:
    return Skill()


@pytest.fixture
def server(chain, skill) -> Iterator[WebServer]:
    verifier = AlexaRequestVerifier(
        trust_store=chain.trust_store(),
        fetch_chain=CachingChainFetcher(download=FakeChainHost({CERT_URL: chain.pem()})),
        clock=lambda: NOW,
    )
    web = create_server(create_app(skill, verifier), "127.0.0.1", 0, LIMITS)
    stop = threading.Event()
    thread = threading.Thread(target=web.serve_until, args=(stop,), daemon=True)
    thread.start()
    yield web
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def head(path: str, headers: dict[str, str] | None = None, method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def signed_post(chain: SigningChain) -> bytes:
    body = envelope_body()
    headers = {**sign(body, chain), "Content-Length": str(len(body)), "Connection": "close"}
    return head("/alexa", headers) + body


def exchange(port: int, chunks: Iterable[bytes], timeout: float = 10.0) -> tuple[str, bytes]:
    """Send ``chunks`` until the server answers; return its first status code and body ("closed" if none)."""
    deadline = time.monotonic() + timeout
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        try:
            for chunk in chunks:
                if select.select([conn], [], [], 0)[0]:
                    break  # the server answered before the whole request was sent
                conn.sendall(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass  # it answered and closed between the check and the send: its answer may still be there to read
        try:
            while time.monotonic() < deadline:  # every request here ends with the server closing
                part = conn.recv(65536)
                if not part:
                    break
                received += part
        except (ConnectionResetError, BrokenPipeError):
            pass
    if not received.startswith(b"HTTP/"):
        return "closed", b""
    head_bytes, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head_bytes.split(b"\r\n")
    headers = dict(line.lower().split(b": ", 1) for line in header_lines)
    return status_line.split(b" ")[1].decode(), body[: int(headers.get(b"content-length", 0))]


def chunked(body: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def test_a_signed_request_through_the_real_server_reaches_the_skill(server, chain, skill):
    status, body = exchange(server.port, [signed_post(chain)])
    assert (status, skill.handled) == ("200", 1)
    assert json.loads(body) == REPLY


def test_the_health_route_answers_200(server, skill):
    status, body = exchange(server.port, [head("/health", {"Connection": "close"}, method="GET")])
    assert status == "200"
    assert json.loads(body) == {"status": "ok"}
    assert skill.handled == 0


STALLS = {
    "headers and part of the body": head("/alexa", {"Content-Length": "1000"}) + b'{"version": ',
    "part of the headers": b"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le",
}


@pytest.mark.parametrize("stall", STALLS.values(), ids=STALLS.keys())
def test_stalled_clients_are_cut_off_by_the_timeout_and_block_no_one(server, chain, skill, stall):
    stalled = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3 * LIMITS.threads)]
    try:
        sent_at = time.monotonic()
        for conn in stalled:
            conn.sendall(stall)
        # More stalled clients than worker threads, and still the others are served at once.
        started = time.monotonic()
        assert exchange(server.port, [head("/health", {"Connection": "close"}, method="GET")])[0] == "200"
        assert exchange(server.port, [signed_post(chain)])[0] == "200"
        assert time.monotonic() - started < LIMITS.timeout
        assert skill.handled == 1
        for conn in stalled:
            assert select.select([conn], [], [], 0)[0] == [], "a stalled client was dropped before its timeout"
        for conn in stalled:
            with contextlib.suppress(ConnectionResetError):
                assert conn.recv(1024) == b""  # closed without a response
        waited = time.monotonic() - sent_at
        assert LIMITS.timeout * 0.9 <= waited < LIMITS.timeout + 5
    finally:
        for conn in stalled:
            conn.close()


OVERSIZED = b"{" + b" " * MAX_REQUEST_BYTES + b"}"


def test_a_content_length_over_the_limit_gets_400_before_the_body_is_sent(server, skill):
    status, _ = exchange(server.port, [head("/alexa", {"Content-Length": str(len(OVERSIZED))})])
    assert status == "400"
    assert skill.handled == 0


def test_a_body_over_the_limit_with_content_length_gets_400(server, skill):
    request = head("/alexa", {"Content-Length": str(len(OVERSIZED))}) + OVERSIZED
    assert exchange(server.port, [request[i : i + 16384] for i in range(0, len(request), 16384)])[0] == "400"
    assert skill.handled == 0


def test_a_chunked_body_over_the_limit_gets_400(server, skill):
    status, _ = exchange(server.port, [head("/alexa", {"Transfer-Encoding": "chunked"}), *chunked(OVERSIZED)])
    assert status == "400"
    assert skill.handled == 0


def test_a_signed_chunked_body_one_byte_over_the_limit_is_not_cut_and_verified(server, chain, skill):
    body = envelope_body()
    body = body[:-1] + b" " * (MAX_REQUEST_BYTES - len(body)) + b"}"
    headers = {**sign(body, chain), "Transfer-Encoding": "chunked"}
    status, _ = exchange(server.port, [head("/alexa", headers), *chunked(body + b" ")])
    assert status == "400"
    assert skill.handled == 0


def test_a_body_sent_without_content_length_or_chunking_is_not_read_and_gets_400(server, skill):
    status, _ = exchange(server.port, [head("/alexa", {"Connection": "close"}) + OVERSIZED[:1000]])
    assert status == "400"
    assert skill.handled == 0


def test_no_more_requests_run_at_once_than_the_thread_cap(server, chain, skill):
    skill.gate.clear()
    results: list[str] = []
    clients = [
        threading.Thread(target=lambda: results.append(exchange(server.port, [signed_post(chain)])[0]))
        for _ in range(LIMITS.threads + 2)
    ]
    for client in clients:
        client.start()
    for _ in range(100):
        if skill.running == LIMITS.threads:
            break
        time.sleep(0.02)
    time.sleep(0.3)  # the queued requests had their chance to start
    assert skill.running == skill.most_at_once == LIMITS.threads
    skill.gate.set()
    for client in clients:
        client.join(10)
    assert results == ["200"] * (LIMITS.threads + 2)
    assert skill.most_at_once == LIMITS.threads


def test_voiceshop_serve_runs_the_app_on_waitress(tmp_path):
    command = [sys.executable, "-c", "from voiceshop.cli import main; main()", "serve", "--port", "0", "--timeout", "3"]
    env = {**os.environ, "VOICESHOP_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env=env, cwd=Path(__file__).parents[2])
    try:
        line, deadline = b"", time.monotonic() + 30
        while b"serving" not in line and time.monotonic() < deadline:
            if select.select([process.stderr], [], [], 1)[0]:
                line = process.stderr.readline()
        match = re.search(rb"http://127\.0\.0\.1:(\d+) \(8 threads, 3 s timeout", line)
        assert match, line
        with socket.create_connection(("127.0.0.1", int(match.group(1))), timeout=10) as conn:
            conn.sendall(head("/health", {"Connection": "close"}, method="GET"))
            reply = b"".join(iter(lambda: conn.recv(4096), b""))
        assert reply.startswith(b"HTTP/1.1 200")
        assert b"\r\nServer: voiceshop\r\n" in reply  # waitress, with create_server's ident
    finally:
        process.terminate()
        process.wait(10)
