"""Translate between domain objects and DynamoDB items, and read them back.

Writes that must be atomic go through `unit_of_work.UnitOfWork`; this module only builds the items and
reads. Every storage failure leaves here as `StoreUnavailable`, so channels apologise rather than crash.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from catalog.config import Settings, ensure_local_credentials
from catalog.delivery import DeliveryChoice
from catalog.errors import StoreUnavailable, UnknownProduct, WriteRefused
from catalog.model import (
    Cart,
    CartLine,
    Customer,
    DiscountLine,
    Order,
    OrderStatus,
    Product,
    ProductFields,
    Quote,
    QuoteLine,
    StatusChange,
    StockMode,
    utcnow,
)
from catalog.purchase_code import LOCK_MINUTES, MAX_WRONG_CODES, Scope
from catalog.tables import (
    GSI1,
    GSI2,
    ORDERS_BY_STATUS,
    PRODUCTS_PARTITION,
    STORE_ERRORS,
    LineMap,
    StatusMap,
    TableSet,
    TransactWrite,
    TransactWriteError,
    error_code,
    error_message,
    orders_by_status_key,
    table_set,
)

CONDITION_FAILED = "ConditionalCheckFailed"
ITEM_REFUSALS = frozenset({"ValidationException", "ItemCollectionSizeLimitExceededException"})
"""Codes with which DynamoDB refuses one item's write while the store itself is fine."""


def product_key(sku: str) -> tuple[str, str]:
    """Key of a product item."""
    return f"PRODUCT#{sku}", "PRODUCT"


def customer_pk(customer_id: str) -> str:
    """Partition of everything a customer owns (profile, cart, order numbers)."""
    return f"CUSTOMER#{customer_id}"


def order_key(order_id: str) -> tuple[str, str]:
    """Key of an order item."""
    return f"ORDER#{order_id}", "ORDER"


def quote_key(quote_id: str) -> tuple[str, str]:
    """Key of a quote item."""
    return f"QUOTE#{quote_id}", "QUOTE"


CATALOG_META_KEY = ("CATALOG", "VERSION")


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn PynamoDB/botocore failures (unreachable, frozen, throttled after retries) into one domain error."""
    try:
        yield
    except STORE_ERRORS as error:
        raise StoreUnavailable(detail=error_code(error)) from error


@dataclass(frozen=True)
class OrderPage:
    """One page of a customer's orders, newest first; `cursor` fetches the next page."""

    orders: tuple[Order, ...]
    cursor: str | None


def _lines_to_items(lines: tuple[QuoteLine, ...] | list[CartLine]) -> list[LineMap]:
    return [LineMap(sku=li.sku, name=li.name, unit_price=str(li.unit_price), quantity=li.quantity) for li in lines]


def _quote_lines(items: list[LineMap]) -> tuple[QuoteLine, ...]:
    return tuple(QuoteLine(i.sku, i.name, Decimal(i.unit_price), int(i.quantity)) for i in items)


def _delivery_fields(choice: DeliveryChoice | None) -> dict[str, str | None]:
    """A quote's or order's delivery choice as item attributes (the price a decimal string)."""
    if choice is None:
        return {"delivery_option": None, "delivery_price": None, "delivery_to": None}
    return {"delivery_option": choice.option, "delivery_price": str(choice.price), "delivery_to": choice.destination}


def _discounts_json(discounts: tuple[DiscountLine, ...]) -> str | None:
    """A quote's or order's promotion lines as one JSON attribute (amounts as decimal strings); None when none."""
    if not discounts:
        return None
    rows = [
        {"sku": d.sku, "promotion_id": d.promotion_id, "title": d.title, "amount": str(d.amount)} for d in discounts
    ]
    return json.dumps(rows, sort_keys=True)


def _discounts(text: str | None) -> tuple[DiscountLine, ...]:
    """The promotion lines `_discounts_json` stored; none for items written before promotions existed."""
    rows = json.loads(text) if text else []
    return tuple(DiscountLine(r["sku"], r["promotion_id"], r["title"], Decimal(r["amount"])) for r in rows)


