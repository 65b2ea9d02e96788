"""Plain domain objects with their rules; storage lives in `repository.py`, never here.

Keeping PynamoDB out of these classes is what lets the rules be tested without a database and read
like the business (cosmicpython's `model.py`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from catalog.delivery import DeliveryChoice
from catalog.errors import CurrencyMismatch, IllegalTransition, InvalidQuantity, NotEnoughStock, NotInCart

DEFAULT_MAX_QUANTITY = 20
ORDERS_REMEMBERED = 10  # a quote lives 30 minutes: no cart is ordered ten times in that
DELIVERY_DAYS = 2


def utcnow() -> datetime:
    """One clock for the domain, timezone-aware so stored timestamps compare correctly."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Product:
    """A catalog entry; `price` is a Decimal so sums never drift."""

    sku: str
    name: str
    brand: str
    category: str
    size: str
    price: Decimal
    currency: str
    stock: int
    synonyms: tuple[str, ...] = ()

    @property
    def in_stock(self) -> bool:
        """Whether at least one unit can be sold now."""
        return self.stock > 0


class StockMode(enum.Enum):
    """How a catalog file's stock meets live stock, which checkouts have been lowering since the last import.

    KEEP leaves an existing product's stock alone (the default: a re-import never brings back sold units),
    SET replaces it with the file's count (a stocktake), ADD adds the file's count to it (a delivery). A
    product the shop does not hold yet starts at the file's count in every mode, or 0 if the row has none.
    """

    KEEP = "keep"
    SET = "set"
    ADD = "add"


@dataclass(frozen=True)
class ProductFields:
    """What one catalog row says about a product: each field it gives, None for each it leaves alone.

    An import writes these and nothing else, so a file of only prices can never blank a brand. A product
    the shop does not hold yet needs at least a name and a price; the rest default as in `Product`.
    """

    sku: str
    name: str | None = None
    brand: str | None = None
    category: str | None = None
    size: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    stock: int | None = None
    synonyms: tuple[str, ...] | None = None

    @classmethod
    def of(cls, product: Product) -> ProductFields:
        """Every field of a whole product, as given."""
        return cls(**{name: getattr(product, name) for name in PRODUCT_FIELDS})

    def missing_for_new(self) -> tuple[str, ...]:
        """The fields a new product must have that this row lacks."""
        return tuple(name for name in ("name", "price") if getattr(self, name) is None)

    def as_product(self) -> Product | None:
        """The whole product this row would create, or None when it lacks a name or price."""
        if self.name is None or self.price is None:
            return None
        return Product(
            self.sku,
            self.name,
            self.brand or "",
            self.category or "",
            self.size or "",
            self.price,
            self.currency or "USD",
            self.stock or 0,
            self.synonyms or (),
        )


PRODUCT_FIELDS = ("sku", "name", "brand", "category", "size", "price", "currency", "stock", "synonyms")


@dataclass(frozen=True)
class CartLine:
    """A product and quantity as the customer sees it in the cart, priced at today's price."""

    sku: str
    name: str
    unit_price: Decimal
    quantity: int

    @property
    def line_total(self) -> Decimal:
        """Unit price times quantity, exact."""
        return self.unit_price * self.quantity


def check_currency(product: Product, currency: str | None) -> None:
    """One currency per cart, quote and order: amounts in two currencies cannot be added up."""
    if currency is not None and product.currency != currency:
        raise CurrencyMismatch(product.sku, product.name, product.currency, currency)


