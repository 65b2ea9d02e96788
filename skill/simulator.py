"""A local Alexa: typed text becomes a real request envelope, run through `lambda_handler` as Lambda would.

Nothing is short-circuited: the text is matched against the interaction model (what Alexa's NLU does),
entity resolution is written into the slots the way Alexa writes it, the envelope goes through the
skill-id check, the SDK's deserializer, the handlers and interceptors, and the Powertools decorators.
The session (id and attributes) is kept in a JSON file between calls, like Alexa keeps it between turns,
until the skill ends it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.text import normalize
from intents.language import InteractionModel, load_model
from intents.lexicon import load_lexicon
from intents.recognizer import recognize
from intents.request import LAUNCH, MASK, SECRET_SLOTS, Slot
from intents.speech import strip_ssml as speech_text

__all__ = [
    "API_ENDPOINT",
    "DEVICE_ID",
    "ECHO_SHOW_VIEWPORT",
    "FakeLambdaContext",
    "Simulator",
    "Turn",
    "build_envelope",
    "launch_phrase",
    "redacted",
    "speech_text",
]

API_ENDPOINT = "https://api.amazonalexa.com"
DEVICE_ID = "amzn1.ask.device.SIMULATOR"
FALLBACK = "AMAZON.FallbackIntent"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}")


@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes of Lambda's context object that Powertools and the SDK read."""

    function_name: str = "voiceshop-simulator"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:voiceshop-simulator"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        """Lambda's remaining budget; the template's timeout is 7 s."""
        return 7000


@dataclass(frozen=True)
class Turn:
    """One exchange: what was typed, the envelopes both ways, and the speech without SSML."""

    text: str
    request: dict[str, Any]
    response: dict[str, Any]
    speech: str
    ended: bool


def launch_phrase(text: str, model: InteractionModel) -> bool:
    """Whether the text opens the skill ("open corner market", es-US "abre mercado de la esquina").

    The verbs are the model's language's (`intents/languages/<locale>.json`, `launch`).
    """
    lexicon = load_lexicon(model.locale)
    words = normalize(text)
    name = normalize(model.invocation_name)
    return any(words == f"{verb} {name}" for verb in (*lexicon.launch_open, *lexicon.launch_ask))


def _resolutions(skill_id: str, slot_type: str, resolved: str | None, model: InteractionModel) -> dict:
    """Entity resolution as Alexa writes it for a custom slot type: a match with its id, or no match."""
    authority = f"amzn1.er-authority.echo-sdk.{skill_id}.{slot_type}"
    if resolved is None:
        return {"resolutionsPerAuthority": [{"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}
    names = {value.id: value.value for value in model.types[slot_type].values} if slot_type in model.types else {}
    return {
        "resolutionsPerAuthority": [
            {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": names.get(resolved, resolved), "id": resolved}}],
            }
        ]
    }


def _slots(intent: str, heard: Mapping[str, Slot], model: InteractionModel, skill_id: str) -> dict[str, Any]:
    """Every slot the intent declares, filled ones with a value (built-ins already normalised, as Alexa does)."""
    spec = model.intents.get(intent)
    declared = spec.slots if spec else {}
    slots: dict[str, Any] = {}
    for name, slot_type in declared.items():
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        got = heard.get(name)
        if got is not None and got.value:
            if slot_type.startswith("AMAZON."):
                slot["value"] = got.resolved_id or got.value
            else:
                slot["value"] = got.value
                slot["resolutions"] = _resolutions(skill_id, slot_type, got.resolved_id, model)
            slot["source"] = "USER"
        slots[name] = slot
    return slots


ECHO_SHOW_VIEWPORT = {
    "experiences": [{"canRotate": False, "canResize": False}],
    "mode": "HUB",
    "shape": "RECTANGLE",
    "pixelWidth": 1280,
    "pixelHeight": 800,
    "dpi": 160,
    "currentPixelWidth": 1280,
    "currentPixelHeight": 800,
    "touch": ["SINGLE"],
}
"""What an Echo Show 8 reports about its screen."""


def _interfaces(apl: bool) -> dict[str, Any]:
    """A screenless speaker advertises nothing; a device with a screen advertises APL and its runtime."""
    return {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}} if apl else {}


def build_envelope(
    intent: str,
    *,
    skill_id: str,
    user_id: str,
    session_id: str,
    new_session: bool,
    attributes: Mapping[str, Any] | None = None,
    slots: Mapping[str, Slot] | None = None,
    model: InteractionModel | None = None,
    locale: str = "en-US",
    person_id: str | None = None,
    apl: bool = False,
) -> dict[str, Any]:
    """A request envelope with every field a real Alexa request carries for a custom skill."""
    model = model or load_model(locale)
    application = {"applicationId": skill_id}
    user = {"userId": user_id}
    request: dict[str, Any] = {
        "type": LAUNCH if intent == LAUNCH else "IntentRequest",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "locale": locale,
    }
    if intent != LAUNCH:
        request["dialogState"] = "STARTED"
        request["intent"] = {
            "name": intent,
            "confirmationStatus": "NONE",
            "slots": _slots(intent, slots or {}, model, skill_id),
        }
    system: dict[str, Any] = {
        "application": application,
        "user": user,
        "device": {"deviceId": DEVICE_ID, "supportedInterfaces": _interfaces(apl)},
        "apiEndpoint": API_ENDPOINT,
        "apiAccessToken": "simulator-token",
    }
    if person_id:
        system["person"] = {"personId": person_id}
    return {
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": session_id,
            "application": application,
            "attributes": dict(attributes or {}),
            "user": user,
        },
        "context": {"System": system, **({"Viewport": ECHO_SHOW_VIEWPORT} if apl else {})},
        "request": request,
    }


def redacted(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a request envelope fit to print: purchase code slots masked, as the kiosk masks them."""
    copy: dict[str, Any] = json.loads(json.dumps(envelope))
    slots = ((copy.get("request") or {}).get("intent") or {}).get("slots") or {}
    for name, slot in slots.items():
        if name in SECRET_SLOTS and isinstance(slot, dict) and "value" in slot:
            slot["value"] = MASK
            slot.pop("resolutions", None)
    return copy


