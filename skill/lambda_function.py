"""The skill's entry points: `lambda_handler` for AWS Lambda and `handle_envelope` for the web service.

One `Shop` per process, made on first use, so warm invocations reuse its search index and DynamoDB
connection. Both entry points refuse envelopes for any skill but `VOICESHOP_SKILL_ID` before the SDK
runs; without that variable the skill answers only the local development id, so a forgotten setting
fails closed.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from catalog.config import Settings
from catalog.services import Shop
from skill import resume_collection
from skill.envelope import RequestRefused, check_envelope
from skill.handlers import (
    CatchAllExceptionHandler,
    IntentDispatchHandler,
    LaunchRequestHandler,
    LogRequestInterceptor,
    LogResponseInterceptor,
    SessionEndedRequestHandler,
    UnsupportedLocaleHandler,
)
from skill.tracing import lambda_tracer, traced

if TYPE_CHECKING:  # Flask, requests and the verifier are for the web service only, not in the Lambda package
    from flask import Flask

    from skill.verification import AlexaRequestVerifier

__all__ = [
    "EMPTY_RESPONSE",
    "LOCAL_SKILL_ID",
    "RequestRefused",
    "SkillVerifier",
    "configure",
    "configured_skill_id",
    "create_web_app",
    "current_shop",
    "handle_envelope",
    "lambda_handler",
    "logger",
    "metrics",
    "parse_envelope",
    "tracer",
    "unmodelled_request_type",
]

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
"""The id the skill answers when `VOICESHOP_SKILL_ID` is unset (the simulator uses it too)."""

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "voiceshop")
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Voiceshop")
tracer = lambda_tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "voiceshop")
"""Powertools Tracer inside Lambda (botocore patched: one subsegment per DynamoDB call), else None."""

_lock = threading.Lock()
_shop: Shop | None = None
_skill: CustomSkill | None = None
_skill_id: str | None = None


def configured_skill_id() -> str:
    """The one skill id this process answers."""
    return _skill_id or os.environ.get("VOICESHOP_SKILL_ID", "").strip() or LOCAL_SKILL_ID


def configure(shop: Shop | None = None, skill_id: str | None = None) -> None:
    """Point the process at a shop (tests: their own table) and a skill id; None resets to the environment."""
    global _shop, _skill, _skill_id
    with _lock:
        _shop, _skill_id, _skill = shop, skill_id, None


def current_shop() -> Shop:
    """The process's shop, made from the environment on first use and kept for warm invocations."""
    global _shop
    if _shop is None:
        with _lock:
            if _shop is None:
                _shop = Shop(Settings.from_env())
    return _shop


def build_skill(skill_id: str) -> CustomSkill:
    """Register the Alexa-only handlers and interceptors; every shop intent goes through one dispatcher."""
    sb = SkillBuilder()
    sb.skill_id = skill_id
    sb.add_request_handler(UnsupportedLocaleHandler())
    sb.add_request_handler(LaunchRequestHandler(current_shop))
    sb.add_request_handler(IntentDispatchHandler(current_shop))
    sb.add_request_handler(SessionEndedRequestHandler(logger))
    sb.add_exception_handler(CatchAllExceptionHandler(logger, metrics))
    sb.add_global_request_interceptor(LogRequestInterceptor(logger))
    sb.add_global_response_interceptor(LogResponseInterceptor(logger, metrics))
    return sb.create()


def _current_skill() -> CustomSkill:
    """The skill for the configured id, built once per process (again only if the id setting changes)."""
    global _skill
    wanted = configured_skill_id()
    skill = _skill
    if skill is None or skill.skill_id != wanted:
        with _lock:
            if _skill is None or _skill.skill_id != wanted:
                _skill = build_skill(wanted)
            skill = _skill
    return skill


EMPTY_RESPONSE = {"version": "1.0", "response": {}}
"""What Alexa accepts for a request the skill has nothing to say to (no speech, session left as it is)."""


