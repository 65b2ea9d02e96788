"""Signed webhooks from the outbox: sign, verify, and deliver each event once, with retries.

The signature follows the scheme payment providers made familiar (Stripe's `Stripe-Signature`):
`Voiceshop-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing the timestamp
with the body lets a receiver refuse replays older than a tolerance; several `v1=` values may appear
while a secret is being rotated, and any one matching is enough (`verify`).

Delivery (`Deliverer.deliver_due`) claims each due event with a conditional write before sending, so
two deliverers racing never both send it; a 2xx marks it delivered, anything else schedules a retry
with exponential backoff, and after `max_attempts` tries the event is dead-lettered (`OUTBOX#dead`) for
ops. The lease is longer than the HTTP timeout, so a claim cannot run out while its send is in flight.
The one window left is a deliverer dying between the receiver's 2xx and recording it; the event is then
sent again after its lease, with the same `Voiceshop-Event-Id`, which receivers should deduplicate on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from catalog.errors import VoiceshopError
from catalog.model import utcnow
from catalog.outbox import Outbox, OutboxEntry

SIGNATURE_HEADER = "Voiceshop-Signature"
EVENT_ID_HEADER = "Voiceshop-Event-Id"
EVENT_TYPE_HEADER = "Voiceshop-Event-Type"
TOLERANCE_SECONDS = 300


class SignatureError(VoiceshopError):
    """A webhook's signature is missing, malformed, stale, or made with another secret."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under the shared secret."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `Voiceshop-Signature` header value for a body sent now (or at `timestamp`)."""
    at = int(time.time()) if timestamp is None else timestamp
    return f"t={at},v1={signature(secret, at, body)}"


def verify(
    body: bytes, header: str | None, secret: str, tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> int:
    """Check a received webhook; returns its timestamp, raises `SignatureError` when it must be refused.

    Receivers must verify the raw bytes as received, before parsing the JSON.
    """
    if not header:
        raise SignatureError("no signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("malformed signature header")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches")
    return timestamp


@dataclass(frozen=True)
class WebhookConfig:
    """Where events go and how hard to try; read from `VOICESHOP_WEBHOOK_*`."""

    url: str
    secret: str
    timeout_seconds: float = 5.0
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    """The wait after the first failure; it doubles after each further one (30 s, 1 min, 2 min, ...)."""
    max_backoff_seconds: float = 3600.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebhookConfig:
        """The configured receiver; a missing URL or secret is a usage error, not a silent no-op."""
        env = os.environ if environ is None else environ
        url, secret = env.get("VOICESHOP_WEBHOOK_URL", ""), env.get("VOICESHOP_WEBHOOK_SECRET", "")
        if not url or not secret:
            raise ValueError("set VOICESHOP_WEBHOOK_URL and VOICESHOP_WEBHOOK_SECRET")
        return cls(
            url=url,
            secret=secret,
            timeout_seconds=float(env.get("VOICESHOP_WEBHOOK_TIMEOUT_SECONDS", "5")),
            max_attempts=int(env.get("VOICESHOP_WEBHOOK_MAX_ATTEMPTS", "8")),
            backoff_seconds=float(env.get("VOICESHOP_WEBHOOK_BACKOFF_SECONDS", "30")),
        )

    @property
    def lease(self) -> timedelta:
        """How long a claim holds an event: well beyond one send, so it never lapses mid-send."""
        return timedelta(seconds=max(60.0, 4 * self.timeout_seconds))

    def retry_after(self, attempts: int) -> timedelta:
        """Exponential backoff after `attempts` failed tries."""
        return timedelta(seconds=min(self.max_backoff_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Outcome:
    """What one delivery run did with one event."""

    event_id: str
    result: str
    """`delivered`, `retry` (due again later), `dead` (out of tries), or `skipped` (another deliverer had it)."""
    attempts: int
    detail: str = ""


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; the HTTP status, or raises `OSError` for a receiver that cannot be reached."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@dataclass
class Deliverer:
    """Delivers the outbox's due events to one receiver; run one or several, they never send an event twice."""

    outbox: Outbox
    config: WebhookConfig
    clock: Callable[[], datetime] = utcnow
    send: Callable[[str, bytes, dict[str, str], float], int] = post
    worker: str = field(default_factory=lambda: f"deliverer-{uuid.uuid4().hex[:12]}")

    def deliver_due(self, limit: int = 100) -> list[Outcome]:
        """One pass over what is due now (bounded by `limit`)."""
        return [self.deliver(entry) for entry in self.outbox.due(self.clock(), limit)]

    def deliver(self, entry: OutboxEntry) -> Outcome:
        """Claim, send, record; an event another deliverer claimed first is skipped."""
        now = self.clock()
        claimed = self.outbox.claim(entry.event_id, self.worker, now, self.config.lease)
        if claimed is None:
            return Outcome(entry.event_id, "skipped", entry.attempts)
        body = claimed.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "voiceshop-webhooks/1",
            SIGNATURE_HEADER: sign(self.config.secret, body, int(now.timestamp())),
            EVENT_ID_HEADER: claimed.event_id,
            EVENT_TYPE_HEADER: claimed.event_type,
        }
        try:
            status = self.send(self.config.url, body, headers, self.config.timeout_seconds)
            detail = f"HTTP {status}"
        except OSError as error:
            status, detail = 0, f"{type(error).__name__}: {error}"
        if 200 <= status < 300:
            self.outbox.mark_delivered(claimed.event_id, self.worker, self.clock())
            return Outcome(claimed.event_id, "delivered", claimed.attempts, detail)
        if claimed.attempts >= self.config.max_attempts:
            self.outbox.mark_failed(claimed.event_id, self.worker, detail, None)
            return Outcome(claimed.event_id, "dead", claimed.attempts, detail)
        retry_at = self.clock() + self.config.retry_after(claimed.attempts)
        self.outbox.mark_failed(claimed.event_id, self.worker, detail, retry_at)
        return Outcome(claimed.event_id, "retry", claimed.attempts, detail)


__all__ = [
    "EVENT_ID_HEADER",
    "EVENT_TYPE_HEADER",
    "SIGNATURE_HEADER",
    "Deliverer",
    "Outcome",
    "SignatureError",
    "WebhookConfig",
    "post",
    "sign",
    "verify",
]
