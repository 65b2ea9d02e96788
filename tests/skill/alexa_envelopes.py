"""Real Alexa request envelopes, built field for field as Alexa posts them to a custom skill."""

from __future__ import annotations

import uuid
from typing import Any

SKILL_ID = "amzn1.ask.skill.7c1a2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER_SKILL_ID = "amzn1.ask.skill.00000000-1111-4222-8333-444444444444"


class LambdaContext:
    """The attributes Lambda's context has that Powertools reads."""

    function_name = "voiceshop-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voiceshop-test"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())


def slot(name: str, value: str | None = None, resolved: tuple[str, str] | None = None, slot_type: str = "PRODUCT"):
    """A slot as Alexa sends it: resolved ones carry ER_SUCCESS_MATCH with (name, id), others NO_MATCH."""
    data: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return data
    data["value"] = value
    data["source"] = "USER"
    if slot_type.startswith("AMAZON."):
        return data
    authority = {"authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{slot_type}"}
    if resolved:
        authority["status"] = {"code": "ER_SUCCESS_MATCH"}
        authority["values"] = [{"value": {"name": resolved[0], "id": resolved[1]}}]
    else:
        authority["status"] = {"code": "ER_SUCCESS_NO_MATCH"}
    data["resolutions"] = {"resolutionsPerAuthority": [authority]}
    return data


def intent_request(name: str, *slots: dict) -> dict:
    """The `request` object of an IntentRequest."""
    return {
        "type": "IntentRequest",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": "2025-06-01T12:00:00Z",
        "locale": "en-US",
        "dialogState": "STARTED",
        "intent": {"name": name, "confirmationStatus": "NONE", "slots": {s["name"]: s for s in slots}},
    }


def launch_request() -> dict:
    """The `request` object of a LaunchRequest."""
    return {
        "type": "LaunchRequest",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": "2025-06-01T12:00:00Z",
        "locale": "en-US",
        "shouldLinkResultBeReturned": False,
    }


def envelope(
    request: dict,
    user: str,
    *,
    attributes: dict | None = None,
    person: str | None = None,
    skill_id: str = SKILL_ID,
    new: bool = False,
    session_id: str = "amzn1.echo-api.session.0f2c0d6e-3b1a-4c1e-9d5f-7a8b9c0d1e2f",
) -> dict:
    """A complete request envelope, field for field as Alexa posts it to a custom skill."""
    application = {"applicationId": skill_id}
    system: dict[str, Any] = {
        "application": application,
        "user": {"userId": user},
        "device": {"deviceId": "amzn1.ask.device.AEXAMPLE", "supportedInterfaces": {}},
        "apiEndpoint": "https://api.amazonalexa.com",
        "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.example",
    }
    if person:
        system["person"] = {"personId": person, "accessToken": "example"}
    return {
        "version": "1.0",
        "session": {
            "new": new,
            "sessionId": session_id,
            "application": application,
            "attributes": attributes or {},
            "user": {"userId": user},
        },
        "context": {"System": system, "Viewport": {"experiences": [], "shape": "RECTANGLE"}},
        "request": request,
    }