def unmodelled_request_type(event: Any) -> str | None:
    """The request type of a checked envelope when ask-sdk-model has no class for it, else None.

    Alexa adds request types (new interfaces, events) before the SDK models them; the SDK's deserializer
    then fails on the whole envelope. Such a request is still genuine and for this skill.
    """
    kind = event["request"]["type"]
    return None if kind in Request.discriminator_value_class_map else str(kind)


def parse_envelope(event: Any) -> RequestEnvelope:
    """The SDK's envelope for a request to this skill; RequestRefused for anything else."""
    check_envelope(event, configured_skill_id())
    skill = _current_skill()
    try:
        envelope = skill.serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
    except Exception as error:  # the SDK raises several types for junk; all mean "not an Alexa envelope"
        logger.warning("refused envelope", extra={"error_type": type(error).__name__})
        raise RequestRefused("not an Alexa request envelope") from error
    if envelope is None or envelope.request is None or envelope.context is None:
        raise RequestRefused("not an Alexa request envelope")
    return envelope


def _invoke(event: Any, context: Any) -> dict:
    """Check, deserialize, dispatch and serialize one envelope, as the SDK's own Lambda wrapper does."""
    check_envelope(event, configured_skill_id())
    unmodelled = unmodelled_request_type(event)
    if unmodelled is not None:
        logger.info("unhandled request type", extra={"request_type": unmodelled[:100]})
        return dict(EMPTY_RESPONSE)
    envelope = parse_envelope(event)
    skill = _current_skill()
    try:
        return skill.serializer.serialize(skill.invoke(request_envelope=envelope, context=context))
    finally:
        current_shop().flush_unanswered_searches_if_due()  # a batch a minute at most, never one per request


def handle_lambda_event(event: dict, context: Any) -> dict:
    """AWS Lambda entry point; never logs the event (it holds user ids and slot values)."""
    return _invoke_counted(event, context)


lambda_handler = metrics.log_metrics(capture_cold_start_metric=True)(
    logger.inject_lambda_context(log_event=False, clear_state=True)(traced(handle_lambda_event, tracer))
)
"""What Lambda calls: metrics flushed, the request id in every log line, traced where X-Ray listens."""


def _invoke_counted(event: Any, context: Any) -> dict:
    """Invoke, counting and logging refusals by reason (reasons never carry request data)."""
    try:
        return _invoke(event, context)
    except RequestRefused as refusal:
        logger.warning("refused request", extra={"reason": refusal.reason})
        metrics.add_metric(name="RequestsRefused", unit=MetricUnit.Count, value=1)
        raise


def handle_envelope(envelope: dict) -> dict:
    """Answer one verified web-service envelope with the same skill, flushing its metrics afterwards."""
    try:
        return _invoke_counted(envelope, None)
    finally:
        if metrics.provider.metric_set:
            metrics.flush_metrics()


class SkillVerifier:
    """Alexa's signature checks, then this skill's id: another skill's request is a 400 before the skill runs."""

    def __init__(self, inner: AlexaRequestVerifier) -> None:
        """Wrap the signature verifier, so the Flask view stays as it is."""
        self.inner = inner

    def verify(self, headers: Any, body: bytes) -> dict:
        """Return the envelope once it is both genuine and addressed to this skill."""
        from skill.verification import VerificationError

        envelope = self.inner.verify(headers, body)
        try:
            check_envelope(envelope, configured_skill_id())
            if unmodelled_request_type(envelope) is None:
                parse_envelope(envelope)
        except RequestRefused as refusal:
            raise VerificationError(refusal.reason) from refusal
        return envelope


def create_web_app(verifier: AlexaRequestVerifier | None = None, test_config: dict | None = None) -> Flask:
    """The self-hosted endpoint: signature and skill-id checks in front of `handle_envelope`."""
    from skill.verification import AlexaRequestVerifier
    from skill.webservice import create_app

    inner = verifier if verifier is not None else AlexaRequestVerifier()
    return create_app(handle_envelope, SkillVerifier(inner), test_config=test_config)  # type: ignore[arg-type]


resume_collection()  # the last line: the import is done (see skill/__init__.py)