def _state_name(customer: str) -> str:
    """`<customer>.json`, or a sanitised name plus a hash when the id holds characters a file system refuses."""
    if _SAFE_NAME.fullmatch(customer):
        return f"{customer}.json"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", customer)[:80]
    return f"{safe}-{uuid.uuid5(uuid.NAMESPACE_URL, customer).hex[:8]}.json"


@dataclass
class Simulator:
    """One simulated Alexa device for one customer, its session kept in `state_dir` between runs."""

    customer: str
    state_dir: Path
    skill_id: str
    handler: Callable[[dict, Any], dict]
    locale: str = "en-US"
    person_id: str | None = None
    apl: bool = False
    """Simulate a device with a screen (Echo Show): it advertises Alexa.Presentation.APL."""

    @property
    def state_file(self) -> Path:
        """Where this customer's open session is kept."""
        return self.state_dir / _state_name(self.customer)

    def _load(self) -> dict[str, Any] | None:
        """The open session, or None when there is none (or its file is unreadable)."""
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and isinstance(state.get("sessionId"), str) else None

    def end_session(self) -> None:
        """Forget the open session, as `--new-session` or a closing reply does."""
        self.state_file.unlink(missing_ok=True)

    def heard(self, text: str, context: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Slot]]:
        """What Alexa's NLU would make of the text: launch, an intent with slots, or the fallback.

        The session's context (what was just asked or listed) ranks the readings, as the kiosk's does; a
        shop-changing reading that is only a guess is not sent at all (the fallback asks again).
        """
        model = load_model(self.locale)
        if launch_phrase(text, model):
            return LAUNCH, {}
        readings = recognize(text, context, model=model)
        top = readings[0] if readings else None
        if top is None or (top.needs_confirming and top.how.startswith("approximate")):
            return FALLBACK, {}
        return top.intent, dict(top.slots)

    def say(self, text: str, new_session: bool = False) -> Turn:
        """Send one utterance through the handler and keep the session the reply leaves open."""
        if new_session:
            self.end_session()
        state = self._load()
        intent, slots = self.heard(text, state.get("attributes") if state else None)
        envelope = build_envelope(
            intent,
            skill_id=self.skill_id,
            user_id=self.customer,
            session_id=state["sessionId"] if state else f"amzn1.echo-api.session.{uuid.uuid4()}",
            new_session=state is None,
            attributes=state.get("attributes") if state else None,
            slots=slots,
            model=load_model(self.locale),
            locale=self.locale,
            person_id=self.person_id,
            apl=self.apl,
        )
        response = self.handler(envelope, FakeLambdaContext())
        body = response.get("response") or {}
        ended = body.get("shouldEndSession") is not False
        if ended:
            self.end_session()
        else:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            kept = {
                "sessionId": envelope["session"]["sessionId"],
                "attributes": response.get("sessionAttributes") or {},
            }
            self.state_file.write_text(json.dumps(kept), encoding="utf-8")
        speech = speech_text(
            (body.get("outputSpeech") or {}).get("ssml") or (body.get("outputSpeech") or {}).get("text")
        )
        return Turn(text, envelope, response, speech, ended)