@dataclass
class Cart:
    """One customer's cart; the rules here run before anything is stored."""

    customer_id: str
    lines: list[CartLine] = field(default_factory=list)
    version: int = 0
    currency: str | None = None
    """The currency of every line; set by the first line, forgotten when the cart is empty."""
    orders_made: dict[int, str] = field(default_factory=dict)
    """Order numbers this cart became, by the version it had then (the last few), so a second device
    confirming a quote of that version is told which order it already is."""

    def line_for(self, sku: str) -> CartLine | None:
        """The line holding `sku`, if any."""
        return next((line for line in self.lines if line.sku == sku), None)

    def add(self, product: Product, quantity: int, maximum: int = DEFAULT_MAX_QUANTITY) -> CartLine:
        """Add units; the same product again raises its quantity rather than adding a line."""
        existing = self.line_for(product.sku)
        held = existing.quantity if existing else 0
        return self._change(product, quantity + held, maximum, added=quantity)

    def set_quantity(self, product: Product, quantity: int, maximum: int = DEFAULT_MAX_QUANTITY) -> CartLine:
        """Replace a line's quantity (the product must already be in the cart)."""
        if self.line_for(product.sku) is None:
            raise NotInCart(product.sku)
        return self._change(product, quantity, maximum, added=quantity)

    def _change(self, product: Product, total: int, maximum: int, added: int) -> CartLine:
        """The one place a line's quantity, currency and stock are checked before it is put in the cart."""
        if added < 1 or total > maximum:
            raise InvalidQuantity(quantity=added, maximum=maximum)
        check_currency(product, self.currency if self.lines else None)
        ensure_stock(product, total)
        line = CartLine(product.sku, product.name, product.price, total)
        self._put(line)
        self.currency = product.currency
        return line

    def take(self, line: CartLine, maximum: int = DEFAULT_MAX_QUANTITY, currency: str | None = None) -> int:
        """Take a line from another cart, quantities adding up to at most `maximum`; returns the units taken.

        Checkout re-prices, so the line's price may be stale; units over the cap, or priced in another
        currency than this cart's, stay behind and the caller says so, rather than that all came along.
        """
        if self.lines and currency is not None and self.currency is not None and currency != self.currency:
            return 0
        held = self.line_for(line.sku)
        already = held.quantity if held else 0
        taken = max(0, min(line.quantity, maximum - already))
        if taken:
            self._put(replace(line, quantity=already + taken))
            self.currency = self.currency if self.currency is not None else currency
        return taken

    def remove(self, sku: str) -> CartLine:
        """Drop a line; removing what is not there is an error the customer should hear."""
        line = self.line_for(sku)
        if line is None:
            raise NotInCart(sku)
        self.lines = [other for other in self.lines if other.sku != sku]
        return line

    def remove_units(self, sku: str, units: int) -> CartLine | None:
        """Take some units out ("remove one greek yogurt"); the line left, or None when none are left."""
        line = self.line_for(sku)
        if line is None:
            raise NotInCart(sku)
        if units < 1:
            raise InvalidQuantity(quantity=units, maximum=line.quantity)
        if units >= line.quantity:
            self.remove(sku)
            return None
        left = replace(line, quantity=line.quantity - units)
        self._put(left)
        return left

    def clear(self) -> None:
        """Empty the cart."""
        self.lines = []
        self.currency = None

    def ordered(self, order_number: str) -> None:
        """Empty the cart because its lines became an order; remembers which, for a second device."""
        self.orders_made[self.version] = order_number
        for version in sorted(self.orders_made)[:-ORDERS_REMEMBERED]:
            del self.orders_made[version]
        self.clear()

    @property
    def total(self) -> Decimal:
        """Sum of line totals."""
        return sum((line.line_total for line in self.lines), Decimal("0"))

    @property
    def item_count(self) -> int:
        """Number of units across lines."""
        return sum(line.quantity for line in self.lines)

    def _put(self, line: CartLine) -> None:
        for index, other in enumerate(self.lines):
            if other.sku == line.sku:
                self.lines[index] = line
                return
        self.lines.append(line)


def ensure_stock(product: Product, quantity: int) -> None:
    """Refuse more than the shop holds; alternatives are filled in by the service, which can search."""
    if quantity > product.stock:
        raise NotEnoughStock(product.sku, product.name, quantity, max(product.stock, 0))


@dataclass(frozen=True)
class QuoteLine(CartLine):
    """A priced line frozen at quote time: the order keeps this snapshot, whatever prices do later."""


@dataclass(frozen=True)
class DiscountLine:
    """What a quote and its order keep: which promotion took how much off which line (see catalog/promotions.py)."""

    sku: str
    promotion_id: str
    title: str
    amount: Decimal


class PricedLines:
    """The sums a quote and the order placed from it share, so what was confirmed is what was kept.

    A plain base class (not a dataclass): its annotations name what the subclass stores, not fields.
    """

    lines: tuple[QuoteLine, ...]
    delivery: DeliveryChoice | None
    discounts: tuple[DiscountLine, ...]

    @property
    def subtotal(self) -> Decimal:
        """Sum of line totals at the quoted prices, before promotions and delivery."""
        return sum((line.line_total for line in self.lines), Decimal("0"))

    @property
    def savings(self) -> Decimal:
        """What the promotions take off the lines, exact."""
        return sum((discount.amount for discount in self.discounts), Decimal("0"))

    @property
    def total(self) -> Decimal:
        """What the shopper confirms and pays: the lines less their promotions, plus the delivery price, exact."""
        return self.subtotal - self.savings + (self.delivery.price if self.delivery else Decimal("0"))


