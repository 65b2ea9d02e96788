"""Delivery options (standard, express, pickup): what each costs, its cut-off and when it arrives.

Plain domain rules, configured per shop (the "delivery" section of a catalog file, else
`catalog/data/shop_policy.json`). The promise is worked out in the shop's own time zone, because a
cut-off of 14:00 means 14:00 where the shop is, whatever the server's clock says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.errors import UnknownDeliveryOption

PICKUP = "pickup"
SATURDAY = 5


def shop_zone(name: str) -> tzinfo:
    """The shop's time zone; UTC when the name is unknown on this machine (no tz database)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _working(day: date, weekends: bool) -> bool:
    return weekends or day.weekday() < SATURDAY


def _next_working(day: date, weekends: bool) -> date:
    day += timedelta(days=1)
    while not _working(day, weekends):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class DeliveryOption:
    """One way to get an order: its price, working days after dispatch, the daily cut-off, a pickup place."""

    code: str
    price: Decimal
    days: int
    cutoff: time
    weekends: bool = False
    """Whether Saturday and Sunday are working days for this option (dispatch and delivery)."""
    place: str = ""
    """Where a pickup order is collected; empty for options delivered to an address."""

    @property
    def needs_address(self) -> bool:
        """Only pickup can do without the shopper's address."""
        return self.code != PICKUP

    def dispatch_day(self, local: datetime) -> date:
        """The day the order leaves (or is ready): today before the cut-off on a working day, else the next."""
        today = local.date()
        if _working(today, self.weekends) and local.time() < self.cutoff:
            return today
        return _next_working(today, self.weekends)

    def expected_date(self, ordered_at: datetime, zone: tzinfo) -> date:
        """The promised day: `days` working days after dispatch, counted in the shop's time zone."""
        day = self.dispatch_day(ordered_at.astimezone(zone))
        for _ in range(self.days):
            day = _next_working(day, self.weekends)
        return day


@dataclass(frozen=True)
class DeliveryChoice:
    """What a quote and its order keep: the option, the price then, and the address or pickup place."""

    option: str
    price: Decimal
    destination: str


@dataclass(frozen=True)
class DeliveryPolicy:
    """A shop's delivery options, the default one, and the time zone its cut-offs are in."""

    options: tuple[DeliveryOption, ...]
    default: str
    timezone: str = "UTC"

    @property
    def zone(self) -> tzinfo:
        """The time zone cut-offs and dates are reckoned in."""
        return shop_zone(self.timezone)

    def option(self, code: str) -> DeliveryOption:
        """An option by code; one the shop does not offer is a domain error the shopper hears."""
        for option in self.options:
            if option.code == code:
                return option
        raise UnknownDeliveryOption(code, tuple(o.code for o in self.options))

    def choose(self, wanted: str | None, profile_default: str, address: str) -> DeliveryOption:
        """The option for a checkout: the one asked for, else the profile's, else the shop's.

        Without an address nothing can be delivered, so a shopper who asked for nothing in particular
        (a walk-up kiosk shopper) gets pickup rather than a refusal; asking for delivery is refused
        later, by the quote, with the reason.
        """
        code = wanted or profile_default or self.default
        if not wanted and not address and self.option(code).needs_address:
            pickup = [o for o in self.options if not o.needs_address]
            if pickup:
                return pickup[0]
        return self.option(code)

    def expected_date(self, code: str, ordered_at: datetime) -> date:
        """When an order placed now with this option should arrive (or be ready)."""
        return self.option(code).expected_date(ordered_at, self.zone)


def _price(raw: Any) -> Decimal:
    try:
        price = Decimal(str(raw))
    except InvalidOperation as error:
        raise ValueError(f"delivery price {raw!r} is not a number") from error
    if not price.is_finite() or price < 0 or int(price.as_tuple().exponent) < -2:
        raise ValueError(f"delivery price {raw!r} must be 0 or more with at most 2 decimals")
    return price


def parse_delivery(section: Mapping[str, Any]) -> DeliveryPolicy:
    """A catalog file's "delivery" section as a policy; ValueError names what is wrong."""
    options = []
    for raw in section.get("options") or ():
        code = str(raw.get("code") or "").strip().lower()
        if not code:
            raise ValueError("a delivery option needs a code")
        days = int(raw.get("days", 0))
        if days < 0:
            raise ValueError(f"delivery option {code}: days must be 0 or more")
        options.append(
            DeliveryOption(
                code=code,
                price=_price(raw.get("price", "0")),
                days=days,
                cutoff=time.fromisoformat(str(raw.get("cutoff", "23:59"))),
                weekends=bool(raw.get("weekends", False)),
                place=str(raw.get("place") or ""),
            )
        )
    if not options:
        raise ValueError("the delivery section lists no options")
    default = str(section.get("default") or options[0].code)
    policy = DeliveryPolicy(tuple(options), default, str(section.get("timezone") or "UTC"))
    policy.option(default)
    if any(o.code == PICKUP and not o.place for o in options):
        raise ValueError("the pickup option needs a place")
    return policy
