"""Returns and warranties: the return window per category, the return record and its lifecycle.

Plain domain rules. A return covers the lines of one delivered order that are still inside their
category's window (fresh food 2 days, the rest 30, per the shop's policy), and moves requested ->
received -> refunded; receiving it is what puts the units back into stock.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from catalog.errors import IllegalReturnTransition, ReturnNotAllowed
from catalog.model import Order, OrderStatus, QuoteLine


class ReturnStatus(enum.StrEnum):
    """Where a return stands; the values are what ops type and what is stored."""

    REQUESTED = "requested"
    RECEIVED = "received"
    REFUNDED = "refunded"


NEXT_RETURN_STATUS = {ReturnStatus.REQUESTED: ReturnStatus.RECEIVED, ReturnStatus.RECEIVED: ReturnStatus.REFUNDED}


@dataclass(frozen=True)
class ReturnStep:
    """One timestamped step of a return's history."""

    status: ReturnStatus
    at: datetime


@dataclass(frozen=True)
class ReturnRecord:
    """A return of (part of) one order; `return_number` is what the shopper says and hears."""

    return_id: str
    return_number: str
    order_id: str
    order_number: str
    customer_id: str
    lines: tuple[QuoteLine, ...]
    currency: str
    status: ReturnStatus
    history: tuple[ReturnStep, ...]
    created_at: datetime

    @property
    def refund(self) -> Decimal:
        """What the shopper gets back: the returned lines at the prices they paid."""
        return sum((line.line_total for line in self.lines), Decimal("0"))

    def advanced_to(self, status: ReturnStatus, at: datetime) -> ReturnRecord:
        """The return after its one legal next step; anything else raises and leaves it as it was."""
        if NEXT_RETURN_STATUS.get(self.status) is not status:
            raise IllegalReturnTransition(self.return_number, self.status.value, status.value)
        return replace(self, status=status, history=(*self.history, ReturnStep(status, at)))


@dataclass(frozen=True)
class ReturnPlan:
    """What "start a return" would return: the lines in their window, those past it, and the last day."""

    order: Order
    lines: tuple[QuoteLine, ...]
    too_late: tuple[QuoteLine, ...]
    last_day: date

    @property
    def refund(self) -> Decimal:
        """The refund the shopper is told before confirming."""
        return sum((line.line_total for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class ReturnPolicy:
    """Days after delivery within which a category may be returned, and the default for the rest."""

    default_days: int
    categories: Mapping[str, int]

    def days_for(self, category: str) -> int:
        """The window of one category."""
        return int(self.categories.get(category.lower(), self.default_days))

    def plan(self, order: Order, categories: Mapping[str, str], now: datetime, zone: tzinfo) -> ReturnPlan:
        """Split a delivered order into returnable and too-late lines; refuse when none can go back.

        The window counts calendar days from the day of delivery, in the shop's time zone, and its
        last day is included: delivered on the 1st with 2 days, returnable through the 3rd.
        """
        delivered = order.delivered_at
        if order.status is not OrderStatus.DELIVERED or delivered is None:
            raise ReturnNotAllowed(order.order_number, "not_delivered", status=order.status.value)
        delivered_on, today = delivered.astimezone(zone).date(), now.astimezone(zone).date()
        keep: list[QuoteLine] = []
        late: list[QuoteLine] = []
        last_days: list[date] = []
        for line in order.lines:
            last_day = delivered_on + timedelta(days=self.days_for(categories.get(line.sku, "")))
            (keep if today <= last_day else late).append(line)
            if today <= last_day:
                last_days.append(last_day)
        if not keep:
            days = max(self.days_for(categories.get(line.sku, "")) for line in order.lines)
            raise ReturnNotAllowed(order.order_number, "window_closed", days=days, delivered=delivered_on)
        return ReturnPlan(order, tuple(keep), tuple(late), min(last_days))


@dataclass(frozen=True)
class WarrantyPolicy:
    """Warranty terms by sku, then by category; an empty term means no warranty beyond returns."""

    default: str
    categories: Mapping[str, str]
    products: Mapping[str, str]

    def term_for(self, sku: str, category: str) -> str:
        """The warranty of one product: its own, else its category's, else the shop's default."""
        if sku in self.products:
            return self.products[sku]
        return self.categories.get(category.lower(), self.default)


def parse_returns(section: Mapping[str, Any]) -> ReturnPolicy:
    """A catalog file's "returns" section; ValueError names what is wrong."""
    default = int(section.get("default_days", 30))
    categories = {str(k).lower(): int(v) for k, v in (section.get("categories") or {}).items()}
    if default < 0 or any(days < 0 for days in categories.values()):
        raise ValueError("return windows must be 0 days or more")
    return ReturnPolicy(default, categories)


def parse_warranty(section: Mapping[str, Any]) -> WarrantyPolicy:
    """A catalog file's "warranty" section."""
    return WarrantyPolicy(
        str(section.get("default") or ""),
        {str(k).lower(): str(v or "") for k, v in (section.get("categories") or {}).items()},
        {str(k): str(v or "") for k, v in (section.get("products") or {}).items()},
    )
