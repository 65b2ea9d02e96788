"""Recommendation rules that need no storage: what is popular, bought again, bought together, or alike.

- **Popular** is units sold (`ProductSales.units_sold`, counted by the checkout, see `catalog.sales`),
  most first, ties by sku so the same figures always give the same list. Nothing that has not sold is
  called popular.
- **Buy again** is what a shopper orders regularly: a product in at least `REGULAR_ORDERS` (2) of their
  last `RECENT_ORDERS` (20) orders that were not cancelled. The most orders come first, then the most
  recently ordered, then the sku. One order with five of something is one order: habit is how often,
  not how much.
- **Bought together** counts orders that held both products (not units), over every order. With no
  such order for a product, **category affinity** stands in: what was bought with the other products
  of its category. Then the category's own best sellers, then, with no sales at all, only its products
  in stock, which the conversation never calls popular.
- **Same kind** is stricter than same category, for out-of-stock alternatives: "pet" holds dog food and
  cat food, and a dog owner offered cat food has been offered nothing. A product's kind is its shortest
  name (its name or a synonym, without filler, size and quality words), and an alternative must hold
  every word of one of those shortest names. When nothing in the shop does, there is no alternative:
  "sold out" is more honest than the wrong kind.

Only sellable products are suggested: in stock and priced.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from catalog.model import Order, OrderStatus, Product
from catalog.search import SOFT_WORDS, STOPWORDS
from catalog.text import tokenize


def _words(phrase: str) -> frozenset[str]:
    """The words of a name that say what it is (fillers and sizes dropped)."""
    return frozenset(t for t in tokenize(phrase) if t not in STOPWORDS and t not in SOFT_WORDS)


def kind_of(product: Product) -> tuple[frozenset[str], ...]:
    """The product's shortest names as word sets: what any alternative must also be called."""
    names = [words for words in map(_words, (product.name, *product.synonyms)) if words]
    shortest = min((len(words) for words in names), default=0)
    return tuple(dict.fromkeys(words for words in names if len(words) == shortest))


def same_kind_alternatives(product: Product, candidates: Iterable[Product], limit: int = 3) -> tuple[Product, ...]:
    """In-stock products of the same category and kind, the closest in price first."""
    kinds = kind_of(product)
    found = []
    for other in candidates:
        if other.sku == product.sku or not other.in_stock or other.category != product.category:
            continue
        vocabulary = frozenset().union(*map(_words, (other.name, *other.synonyms)))
        if any(kind <= vocabulary for kind in kinds):
            found.append(other)
    found.sort(key=lambda other: (abs(other.price - product.price), other.sku))
    return tuple(found[:limit])


REGULAR_ORDERS = 2
"""In how many of their recent orders a product must be for a shopper to "often buy" it."""
RECENT_ORDERS = 20
"""How many of a shopper's latest orders buy-again looks at: habits change, and one page is one query."""


@dataclass(frozen=True)
class ProductSales:
    """What the checkout counted for one product: units in standing orders, and orders shared with others."""

    units_sold: int = 0
    bought_with: Mapping[str, int] = field(default_factory=dict)
    """sku -> how many orders held both products."""


NO_SALES = ProductSales()


class Basis(enum.Enum):
    """Why products were suggested: each is worded differently, so no reply claims more than it knows."""

    BUY_AGAIN = "buy_again"
    BOUGHT_WITH = "bought_with"
    WITH_CART = "with_cart"
    CATEGORY_AFFINITY = "category_affinity"
    POPULAR = "popular"
    POPULAR_IN_CATEGORY = "popular_in_category"
    IN_CATEGORY = "in_category"
    """Products of a category in stock, none of them sold yet: not a ranking, only what the shop has."""


@dataclass(frozen=True)
class Suggestion:
    """Products to offer and the reason for them."""

    basis: Basis
    products: tuple[Product, ...]


def sellable(product: Product) -> bool:
    """Whether a product may be suggested: it can be added to a cart now."""
    return product.in_stock and product.price > 0


def _ranked(scores: Mapping[str, int], products: Mapping[str, Product], sales: Mapping[str, ProductSales],
            exclude: Iterable[str], limit: int) -> tuple[Product, ...]:  # fmt: skip
    """The sellable products with a positive score: the highest first, then the best sold, then by sku."""
    skipped = set(exclude)
    found = [
        products[sku]
        for sku, score in scores.items()
        if score > 0 and sku not in skipped and sku in products and sellable(products[sku])
    ]
    found.sort(key=lambda p: (-scores[p.sku], -sales.get(p.sku, NO_SALES).units_sold, p.sku))
    return tuple(found[:limit])


