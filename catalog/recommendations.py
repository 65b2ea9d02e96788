"""Recommendations for `Shop` (a mixin): the rules of `recommend.py` over the figures of `sales.py`.

Each call reads the catalog with its sales figures in one query, plus, for a shopper, their recent
orders and their cart; nothing here writes. The order of a shopper's suggestions is the shop's rule,
so every channel says the same: what they buy regularly, then what goes with their cart, and only
when neither has anything, what sells best overall.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.model import Cart, Product
from catalog.recommend import (
    RECENT_ORDERS,
    Basis,
    ProductSales,
    Suggestion,
    among,
    bought_with,
    buy_again,
    goes_with,
    in_category,
    popular,
)
from catalog.repository import OrderPage, Repository
from catalog.sales import SalesFigures

if TYPE_CHECKING:
    Catalog = tuple[dict[str, Product], dict[str, ProductSales]]


class Recommendations:
    """Popular, buy-again and bought-together suggestions for `Shop`."""

    repository: Repository
    orders: Callable[..., OrderPage]  # provided by OrderLifecycle
    cart: Callable[[str], Cart]  # provided by Shop

    def _catalog(self) -> Catalog:
        """Products and their sales figures by sku."""
        rows = SalesFigures(self.repository).catalog_with_sales()
        return {p.sku: p for p, _ in rows}, {p.sku: sales for p, sales in rows}

    def product_sales(self, sku: str) -> ProductSales:
        """What the checkout has counted for one product (units sold, orders shared with each other product)."""
        return SalesFigures(self.repository).sales_of(sku)

    def popular(self, category: str | None = None, limit: int = 3) -> Suggestion:
        """The best sellers (of a category); a category with nothing sold gives its products, unranked."""
        products, sales = self._catalog()
        if category is not None:
            return in_category(category, products, sales, limit=limit)
        return Suggestion(Basis.POPULAR, popular(products, sales, limit=limit))

    def popular_among(self, skus: list[str], limit: int = 3) -> Suggestion:
        """The best sellers among some products (what a search for "cheese" found), else them unranked."""
        products, sales = self._catalog()
        return among(skus, products, sales, limit=limit)

    def goes_with(self, sku: str, limit: int = 3) -> Suggestion:
        """What shoppers bought with a product, else with its category, else its category's best."""
        products, sales = self._catalog()
        product = products.get(sku) or self.repository.get_product(sku)
        if product is None:
            return Suggestion(Basis.BOUGHT_WITH, ())
        return goes_with(product, products, sales, limit=limit)

    def buy_again(self, customer_id: str, limit: int = 3) -> tuple[Product, ...]:
        """What this shopper orders regularly and the shop has now."""
        products, _ = self._catalog()
        return buy_again(self.orders(customer_id, limit=RECENT_ORDERS).orders, products, limit=limit)

    def suggestions(self, customer_id: str, limit: int = 3) -> tuple[Suggestion, ...]:
        """For a shopper: their regulars, then what goes with their cart; else the best sellers; else nothing.

        Products already in the cart are not suggested again. When there are both regulars and cart
        companions, the last place is kept for a companion, so both are heard.
        """
        products, sales = self._catalog()
        in_cart = [line.sku for line in self.cart(customer_id).lines]
        orders = self.orders(customer_id, limit=RECENT_ORDERS).orders if customer_id else ()
        again = buy_again(orders, products, exclude=in_cart, limit=limit)
        companions = bought_with(in_cart, products, sales, exclude=[p.sku for p in again], limit=limit)
        if again and companions:
            again = again[: limit - 1]
        companions = companions[: limit - len(again)]
        found = tuple(
            Suggestion(basis, chosen) for basis, chosen in ((Basis.BUY_AGAIN, again), (Basis.WITH_CART, companions))
            if chosen
        )  # fmt: skip
        if found:
            return found
        best = popular(products, sales, exclude=in_cart, limit=limit)
        return (Suggestion(Basis.POPULAR, best),) if best else ()
