"""Sales figures: units sold per product and how often two products were bought together.

Where they are stored, and why. Both are counted by the checkout transaction itself, on the product
items it already updates to take stock (`UnitOfWork.take_stock`): `units_sold` adds the line's units,
and one top-level `with#<sku>` number per other product of the order adds one. So:

- They are atomic with the order. They commit exactly when the order does, and a retried or
  double-tapped checkout cannot count twice: the order's put is conditioned on the order not existing,
  and if it fails, the whole transaction fails, counters and all.
- They cost no extra transaction items. An order of n lines is already n stock updates plus the order,
  its number guard, its event, the cart and the code check, within DynamoDB's 100 items. A pair item per
  product pair would need n(n-1) more writes, and even a separate sales item per product would halve the
  lines an order could hold.
- Cancelling takes both back in the cancel's own transaction (`return_stock`). A received return takes
  back the units, since popularity should count what shoppers kept. It leaves the pairs, because the
  products were still chosen together: a return says one of them disappointed, not that they don't go
  together.

What it costs:

- A product item grows by about 25 bytes per distinct product ever bought with it. The demo catalog's
  232 products bound that at about 6 KB, and DynamoDB's 400 KB item limit is reached only past some
  15,000 distinct partners. A catalog that large should move the pairs out of the checkout
  transaction: a consumer of the outbox's `order.placed` events (`catalog.outbox`, delivered once per
  event) would add pair counts idempotently by order id, for example with a conditional "seen" marker
  per order. That trades atomicity for the item size.
- Each checkout line writes a larger item, and DynamoDB bills writes per KB of the larger of the old and
  new item. The catalog load for search asks only for the declared attributes
  (`TableSet.query_fields`), so the counters never slow a cold start.
- Reads go through gsi1's catalog partition, which is eventually consistent. A recommendation can miss
  the order placed a moment ago, which is harmless for a suggestion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog.repository import storage_errors
from catalog.tables import GSI1, PRODUCTS_PARTITION, counters

if TYPE_CHECKING:
    from catalog.model import Product
    from catalog.recommend import ProductSales
    from catalog.repository import Repository

BOUGHT_WITH = "with#"
"""Prefix of a product item's co-purchase counters: `with#SKU-SNA-0110` = orders that held both."""


def sales_of(row: Mapping[str, Any]) -> ProductSales:
    """A raw product item's sales figures; counts below zero (see `UnitOfWork.return_stock`) count as none."""
    from catalog.recommend import ProductSales

    sold = row.get("units_sold") or {}
    pairs = {sku: count for sku, count in counters(dict(row), BOUGHT_WITH).items() if count > 0}
    return ProductSales(max(0, int(sold.get("N", 0))), pairs)


class SalesFigures:
    """Reads of the product items with their counters, on one repository's table binding."""

    def __init__(self, repository: Repository) -> None:
        """Use the repository's tables and its item-to-product translation."""
        self.repository = repository

    def catalog_with_sales(self) -> list[tuple[Product, ProductSales]]:
        """Every product with its sales figures, in one query of gsi1's catalog partition (no scan)."""
        tables = self.repository.tables
        model = tables.product
        with storage_errors():
            rows = list(tables.query_rows(model, PRODUCTS_PARTITION, index_name=GSI1))
            return [(self.repository.to_product(model.from_raw_data(row)), sales_of(row)) for row in rows]

    def sales_of(self, sku: str) -> ProductSales:
        """One product's figures, read consistently (ops and tests checking what a checkout counted)."""
        from catalog.recommend import NO_SALES
        from catalog.repository import product_key

        with storage_errors():
            row = self.repository.tables.get_items([product_key(sku)]).get(product_key(sku))
        return NO_SALES if row is None else sales_of(row)
