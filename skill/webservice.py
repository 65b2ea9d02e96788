"""The self-hosted Alexa endpoint: verify the request, hand the envelope to the skill, return its reply.

Kept thin on purpose: ``skill/verification.py`` decides what is genuine, and ``handle_envelope`` (whatever
runs the skill, e.g. an ask-sdk ``Skill`` wrapped in a function) decides what to answer. Importing this
module starts nothing; ``create_app`` only builds the app. ``skill/server.py`` serves it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length, get_input_stream

from catalog.errors import VoiceshopError
from skill.verification import AlexaRequestVerifier, VerificationError

__all__ = ["HEALTH_ROUTE", "MAX_REQUEST_BYTES", "BodyTooLarge", "create_app", "read_body"]

MAX_REQUEST_BYTES = 128 * 1024
HEALTH_ROUTE = "/health"
log = logging.getLogger(__name__)


class BodyTooLarge(VoiceshopError):
    """Raised for a body over the limit: it is refused whole, never cut down to the limit and verified."""


def read_body(environ: dict, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """Return the whole raw body, or raise BodyTooLarge: read one byte past ``limit`` to know, never truncate.

    Werkzeug's own ``max_content_length`` stops reading a chunked body at the limit without saying so,
    and a signature over those first bytes would then verify. A ``Content-Length`` over the limit is
    refused before anything is read.
    """
    length = get_content_length(environ)
    if length is not None and length > limit:
        raise BodyTooLarge
    stream = get_input_stream(environ, safe_fallback=True)
    parts: list[bytes] = []
    size = 0
    while size <= limit:  # every pass reads at least one byte, so at most limit + 1 passes
        part = stream.read(limit + 1 - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise BodyTooLarge
    return b"".join(parts)


def create_app(
    handle_envelope: Callable[[dict], dict],
    verifier: AlexaRequestVerifier | None = None,
    *,
    route: str = "/alexa",
    test_config: dict | None = None,
) -> Flask:
    """Build the Flask app; without a ``verifier`` it verifies against the system roots and Amazon's URL."""
    checker = verifier if verifier is not None else AlexaRequestVerifier()
    app = Flask(__name__, static_folder=None)  # nothing to serve but the two routes
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    if test_config:
        app.config.update(test_config)

    def too_large(_error: Exception | None = None) -> tuple[Response, int]:
        """Answer a body over the limit with 400 on every route, like every other refused request."""
        return jsonify(error="request body too large"), 400

    app.register_error_handler(RequestEntityTooLarge, too_large)

    @app.post(route)
    def alexa() -> tuple[Response, int] | Response:
        """Refuse anything Alexa did not sign with a 400, as Amazon's certification expects."""
        try:
            body = read_body(request.environ, app.config["MAX_CONTENT_LENGTH"])
        except BodyTooLarge:
            return too_large()
        try:
            envelope = checker.verify(request.headers, body)
        except VerificationError as error:
            log.warning("refused Alexa request: %s", error.reason)
            return jsonify(error="request verification failed"), 400
        return jsonify(handle_envelope(envelope))

    @app.get(HEALTH_ROUTE)
    def health() -> Response:
        """Answer a load balancer or supervisor without I/O: the process is up and serving requests."""
        return jsonify(status="ok")

    return app
