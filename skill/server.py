"""The production WSGI server behind `voiceshop serve`: waitress, with a thread cap and request timeouts.

Why waitress rather than gunicorn: waitress reads every request, body included, on its one I/O thread
and hands a worker thread only a complete request. A client that sends headers and part of a body and
then stalls therefore holds a socket, never a thread, and ``channel_timeout`` closes it. gunicorn's sync
and gthread workers read the body in the worker itself, so its documentation asks for a buffering proxy
in front against slow clients; it is also Unix-only and forks processes, where waitress starts in-process
(the tests run the real server on a free loopback port). Flask's development server, used before,
started one thread per connection with no timeout at all.

What is left to a proxy in front (TLS is anyway): waitress's timeout is one of inactivity, so a client
trickling a byte every few seconds keeps its connection, up to ``connection_limit`` of them; it still
holds no worker thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.utilities import BadRequest, RequestEntityTooLarge

from skill.webservice import MAX_REQUEST_BYTES

__all__ = ["ServerLimits", "WebServer", "create_server"]


@dataclass(frozen=True)
class ServerLimits:
    """How much one server takes on at once, and how long it waits for a client."""

    threads: int = 8
    """Worker threads running the app: the cap on requests handled at the same time (others queue)."""
    timeout: int = 10
    """Seconds a connection may stay silent, mid-request or idle, before the server closes it."""
    connection_limit: int = 100
    """Open connections at most; past it the server stops accepting until some close."""
    max_body_bytes: int = MAX_REQUEST_BYTES
    """The largest body read at all; a larger one gets 400 before the app sees it.

    Waitress counts a chunked body's framing too, so a chunked body just under the limit can be refused;
    Alexa always sends ``Content-Length``.
    """
    max_header_bytes: int = 32 * 1024
    """Request line and headers together; Alexa's are well under 4 KiB."""


class _BodyLimitParser(HTTPRequestParser):
    """Waitress's request parser, answering 400 instead of 413 for a body over the limit.

    Amazon expects 400 for any request the skill refuses, and the app answers an oversized body the
    same way when it runs under another server.
    """

    def received(self, data: bytes) -> int:
        """Parse as waitress does, then turn "entity too large" into a plain bad request."""
        consumed = super().received(data)
        if isinstance(self.error, RequestEntityTooLarge):
            self.error = BadRequest(self.error.body)
        return consumed


class _Channel(HTTPChannel):
    """One client connection, parsed with the body limit's 400."""

    parser_class = _BodyLimitParser


class WebServer(TcpWSGIServer):
    """A waitress TCP server with voiceshop's parser; ``run`` serves until interrupted."""

    channel_class = _Channel

    @property
    def port(self) -> int:
        """The port actually bound, which differs from the one asked for when that was 0."""
        return int(self.effective_port)

    def serve_until(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        """Serve on this thread until ``stop`` is set, then close every connection and worker (for tests)."""
        try:
            while not stop.is_set():
                wasyncore.loop(timeout=poll_seconds, map=self._map, use_poll=self.adj.asyncore_use_poll, count=1)
        finally:
            self.task_dispatcher.shutdown()
            wasyncore.close_all(self._map)


def create_server(app: Any, host: str, port: int, limits: ServerLimits | None = None) -> WebServer:
    """Bind ``app`` to ``host:port`` (the first address it resolves to) with ``limits``; nothing runs yet."""
    limits = limits or ServerLimits()
    adjustments = Adjustments(
        host=host,
        port=port,
        threads=limits.threads,
        channel_timeout=limits.timeout,
        # Idle connections are looked for this often; waitress's default of 30 s would let a stalled
        # client stay up to 30 s past its timeout.
        cleanup_interval=1,
        connection_limit=limits.connection_limit,
        # Waitress refuses a body when it reaches this size; the app's own check is exact.
        max_request_body_size=limits.max_body_bytes + 1,
        max_request_header_size=limits.max_header_bytes,
        ident="voiceshop",
    )
    return WebServer(app, adj=adjustments)
