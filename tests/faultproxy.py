"""A loopback HTTP proxy in front of DynamoDB Local that stalls, resets or throttles chosen calls.

Faults are chosen per DynamoDB operation (the `X-Amz-Target` header botocore sends), so a test can let
every read through and break only the checkout's `TransactWriteItems`:

- ``"stall"``: hold the request and never forward it (a store that froze before it got the write);
- ``"drop_reply"``: forward it, so DynamoDB applies it, then never answer (the write happened, the
  shop cannot know);
- ``"reset"``: close the connection at once;
- ``"throttle"``: answer 400 ``ThrottlingException`` as DynamoDB does when over capacity.

It only ever listens on and connects to 127.0.0.1, and every held connection is released by `close()`.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed'
    b' throughput."}'
)
_HOLD_SECONDS = 30.0  # a held request is let go after this long even if the test forgets to close


class FaultProxy:
    """Forward HTTP/1.1 requests to DynamoDB Local, applying the fault set for each operation."""

    def __init__(self, upstream_port: int) -> None:
        """Listen on a free loopback port; faults start empty (everything passes)."""
        self.upstream_port = upstream_port
        self.faults: dict[str, str] = {}
        self.seen: list[str] = []
        self._released = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def endpoint(self) -> str:
        """The URL to give the shop as its DynamoDB endpoint."""
        return f"http://127.0.0.1:{self.port}"

    @contextmanager
    def fault(self, operation: str, action: str) -> Iterator[None]:
        """Apply `action` to `operation` (e.g. "TransactWriteItems", or "*" for all) inside the block."""
        self.faults[operation] = action
        try:
            yield
        finally:
            self.faults.pop(operation, None)
            self._released.set()
            self._released = threading.Event()

    def iam_actions(self) -> set[str]:
        """The IAM actions the calls seen so far need (a transaction is authorised item by item)."""
        return {f"dynamodb:{operation}" for operation in self.seen if operation != "TransactWriteItems"}

    def close(self) -> None:
        """Stop listening and let every held request go."""
        self._released.set()
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            worker = threading.Thread(target=self._serve, args=(client,), daemon=True)
            worker.start()
            self._threads.append(worker)

    def _serve(self, client: socket.socket) -> None:
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=_HOLD_SECONDS)
        reader = client.makefile("rb")
        try:
            while True:
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                operation = headers.get("x-amz-target", "").rsplit(".", 1)[-1]
                self.seen.append(operation)
                if operation == "TransactWriteItems":
                    items = json.loads(body or b"{}").get("TransactItems", [])
                    self.seen.extend(
                        f"{kind}Item" if kind != "ConditionCheck" else "ConditionCheckItem"
                        for item in items
                        for kind in item
                    )
                action = self.faults.get(operation) or self.faults.get("*") or "pass"
                released = self._released
                if action == "stall":
                    released.wait(_HOLD_SECONDS)
                    return
                if action == "reset":
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if action == "throttle":
                    client.sendall(_response(400, _THROTTLED))
                    continue
                upstream.request(method, path, body=body, headers=headers)
                reply = upstream.getresponse()
                payload = reply.read()
                if action == "drop_reply":
                    released.wait(_HOLD_SECONDS)
                    return
                client.sendall(_response(reply.status, payload, reply.getheader("content-type")))
        except OSError:
            return
        finally:
            upstream.close()
            reader.close()
            client.close()


def _read_request(reader: object) -> tuple[str, str, dict[str, str], bytes] | None:
    """One request off a keep-alive connection, or None when the client hung up."""
    line = reader.readline()  # type: ignore[attr-defined]
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = reader.readline().decode("latin-1")  # type: ignore[attr-defined]
        if header in ("\r\n", "\n", ""):
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))  # type: ignore[attr-defined]
    return method, path, headers, body


def _response(status: int, body: bytes, content_type: str | None = None) -> bytes:
    head = (
        f"HTTP/1.1 {status} {http.client.responses.get(status, '')}\r\n"
        f"Content-Type: {content_type or 'application/x-amz-json-1.0'}\r\n"
        f"Content-Length: {len(body)}\r\nx-amzn-RequestId: proxy\r\n\r\n"
    )
    return head.encode("latin-1") + body
