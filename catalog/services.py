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
from catalog.deals import Deals
from catalog.errors import (
    CartAlreadyOrdered,
    CartChanged,
    ConfirmationRequired,
    EmptyCart,
    LinesUnavailable,
    NotEnoughStock,
    OrderOutcomeUnknown,
    PurchaseCodeRequired,
    PurchasesLocked,
    QuoteNotFound,
    StoreUnavailable,
    UnknownProduct,
)
from catalog.events import order_placed
from catalog.fulfilment import Fulfilment
from catalog.imports import CatalogImports
from catalog.model import (
    Cart,
    Customer,
    Order,
    OrderStatus,
    Product,
    Quote,
    QuoteLine,
    StatusChange,
    check_currency,
    ensure_stock,
    expected_delivery_for,
    utcnow,
)
from catalog.orders import OrderLifecycle
from catalog.purchase_code import LOCK_MINUTES, MAX_WRONG_CODES
from catalog.recommend import same_kind_alternatives
from catalog.recommendations import Recommendations
from catalog.repository import CONDITION_FAILED, Repository
from catalog.search import SearchIndex, SearchResult
from catalog.unanswered import SearchTally, UnansweredSearches
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
class CartMove:
    """What moving a walk-up cart into an account did: units moved, and units that could not come along."""

    moved: int
    left_behind: int


def order_number_for(quote_id: str, attempt: int) -> str:
    """Derive a speakable number ("4821 maple") from the quote, so a retried place picks the same one."""
    digest = hashlib.sha256(f"{quote_id}:{attempt}".encode()).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 9000 + 1000} {ORDER_WORDS[digest[4] % len(ORDER_WORDS)]}"


def order_id_for(quote_id: str) -> str:
    """The order id is a function of the quote id: placing a quote twice can only ever make one order."""
    return f"o-{quote_id}"