def _delivery_choice(item: Any) -> DeliveryChoice | None:
    """The delivery choice of a quote or order item; None for items written before delivery existed."""
    if not item.delivery_option:
        return None
    return DeliveryChoice(item.delivery_option, Decimal(item.delivery_price or "0"), item.delivery_to or "")


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


_CURSOR_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})
_STATUS_CURSOR_KEYS = frozenset({"pk", "sk", "gsi2pk", "gsi2sk"})


def _decode_cursor(
    cursor: str | None, customer_id: str | None = None, status: OrderStatus | None = None
) -> dict[str, Any] | None:
    """The start key in a cursor from `_encode_cursor`, for this customer's (or status's) orders; ValueError otherwise.

    Checked here, not by DynamoDB: it refuses a foreign start key with a ValidationException, which
    reads as "the store is down" (issue 11).
    """
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a cursor this shop handed out") from error
    if status is None:
        keys, partition, where = _CURSOR_KEYS, ("gsi1pk", customer_pk(customer_id or "")), "customer"
    else:
        keys, partition, where = _STATUS_CURSOR_KEYS, ("gsi2pk", f"{ORDERS_BY_STATUS}{status.value}"), "status"
    if (
        not isinstance(decoded, dict)
        or set(decoded) != keys
        or not all(isinstance(value, dict) and isinstance(value.get("S"), str) for value in decoded.values())
        or decoded[partition[0]]["S"] != partition[1]
        or (status is None and not decoded["gsi1sk"]["S"].startswith("ORDER#"))
    ):
        raise ValueError(f"not a cursor this shop handed out for this {where}")
    return decoded


