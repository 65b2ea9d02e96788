"""Translate between Alexa's request/response objects and the conversation's `IntentRequest`/`Reply`.

Everything Alexa-shaped stays here, so `intents` never sees ask-sdk types and the handlers stay a few
lines each. Reads go through `ask_sdk_core.utils` where it has a helper, since those know the model
classes' optional fields better than a hand-written walk of the envelope.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_locale, get_request_type, get_user_id
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode
from ask_sdk_model.ui import SimpleCard

from catalog.errors import VoiceshopError
from intents.conversation import handles
from intents.request import LAUNCH, IntentRequest, Reply, Slot
from skill.screens import render_document, supports_apl

__all__ = [
    "CHANNEL",
    "DEFAULT_LOCALE",
    "FALLBACK",
    "RequestRefused",
    "check_envelope",
    "customer_id",
    "customer_tag",
    "intent_name",
    "render",
    "session_context",
    "slots",
    "to_intent_request",
]

CHANNEL = "alexa"
DEFAULT_LOCALE = "en-US"
FALLBACK = "AMAZON.FallbackIntent"
_PROCESS_SALT = secrets.token_bytes(16)


class RequestRefused(VoiceshopError):
    """An envelope the skill will not answer: another skill's, or not an Alexa request at all."""

    def __init__(self, reason: str) -> None:
        """Keep the reason short and free of request data, so it can go into a log or a 400 body."""
        super().__init__(reason)
        self.reason = reason


def _path(data: Any, *keys: str) -> Any:
    """Walk nested JSON objects, None as soon as a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def check_envelope(envelope: Any, skill_id: str) -> None:
    """Refuse what is not a request for this skill before the SDK sees it (its own check crashes on junk)."""
    if not isinstance(envelope, Mapping):
        raise RequestRefused("not a request envelope")
    if not isinstance(_path(envelope, "request", "type"), str):
        raise RequestRefused("request has no type")
    if _path(envelope, "context", "System", "application", "applicationId") != skill_id:
        raise RequestRefused("request for another skill")
    session = envelope.get("session")
    if session is not None and _path(session, "application", "applicationId") != skill_id:
        raise RequestRefused("session of another skill")


def intent_name(handler_input: HandlerInput) -> str:
    """The intent the conversation should answer: LaunchRequest, a known intent, or the fallback."""
    if get_request_type(handler_input) == LAUNCH:
        return LAUNCH
    name = get_intent_name(handler_input)
    return name if isinstance(name, str) and handles(name) else FALLBACK


def customer_id(handler_input: HandlerInput) -> str:
    """The shop's customer: the recognised person when Alexa knows who speaks, else the account's user id.

    Person ids keep two members of one household apart (their own carts and orders); without voice
    profiles every speaker on the account shares the user id.
    """
    system = handler_input.request_envelope.context.system
    person = getattr(system, "person", None)
    person_id = getattr(person, "person_id", None)
    if isinstance(person_id, str) and person_id:
        return person_id
    user_id = get_user_id(handler_input)
    if isinstance(user_id, str) and user_id:
        return user_id
    raise ValueError("request carries no user id")


def customer_tag(customer: str) -> str:
    """A salted hash of the customer id, so logs can group one customer's turns without naming them."""
    salt = os.environ.get("VOICESHOP_LOG_SALT", "").encode() or _PROCESS_SALT
    return hmac.new(salt, customer.encode(), hashlib.sha256).hexdigest()[:16]


def _resolved_id(slot: Any) -> str | None:
    """The entity-resolution id of the first authority that matched, as Alexa reports it."""
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or ():
        status = getattr(authority, "status", None)
        code = getattr(status, "code", None)
        if code != StatusCode.ER_SUCCESS_MATCH and code != "ER_SUCCESS_MATCH":
            continue
        values = getattr(authority, "values", None) or ()
        value = getattr(values[0], "value", None) if values else None
        found = getattr(value, "id", None)
        if isinstance(found, str) and found:
            return found
    return None


def slots(handler_input: HandlerInput) -> dict[str, Slot]:
    """Every filled slot of an IntentRequest as the conversation's `Slot`, with its resolved id."""
    request = handler_input.request_envelope.request
    raw = getattr(getattr(request, "intent", None), "slots", None)
    if not isinstance(raw, Mapping):
        return {}
    found: dict[str, Slot] = {}
    for name, slot in raw.items():
        if not isinstance(name, str) or slot is None:
            continue
        value = getattr(slot, "value", None)
        found[name] = Slot(name=name, value=value if isinstance(value, str) else None, resolved_id=_resolved_id(slot))
    return found


def session_context(handler_input: HandlerInput) -> dict[str, Any]:
    """The conversation state Alexa carried back in session attributes (empty outside a session)."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    return dict(attributes) if isinstance(attributes, Mapping) else {}


def to_intent_request(handler_input: HandlerInput) -> IntentRequest:
    """Build the channel-free request the conversation answers."""
    name = intent_name(handler_input)
    locale = get_locale(handler_input)
    return IntentRequest(
        intent=name,
        customer_id=customer_id(handler_input),
        slots=slots(handler_input) if name != LAUNCH else {},
        locale=locale if isinstance(locale, str) and locale else DEFAULT_LOCALE,
        context=session_context(handler_input),
        channel=CHANNEL,
    )


def render(reply: Reply, handler_input: HandlerInput) -> Response:
    """Speak the reply, show its card, keep listening unless it ends, and carry its context."""
    builder = handler_input.response_builder.speak(reply.ssml)
    if not reply.end_session:
        builder.ask(escape(reply.reprompt) if reply.reprompt else reply.ssml)
    if reply.card_title or reply.card_text:
        builder.set_card(SimpleCard(title=reply.card_title or "", content=reply.card_text or reply.speech))
    if reply.screen is not None and supports_apl(handler_input):
        builder.add_directive(render_document(reply.screen))
    builder.set_should_end_session(reply.end_session)
    if handler_input.request_envelope.session is not None:
        handler_input.attributes_manager.session_attributes = {} if reply.end_session else dict(reply.context)
    return builder.response
