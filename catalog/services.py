"""The shop's use cases: what every channel may ask of the domain.

`Shop` takes primitives (customer ids, skus, quantities) and returns domain objects; it owns the rules
that need storage (stock checks, idempotent checkout, order lifecycle) while `model.py` owns the rules
that don't. Each change runs as one unit of work, so a refusal always means nothing was written.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from catalog.code_change import CodeChanges
from catalog.config import Settings
from catalog.customers import CustomerAccounts
from catalog.errors import (
    ConfirmationRequired,
    EmptyCart,
    LinesUnavailable,
    NotEnoughStock,
    QuoteNotFound,
    StoreUnavailable,
    UnknownProduct,
)
from catalog.model import (
    Cart,
    Order,
    OrderStatus,
    Product,
    Quote,
    QuoteLine,
    StatusChange,
    check_quantity,
    expected_delivery_for,
    utcnow,
)
from catalog.orders import OrderLifecycle
from catalog.repository import CONDITION_FAILED, Repository, product_key
from catalog.search import SearchIndex, SearchResult
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

QUOTE_MINUTES = 30
ORDER_WORDS = (
    "apple", "river", "maple", "tiger", "garden", "rocket", "silver", "orange", "pepper", "meadow",
    "copper", "falcon", "harbor", "island", "lemon", "marble", "nickel", "ocean", "pencil", "rabbit",
    "saddle", "timber", "violet", "walnut", "yellow", "zebra", "anchor", "basket", "candle", "dolphin",
    "forest", "ginger",
)  # fmt: skip
_ATTEMPTS = 5


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts for ops and every refused row with its line number."""

    created: int
    updated: int
    errors: tuple[str, ...]
    version: int


def order_number_for(quote_id: str, attempt: int) -> str:
    """Derive a speakable number ("4821 maple") from the quote, so a retried place picks the same one."""
    digest = hashlib.sha256(f"{quote_id}:{attempt}".encode()).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 9000 + 1000} {ORDER_WORDS[digest[4] % len(ORDER_WORDS)]}"


def order_id_for(quote_id: str) -> str:
    """The order id is a function of the quote id: placing a quote twice can only ever make one order."""
    return f"o-{quote_id}"


class SearchCache:
    """The in-process search index, rebuilt only when the catalog version item changes."""

    def __init__(self, repository: Repository, check_seconds: float) -> None:
        """Check the version item at most every `check_seconds`, so warm requests cost no table reads."""
        self._repository = repository
        self._check_seconds = check_seconds
        self._index: SearchIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> SearchIndex:
        """The index for the catalog as it is now (at most `check_seconds` stale)."""
        with self._lock:
            now = time.monotonic()
            if self._index is not None and now - self._checked_at < self._check_seconds:
                return self._index
            version = str(self._repository.catalog_version())
            if self._index is None or self._index.version != version:
                self._index = SearchIndex.build(self._repository.all_products(), version=version)
            self._checked_at = now
            return self._index

    def invalidate(self) -> None:
        """Force a version check on the next search (after an import in this process)."""
        with self._lock:
            self._checked_at = 0.0


