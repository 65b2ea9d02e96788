"""Promotions in the shop: importing them, pricing quotes with them, answering "any deals today" (a `Shop` mixin).

The arithmetic and the stacking rule live in `promotions.py`; this module adds what needs storage.
All promotions are one item (`CATALOG` / `PROMOTIONS`), written under its version: an import is all or
nothing, two imports at once never both win, and a shop's few hundred promotions stay far below the
400 KB item limit (about 250 bytes each). They are read once per quote and once per deals question,
one GetItem each; a checkout already makes several reads, so a cache (and the staleness it brings to a
promotion that just ended) would not pay for itself.

A quote prices each line with the single best promotion active on the shop's calendar day, and the
order keeps those discount lines: what the shopper confirmed is what they pay, whatever ops import later.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalog.errors import StoreUnavailable
from catalog.fulfilment_items import FulfilmentItems
from catalog.model import CartLine, DiscountLine, Product, utcnow
from catalog.promotions import Promotion, Target, discounts_for, parse_promotion, promotion_row
from catalog.repository import Repository
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

_ATTEMPTS = 5
DEMO_PROMOTIONS = Path(__file__).resolve().parent / "data" / "promotions.json"
"""The demo shop's promotions (on the demo catalog's oat milk, Clorox and rolled oats; 2026 and 2027)."""


@dataclass(frozen=True)
class PromotionImport:
    """What an import did: how many promotions were new or replaced, or every refused row (then nothing changed)."""

    created: int
    updated: int
    kept: int
    errors: tuple[str, ...]

    @property
    def stored(self) -> bool:
        """Whether the import was stored (a refused row refuses the whole file)."""
        return not self.errors


@dataclass(frozen=True)
class Deal:
    """An active promotion with the products it applies to that a shopper can buy now."""

    promotion: Promotion
    products: tuple[Product, ...]


def promotion_rows(document: Any) -> list[Any]:
    """The rows of a promotions file: `{"promotions": [...]}` or a bare list; ValueError for anything else."""
    rows = document.get("promotions") if isinstance(document, Mapping) else document
    if not isinstance(rows, list):
        raise ValueError('a promotions file is {"promotions": [ ... ]} or a list of promotions')
    return rows


def read_promotions(path: Path) -> list[Any]:
    """The rows of a promotions file: JSON (see `promotion_rows`) or CSV with a header of the row fields.

    CSV columns are `id,title,kind,target,applies_to,starts,ends,value,buy,free,currency`; a cell left
    empty is a field not given (a bxgy row leaves `value` empty). JSON numbers are read as Decimal, so
    a percent of 12.5 is exactly 12.5. OSError or ValueError when the file cannot be read as either.
    """
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [name for name in ("id", "kind") if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"the header has no {' or '.join(missing)} column (it names the row fields)")
        return [{k: v for k, v in row.items() if k is not None and v not in (None, "")} for row in reader]
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from error
    return promotion_rows(document)


def shop_today() -> date:
    """The calendar day promotions run on (UTC, as their dates are written; see promotions.py)."""
    return utcnow().date()


class Deals:
    """Promotions for `Shop`."""

    repository: Repository
    _uow: Callable[[], UnitOfWork]  # provided by Shop

    @property
    def _promotion_items(self) -> FulfilmentItems:
        return FulfilmentItems(self.repository)

    def promotions(self) -> tuple[Promotion, ...]:
        """Every stored promotion, past, running and future, by start date then id."""
        found = (parse_promotion(row) for row in self._promotion_items.promotion_rows())
        return tuple(sorted(found, key=lambda p: (p.starts, p.promotion_id)))

    def import_promotions(self, rows: Sequence[Any], replace_all: bool = False) -> PromotionImport:
        """Check every row, then store them all (upserted by id, or replacing every promotion) or none.

        A product promotion must name a sku the catalog has, and a brand or category one a brand or
        category some product carries: a typo would otherwise be a promotion that never applies.
        """
        parsed: list[Promotion] = []
        errors: list[str] = []
        products = self.repository.all_products()
        skus = {p.sku for p in products}
        brands = {p.brand.strip().lower() for p in products}
        categories = {p.category.strip().lower() for p in products}
        currency = products[0].currency if products else "USD"
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            try:
                promotion = parse_promotion(row, currency)
                _check_target(promotion, skus, brands, categories)
                if promotion.promotion_id in seen:
                    raise ValueError(f"id {promotion.promotion_id!r} is given twice in this file")
            except ValueError as error:
                errors.append(f"promotion {number}: {error}")
                continue
            seen.add(promotion.promotion_id)
            parsed.append(promotion)
        if errors:
            return PromotionImport(0, 0, 0, tuple(errors))
        for _ in range(_ATTEMPTS):
            item = self._promotion_items.promotions_item()
            stored = {row["id"]: row for row in self._promotion_items.promotion_rows(item)}
            new = {p.promotion_id: promotion_row(p) for p in parsed}
            created = len(new.keys() - stored.keys())
            kept = {} if replace_all else {k: v for k, v in stored.items() if k not in new}
            try:
                with self._uow() as uow:
                    uow.save_promotions(item, [row for _, row in sorted((kept | new).items())])
                    uow.commit()
            except TransactionCancelled:
                continue  # another import wrote first: merge with what it stored
            return PromotionImport(created, len(new) - created, len(kept), ())
        raise StoreUnavailable("the promotions kept changing underneath this import")

    def promotions_imported(self) -> bool:
        """Whether ops ever imported promotions (`--if-empty` leaves a shop's own alone, even none)."""
        return self._promotion_items.promotions_stored()

    def discounts(self, lines: Iterable[tuple[CartLine, Product]], day: date | None = None) -> tuple[DiscountLine, ...]:
        """The best promotion per priced line on `day` (today by default)."""
        priced = list(lines)
        if not priced:
            return ()
        return discounts_for(priced, self.promotions(), day or shop_today())

    def deals(self, day: date | None = None) -> tuple[Deal, ...]:
        """Promotions running on `day` that apply to something in stock, those ending soonest first."""
        today = day or shop_today()
        products = [p for p in self.repository.all_products() if p.in_stock]
        found = []
        for promotion in self.promotions():
            if not promotion.active_on(today):
                continue
            applies = tuple(sorted((p for p in products if promotion.applies_to(p)), key=lambda p: p.name))
            if applies:
                found.append(Deal(promotion, applies))
        return tuple(sorted(found, key=lambda d: (d.promotion.ends, d.promotion.promotion_id)))

    def deal_for(self, product: Product, day: date | None = None) -> Promotion | None:
        """The promotion running today that saves most per unit on `product`; None when nothing is on."""
        today = day or shop_today()
        return best_for(product, [p for p in self.promotions() if p.active_on(today)])

    def on_sale(self, day: date | None = None) -> tuple[tuple[Product, Promotion], ...]:
        """Every product in stock on sale on `day`, once, with its best promotion: what "any deals today" lists.

        In the order of `deals()` (ending soonest first, then by name), so a shopper hears the deals
        about to end first, and "the second one" names the same product on every channel.
        """
        found = self.deals(day)
        running = [deal.promotion for deal in found]
        listed: dict[str, tuple[Product, Promotion]] = {}
        for deal in found:
            for product in deal.products:
                best = best_for(product, running)
                if product.sku not in listed and best is not None:
                    listed[product.sku] = (product, best)
        return tuple(sorted(listed.values(), key=lambda pair: (pair[1].ends, pair[1].promotion_id, pair[0].name)))


def best_for(product: Product, running: Iterable[Promotion]) -> Promotion | None:
    """Of promotions running, the one that saves most per unit on `product`, or None.

    A buy-X-get-Y is counted over its whole group, as a checkout would apply it to a line that size;
    ties go to the one ending first, then the lower id, as in a quote.
    """

    def per_unit(promotion: Promotion) -> Decimal:
        units = max(1, promotion.buy + promotion.free)
        return promotion.discount(product, units) / units

    savers = [p for p in running if p.applies_to(product) and per_unit(p) > 0]
    return min(savers, key=lambda p: (-per_unit(p), p.ends, p.promotion_id), default=None)


def _check_target(promotion: Promotion, skus: set[str], brands: set[str], categories: set[str]) -> None:
    """Refuse a promotion aimed at nothing the catalog has."""
    wanted = promotion.target_value.strip()
    if promotion.target is Target.PRODUCT and wanted not in skus:
        raise ValueError(f"no product has sku {wanted!r}")
    if promotion.target is Target.BRAND and wanted.lower() not in brands:
        raise ValueError(f"no product has the brand {wanted!r}")
    if promotion.target is Target.CATEGORY and wanted.lower() not in categories:
        raise ValueError(f"no product is in the category {wanted!r}")


__all__ = [
    "DEMO_PROMOTIONS",
    "Deal",
    "Deals",
    "PromotionImport",
    "best_for",
    "promotion_rows",
    "read_promotions",
    "shop_today",
]