def popular(
    products: Mapping[str, Product],
    sales: Mapping[str, ProductSales],
    category: str | None = None,
    exclude: Iterable[str] = (),
    limit: int = 3,
) -> tuple[Product, ...]:
    """The most units sold (of a category, when given), ties by sku; products never sold are left out."""
    scores = {
        sku: sales.get(sku, NO_SALES).units_sold
        for sku, product in products.items()
        if category is None or product.category == category
    }
    return _ranked(scores, products, sales, exclude, limit)


def bought_with(
    skus: Iterable[str],
    products: Mapping[str, Product],
    sales: Mapping[str, ProductSales],
    exclude: Iterable[str] = (),
    limit: int = 3,
) -> tuple[Product, ...]:
    """What was most often in the same orders as any of `skus` (counts added up), never those themselves."""
    wanted = tuple(dict.fromkeys(skus))
    scores: Counter[str] = Counter()
    for sku in wanted:
        scores.update(sales.get(sku, NO_SALES).bought_with)
    return _ranked(scores, products, sales, [*wanted, *exclude], limit)


def goes_with(
    product: Product, products: Mapping[str, Product], sales: Mapping[str, ProductSales], limit: int = 3
) -> Suggestion:
    """What goes with a product: bought with it, else with its category, else its category's best sellers."""
    together = bought_with([product.sku], products, sales, limit=limit)
    if together:
        return Suggestion(Basis.BOUGHT_WITH, together)
    peers = [sku for sku, other in products.items() if other.category == product.category]
    scores: Counter[str] = Counter()
    for sku in peers:
        scores.update(sales.get(sku, NO_SALES).bought_with)
    affinity = _ranked(scores, products, sales, [product.sku, *peers], limit)
    if affinity:
        return Suggestion(Basis.CATEGORY_AFFINITY, affinity)
    return in_category(product.category, products, sales, exclude=[product.sku], limit=limit)


def in_category(
    category: str,
    products: Mapping[str, Product],
    sales: Mapping[str, ProductSales],
    exclude: Iterable[str] = (),
    limit: int = 3,
) -> Suggestion:
    """A category's best sellers; with none sold, its sellable products by name (honestly unranked)."""
    best = popular(products, sales, category=category, exclude=exclude, limit=limit)
    if best:
        return Suggestion(Basis.POPULAR_IN_CATEGORY, best)
    skipped = set(exclude)
    shelf = sorted(
        (p for p in products.values() if p.category == category and p.sku not in skipped and sellable(p)),
        key=lambda p: (p.name.lower(), p.sku),
    )
    return Suggestion(Basis.IN_CATEGORY, tuple(shelf[:limit]))


def among(
    skus: Sequence[str], products: Mapping[str, Product], sales: Mapping[str, ProductSales], limit: int = 3
) -> Suggestion:
    """The best sellers among some products (a search's hits); with none sold, the sellable ones as given."""
    scores = {sku: sales.get(sku, NO_SALES).units_sold for sku in skus}
    best = _ranked(scores, products, sales, (), limit)
    if best:
        return Suggestion(Basis.POPULAR_IN_CATEGORY, best)
    given = [products[sku] for sku in dict.fromkeys(skus) if sku in products and sellable(products[sku])]
    return Suggestion(Basis.IN_CATEGORY, tuple(given[:limit]))


def regular_purchases(orders: Sequence[Order], minimum: int = REGULAR_ORDERS) -> tuple[str, ...]:
    """The skus a shopper orders regularly (see the module docstring), most orders then most recent first."""
    times: dict[str, list[datetime]] = {}
    for order in orders[:RECENT_ORDERS]:
        if order.status is OrderStatus.CANCELLED:
            continue
        for sku in {line.sku for line in order.lines}:
            times.setdefault(sku, []).append(order.created_at)
    regular = [sku for sku, seen in times.items() if len(seen) >= minimum]
    regular.sort(key=lambda sku: (-len(times[sku]), -max(times[sku]).timestamp(), sku))
    return tuple(regular)


def buy_again(
    orders: Sequence[Order], products: Mapping[str, Product], exclude: Iterable[str] = (), limit: int = 3
) -> tuple[Product, ...]:
    """The sellable products among a shopper's regular purchases, in that order (not those in `exclude`)."""
    skipped = set(exclude)
    found = [
        products[sku]
        for sku in regular_purchases(orders)
        if sku in products and sku not in skipped and sellable(products[sku])
    ]
    return tuple(found[:limit])
