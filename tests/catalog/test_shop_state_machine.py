"""The shop under random interleavings, on DynamoDB Local: stock, orders and carts never drift apart.

A hypothesis state machine drives the public `Shop` API (cart changes, quotes, checkout, cancel, the
order lifecycle, reorder, re-imports, two checkouts at once) for a few customers and products of its
own, and keeps a plain model beside it. After every step it reads the shop back (orders a page at a time
through `Shop.orders`, and each order a step made or moved again through the repository) and checks:

- for each product, stock + units in live (not cancelled) orders == initial stock + what imports set;
- no order exists that the model did not expect (so none without its stock decrement);
- at most one order per quote;
- stock is never negative;
- each cart is what the model says: placing takes the ordered lines out.

It also holds issue 11's rules: a quote of a cart that has moved on places nothing (one cart, one order,
also when two threads confirm at once), and placing a reorder leaves the current cart alone.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from catalog.errors import (
    CartAlreadyOrdered,
    CartChanged,
    EmptyCart,
    IllegalTransition,
    InvalidQuantity,
    LinesUnavailable,
    NotEnoughStock,
    NotInCart,
    StoreUnavailable,
    VoiceshopError,
)
from catalog.model import Order, OrderStatus, Product, StockMode
from tests.conftest import fresh_shop, random_ref

MACHINE_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no explain: tracing is slow here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
NEXT_STATUS = {
    OrderStatus.RECEIVED: OrderStatus.PREPARING,
    OrderStatus.PREPARING: OrderStatus.SHIPPED,
    OrderStatus.SHIPPED: OrderStatus.OUT_FOR_DELIVERY,
    OrderStatus.OUT_FOR_DELIVERY: OrderStatus.DELIVERED,
}
CANCELLABLE = {OrderStatus.RECEIVED, OrderStatus.PREPARING}
PRICES = [Decimal("0.99"), Decimal("2.50"), Decimal("4.75"), Decimal("12.00")]
PAGE = 2  # small pages, so every check walks the cursor


@dataclass(frozen=True)
class QuoteRecord:
    """A quote as the model saw it made: whose, which lines at which price, from which cart version."""

    quote_id: str
    customer: int
    lines: dict[str, tuple[int, Decimal]]
    cart_version: int | None  # None for a reorder: it is not a quote of the cart

    def __repr__(self) -> str:
        return f"QuoteRecord({self.quote_id[:8]}, customer={self.customer}, lines={self.units()})"

    def units(self) -> dict[str, int]:
        """Quantity per sku."""
        return {sku: quantity for sku, (quantity, _) in self.lines.items()}


@dataclass
class OrderRecord:
    """An order as the model expects it."""

    order_id: str
    number: str
    customer: int
    quote_id: str
    lines: dict[str, int]
    status: OrderStatus = OrderStatus.RECEIVED


@dataclass
class ShopModel:
    """What the shop should hold, in plain dicts."""

    initial: dict[str, int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)  # net stock ops set through re-imports
    stock: dict[str, int] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    carts: list[dict[str, int]] = field(default_factory=list)
    cart_versions: list[int] = field(default_factory=list)
    ordered_versions: set[tuple[int, int]] = field(default_factory=set)  # (customer, cart version)
    orders: dict[str, OrderRecord] = field(default_factory=dict)
    order_for_quote: dict[str, str] = field(default_factory=dict)


def without(cart: dict[str, int], lines: dict[str, int]) -> dict[str, int]:
    """The cart once placing has taken these lines out of it."""
    left = dict(cart)
    for sku, quantity in lines.items():
        if sku in left:
            if left[sku] > quantity:
                left[sku] -= quantity
            else:
                del left[sku]
    return left


def cart_units(cart) -> dict[str, int]:
    """A stored cart as quantity per sku."""
    return {line.sku: line.quantity for line in cart.lines}


class ShopMachine(RuleBasedStateMachine):
    """Random walks through the public Shop API, checked against `ShopModel` after every step."""

    quotes = Bundle("quotes")
    orders = Bundle("orders")

    def __init__(self, shop) -> None:
        super().__init__()
        self.shop = shop
        self.model = ShopModel()
        self.customers: list[str] = []
        self.skus: list[str] = []
        self.touched: set[str] = set()  # orders made or moved in this step, read again via the repository
        self.pool = ThreadPoolExecutor(max_workers=2)

    def teardown(self) -> None:
        self.pool.shutdown(wait=True)

    # --- helpers --------------------------------------------------------------------------------
    def _customer(self, index: int) -> tuple[int, str]:
        index %= len(self.customers)
        return index, self.customers[index]

    def _shopper(self, index: int) -> tuple[int, str]:
        """A customer, counting those with something in their cart first."""
        order = sorted(range(len(self.customers)), key=lambda c: not self.model.carts[c])
        return self._customer(order[index % len(order)])

    def _sku(self, index: int) -> str:
        return self.skus[index % len(self.skus)]

    def _sku_held_first(self, customer: int, index: int) -> str:
        """A product, counting the cart's own lines first (so low indexes hit lines the cart holds)."""
        held = list(self.model.carts[customer])
        return (held + [sku for sku in self.skus if sku not in held])[index % len(self.skus)]

    def _cart_changed(self, customer: int, cart: dict[str, int]) -> None:
        self.model.carts[customer] = cart
        self.model.cart_versions[customer] += 1

    def _short(self, lines: dict[str, int]) -> set[str]:
        return {sku for sku, quantity in lines.items() if quantity > self.model.stock[sku]}

    def _record_quote(self, customer: int, quote, cart_version: int | None) -> QuoteRecord:
        for line in quote.lines:
            current = self.model.products[line.sku]
            assert (line.unit_price, line.name) == (current.price, current.name), "quoted at today's price and name"
        assert quote.currency == "USD"
        return QuoteRecord(
            quote.quote_id,
            customer,
            {line.sku: (line.quantity, line.unit_price) for line in quote.lines},
            cart_version,
        )

    def _expect_new_order(self, record: QuoteRecord, order: Order) -> None:
        """Book an order the shop just made for `record`: stock down, cart lines out."""
        assert order.quote_id == record.quote_id
        assert order.status is OrderStatus.RECEIVED
        assert {line.sku: (line.quantity, line.unit_price) for line in order.lines} == record.lines
        assert order.order_id not in self.model.orders, "a new order, not one the model already has"
        units = record.units()
        assert not self._short(units), f"an order for {units} was made from stock {self.model.stock}"
        for sku, quantity in units.items():
            self.model.stock[sku] -= quantity
        self.model.orders[order.order_id] = OrderRecord(
            order.order_id, order.order_number, record.customer, record.quote_id, units
        )
        self.model.order_for_quote[record.quote_id] = order.order_id
        self.touched.add(order.order_id)
        if record.cart_version is not None:
            self.model.ordered_versions.add((record.customer, record.cart_version))

    def _place(self, record: QuoteRecord) -> str | None:
        """Place a quote of the cart and check the outcome the model expects; the new order id, if any."""
        customer = record.customer
        if record.quote_id in self.model.order_for_quote:
            order = self.shop.place(record.quote_id, confirmed=True)
            assert order.order_id == self.model.order_for_quote[record.quote_id], "the same quote is one order"
            return None
        if record.cart_version is not None and record.cart_version != self.model.cart_versions[customer]:
            # One cart, one order: a quote of a cart that has moved on places nothing, and says why.
            stale = (customer, record.cart_version) in self.model.ordered_versions
            with pytest.raises(CartAlreadyOrdered if stale else CartChanged):
                self.shop.place(record.quote_id, confirmed=True)
            return None
        short = self._short(record.units())
        try:
            order = self.shop.place(record.quote_id, confirmed=True)
        except LinesUnavailable as refused:
            assert short, f"refused {refused} with stock {self.model.stock}"
            assert {line.sku for line in refused.lines} == short
            return None
        assert not short, f"placed {record.units()} with stock {self.model.stock}"
        unchanged_since_quote = record.cart_version == self.model.cart_versions[customer]
        self._expect_new_order(record, order)
        self._cart_changed(customer, without(self.model.carts[customer], record.units()))
        if unchanged_since_quote:
            held = cart_units(self.shop.cart(self.customers[customer]))
            assert not set(held) & set(record.units()), "the cart no longer holds the ordered lines"
        return order.order_id

    # --- rules ----------------------------------------------------------------------------------
    @initialize(
        customers=st.integers(min_value=2, max_value=3),
        stocks=st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=4),
        first_lines=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3)), min_size=3, max_size=3),
    )
    def open_shop(self, customers: int, stocks: list[int], first_lines: list[tuple[int, int]]) -> None:
        """Products and customers of this run's own; every cart starts with a line where stock allows."""
        products = []
        for stock in stocks:
            sku = random_ref("SKU-SM")
            products.append(Product(sku, f"Item {sku}", "Testco", "pantry", "1 each", Decimal("2.50"), "USD", stock))
        self.shop.import_products(products)
        for product in products:
            self.skus.append(product.sku)
            self.model.products[product.sku] = product
            self.model.initial[product.sku] = self.model.stock[product.sku] = product.stock
            self.model.imported[product.sku] = 0
        self.customers = [random_ref("cust-sm") for _ in range(customers)]
        self.model.carts = [{} for _ in self.customers]
        self.model.cart_versions = [0 for _ in self.customers]
        for customer, (product, quantity) in enumerate(first_lines[:customers]):
            self.add(customer, product, quantity)

    @rule(customer=st.integers(0, 2), product=st.integers(0, 3), quantity=st.integers(1, 5))
    def add(self, customer: int, product: int, quantity: int) -> None:
        index, customer_id = self._customer(customer)
        sku = self._sku(product)
        wanted = self.model.carts[index].get(sku, 0) + quantity
        too_many, too_few = wanted > self.shop.settings.max_quantity, wanted > self.model.stock[sku]
        if too_many or too_few:
            refusals = (NotEnoughStock,) * too_few + (InvalidQuantity,) * too_many
            with pytest.raises(refusals):
                self.shop.add_to_cart(customer_id, sku, quantity)
            return
        cart = self.shop.add_to_cart(customer_id, sku, quantity)
        self._cart_changed(index, {**self.model.carts[index], sku: wanted})
        assert cart_units(cart) == self.model.carts[index]

    @precondition(lambda self: any(self.model.carts))
    @rule(customer=st.integers(0, 2), product=st.integers(0, 3))
    def remove(self, customer: int, product: int) -> None:
        index, customer_id = self._shopper(customer)
        sku = self._sku_held_first(index, product)
        if sku not in self.model.carts[index]:
            with pytest.raises(NotInCart):
                self.shop.remove_from_cart(customer_id, sku)
            return
        cart = self.shop.remove_from_cart(customer_id, sku)
        self._cart_changed(index, {k: v for k, v in self.model.carts[index].items() if k != sku})
        assert cart_units(cart) == self.model.carts[index]

    @precondition(lambda self: any(self.model.carts))
    @rule(customer=st.integers(0, 2), product=st.integers(0, 3), quantity=st.integers(1, 12))
    def set_quantity(self, customer: int, product: int, quantity: int) -> None:
        index, customer_id = self._shopper(customer)
        sku = self._sku_held_first(index, product)
        if sku not in self.model.carts[index]:
            with pytest.raises(NotInCart):
                self.shop.set_quantity(customer_id, sku, quantity)
            return
        if quantity > self.model.stock[sku]:
            with pytest.raises(NotEnoughStock):
                self.shop.set_quantity(customer_id, sku, quantity)
            return
        cart = self.shop.set_quantity(customer_id, sku, quantity)
        self._cart_changed(index, {**self.model.carts[index], sku: quantity})
        assert cart_units(cart) == self.model.carts[index]

    @precondition(lambda self: any(self.model.carts))
    @rule(target=quotes, customer=st.integers(0, 2))
    def quote(self, customer: int):
        index, customer_id = self._shopper(customer)
        cart = self.model.carts[index]
        if not cart:
            with pytest.raises(EmptyCart):
                self.shop.quote(customer_id)
            return multiple()
        short = self._short(cart)
        if short:
            with pytest.raises(LinesUnavailable) as refused:
                self.shop.quote(customer_id)
            assert {line.sku for line in refused.value.lines} == short
            return multiple()
        record = self._record_quote(index, self.shop.quote(customer_id), self.model.cart_versions[index])
        assert record.units() == cart
        return record

    @rule(target=orders, record=quotes)
    def place(self, record: QuoteRecord):
        order_id = self._place(record)
        return multiple() if order_id is None else order_id

    @rule(target=orders, record=quotes)
    def place_twice(self, record: QuoteRecord):
        order_id = self._place(record)
        self._place(record)
        return multiple() if order_id is None else order_id

    @precondition(lambda self: any(self.model.carts))
    @rule(target=orders, customer=st.integers(0, 2), same_quote=st.booleans())
    def place_at_once(self, customer: int, same_quote: bool):
        """Two threads place quotes of one cart together: the same quote, or two quotes of it."""
        index, customer_id = self._shopper(customer)
        cart = self.model.carts[index]
        if not cart or self._short(cart):
            return multiple()
        version = self.model.cart_versions[index]
        first = self._record_quote(index, self.shop.quote(customer_id), version)
        second = first if same_quote else self._record_quote(index, self.shop.quote(customer_id), version)
        start = threading.Barrier(2)

        def checkout(record: QuoteRecord) -> Order | VoiceshopError:
            start.wait(timeout=10)
            try:
                return self.shop.place(record.quote_id, confirmed=True)
            except VoiceshopError as refused:
                return refused

        outcomes = list(self.pool.map(checkout, [first, second]))
        assert not any(isinstance(o, StoreUnavailable) for o in outcomes), f"gave up under contention: {outcomes}"
        placed = [(r, o) for r, o in zip([first, second], outcomes, strict=True) if isinstance(o, Order)]
        assert placed, f"neither checkout of an in-stock cart made an order: {outcomes}"
        if same_quote:
            assert len(placed) == 2 and placed[0][1].order_id == placed[1][1].order_id, outcomes
            placed = placed[:1]
        for record, order in placed:
            self._expect_new_order(record, order)
            self._cart_changed(index, without(self.model.carts[index], record.units()))
        for outcome in outcomes:
            if isinstance(outcome, VoiceshopError):  # the other quote of the same cart version got there first
                assert len(placed) == 1 and not same_quote, outcomes
                assert isinstance(outcome, CartAlreadyOrdered), outcomes
        return multiple(*(order.order_id for _, order in placed))

    @rule(order_id=orders)
    def cancel(self, order_id: str) -> None:
        record = self.model.orders[order_id]
        customer_id = self.customers[record.customer]
        if record.status not in CANCELLABLE:
            with pytest.raises(IllegalTransition):
                self.shop.cancel(customer_id, record.number)
            return
        cancelled = self.shop.cancel(customer_id, record.number)
        assert cancelled.order_id == order_id and cancelled.status is OrderStatus.CANCELLED
        record.status = OrderStatus.CANCELLED
        self.touched.add(order_id)
        for sku, quantity in record.lines.items():
            self.model.stock[sku] += quantity

    @rule(order_id=orders, to=st.sampled_from(list(NEXT_STATUS.values())))
    def advance(self, order_id: str, to: OrderStatus) -> None:
        record = self.model.orders[order_id]
        if NEXT_STATUS.get(record.status) is not to:
            with pytest.raises(IllegalTransition):
                self.shop.advance(order_id, to.value)
            return
        assert self.shop.advance(order_id, to.value).status is to
        record.status = to
        self.touched.add(order_id)

    @rule(order_id=orders)
    def advance_to_next(self, order_id: str) -> None:
        record = self.model.orders[order_id]
        to = NEXT_STATUS.get(record.status)
        if to is None:
            with pytest.raises(IllegalTransition):
                self.shop.advance(order_id, OrderStatus.PREPARING.value)
            return
        assert self.shop.advance(order_id, to.value).status is to
        record.status = to
        self.touched.add(order_id)

    @rule(target=quotes, order_id=orders)
    def reorder(self, order_id: str):
        """Quote a past order again, then place it."""
        record = self.model.orders[order_id]
        index, customer_id = record.customer, self.customers[record.customer]
        short = self._short(record.lines)
        if short:
            with pytest.raises(LinesUnavailable) as refused:
                self.shop.reorder(customer_id, record.number)
            assert {line.sku for line in refused.value.lines} == short
            return multiple()
        quote = self._record_quote(index, self.shop.reorder(customer_id, record.number), None)
        assert quote.units() == record.lines
        before = self.model.carts[index]
        order = self.shop.place(quote.quote_id, confirmed=True)
        self._expect_new_order(quote, order)
        assert cart_units(self.shop.cart(customer_id)) == before, "a reorder leaves the current cart alone"
        return quote

    @rule(
        product=st.integers(0, 3),
        price=st.sampled_from(PRICES),
        rename=st.booleans(),
        stock=st.integers(0, 25),
        mode=st.sampled_from(list(StockMode)),
    )
    def reimport(self, product: int, price: Decimal, rename: bool, stock: int, mode: StockMode) -> None:
        """Ops re-import a product with a new price or name; its stock count is kept, set or added by mode."""
        sku = self._sku(product)
        old = self.model.products[sku]
        name = f"{old.name} v2" if rename else old.name
        new = Product(sku, name, old.brand, old.category, old.size, price, "USD", stock)
        report = self.shop.import_products([new], stock=mode)
        assert (report.created, report.updated) == (0, 1)
        live = self.model.stock[sku]
        after = {StockMode.KEEP: live, StockMode.SET: stock, StockMode.ADD: live + stock}[mode]
        self.model.imported[sku] += after - live
        self.model.stock[sku] = after
        self.model.products[sku] = new

    # --- invariants -----------------------------------------------------------------------------
    def _stored_orders(self) -> list[Order]:
        """Every customer's orders, read a small page at a time through `Shop.orders`."""
        found: list[Order] = []
        for customer_id in self.customers:
            cursor, pages = None, []
            while True:
                page = self.shop.orders(customer_id, limit=PAGE, cursor=cursor)
                pages.extend(page.orders)
                cursor = page.cursor
                if cursor is None:
                    break
            created = [order.created_at for order in pages]
            assert created == sorted(created, reverse=True), "orders come newest first"
            assert all(order.customer_id == customer_id for order in pages)
            found.extend(pages)
        return found

    @invariant()
    def stock_orders_and_carts_agree(self) -> None:
        if not self.skus:
            return
        stock = {sku: product.stock for sku, product in self.shop.repository.get_products(self.skus).items()}
        stored = self._stored_orders()

        assert all(units >= 0 for units in stock.values()), f"negative stock: {stock}"

        quote_ids = [order.quote_id for order in stored]
        assert len(quote_ids) == len(set(quote_ids)), "at most one order per quote"

        assert {order.order_id for order in stored} == set(self.model.orders), "every order, and only those"
        for order in stored:
            expected = self.model.orders[order.order_id]
            assert order.status is expected.status
            assert {line.sku: line.quantity for line in order.lines} == expected.lines
            if order.order_id in self.touched:
                assert self.shop.repository.get_order(order.order_id) == order, "the repository agrees"
        self.touched.clear()

        live = dict.fromkeys(self.skus, 0)
        for order in stored:
            if order.status is not OrderStatus.CANCELLED:
                for line in order.lines:
                    live[line.sku] += line.quantity
        for sku in self.skus:
            assert stock[sku] + live[sku] == self.model.initial[sku] + self.model.imported[sku], (
                f"{sku}: stock {stock[sku]} + live orders {live[sku]} != initial {self.model.initial[sku]} "
                f"+ imports {self.model.imported[sku]}"
            )
        assert stock == self.model.stock

        for index, customer_id in enumerate(self.customers):
            assert cart_units(self.shop.cart(customer_id)) == self.model.carts[index], f"cart of customer {index}"


def test_carts_quotes_orders_and_stock_stay_consistent_under_random_steps(base_settings):
    shop = fresh_shop(base_settings)
    run_state_machine_as_test(lambda: ShopMachine(shop), settings=MACHINE_SETTINGS)
