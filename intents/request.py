"""The boundary types between a channel and the conversation: an `IntentRequest` in, a `Reply` out.

Every channel (Alexa, the kiosk, the simulator) turns what it heard into these, so the meaning of an
intent is written once. Both are plain, JSON-safe data: Alexa keeps `context` in session attributes,
the kiosk keeps it in memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LAUNCH = "LaunchRequest"
SESSION_ENDED = "SessionEndedRequest"
SECRET_SLOTS = frozenset({"code"})
"""Slots holding a purchase code: never read aloud, printed, logged, written to `--json` or kept in the
context (which Alexa carries as session attributes); every channel masks them with `MASK`."""
MASK = "****"


@dataclass(frozen=True)
class Slot:
    """One slot as heard: the spoken `value` and, when entity resolution matched, its catalog `id`."""

    name: str
    value: str | None = None
    resolved_id: str | None = None
    """For product slots the sku; for categories the category name; None when nothing resolved."""

    @property
    def unresolved(self) -> bool:
        """Words were heard for the slot but named nothing the model knows."""
        return bool(self.value) and self.resolved_id is None


@dataclass(frozen=True)
class IntentRequest:
    """What the customer asked, with the conversation so far."""

    intent: str
    """Intent name as in the interaction model (`AddToCartIntent`, `AMAZON.YesIntent`) or `LaunchRequest`."""
    customer_id: str
    """The channel identity: Alexa person id or user id, or the kiosk's customer id."""
    slots: Mapping[str, Slot] = field(default_factory=dict)
    locale: str = "en-US"
    context: Mapping[str, Any] = field(default_factory=dict)
    """What the previous turns left behind (last results, pending confirmation); JSON-safe."""
    channel: str = "alexa"
    """`alexa` or `kiosk`: only wording differs (the kiosk reads slower and offers more help)."""
    heard: str | None = None
    """The words heard, when the channel has them (the kiosk; Alexa sends none), for a call-back request's
    record of the last turns; `intents.handoff` never records them for a turn that may hold a code."""

    def slot_value(self, name: str) -> str | None:
        """The spoken value of a slot, stripped, or None when empty."""
        slot = self.slots.get(name)
        if slot is None or slot.value is None or not slot.value.strip():
            return None
        return slot.value.strip()

    def slot_id(self, name: str) -> str | None:
        """The resolved id of a slot, when entity resolution found one."""
        slot = self.slots.get(name)
        return slot.resolved_id if slot is not None and slot.resolved_id else None


@dataclass(frozen=True)
class ScreenLine:
    """One row of a screen: what it names and the detail beside it (a price, a quantity)."""

    title: str
    detail: str = ""


@dataclass(frozen=True)
class Screen:
    """What a device with a screen may show beside the speech; the speech always says all of it."""

    kind: str
    """`results`, `product`, `cart` or `checkout`: which layout a channel uses."""
    title: str
    lines: tuple[ScreenLine, ...] = ()
    footer: str = ""
    """A total or a hint, shown under the lines."""


@dataclass(frozen=True)
class Reply:
    """What to say back, what to show, and whether to keep listening."""

    speech: str
    """Plain text, for the kiosk's voice, logs and tests."""
    ssml: str
    """The same words as SSML (`<speak>...</speak>`), with numbers and codes marked up for Alexa."""
    reprompt: str | None = None
    """Said again if the customer stays silent; None when not expecting an answer."""
    card_title: str | None = None
    card_text: str | None = None
    end_session: bool = False
    context: Mapping[str, Any] = field(default_factory=dict)
    """The conversation state for the next turn."""
    events: tuple[str, ...] = ()
    """What happened, for metrics (`order_placed`, `search_no_result`, `error`); never personal data."""
    screen: Screen | None = None
    """Shown on Alexa devices with APL; channels without a screen ignore it (the speech is complete)."""
