"""The ask-sdk-core handlers: only what belongs to Alexa, with one dispatch handler for every shop intent.

STYLE.md section 3: the samples write a handler class per intent, but the meaning of an intent lives in
`intents.conversation`, shared with the kiosk. So here: launch, one IntentRequest dispatcher, session end,
a catch-all that apologises, and the interceptors that log and count turns without personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_locale, get_request_type, is_request_type
from ask_sdk_model import Response
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from intents.conversation import respond
from intents.dialog import load_prompts
from intents.language import available_locales
from intents.request import LAUNCH, Reply
from skill.envelope import customer_id, customer_tag, intent_name, render, to_intent_request

__all__ = [
    "METRIC_FOR_EVENT",
    "CatchAllExceptionHandler",
    "IntentDispatchHandler",
    "LaunchRequestHandler",
    "LogRequestInterceptor",
    "LogResponseInterceptor",
    "SessionEndedRequestHandler",
    "ShopProvider",
    "UnsupportedLocaleHandler",
]

ShopProvider = Callable[[], Any]
METRIC_FOR_EVENT = {
    "order_placed": "OrdersPlaced",
    "order_cancelled": "OrdersCancelled",
    "search_no_result": "SearchesWithNoResult",
    "error": "Errors",
}
APOLOGY = "Sorry, something went wrong on my side. Please try that again in a moment."
APOLOGY_REPROMPT = "What would you like to do?"
_EVENTS = "voiceshop.events"
_STARTED = "voiceshop.started"


def _answer(handler_input: HandlerInput, reply: Reply) -> Response:
    """Remember the reply's events for the metrics interceptor, then render it for Alexa."""
    handler_input.attributes_manager.request_attributes[_EVENTS] = reply.events
    return render(reply, handler_input)


UNSUPPORTED_LOCALE = "Sorry, Corner Market doesn't speak your language yet. Please try again in English."
SUPPORTED_LOCALES = frozenset(available_locales())
"""Read once at import: the models shipped with this code are all the locales it can answer."""


class UnsupportedLocaleHandler(AbstractRequestHandler):
    """A launch or intent in a locale the skill has no model for: one spoken sentence, never the en-US shop.

    Alexa only routes locales the manifest lists, so this is a manifest and model out of step (a locale
    published before its model shipped); answering in the wrong language would look like a broken skill.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Launch and intent requests whose locale has no `models/<locale>.json`."""
        if not (is_request_type(LAUNCH)(handler_input) or is_request_type("IntentRequest")(handler_input)):
            return False
        locale = _safe(get_locale, handler_input)
        return bool(locale) and locale not in SUPPORTED_LOCALES

    def handle(self, handler_input: HandlerInput) -> Response:
        """Apologise in English (the one language every Alexa locale's users may be served in) and end."""
        return handler_input.response_builder.speak(UNSUPPORTED_LOCALE).set_should_end_session(True).response


class LaunchRequestHandler(AbstractRequestHandler):
    """Opening the skill ("Alexa, open corner market"): the conversation's own welcome."""

    def __init__(self, shop: ShopProvider) -> None:
        """Take the shop lazily, so building the skill never touches DynamoDB."""
        self.shop = shop

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Only the launch request."""
        return is_request_type(LAUNCH)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Greet through the conversation, so the kiosk and Alexa welcome alike."""
        return _answer(handler_input, respond(to_intent_request(handler_input), self.shop()))


class IntentDispatchHandler(AbstractRequestHandler):
    """Every IntentRequest, known or not: the conversation decides; unknown intents become the fallback."""

    def __init__(self, shop: ShopProvider) -> None:
        """Take the shop lazily, so building the skill never touches DynamoDB."""
        self.shop = shop

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """All intent requests, so no intent can slip past to the catch-all."""
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Answer one turn; domain refusals are already spoken replies."""
        return _answer(handler_input, respond(to_intent_request(handler_input), self.shop()))


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Alexa closed the session (timeout, "exit", error): nothing may be spoken."""

    def __init__(self, logger: Logger) -> None:
        """Log through the process's Powertools logger."""
        self.logger = logger

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Only the session-ended notice."""
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Return an empty response; carts and orders live in the shop, so there is nothing to save."""
        reason = getattr(handler_input.request_envelope.request, "reason", None)
        self.logger.info("session ended", extra={"reason": str(getattr(reason, "value", reason))})
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything unexpected: apologise, count it, log its type only (messages can carry slot values)."""

    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        """Log and count through the process's Powertools objects."""
        self.logger, self.metrics = logger, metrics

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Every exception."""
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Say sorry and keep the session open, without repeating internals to the customer."""
        self.logger.error("turn failed", extra={"error_type": type(exception).__name__})
        self.metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        if _safe(is_request_type("SessionEndedRequest"), handler_input):
            return handler_input.response_builder.response  # Alexa forbids speech after the session ended
        spoken, reprompt = _apology(_safe(get_locale, handler_input))
        builder = handler_input.response_builder.speak(spoken)
        if handler_input.request_envelope.session is not None:
            builder.ask(reprompt).set_should_end_session(False)
        return builder.response


def _apology(locale: str | None) -> tuple[str, str]:
    """The apology in the request's language (es-US's prompts), English for any other locale."""
    if locale in SUPPORTED_LOCALES and locale != "en-US":
        prompts = load_prompts(str(locale))
        if "apology" in prompts:
            return prompts["apology"], prompts["anything_else"]
    return APOLOGY, APOLOGY_REPROMPT


def _safe(read: Callable[[HandlerInput], Any], handler_input: HandlerInput) -> Any:
    """Read one field for the log, or None when the envelope lacks it (logging must never fail a turn)."""
    try:
        return read(handler_input)
    except (AttributeError, TypeError, ValueError, KeyError):
        return None


class LogRequestInterceptor(AbstractRequestInterceptor):
    """Logs what was asked, never who or what they said: request type, intent, locale, request id, hash."""

    def __init__(self, logger: Logger) -> None:
        """Use the process's Powertools logger (its Lambda context is injected per invocation)."""
        self.logger = logger

    def process(self, handler_input: HandlerInput) -> None:
        """Log the turn's shape and start its timer."""
        handler_input.attributes_manager.request_attributes[_STARTED] = time.perf_counter()
        request_type = _safe(get_request_type, handler_input)
        customer = _safe(customer_id, handler_input)
        self.logger.info(
            "request",
            extra={
                "request_type": request_type,
                "intent": _safe(get_intent_name, handler_input) if request_type == "IntentRequest" else None,
                "routed_to": _safe(intent_name, handler_input),
                "locale": _safe(get_locale, handler_input),
                "alexa_request_id": _safe(lambda h: h.request_envelope.request.request_id, handler_input),
                "customer": customer_tag(customer) if isinstance(customer, str) else None,
            },
        )


class LogResponseInterceptor(AbstractResponseInterceptor):
    """Counts the reply's events as CloudWatch metrics and logs how the turn ended, without its words."""

    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        """Use the process's Powertools logger and metrics."""
        self.logger, self.metrics = logger, metrics

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        """Turn `Reply.events` into metrics; log the outcome and the handler's duration."""
        attributes = handler_input.attributes_manager.request_attributes
        events = tuple(attributes.get(_EVENTS, ()))
        for event in events:
            metric = METRIC_FOR_EVENT.get(event)
            if metric:
                self.metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        self.metrics.add_metric(name="Turns", unit=MetricUnit.Count, value=1)
        started = attributes.get(_STARTED)
        self.logger.info(
            "response",
            extra={
                "events": list(events),
                "end_session": getattr(response, "should_end_session", None) if response else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
