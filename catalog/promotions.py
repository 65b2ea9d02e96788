"""Promotions and their arithmetic: which promotion applies to a priced line, and how much it takes off.

Pure domain code (no storage), so the money rules are tested alone. Kinds: a percentage off, a fixed
amount off each unit, and buy-X-get-Y-free; each targets a product (sku), a brand or a category and runs
from `starts` to `ends`, both dates inclusive, in the shop's (UTC) calendar.

Stacking rule: promotions never stack. Each line gets the single promotion that saves the shopper the
most on that line (ties go to the promotion that ends first, then the lower id, so the choice is
stable). Stacking a percentage on an amount off depends on the order they are applied, and the best
single promotion is what a shopper can check in their head.

Rounding: a line's discount is computed exactly in Decimal and rounded once, half up, to the cent;
it never exceeds the line's total.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from catalog.model import CartLine, DiscountLine, Product

CENT = Decimal("0.01")


class PromotionKind(enum.StrEnum):
    """How a promotion takes money off; the values are what import files say."""

    PERCENT = "percent"
    AMOUNT = "amount"
    BUY_X_GET_Y = "bxgy"


class Target(enum.StrEnum):
    """What a promotion applies to."""

    PRODUCT = "product"
    BRAND = "brand"
    CATEGORY = "category"


@dataclass(frozen=True)
class Promotion:
    """One promotion as ops imported it; `value` is the percent or the amount off per unit."""

    promotion_id: str
    title: str
    kind: PromotionKind
    target: Target
    target_value: str
    starts: date
    ends: date
    value: Decimal = Decimal("0")
    buy: int = 0
    free: int = 0
    currency: str = "USD"

    def active_on(self, day: date) -> bool:
        """Whether the promotion runs on `day` (both ends inclusive)."""
        return self.starts <= day <= self.ends

    def applies_to(self, product: Product) -> bool:
        """Whether `product` is what this promotion targets (brand and category ignore case)."""
        if self.target is Target.PRODUCT:
            return product.sku == self.target_value
        wanted = self.target_value.strip().lower()
        have = product.brand if self.target is Target.BRAND else product.category
        return have.strip().lower() == wanted

    def discount(self, product: Product, quantity: int) -> Decimal:
        """Money off `quantity` units of `product` at its price: exact, then rounded half up to the cent."""
        total = product.price * quantity
        if self.kind is PromotionKind.PERCENT:
            off = total * self.value / 100
        elif self.kind is PromotionKind.AMOUNT:
            off = min(self.value, product.price) * quantity if self.currency == product.currency else Decimal(0)
        else:
            group = self.buy + self.free
            off = product.price * (quantity // group) * self.free if group > 0 and self.free > 0 else Decimal(0)
        return min(total, off).quantize(CENT, rounding=ROUND_HALF_UP)


def best_discount(line: CartLine, product: Product, promotions: Iterable[Promotion], day: date) -> DiscountLine | None:
    """The single promotion saving most on this line today (see the module's stacking rule), or None."""
    candidates = [
        (promotion.discount(product, line.quantity), promotion)
        for promotion in promotions
        if promotion.active_on(day) and promotion.applies_to(product)
    ]
    candidates = [(amount, promotion) for amount, promotion in candidates if amount > 0]
    if not candidates:
        return None
    amount, winner = min(candidates, key=lambda c: (-c[0], c[1].ends, c[1].promotion_id))
    return DiscountLine(line.sku, winner.promotion_id, winner.title, amount)


def discounts_for(
    lines: Iterable[tuple[CartLine, Product]], promotions: Iterable[Promotion], day: date
) -> tuple[DiscountLine, ...]:
    """One discount line per priced line that a promotion applies to."""
    active = [promotion for promotion in promotions if promotion.active_on(day)]
    found = (best_discount(line, product, active, day) for line, product in lines)
    return tuple(discount for discount in found if discount is not None)


_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _decimal(value: Any, field: str) -> Decimal:
    """A finite decimal from a file cell (strings or numbers), or a ValueError naming the field."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"{field} {value!r} is not a number") from error
    if not number.is_finite():
        raise ValueError(f"{field} {value!r} is not a number")
    return number


def _whole(value: Any, field: str) -> int:
    """A whole number of units from a file cell, or a ValueError naming the field."""
    number = _decimal(value, field)
    if number != number.to_integral_value() or number < 1:
        raise ValueError(f"{field} must be a whole number of at least 1, not {value!r}")
    return int(number)


def _day(value: Any, field: str) -> date:
    """An ISO date (2026-12-31) from a file cell."""
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise ValueError(f"{field} {value!r} is not a date like 2026-12-31") from error


def parse_promotion(row: Mapping[str, Any], currency: str = "USD") -> Promotion:
    """One promotion from an import row, checked whole; ValueError says what is wrong, in ops' words.

    A row names `id`, `title`, `kind` (percent, amount or bxgy), `target` (product, brand or category),
    `applies_to` (the sku, brand or category), `starts` and `ends` (ISO dates, both inclusive), and `value`
    (percent: more than 0 and at most 100; amount: money off each unit, more than 0) or `buy` and `free`.
    """
    if not isinstance(row, Mapping):
        raise ValueError("a promotion must be an object with id, title, kind, target and applies_to")
    promotion_id = str(row.get("id") or "").strip().lower()
    if not _ID.match(promotion_id):
        raise ValueError(f"id {row.get('id')!r} must be 1 to 64 letters, digits, '-' or '_'")
    title = str(row.get("title") or "").strip()
    if not title:
        raise ValueError("title is missing (it is what shoppers hear)")
    try:
        kind = PromotionKind(str(row.get("kind") or "").strip().lower())
    except ValueError as error:
        raise ValueError(
            f"kind {row.get('kind')!r} must be one of {', '.join(k.value for k in PromotionKind)}"
        ) from error
    try:
        target = Target(str(row.get("target") or "").strip().lower())
    except ValueError as error:
        raise ValueError(f"target {row.get('target')!r} must be one of {', '.join(t.value for t in Target)}") from error
    applies_to = str(row.get("applies_to") or "").strip()
    if not applies_to:
        raise ValueError(f"applies_to is missing (the {target.value} the promotion is for)")
    starts, ends = _day(row.get("starts"), "starts"), _day(row.get("ends"), "ends")
    if ends < starts:
        raise ValueError(f"ends {ends.isoformat()} is before starts {starts.isoformat()}")
    value, buy, free = Decimal("0"), 0, 0
    if kind is PromotionKind.BUY_X_GET_Y:
        buy, free = _whole(row.get("buy"), "buy"), _whole(row.get("free"), "free")
    else:
        value = _decimal(row.get("value"), "value")
        if value <= 0 or (kind is PromotionKind.PERCENT and value > 100):
            limits = "more than 0 and at most 100" if kind is PromotionKind.PERCENT else "more than 0"
            raise ValueError(f"value {row.get('value')!r} must be {limits}")
    return Promotion(
        promotion_id,
        title,
        kind,
        target,
        applies_to,
        starts,
        ends,
        value,
        buy,
        free,
        str(row.get("currency") or currency),
    )


def promotion_row(promotion: Promotion) -> dict[str, Any]:
    """A promotion as the row `parse_promotion` reads: how it is stored and listed."""
    row: dict[str, Any] = {
        "id": promotion.promotion_id,
        "title": promotion.title,
        "kind": promotion.kind.value,
        "target": promotion.target.value,
        "applies_to": promotion.target_value,
        "starts": promotion.starts.isoformat(),
        "ends": promotion.ends.isoformat(),
        "currency": promotion.currency,
    }
    if promotion.kind is PromotionKind.BUY_X_GET_Y:
        row |= {"buy": promotion.buy, "free": promotion.free}
    else:
        row["value"] = str(promotion.value)
    return row