@dataclass(frozen=True)
class Quote(PricedLines):
    """What the customer is asked to confirm; placing it is idempotent by `quote_id`."""

    quote_id: str
    customer_id: str
    lines: tuple[QuoteLine, ...]
    currency: str
    created_at: datetime
    expires_at: datetime
    cart_version: int | None = None
    """The cart version this quote priced; None for a reorder, which leaves the cart alone."""
    delivery: DeliveryChoice | None = None
    """How the order will reach the shopper, priced when quoted; None only for quotes stored before delivery."""
    discounts: tuple[DiscountLine, ...] = ()
    """The best promotion per line on the day it was quoted; placing the quote keeps exactly these."""


class OrderStatus(enum.StrEnum):
    """Lifecycle of an order; the values are what ops type and what is stored."""

    RECEIVED = "received"
    PREPARING = "preparing"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.PREPARING, OrderStatus.CANCELLED}),
    OrderStatus.PREPARING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.OUT_FOR_DELIVERY}),
    OrderStatus.OUT_FOR_DELIVERY: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
CANCELLABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.PREPARING})


@dataclass(frozen=True)
class StatusChange:
    """One step in an order's history, kept forever for support questions."""

    status: OrderStatus
    at: datetime


@dataclass(frozen=True)
class Order(PricedLines):
    """A placed order with its price snapshot; `order_number` is what people say aloud."""

    order_id: str
    order_number: str
    customer_id: str
    quote_id: str
    lines: tuple[QuoteLine, ...]
    currency: str
    status: OrderStatus
    history: tuple[StatusChange, ...]
    created_at: datetime
    expected_delivery: date
    payment: str = "pay_on_delivery"
    delivery: DeliveryChoice | None = None
    """The option, its price and a snapshot of the address (or pickup place) as confirmed; None for old orders."""
    discounts: tuple[DiscountLine, ...] = ()
    """The promotions of the confirmed quote, kept as they were then."""

    @property
    def delivered_at(self) -> datetime | None:
        """When the order was delivered (or collected), from its history; the return window starts here."""
        return next((step.at for step in reversed(self.history) if step.status is OrderStatus.DELIVERED), None)

    @property
    def cancellable(self) -> bool:
        """Only orders that have not left the shop can be cancelled."""
        return self.status in CANCELLABLE

    def advanced_to(self, status: OrderStatus, at: datetime) -> Order:
        """The order after a legal transition; illegal ones raise and leave it as it was."""
        if status not in ALLOWED_TRANSITIONS[self.status]:
            raise IllegalTransition(self.order_number, self.status.value, status.value)
        return replace(self, status=status, history=(*self.history, StatusChange(status, at)))


def expected_delivery_for(created_at: datetime) -> date:
    """Delivery promise: a fixed number of days after ordering."""
    return (created_at + timedelta(days=DELIVERY_DAYS)).date()


@dataclass(frozen=True)
class Customer:
    """A shopper known by a channel identity; the purchase code is only ever stored hashed."""

    customer_id: str
    display_name: str = ""
    address: str = ""
    code_hash: str = ""
    failed_code_attempts: int = 0
    locked_until: datetime | None = None
    delivery_option: str = ""
    """The delivery option used when the shopper names none at checkout; empty: the shop's default."""
    customer_number: str = ""
    """Six digits the customer can say at a kiosk, with their purchase code, to shop as themselves."""
    failed_sign_ins: int = 0
    sign_in_locked_until: datetime | None = None

    def attempts(self, scope: str) -> int:
        """Wrong codes counted in a lock scope ("purchase" or "sign_in") since its last reset."""
        return self.failed_code_attempts if scope == "purchase" else self.failed_sign_ins

    def lock_until(self, scope: str) -> datetime | None:
        """When a lock scope's lock ends (possibly in the past), None if it never locked."""
        return self.locked_until if scope == "purchase" else self.sign_in_locked_until

    @property
    def has_purchase_code(self) -> bool:
        """Whether `place` must ask for the code."""
        return bool(self.code_hash)