class Repository:
    """Reads and item builders for one table binding (returns and the shop policy: `fulfilment_items.py`)."""

    product_key = staticmethod(product_key)
    order_key = staticmethod(order_key)

    @staticmethod
    def customer_key(customer_id: str) -> tuple[str, str]:
        """Key of a customer's profile item."""
        return customer_pk(customer_id), "PROFILE"

    @staticmethod
    def _fetch(model: Any, pk: str, sk: str) -> Any | None:
        """One strongly consistent item read (decisions follow), None when absent."""
        with storage_errors():
            try:
                return model.get(pk, sk, consistent_read=True)
            except model.DoesNotExist:
                return None

    def __init__(self, settings: Settings) -> None:
        """Bind to the table named in settings (local endpoint gets dummy credentials)."""
        if settings.is_local:
            ensure_local_credentials()
        self.settings = settings
        self.tables: TableSet = table_set(
            settings.table,
            settings.endpoint,
            settings.region,
            settings.store_timeout_seconds,
            settings.store_attempts,
        )

    # --- schema -------------------------------------------------------------------------------
    def ensure_table(self) -> bool:
        """Create the table and its indexes if absent (an index added since: just it); True when created."""
        with storage_errors():
            if self.tables.base.exists():
                self.tables.add_missing_indexes()
                return False
            self.tables.base.create_table(wait=True)
            self.tables.base.update_ttl(ignore_update_ttl_errors=True)
            return True

    def delete_table(self) -> None:
        """Drop the table (tests and `db reset` only)."""
        with storage_errors():
            if self.tables.base.exists():
                self.tables.base.delete_table()

    # --- products -----------------------------------------------------------------------------
    def product_item(self, product: Product) -> Any:
        """Item for a product, listed in the catalog partition of gsi1."""
        pk, sk = product_key(product.sku)
        return self.tables.product(
            pk=pk,
            sk=sk,
            gsi1pk=PRODUCTS_PARTITION,
            gsi1sk=product.sku,
            sku=product.sku,
            name=product.name,
            brand=product.brand,
            category=product.category,
            size=product.size,
            price=str(product.price),
            currency=product.currency,
            stock=product.stock,
            synonyms=list(product.synonyms),
        )

    @staticmethod
    def to_product(item: Any) -> Product:
        """Domain product from an item."""
        return Product(
            sku=item.sku,
            name=item.name,
            brand=item.brand or "",
            category=item.category or "",
            size=item.size or "",
            price=Decimal(item.price),
            currency=item.currency or "USD",
            stock=int(item.stock or 0),
            synonyms=tuple(item.synonyms or ()),
        )

    def get_product(self, sku: str) -> Product | None:
        """Fresh product read (consistent, since stock decisions follow)."""
        item = self._fetch(self.tables.product, *product_key(sku))
        return None if item is None else self.to_product(item)

    def get_products(self, skus: list[str]) -> dict[str, Product]:
        """Several products in one round trip."""
        if not skus:
            return {}
        with storage_errors():
            keys = [product_key(sku) for sku in dict.fromkeys(skus)]
            return {item.sku: self.to_product(item) for item in self.tables.product.batch_get(keys)}

    def all_products(self) -> list[Product]:
        """The whole catalog via gsi1 (a query, not a table scan), for building the search index.

        Read as plain fields rather than PynamoDB items: this load is on a cold start's first search.
        """
        with storage_errors():
            items = self.tables.query_fields(self.tables.product, PRODUCTS_PARTITION, index_name=GSI1)
            return [self.to_product(item) for item in items]

    def catalog_version(self) -> int:
        """The counter bumped by every import; 0 before the first."""
        item = self._fetch(self.tables.catalog_meta, *CATALOG_META_KEY)
        return 0 if item is None else int(item.version)

    def _product_update(self, fields: ProductFields, stock_mode: StockMode) -> tuple[Any, list[Any], Any]:
        """The item, update actions and condition that write only what `fields` gives (see below)."""
        model = self.tables.product
        actions = [model.sku.set(fields.sku), model.gsi1pk.set(PRODUCTS_PARTITION), model.gsi1sk.set(fields.sku)]
        given = (  # (attribute, the row's value, what a new product gets without one; None: required)
            ("name", fields.name, None),
            ("price", None if fields.price is None else str(fields.price), None),
            ("brand", fields.brand, ""),
            ("category", fields.category, ""),
            ("size", fields.size, ""),
            ("currency", fields.currency, "USD"),
            ("synonyms", None if fields.synonyms is None else list(fields.synonyms), []),
        )
        for name, value, default in given:
            attribute = getattr(model, name)
            if value is not None:
                actions.append(attribute.set(value))
            elif default is not None:
                actions.append(attribute.set(attribute | default))
        if fields.stock is None:
            actions.append(model.stock.set(model.stock | 0))
        elif stock_mode is StockMode.ADD:
            actions.append(model.stock.add(fields.stock))
        elif stock_mode is StockMode.SET:
            actions.append(model.stock.set(fields.stock))
        else:
            actions.append(model.stock.set(model.stock | fields.stock))
        condition = model.pk.exists() if fields.missing_for_new() else None
        return model(*product_key(fields.sku)), actions, condition

    def upsert_product_fields(self, fields: ProductFields, stock_mode: StockMode) -> None:
        """Write only the fields a catalog row gives, creating the product if absent, in one UpdateItem.

        An update, never a Put, because a Put replaces the whole item: a file without a brand column
        would blank every brand, and stock read here and written back would undo the checkouts made in
        between. So stock changes inside DynamoDB: KEEP sets it only where the item has none
        (`if_not_exists`), SET replaces it, ADD adds to it (the update expression's ADD), each atomic with
        a concurrent checkout's decrement. A row without a name or price may only update (raises
        UnknownProduct if the product is absent); one DynamoDB will not store raises WriteRefused.
        """
        item, actions, condition = self._product_update(fields, stock_mode)
        try:
            item.update(actions=actions, condition=condition)
        except STORE_ERRORS as error:
            code = error_code(error)
            if code == "ConditionalCheckFailedException":
                raise UnknownProduct(fields.sku) from error
            if code in ITEM_REFUSALS:
                raise WriteRefused(fields.sku, code, error_message(error) or code) from error
            raise StoreUnavailable(detail=code) from error

    def upsert_products_fields(self, rows: Sequence[ProductFields], stock_mode: StockMode) -> bool:
        """The same updates for up to 100 products in one transaction; False when DynamoDB cancelled it.

        A round trip per 100 products instead of one each (a 232-product import took a sixth of the
        time on DynamoDB Local). Cancelled means one row was refused, lacked a product to update, or met
        a checkout on the same item: nothing was written, and the caller writes the rows one at a time
        to learn which.
        """
        try:
            with TransactWrite(connection=self.tables.connection) as transaction:
                for fields in rows:
                    item, actions, condition = self._product_update(fields, stock_mode)
                    transaction.update(item, actions, condition=condition)
        except TransactWriteError as error:
            if error_code(error) in {"TransactionCanceledException", *ITEM_REFUSALS}:
                return False
            raise StoreUnavailable(detail=error_code(error)) from error
        except STORE_ERRORS as error:
            raise StoreUnavailable(detail=error_code(error)) from error
        return True

    def bump_catalog_version(self) -> int:
        """Add one to the catalog version (search caches rebuild when it moves); returns the new version."""
        meta = self.tables.catalog_meta
        item = meta(*CATALOG_META_KEY)
        with storage_errors():
            item.update(actions=[meta.version.add(1), meta.updated_at.set(utcnow())])
        return int(item.version)

    # --- customers ----------------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> Customer | None:
        """The customer's profile, if one was ever stored."""
        item = self._fetch(self.tables.customer, customer_pk(customer_id), "PROFILE")
        if item is None:
            return None
        return Customer(
            customer_id=item.customer_id,
            display_name=item.display_name or "",
            address=item.address or "",
            code_hash=item.code_hash or "",
            failed_code_attempts=int(item.failed_code_attempts or 0),
            locked_until=item.locked_until,
            failed_sign_ins=int(item.failed_sign_ins or 0),
            sign_in_locked_until=item.sign_in_locked_until,
            customer_number=item.customer_number or "",
            delivery_option=item.delivery_option or "",
        )

    def _code_fields(self, scope: Scope) -> tuple[Any, Any]:
        """The (failure counter, lock time) attributes of one lock scope."""
        t = self.tables.customer
        if scope == "purchase":
            return t.failed_code_attempts, t.locked_until
        return t.failed_sign_ins, t.sign_in_locked_until

    @staticmethod
    def _update_if(item: Any, actions: list[Any], condition: Any) -> bool:
        """One conditional update of a single item; False when the condition did not hold."""
        with storage_errors():
            try:
                item.update(actions=actions, condition=condition)
            except STORE_ERRORS as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def count_wrong_code(self, customer: Customer, scope: Scope, now: datetime) -> tuple[int, datetime | None]:
        """Count one wrong code in `scope` atomically; returns (failures counted, lock end if now locked).

        One `ADD` per wrong try, so parallel guesses each get their own count and none is lost; the
        counter is not reset when the lock starts, so a guess still in flight learns it is locked, not
        that it has tries left. An expired lock is cleared once (conditioned on the lock that was read)
        before this try counts as the first of a fresh round.
        """
        counter, lock = self._code_fields(scope)
        item = self.tables.customer(*self.customer_key(customer.customer_id))
        held = customer.lock_until(scope)
        if held is not None and held <= now:
            self._update_if(item, [counter.set(0), lock.remove()], lock == held)
        if not self._update_if(item, [counter.add(1)], lock.does_not_exist() | (lock < now)):
            fresh = self.get_customer(customer.customer_id) or customer
            return fresh.attempts(scope), fresh.lock_until(scope)
        attempts = int(getattr(item, counter.attr_name) or 0)
        if attempts < MAX_WRONG_CODES:
            return attempts, None
        until = now + timedelta(minutes=LOCK_MINUTES)
        if not self._update_if(item, [lock.set(until)], lock.does_not_exist() | (lock < now)):
            fresh = self.get_customer(customer.customer_id)
            until = (fresh.lock_until(scope) if fresh else None) or until
        return attempts, until

    def unlock(self, customer_id: str, scope: Scope) -> bool:
        """Ops' override: end a lock and its count of wrong codes now; False when the customer does not exist."""
        counter, lock = self._code_fields(scope)
        item = self.tables.customer(*self.customer_key(customer_id))
        return self._update_if(item, [counter.set(0), lock.remove()], self.tables.customer.pk.exists())

    def forgive_wrong_codes(self, customer: Customer, scope: Scope, now: datetime) -> None:
        """A right code forgives the wrong codes it saw in `customer`, and only those.

        The count is lowered by what was read, never set to 0: a wrong code counted between that read
        and this update (a parallel guess) stays counted, so racing the right code cannot reset a
        stranger's round. Nothing changes when the count fell meanwhile (another right code forgave it)
        or a lock started (that one runs out).
        """
        seen = customer.attempts(scope)
        if not seen:
            return
        counter, lock = self._code_fields(scope)
        item = self.tables.customer(*self.customer_key(customer.customer_id))
        self._update_if(item, [counter.add(-seen)], (counter >= seen) & (lock.does_not_exist() | (lock < now)))

    @staticmethod
    def staged_code_key(customer_id: str) -> tuple[str, str]:
        """Key of a purchase code change in progress (beside the profile, in the customer's partition)."""
        return customer_pk(customer_id), "NEWCODE"

    def staged_code_item(self, customer_id: str, code_hash: str, expires: datetime) -> Any:
        """Item for a staged new code: its salted hash and when it stops counting (also its TTL)."""
        item = self.tables.customer(*self.staged_code_key(customer_id), customer_id=customer_id, code_hash=code_hash)
        item.ttl = expires
        return item

    def staged_code_hash(self, customer_id: str, now: datetime) -> str | None:
        """The staged new code's hash, None when absent, used up or past its expiry (TTL deletion lags)."""
        item = self._fetch(self.tables.customer, *self.staged_code_key(customer_id))
        if item is None or not item.code_hash or item.ttl is None or item.ttl <= now:
            return None
        return str(item.code_hash)

    def customer_number_item(self, number: str, customer_id: str) -> Any:
        """Guard item that makes a kiosk customer number unique and maps it to its customer."""
        return self.tables.customer_number(pk=f"CUSTNO#{number}", sk="CUSTNO", customer_id=customer_id)

    def customer_for_number(self, number: str) -> str | None:
        """The customer id a spoken customer number belongs to."""
        item = self._fetch(self.tables.customer_number, f"CUSTNO#{number}", "CUSTNO")
        return None if item is None else str(item.customer_id)

    # --- carts --------------------------------------------------------------------------------
    def get_cart(self, customer_id: str) -> tuple[Cart, Any]:
        """The cart and its item (the item carries the version used for optimistic writes)."""
        return self._cart(customer_id, self._fetch(self.tables.cart, customer_pk(customer_id), "CART"))

    def get_product_and_cart(self, sku: str, customer_id: str) -> tuple[Product | None, tuple[Cart, Any]]:
        """The product with live stock and the customer's cart, in one consistent round trip."""
        cart_key = (customer_pk(customer_id), "CART")
        with storage_errors():
            rows = self.tables.get_items([product_key(sku), cart_key])
        product_row, cart_row = rows.get(product_key(sku)), rows.get(cart_key)
        product = None if product_row is None else self.to_product(self.tables.product.from_raw_data(product_row))
        return product, self._cart(customer_id, None if cart_row is None else self.tables.cart.from_raw_data(cart_row))

    def _cart(self, customer_id: str, item: Any | None) -> tuple[Cart, Any]:
        """A cart item read (or a new empty one) as the domain's cart."""
        if item is None:
            item = self.tables.cart(pk=customer_pk(customer_id), sk="CART", customer_id=customer_id, lines=[])
        lines = [CartLine(i.sku, i.name, Decimal(i.unit_price), int(i.quantity)) for i in item.lines or []]
        cart = Cart(
            customer_id=customer_id,
            lines=lines,
            version=int(item.version or 0),
            currency=item.currency if lines else None,
            orders_made={int(v): number for v, _, number in (entry.partition(" ") for entry in item.orders_made or ())},
        )
        return cart, item

    @staticmethod
    def fill_cart_item(item: Any, cart: Cart) -> Any:
        """Copy the cart onto its item before a versioned save."""
        item.lines = _lines_to_items(cart.lines)
        item.currency = cart.currency
        item.orders_made = [f"{version} {number}" for version, number in sorted(cart.orders_made.items())] or None
        return item

    # --- quotes -------------------------------------------------------------------------------
    def quote_item(self, quote: Quote) -> Any:
        """Item for a quote; DynamoDB's TTL removes it a day after it expires.

        Listed under its customer in gsi1 (`QUOTE#created#id`, beside the orders' `ORDER#` keys) so that
        `customers forget` finds a customer's quotes, which carry an address snapshot, without a scan.
        """
        pk, sk = quote_key(quote.quote_id)
        return self.tables.quote(
            pk=pk,
            sk=sk,
            gsi1pk=customer_pk(quote.customer_id),
            gsi1sk=f"QUOTE#{quote.created_at.isoformat()}#{quote.quote_id}",
            quote_id=quote.quote_id,
            customer_id=quote.customer_id,
            lines=_lines_to_items(quote.lines),
            currency=quote.currency,
            cart_version=quote.cart_version,
            created_at=quote.created_at,
            expires_at=quote.expires_at,
            ttl=quote.expires_at + timedelta(days=1),
            discounts=_discounts_json(quote.discounts),
            **_delivery_fields(quote.delivery),
        )

    def get_quote(self, quote_id: str) -> Quote | None:
        """A stored quote, if it exists."""
        item = self._fetch(self.tables.quote, *quote_key(quote_id))
        if item is None:
            return None
        return Quote(
            quote_id=item.quote_id,
            customer_id=item.customer_id,
            lines=_quote_lines(item.lines or []),
            currency=item.currency,
            created_at=item.created_at,
            expires_at=item.expires_at,
            cart_version=None if item.cart_version is None else int(item.cart_version),
            delivery=_delivery_choice(item),
            discounts=_discounts(item.discounts),
        )

    # --- orders -------------------------------------------------------------------------------
    @staticmethod
    def status_index_key(order: Order) -> tuple[str, str]:
        """The order's (gsi2pk, gsi2sk) in its current status: every status change writes it again."""
        return orders_by_status_key(order.status.value, order.created_at.isoformat(), order.order_id)

    def order_item(self, order: Order) -> Any:
        """Item for an order, indexed under its customer by creation time, and under its status."""
        pk, sk = order_key(order.order_id)
        gsi2pk, gsi2sk = self.status_index_key(order)
        return self.tables.order(
            pk=pk,
            sk=sk,
            gsi1pk=customer_pk(order.customer_id),
            gsi1sk=f"ORDER#{order.created_at.isoformat()}#{order.order_id}",
            gsi2pk=gsi2pk,
            gsi2sk=gsi2sk,
            order_id=order.order_id,
            order_number=order.order_number,
            customer_id=order.customer_id,
            quote_id=order.quote_id,
            lines=_lines_to_items(order.lines),
            currency=order.currency,
            status=order.status.value,
            history=[StatusMap(status=h.status.value, at=h.at) for h in order.history],
            created_at=order.created_at,
            expected_delivery=order.expected_delivery.isoformat(),
            payment=order.payment,
            discounts=_discounts_json(order.discounts),
            **_delivery_fields(order.delivery),
        )

    @staticmethod
    def to_order(item: Any) -> Order:
        """Domain order from an item."""
        return Order(
            order_id=item.order_id,
            order_number=item.order_number,
            customer_id=item.customer_id,
            quote_id=item.quote_id,
            lines=_quote_lines(item.lines or []),
            currency=item.currency,
            status=OrderStatus(item.status),
            history=tuple(StatusChange(OrderStatus(h.status), h.at) for h in item.history or []),
            created_at=item.created_at,
            expected_delivery=date.fromisoformat(item.expected_delivery),
            payment=item.payment,
            delivery=_delivery_choice(item),
            discounts=_discounts(item.discounts),
        )

    def get_order(self, order_id: str) -> Order | None:
        """An order by id."""
        item = self._fetch(self.tables.order, *order_key(order_id))
        return None if item is None else self.to_order(item)

    def order_number_item(self, customer_id: str, order_number: str, order_id: str) -> Any:
        """Guard item that makes a spoken order number unique for its customer."""
        return self.tables.order_number(pk=customer_pk(customer_id), sk=f"ORDERNO#{order_number}", order_id=order_id)

    def order_id_for_number(self, customer_id: str, order_number: str) -> str | None:
        """Resolve a spoken order number to the order's id."""
        item = self._fetch(self.tables.order_number, customer_pk(customer_id), f"ORDERNO#{order_number}")
        if item is None:
            return None
        return str(item.order_id)

    def customer_orders(self, customer_id: str, limit: int = 10, cursor: str | None = None) -> OrderPage:
        """A customer's orders newest first, through gsi1, one page at a time."""
        with storage_errors():
            results = self.tables.order.query(
                customer_pk(customer_id),
                self.tables.order.gsi1sk.startswith("ORDER#"),
                index_name=GSI1,
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=_decode_cursor(cursor, customer_id),
            )
            orders = tuple(self.to_order(item) for item in results)
            return OrderPage(orders, _encode_cursor(results.last_evaluated_key))

    def orders_in_status(self, status: OrderStatus, limit: int = 50, cursor: str | None = None) -> OrderPage:
        """Every customer's orders in one status, oldest first (what waits longest comes first), through gsi2.

        A query of one sparse index partition, never a scan. Orders written before gsi2 existed appear
        once their status next changes, or after `voiceshop orders reindex`.
        """
        with storage_errors():
            results = self.tables.order.query(
                f"{ORDERS_BY_STATUS}{status.value}",
                index_name=GSI2,
                limit=limit,
                last_evaluated_key=_decode_cursor(cursor, status=status),
            )
            orders = tuple(self.to_order(item) for item in results)
            return OrderPage(orders, _encode_cursor(results.last_evaluated_key))

    def reindex_orders(self) -> int:
        """Give orders written before gsi2 existed their status index entry; how many were written.

        A one-off ops command, run with ops credentials: it scans the table (pk `ORDER#`, no gsi2pk), as
        nothing else lists every order. Each write is conditioned on the status it read and on gsi2pk
        still being absent, so an order moved meanwhile (which wrote its own entry) is left alone.
        """
        t = self.tables.order
        written = 0
        with storage_errors():
            rows = self.tables.scan_rows("ORDER#", "gsi2pk", ["pk", "sk", "order_id", "status", "created_at"])
            for row in rows:
                created = t.created_at.deserialize(row["created_at"]["S"])
                gsi2pk, gsi2sk = orders_by_status_key(row["status"]["S"], created.isoformat(), row["order_id"]["S"])
                item = t(row["pk"]["S"], row["sk"]["S"])
                condition = t.gsi2pk.does_not_exist() & (t.status == row["status"]["S"])
                if self._update_if(item, [t.gsi2pk.set(gsi2pk), t.gsi2sk.set(gsi2sk)], condition):
                    written += 1
        return written

    # --- a customer's footprint, for `customers forget` (catalog/erasure.py) -----------------------
    def customer_partition_keys(self, customer_id: str) -> list[tuple[str, str]]:
        """The (pk, sk) of every item in the customer's own partition: profile, cart, code change, guards."""
        with storage_errors():
            rows = self.tables.query_rows(self.tables.base, customer_pk(customer_id), attributes=["pk", "sk"])
            return [(row["pk"]["S"], row["sk"]["S"]) for row in rows]

    def customer_index_keys(self, customer_id: str, prefix: str) -> list[tuple[str, str]]:
        """The (pk, sk) of the items listed under the customer in gsi1 whose gsi1sk starts with `prefix`."""
        with storage_errors():
            rows = self.tables.query_rows(self.tables.base, customer_pk(customer_id), GSI1, ["pk", "sk", "gsi1sk"])
            return [(row["pk"]["S"], row["sk"]["S"]) for row in rows if row["gsi1sk"]["S"].startswith(prefix)]

    def raw_items(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Raw items by key, any item class (consistent reads, 100 keys a round trip)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        with storage_errors():
            for start in range(0, len(keys), 100):
                found |= self.tables.get_items(keys[start : start + 100])
        return found
