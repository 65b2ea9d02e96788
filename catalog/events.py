"""Order events: what happened to an order, as other systems (webhooks, EventBridge, Alexa) learn it.

cosmicpython's chapter 8 raises events in the domain and lets the unit of work publish them. Here they
are written by the unit of work into an outbox item of the same transaction (`UnitOfWork.record_event`),
so an event exists exactly when its change does: a cancelled transaction leaves neither. Delivery
happens afterwards, from the outbox (`catalog/webhooks.py`) or the table's stream (template.yaml).

An event's id is derived from what it is about (`order.placed` of order X, `order.status_changed` of X
to shipped), so writing it twice is impossible (the outbox put is `attribute_not_exists`) and a
receiver can deduplicate by id. The body is canonical JSON (sorted keys, no spaces): the same bytes are
stored, signed and sent. Its shape is documented in `docs/event.schema.json` and the README.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from catalog.model import Order, OrderStatus, QuoteLine

if TYPE_CHECKING:
    from catalog.returns import ReturnRecord

SCHEMA_VERSION = 1
ORDER_PLACED = "order.placed"
ORDER_STATUS_CHANGED = "order.status_changed"
ORDER_CANCELLED = "order.cancelled"
EVENT_TYPES = (ORDER_PLACED, ORDER_STATUS_CHANGED, ORDER_CANCELLED)
"""Types the shop raises today; returns add theirs (e.g. `return.requested`) through `new_event`."""


@dataclass(frozen=True)
class Event:
    """One thing that happened, with the data a consumer needs and nothing secret (never a code)."""

    event_id: str
    event_type: str
    occurred_at: datetime
    data: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The documented envelope: id, type, schema version, when, and the type's data."""
        return {
            "id": self.event_id,
            "type": self.event_type,
            "schema_version": SCHEMA_VERSION,
            "occurred_at": self.occurred_at.isoformat(),
            "data": dict(self.data),
        }

    def body(self) -> str:
        """Canonical JSON: what is stored in the outbox, signed and delivered, byte for byte."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def order_id(self) -> str | None:
        """The order this event is about, if any (EventBridge rules and Alexa notifications key on it)."""
        value = self.data.get("order_id")
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str | None:
        """The order status the event reports, if any."""
        value = self.data.get("status")
        return value if isinstance(value, str) else None


def event_id_for(event_type: str, key: str) -> str:
    """A stable id for "this kind of thing happened to this key": the same change can only be one event."""
    return "evt_" + hashlib.sha256(f"{event_type}:{key}".encode()).hexdigest()[:32]


def new_event(event_type: str, key: str, data: Mapping[str, Any], at: datetime) -> Event:
    """An event of any type; `key` names what it is about so that a retry makes the same event.

    For a return: `uow.record_event(new_event("return.requested", return_id, {...}, now))`.
    """
    return Event(event_id_for(event_type, key), event_type, at, data)


def _lines_data(lines: tuple[QuoteLine, ...]) -> list[dict[str, Any]]:
    """Priced lines as events carry them: the unit price a decimal string."""
    return [
        {"sku": line.sku, "name": line.name, "unit_price": str(line.unit_price), "quantity": line.quantity}
        for line in lines
    ]


def order_data(order: Order) -> dict[str, Any]:
    """The order as events carry it: money as decimal strings, never floats; no purchase code, no address."""
    return {
        "order_id": order.order_id,
        "order_number": order.order_number,
        "customer_id": order.customer_id,
        "status": order.status.value,
        "currency": order.currency,
        "total": str(order.total),
        "savings": str(order.savings),
        "discounts": [
            {"sku": d.sku, "promotion_id": d.promotion_id, "title": d.title, "amount": str(d.amount)}
            for d in order.discounts
        ],
        "lines": _lines_data(order.lines),
        "created_at": order.created_at.isoformat(),
        "expected_delivery": order.expected_delivery.isoformat(),
        "payment": order.payment,
    }


def order_placed(order: Order) -> Event:
    """The event of a new order."""
    return new_event(ORDER_PLACED, order.order_id, order_data(order), order.created_at)


def order_moved(before: Order, after: Order, at: datetime) -> Event:
    """The event of a status change (`order.cancelled` for a cancellation); one per order and status.

    Keyed by the status reached: the lifecycle never returns to a status, so each is reached once.
    """
    event_type = ORDER_CANCELLED if after.status is OrderStatus.CANCELLED else ORDER_STATUS_CHANGED
    data = {**order_data(after), "previous_status": before.status.value}
    return new_event(event_type, f"{after.order_id}:{after.status.value}", data, at)


def return_data(record: ReturnRecord) -> dict[str, Any]:
    """A return as events carry it: the order it belongs to, the refund as a decimal string, the lines."""
    return {
        "return_id": record.return_id,
        "return_number": record.return_number,
        "order_id": record.order_id,
        "order_number": record.order_number,
        "customer_id": record.customer_id,
        "status": record.status.value,
        "currency": record.currency,
        "refund": str(record.refund),
        "lines": _lines_data(record.lines),
    }


def return_event(record: ReturnRecord, at: datetime) -> Event:
    """`return.requested`, `return.received` or `return.refunded`: one per return and status reached."""
    status = record.status.value
    return new_event(f"return.{status}", f"{record.return_id}:{status}", return_data(record), at)


__all__ = [
    "EVENT_TYPES",
    "ORDER_CANCELLED",
    "ORDER_PLACED",
    "ORDER_STATUS_CHANGED",
    "SCHEMA_VERSION",
    "Event",
    "event_id_for",
    "new_event",
    "order_moved",
    "order_placed",
    "return_event",
]