class Shop(CustomerAccounts, CodeChanges, OrderLifecycle):
    """Use cases over one table; safe to share across threads (each call is its own unit of work)."""

    def __init__(self, settings: Settings | None = None, repository: Repository | None = None) -> None:
        """Bind to the configured table; nothing is read until the first call."""
        self.settings = settings or Settings.from_env()
        self.repository = repository or Repository(self.settings)
        self.search_cache = SearchCache(self.repository, self.settings.index_check_seconds)

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.repository.tables.connection)

    # --- catalog ------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Ranked products for a spoken query."""
        return self.search_cache.current().search(query, limit=limit)

    def product(self, sku: str) -> Product:
        """A product by sku with live stock; unknown skus are a domain error."""
        product = self.repository.get_product(sku)
        if product is None:
            raise UnknownProduct(sku)
        return product

    def catalog_product(self, sku: str) -> Product:
        """A product as the cached catalog knows it (stock may lag): for naming things, not for selling."""
        product = self.search_cache.current().get(sku)
        if product is None:
            raise UnknownProduct(sku)
        return product

    def alternatives(self, product: Product, limit: int = 3) -> tuple[Product, ...]:
        """In-stock products like this one, to offer when it has run out."""
        return self.search_cache.current().alternatives(product, limit=limit)

    def import_products(self, products: list[Product], errors: tuple[str, ...] = ()) -> ImportReport:
        """Upsert products by sku (re-import never duplicates) and bump the catalog version."""
        tables = self.repository.tables
        existing = set(self.repository.get_products([p.sku for p in products]))
        from catalog.repository import storage_errors

        with storage_errors():
            with tables.product.batch_write() as batch:
                for product in products:
                    batch.save(self.repository.product_item(product))
            meta = tables.catalog_meta(pk="CATALOG", sk="VERSION")
            meta.update(actions=[tables.catalog_meta.version.add(1), tables.catalog_meta.updated_at.set(utcnow())])
        self.search_cache.invalidate()
        created = sum(1 for p in products if p.sku not in existing)
        return ImportReport(created, len(products) - created, errors, int(meta.version))

    # --- cart ---------------------------------------------------------------------------------
    def cart(self, customer_id: str) -> Cart:
        """The customer's cart as stored."""
        return self.repository.get_cart(customer_id)[0]

    def _change_cart(
        self, customer_id: str, change: Callable[[Cart], object], read: tuple[Cart, Any] | None = None
    ) -> Cart:
        """Read-modify-write with the cart's version as guard, retried if another channel wrote first.

        `read` is a cart the caller already read (with the product, in one round trip) for the first try.
        """
        for attempt in range(_ATTEMPTS):
            cart, item = read if read is not None and attempt == 0 else self.repository.get_cart(customer_id)
            change(cart)
            try:
                with self._uow() as uow:
                    uow.save("cart", self.repository.fill_cart_item(item, cart))
                    uow.commit()
            except TransactionCancelled:
                continue
            return replace(cart, version=int(item.version or 0))
        raise StoreUnavailable("the cart kept changing underneath us")

    def _product_and_cart(self, sku: str, customer_id: str) -> tuple[Product, tuple[Cart, Any]]:
        """The product with live stock and the cart, read together; unknown skus are a domain error."""
        product, read = self.repository.get_product_and_cart(sku, customer_id)
        if product is None:
            raise UnknownProduct(sku)
        return product, read

    def _with_stock(self, product: Product, quantity: int) -> None:
        """Refuse more than the shop holds, offering similar in-stock products when it has none."""
        if product.stock < quantity:
            alternatives = tuple(p.sku for p in self.alternatives(product)) if product.stock <= 0 else ()
            raise NotEnoughStock(product.sku, product.name, quantity, max(product.stock, 0), alternatives)

    def add_to_cart(self, customer_id: str, sku: str, quantity: int = 1) -> Cart:
        """Add units (again raises the quantity); refusals name the reason and change nothing."""
        maximum = self.settings.max_quantity
        check_quantity(quantity, maximum)
        product, read = self._product_and_cart(sku, customer_id)

        def add(cart: Cart) -> None:
            held = cart.line_for(sku)
            self._with_stock(product, quantity + (held.quantity if held else 0))
            cart.add(product, quantity, maximum)

        return self._change_cart(customer_id, add, read)

    def set_quantity(self, customer_id: str, sku: str, quantity: int) -> Cart:
        """Change a line's quantity."""
        maximum = self.settings.max_quantity
        check_quantity(quantity, maximum)
        product, read = self._product_and_cart(sku, customer_id)

        def change(cart: Cart) -> None:
            if cart.line_for(sku) is not None:
                self._with_stock(product, quantity)
            cart.set_quantity(product, quantity, maximum)

        return self._change_cart(customer_id, change, read)

    def remove_from_cart(self, customer_id: str, sku: str) -> Cart:
        """Drop a line from the cart."""
        return self._change_cart(customer_id, lambda cart: cart.remove(sku))

    def clear_cart(self, customer_id: str) -> Cart:
        """Empty the cart."""
        return self._change_cart(customer_id, Cart.clear)

    def move_cart(self, from_customer: str, to_customer: str) -> int:
        """Move every line of one cart into another; returns the units moved.

        A kiosk shopper who fills a walk-up cart and then signs in keeps what they chose. Both carts are
        written in one transaction, each under the version it was read at, so a line is never lost or
        counted twice; a conflicting write elsewhere makes it start over from fresh reads.
        """
        maximum = self.settings.max_quantity
        for _ in range(_ATTEMPTS):
            source, source_item = self.repository.get_cart(from_customer)
            if not source.lines:
                return 0
            target, target_item = self.repository.get_cart(to_customer)
            for line in source.lines:
                target.take(line, maximum)
            moved = source.item_count
            source.clear()
            try:
                with self._uow() as uow:
                    uow.save("cart", self.repository.fill_cart_item(target_item, target))
                    uow.save("cart moved from", self.repository.fill_cart_item(source_item, source))
                    uow.commit()
            except TransactionCancelled:
                continue
            return moved
        raise StoreUnavailable("the carts kept changing underneath us")

    # --- checkout -----------------------------------------------------------------------------
    def _make_quote(self, customer_id: str, wanted: list[tuple[str, int]]) -> Quote:
        """Price lines at today's prices, refusing (with every failing line named) what can't be filled."""
        products = self.repository.get_products([sku for sku, _ in wanted])
        lines: list[QuoteLine] = []
        short: list[NotEnoughStock] = []
        for sku, quantity in wanted:
            product = products.get(sku)
            if product is None:
                short.append(NotEnoughStock(sku, sku, quantity, 0))
            elif product.stock < quantity:
                short.append(NotEnoughStock(sku, product.name, quantity, max(product.stock, 0)))
            else:
                lines.append(QuoteLine(sku, product.name, product.price, quantity))
        if short:
            raise LinesUnavailable(tuple(short))
        now = utcnow()
        currency = next(iter(products.values())).currency if products else "USD"
        quote = Quote(
            uuid.uuid4().hex, customer_id, tuple(lines), currency, now, now + timedelta(minutes=QUOTE_MINUTES)
        )
        with self._uow() as uow:
            uow.save("quote", self.repository.quote_item(quote))
            uow.commit()
        return quote

    def quote(self, customer_id: str) -> Quote:
        """Freeze the cart into a quote the customer is asked to confirm."""
        cart = self.cart(customer_id)
        if not cart.lines:
            raise EmptyCart(customer_id)
        return self._make_quote(customer_id, [(line.sku, line.quantity) for line in cart.lines])

    def reorder(self, customer_id: str, reference: str) -> Quote:
        """Quote a past order again at today's prices and stock (the cart is left alone)."""
        order = self.order(customer_id, reference)
        return self._make_quote(customer_id, [(line.sku, line.quantity) for line in order.lines])

    def place(
        self,
        quote_id: str,
        confirmed: bool,
        customer_id: str | None = None,
        purchase_code: str | None = None,
    ) -> Order:
        """Turn a confirmed quote into an order, atomically with stock; the same quote twice is one order."""
        if not confirmed:
            raise ConfirmationRequired(quote_id)
        quote = self.repository.get_quote(quote_id)
        if quote is None or (customer_id is not None and quote.customer_id != customer_id):
            raise QuoteNotFound(quote_id)
        if quote.expires_at < utcnow():
            existing = self.repository.get_order(order_id_for(quote_id))
            if existing is not None:
                return existing  # placed before it expired: a late retry still gets its order
            raise QuoteNotFound(quote_id)
        customer = self.customer(quote.customer_id)
        if customer.has_purchase_code:
            self._check_code(customer, purchase_code)
        for attempt in range(_ATTEMPTS * 2):
            outcome = self._try_place(quote, attempt)
            if outcome is not None:
                return outcome
        raise StoreUnavailable("could not place the order after several tries")

    def _try_place(self, quote: Quote, attempt: int) -> Order | None:
        """One transaction: order, its number guard, every stock line and the cart; None means try again."""
        tables = self.repository.tables
        now = utcnow()
        order = Order(
            order_id=order_id_for(quote.quote_id),
            order_number=order_number_for(quote.quote_id, attempt),
            customer_id=quote.customer_id,
            quote_id=quote.quote_id,
            lines=quote.lines,
            currency=quote.currency,
            status=OrderStatus.RECEIVED,
            history=(StatusChange(OrderStatus.RECEIVED, now),),
            created_at=now,
            expected_delivery=expected_delivery_for(now),
        )
        cart, cart_item = self.repository.get_cart(quote.customer_id)
        for line in quote.lines:
            held = cart.line_for(line.sku)
            if held is not None:
                cart.remove(line.sku)
                if held.quantity > line.quantity:
                    cart.lines.append(replace(held, quantity=held.quantity - line.quantity))
        with self._uow() as uow:
            uow.save("order", self.repository.order_item(order), tables.order.pk.does_not_exist())
            guard = self.repository.order_number_item(order.customer_id, order.order_number, order.order_id)
            uow.save("number", guard, tables.order_number.pk.does_not_exist())
            for line in quote.lines:
                product = tables.product(*product_key(line.sku))
                uow.update(
                    f"stock:{line.sku}",
                    product,
                    [tables.product.stock.set(tables.product.stock - line.quantity)],
                    tables.product.pk.exists() & (tables.product.stock >= line.quantity),
                )
            uow.save("cart", self.repository.fill_cart_item(cart_item, cart))
            try:
                uow.commit()
            except TransactionCancelled as cancelled:
                return self._after_cancelled_place(quote, cancelled.reasons)
        return order

    def _after_cancelled_place(self, quote: Quote, reasons: dict[str, str]) -> Order | None:
        """Explain a cancelled checkout: already placed, out of stock, or a race worth retrying."""
        if reasons.get("order") == CONDITION_FAILED:
            existing = self.repository.get_order(order_id_for(quote.quote_id))
            if existing is not None:
                return existing
        short_skus = [
            label.split(":", 1)[1]
            for label, code in reasons.items()
            if label.startswith("stock:") and code == CONDITION_FAILED
        ]
        if short_skus:
            products = self.repository.get_products(short_skus)
            wanted = {line.sku: line for line in quote.lines}
            raise LinesUnavailable(
                tuple(
                    NotEnoughStock(
                        sku,
                        wanted[sku].name,
                        wanted[sku].quantity,
                        max(products[sku].stock, 0) if sku in products else 0,
                    )
                    for sku in short_skus
                )
            )
        return None  # order-number collision, cart version race or a conflict: try again
