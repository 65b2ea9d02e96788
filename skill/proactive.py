"""Alexa's proactive order-status notification (`AMAZON.OrderStatus.Updated`, en-US), built from order events.

The same outbox event a webhook carries becomes the notification: `order_status_payload` maps the shop's
status to Amazon's (`ORDER_RECEIVED` ... `ORDER_DELIVERED`; a cancellation has no Amazon status and sends
nothing) and addresses it to the customer as a Unicast. Only Alexa user ids
(`amzn1.ask.account.`) can be addressed; kiosk customers and voice-profile person ids get none.

Sending (`ProactiveSender`) is two calls: a Login with Amazon token for the skill's client id and secret
(`client_credentials`, scope `alexa::proactive_events`), then a POST to the Proactive Events API,
`/v1/proactiveEvents/stages/development` until the skill is certified (`live=True`: `/v1/proactiveEvents`).
The skill manifest must declare the `AMAZON.OrderStatus.Updated` publication and the
`alexa::devices:all:notifications:write` permission, and the customer must allow notifications.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

EVENT_NAME = "AMAZON.OrderStatus.Updated"
LOCALE = "en-US"
ALEXA_STATUS = {
    "received": "ORDER_RECEIVED",
    "preparing": "ORDER_PREPARING",
    "shipped": "ORDER_SHIPPED",
    "out_for_delivery": "ORDER_OUT_FOR_DELIVERY",
    "delivered": "ORDER_DELIVERED",
}
ARRIVING = frozenset({"ORDER_SHIPPED", "ORDER_OUT_FOR_DELIVERY"})
"""Statuses whose notification says when the order will arrive."""
USER_PREFIX = "amzn1.ask.account."
LWA_URL = "https://api.amazon.com/auth/o2/token"
API_URL = "https://api.amazonalexa.com"
EXPIRY = timedelta(hours=23)
"""Amazon accepts an expiry between 5 minutes and 24 hours after the event's timestamp."""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def order_status_payload(event: Mapping[str, Any], seller: str = "Corner Market") -> dict[str, Any] | None:
    """The Proactive Events API body for one order event (its documented envelope); None: not for Alexa."""
    data = event.get("data") or {}
    status = ALEXA_STATUS.get(str(data.get("status")))
    user = str(data.get("customer_id") or "")
    if status is None or not user.startswith(USER_PREFIX):
        return None
    occurred = datetime.fromisoformat(str(event["occurred_at"]))
    state: dict[str, Any] = {"status": status}
    if status in ARRIVING and data.get("expected_delivery"):
        arrival = datetime.combine(date.fromisoformat(str(data["expected_delivery"])), time(20, 0), tzinfo=UTC)
        state["deliveryDetails"] = {"expectedArrival": _utc(arrival)}
    return {
        "timestamp": _utc(occurred),
        "referenceId": str(event["id"]),
        "expiryTime": _utc(occurred + EXPIRY),
        "event": {
            "name": EVENT_NAME,
            "payload": {"state": state, "order": {"seller": {"name": "localizedattribute:sellerName"}}},
        },
        "localizedAttributes": [{"locale": LOCALE, "sellerName": seller}],
        "relevantAudience": {"type": "Unicast", "payload": {"user": user}},
    }


@dataclass(frozen=True)
class ProactiveConfig:
    """The skill's Login with Amazon credentials (developer console > Build > Permissions)."""

    client_id: str
    client_secret: str
    live: bool = False
    lwa_url: str = LWA_URL
    api_url: str = API_URL
    timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ProactiveConfig:
        """The skill's LWA client id and secret from the environment; `VOICESHOP_ALEXA_EVENTS_LIVE=1` once live."""
        env = os.environ if environ is None else environ
        client_id, secret = env.get("VOICESHOP_ALEXA_CLIENT_ID", ""), env.get("VOICESHOP_ALEXA_CLIENT_SECRET", "")
        if not client_id or not secret:
            raise ValueError("set VOICESHOP_ALEXA_CLIENT_ID and VOICESHOP_ALEXA_CLIENT_SECRET")
        return cls(client_id, secret, live=env.get("VOICESHOP_ALEXA_EVENTS_LIVE") == "1")

    @property
    def events_url(self) -> str:
        """Development stage until the skill is live."""
        return f"{self.api_url}/v1/proactiveEvents" + ("" if self.live else "/stages/development")


def _call(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


class ProactiveSender:
    """Sends order-status notifications with a Login with Amazon token (fetched once per sender)."""

    def __init__(self, config: ProactiveConfig) -> None:
        """No network until the first `send`."""
        self.config = config
        self._token: str | None = None

    def token_request(self) -> urllib.request.Request:
        """The LWA client-credentials request for the proactive events scope."""
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "scope": "alexa::proactive_events",
        }).encode()  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
        return urllib.request.Request(self.config.lwa_url, data=form, headers=headers, method="POST")

    def event_request(self, payload: Mapping[str, Any], token: str) -> urllib.request.Request:
        """The Proactive Events API request for one payload."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        body = json.dumps(payload).encode()
        return urllib.request.Request(self.config.events_url, data=body, headers=headers, method="POST")

    def send(self, payload: Mapping[str, Any]) -> int:
        """POST one notification; Amazon answers 202 when it accepted it. Raises OSError when unreachable."""
        if self._token is None:
            status, body = _call(self.token_request(), self.config.timeout_seconds)
            if status != 200:
                raise OSError(f"Login with Amazon refused the skill's credentials (HTTP {status})")
            self._token = str(json.loads(body)["access_token"])
        status, _ = _call(self.event_request(payload, self._token), self.config.timeout_seconds)
        return status


__all__ = ["EVENT_NAME", "ProactiveConfig", "ProactiveSender", "order_status_payload"]