class SearchCache:
    """The in-process search index, rebuilt only when the catalog version item changes."""

    def __init__(
        self, repository: Repository, check_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Check the version item at most every `check_seconds`, so warm requests cost no table reads."""
        self._repository = repository
        self._check_seconds = check_seconds
        self._clock = clock
        self._index: SearchIndex | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> SearchIndex:
        """The index for the catalog as it is now (at most `check_seconds` stale)."""
        with self._lock:
            now = self._clock()
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
            self._checked_at = float("-inf")


class Shop(
    CustomerAccounts,
    CodeChanges,
    OrderLifecycle,
    Fulfilment,
    CatalogImports,
    Recommendations,
    Deals,
    UnansweredSearches,
):
    """Use cases over one table; safe to share across threads (each call is its own unit of work)."""

    def __init__(self, settings: Settings | None = None, repository: Repository | None = None) -> None:
        """Bind to the configured table; nothing is read until the first call."""
        self.settings = settings or Settings.from_env()
        self.repository = repository or Repository(self.settings)
        self.search_cache = SearchCache(self.repository, self.settings.index_check_seconds)
        self.search_tally = SearchTally(self.repository)

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.repository)

    # --- catalog ------------------------------------------------------------------------------
    def catalog_index(self) -> SearchIndex:
        """The catalog as searched now (`index.version`, `index.products`), from the one cache of it.

        A channel that compiles product names of its own (the kiosk's grammar) asks here instead of
        reading the version item itself, so a turn checks the version once, not once per cache.
        """
        return self.search_cache.current()

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
        """In-stock products of the same category and kind, closest in price first, to offer when it has run out.

        The index ranks by shared words; `same_kind_alternatives` keeps only the same kind (no cat food
        for dog food), so a sold-out product may honestly have no alternative.
        """
        alike = self.search_cache.current().alternatives(product, limit=20)
        return same_kind_alternatives(product, alike, limit=limit)

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

    def _offering_alternatives(self, product: Product, change: Callable[[], object]) -> None:
        """Run a cart change; if the product has run out, the refusal names in-stock products like it.

        The stock rule itself is the model's (`ensure_stock`); only finding alternatives needs the shop.
        """
        try:
            change()
        except NotEnoughStock as short:
            if short.available > 0:
                raise
            alternatives = tuple(p.sku for p in self.alternatives(product))
            raise replace(short, alternatives=alternatives) from None

    def add_to_cart(self, customer_id: str, sku: str, quantity: int = 1) -> Cart:
        """Add units (again raises the quantity); refusals name the reason and change nothing."""
        maximum = self.settings.max_quantity
        product, read = self._product_and_cart(sku, customer_id)
        return self._change_cart(
            customer_id,
            lambda cart: self._offering_alternatives(product, lambda: cart.add(product, quantity, maximum)),
            read,
        )

    def set_quantity(self, customer_id: str, sku: str, quantity: int) -> Cart:
        """Change a line's quantity."""
        maximum = self.settings.max_quantity
        product, read = self._product_and_cart(sku, customer_id)
        return self._change_cart(
            customer_id,
            lambda cart: self._offering_alternatives(product, lambda: cart.set_quantity(product, quantity, maximum)),
            read,
        )

    def remove_from_cart(self, customer_id: str, sku: str) -> Cart:
        """Drop a line from the cart."""
        return self._change_cart(customer_id, lambda cart: cart.remove(sku))

    def remove_units(self, customer_id: str, sku: str, units: int) -> Cart:
        """Take some units of a line out of the cart (all of them when asked for as many or more)."""
        return self._change_cart(customer_id, lambda cart: cart.remove_units(sku, units))

    def clear_cart(self, customer_id: str) -> Cart:
        """Empty the cart."""
        return self._change_cart(customer_id, Cart.clear)

    def move_cart(self, from_customer: str, to_customer: str) -> CartMove:
        """Move every line of one cart into another; says how many units moved and how many could not.

        A kiosk shopper who fills a walk-up cart and then signs in keeps what they chose. Both carts are
        written in one transaction, each under the version it was read at, so a line is never lost or
        counted twice; a conflicting write elsewhere makes it start over from fresh reads. Units over
        the per-line cap, or in another currency than the account's cart, stay out and are counted.
        """
        maximum = self.settings.max_quantity
        for _ in range(_ATTEMPTS):
            source, source_item = self.repository.get_cart(from_customer)
            if not source.lines:
                return CartMove(0, 0)
            target, target_item = self.repository.get_cart(to_customer)
            moved = sum(target.take(line, maximum, source.currency) for line in source.lines)
            wanted = source.item_count
            source.clear()
            try:
                with self._uow() as uow:
                    uow.save_cart(target_item, target)
                    uow.save_cart(source_item, source, label="cart moved from")
                    uow.commit()
            except TransactionCancelled:
                continue
            return CartMove(moved, wanted - moved)
        raise StoreUnavailable("the carts kept changing underneath us")

    # --- checkout -----------------------------------------------------------------------------
    def _make_quote(
        self, customer_id: str, wanted: list[tuple[str, int]], cart_version: int | None, delivery: str | None = None
    ) -> Quote:
        """Price lines and delivery at today's prices, refusing (with every failing line named) what can't be filled."""
        choice = self.delivery_choice(customer_id, delivery)
        products = self.repository.get_products([sku for sku, _ in wanted])
        lines: list[QuoteLine] = []
        priced: list[tuple[QuoteLine, Product]] = []
        short: list[NotEnoughStock] = []
        currency = next(iter(products.values())).currency if products else "USD"
        for sku, quantity in wanted:
            product = products.get(sku)
            if product is None:
                short.append(NotEnoughStock(sku, sku, quantity, 0))
                continue
            check_currency(product, currency)
            try:
                ensure_stock(product, quantity)
            except NotEnoughStock as missing:
                short.append(missing)
                continue
            lines.append(QuoteLine(sku, product.name, product.price, quantity))
            priced.append((lines[-1], product))
        if short:
            raise LinesUnavailable(tuple(short))
        now = utcnow()
        quote = Quote(
            uuid.uuid4().hex,
            customer_id,
            tuple(lines),
            currency,
            now,
            now + timedelta(minutes=QUOTE_MINUTES),
            cart_version=cart_version,
            delivery=choice,
            discounts=self.discounts(priced, now.date()),
        )
        with self._uow() as uow:
            uow.save_quote(quote)
            uow.commit()
        return quote

    def quote(self, customer_id: str, delivery: str | None = None) -> Quote:
        """Freeze the cart into a quote the customer is asked to confirm; it records the cart version priced."""
        cart = self.cart(customer_id)
        if not cart.lines:
            raise EmptyCart(customer_id)
        return self._make_quote(customer_id, [(line.sku, line.quantity) for line in cart.lines], cart.version, delivery)

    def reorder(self, customer_id: str, reference: str, delivery: str | None = None) -> Quote:
        """Quote a past order again at today's prices and stock; placing it leaves the current cart alone."""
        order = self.order(customer_id, reference)
        return self._make_quote(customer_id, [(line.sku, line.quantity) for line in order.lines], None, delivery)

    def requote(self, customer_id: str, quote_id: str, delivery: str) -> Quote:
        """The same lines (and the same cart version) quoted again with another delivery option."""
        quote = self.repository.get_quote(quote_id)
        if quote is None or quote.customer_id != customer_id:
            raise QuoteNotFound(quote_id)
        wanted = [(line.sku, line.quantity) for line in quote.lines]
        return self._make_quote(customer_id, wanted, quote.cart_version, delivery)

    def place(
        self,
        quote_id: str,
        confirmed: bool,
        customer_id: str | None = None,
        purchase_code: str | None = None,
    ) -> Order:
        """Turn a confirmed quote into an order, atomically with stock; the same quote twice is one order.

        A cart quote is placed only while the cart is still at the version it priced, so two devices
        confirming one cart make one order. If the store stops answering mid-write, the order (whose id
        the quote determines) is looked up rather than reported as failed.
        """
        if not confirmed:
            raise ConfirmationRequired(quote_id)
        quote = self.repository.get_quote(quote_id)
        if quote is None or (customer_id is not None and quote.customer_id != customer_id):
            raise QuoteNotFound(quote_id)
        existing = self.repository.get_order(order_id_for(quote_id))
        if existing is not None:
            return existing  # a retry, a double tap, or a late retry after the quote expired
        if quote.expires_at < utcnow():
            raise QuoteNotFound(quote_id)
        customer = self.customer(quote.customer_id)
        if customer.has_purchase_code:
            self.check_code(customer, purchase_code)
        for attempt in range(_ATTEMPTS * 2):
            outcome = self._try_place(quote, customer, attempt)
            if outcome is not None:
                return outcome
        raise StoreUnavailable("could not place the order after several tries")

    def _try_place(self, quote: Quote, customer: Customer, attempt: int) -> Order | None:
        """One transaction: order, its number guard, every stock line, the cart and the code; None: try again."""
        now = utcnow()
        expected = (
            self.shop_policy().delivery.expected_date(quote.delivery.option, now)
            if quote.delivery is not None
            else expected_delivery_for(now)
        )
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
            expected_delivery=expected,
            delivery=quote.delivery,
            discounts=quote.discounts,
        )
        with self._uow() as uow:
            uow.add_order(order)
            uow.record_event(order_placed(order))
            skus = [line.sku for line in quote.lines]
            for line in quote.lines:
                uow.take_stock(line.sku, line.quantity, bought_with=skus)
            if quote.cart_version is not None:
                cart, cart_item = self.repository.get_cart(quote.customer_id)
                if cart.version != quote.cart_version:
                    return self._cart_moved_on(quote, cart)
                cart.ordered(order.order_number)
                uow.save_cart(cart_item, cart)
            if customer.has_purchase_code:
                uow.require_purchase_allowed(customer, now)
            try:
                uow.commit()
            except TransactionCancelled as cancelled:
                return self._after_cancelled_place(quote, customer, cancelled.reasons)
            except StoreUnavailable as down:
                if not down.uncertain:
                    raise
                return self._outcome_of(quote, down)
        return order

    def _cart_moved_on(self, quote: Quote, cart: Cart) -> Order:
        """The cart is not the one priced: this quote's order, or a refusal saying why nothing was placed."""
        existing = self.repository.get_order(order_id_for(quote.quote_id))
        if existing is not None:
            return existing
        ordered_as = cart.orders_made.get(quote.cart_version) if quote.cart_version is not None else None
        if ordered_as:
            raise CartAlreadyOrdered(ordered_as)
        raise CartChanged(quote.quote_id)

    def _outcome_of(self, quote: Quote, down: StoreUnavailable) -> Order:
        """After a write that got no answer: the order if it exists, else an honest "not sure"."""
        try:
            existing = self.repository.get_order(order_id_for(quote.quote_id))
        except StoreUnavailable:
            existing = None
        if existing is not None:
            return existing
        raise OrderOutcomeUnknown(quote.quote_id) from down

    def _after_cancelled_place(self, quote: Quote, customer: Customer, reasons: dict[str, str]) -> Order | None:
        """Explain a cancelled checkout: already placed, locked, out of stock, or a race worth retrying."""
        if reasons.get("order") == CONDITION_FAILED:
            existing = self.repository.get_order(order_id_for(quote.quote_id))
            if existing is not None:
                return existing
        if reasons.get("purchase_allowed") == CONDITION_FAILED:
            fresh = self.customer(customer.customer_id)
            now = utcnow()
            until = fresh.lock_until("purchase")
            if until is not None and until > now:
                raise PurchasesLocked(until)
            if fresh.attempts("purchase") >= MAX_WRONG_CODES:
                raise PurchasesLocked(now + timedelta(minutes=LOCK_MINUTES))
            raise PurchaseCodeRequired(customer.customer_id)  # the code was changed meanwhile: ask again
        if reasons.get("cart") == CONDITION_FAILED:
            return None  # the cart moved on: the next try reads it and says why (ordered elsewhere, or changed)
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
