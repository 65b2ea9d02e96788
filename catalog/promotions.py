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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from catalog.model import CartLine, Product

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


@dataclass(frozen=True)
class DiscountLine:
    """What a quote and its order keep: which promotion took how much off which line."""

    sku: str
    promotion_id: str
    title: str
    amount: Decimal


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
