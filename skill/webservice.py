"""The self-hosted Alexa endpoint: verify the request, hand the envelope to the skill, return its reply.

Kept thin on purpose: ``skill/verification.py`` decides what is genuine, and ``handle_envelope`` (whatever
runs the skill, e.g. an ask-sdk ``Skill`` wrapped in a function) decides what to answer. Importing this
module starts nothing; ``create_app`` only builds the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request

from skill.verification import AlexaRequestVerifier, VerificationError

__all__ = ["MAX_REQUEST_BYTES", "create_app"]

MAX_REQUEST_BYTES = 128 * 1024
log = logging.getLogger(__name__)


def create_app(
    handle_envelope: Callable[[dict], dict],
    verifier: AlexaRequestVerifier | None = None,
    *,
    route: str = "/alexa",
    test_config: dict | None = None,
) -> Flask:
    """Build the Flask app; without a ``verifier`` it verifies against the system roots and Amazon's URL."""
    checker = verifier if verifier is not None else AlexaRequestVerifier()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    if test_config:
        app.config.update(test_config)

    @app.post(route)
    def alexa() -> tuple[Response, int] | Response:
        """Refuse anything Alexa did not sign with a 400, as Amazon's certification expects."""
        try:
            envelope = checker.verify(request.headers, request.get_data(cache=False))
        except VerificationError as error:
            log.warning("refused Alexa request: %s", error.reason)
            return jsonify(error="request verification failed"), 400
        return jsonify(handle_envelope(envelope))

    return app
