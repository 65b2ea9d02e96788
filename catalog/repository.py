"""Translate between domain objects and DynamoDB items, and read them back.

Writes that must be atomic go through `unit_of_work.UnitOfWork`; this module only builds the items and
reads. Every storage failure leaves here as `StoreUnavailable`, so channels apologise rather than crash.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from catalog.config import Settings, ensure_local_credentials
from catalog.errors import StoreUnavailable
from catalog.model import (
    Cart,
    CartLine,
    Customer,
    Order,
    OrderStatus,
    Product,
    Quote,
    QuoteLine,
    StatusChange,
)
from catalog.tables import GSI1, PRODUCTS_PARTITION, LineMap, PynamoDBException, StatusMap, TableSet, table_set

CONDITION_FAILED = "ConditionalCheckFailed"


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
    """Turn PynamoDB/botocore failures (unreachable, throttled after retries) into one domain error."""
    try:
        yield
    except PynamoDBException as error:
        code = error.cause_response_code or type(error.cause).__name__
        raise StoreUnavailable(detail=str(code)) from error


@dataclass(frozen=True)
class OrderPage:
    """One page of a customer's orders, newest first; `cursor` fetches the next page."""

    orders: tuple[Order, ...]
    cursor: str | None


def _lines_to_items(lines: tuple[QuoteLine, ...] | list[CartLine]) -> list[LineMap]:
    return [LineMap(sku=li.sku, name=li.name, unit_price=str(li.unit_price), quantity=li.quantity) for li in lines]


def _quote_lines(items: list[LineMap]) -> tuple[QuoteLine, ...]:
    return tuple(QuoteLine(i.sku, i.name, Decimal(i.unit_price), int(i.quantity)) for i in items)


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


_CURSOR_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def _decode_cursor(cursor: str | None, customer_id: str) -> dict[str, Any] | None:
    """The start key in a cursor from `_encode_cursor`, for this customer's orders; ValueError otherwise.

    Checked here, not by DynamoDB: it refuses a foreign start key with a ValidationException, which
    reads as "the store is down" (issue 11).
    """
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a cursor this shop handed out") from error
    if (
        not isinstance(decoded, dict)
        or set(decoded) != _CURSOR_KEYS
        or not all(isinstance(value, dict) and isinstance(value.get("S"), str) for value in decoded.values())
        or decoded["gsi1pk"]["S"] != customer_pk(customer_id)
        or not decoded["gsi1sk"]["S"].startswith("ORDER#")
    ):
        raise ValueError("not a cursor this shop handed out for this customer")
    return decoded


class Repository:
    """Reads and item builders for one table binding."""

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
        self.tables: TableSet = table_set(settings.table, settings.endpoint, settings.region)

    # --- schema -------------------------------------------------------------------------------
    def ensure_table(self) -> bool:
        """Create the table and its index if absent; True when it was created."""
        with storage_errors():
            if self.tables.base.exists():
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
            customer_number=item.customer_number or "",
        )

    def customer_item(self, customer: Customer) -> Any:
        """Item for a customer profile."""
        return self.tables.customer(
            pk=customer_pk(customer.customer_id),
            sk="PROFILE",
            customer_id=customer.customer_id,
            display_name=customer.display_name,
            address=customer.address,
            code_hash=customer.code_hash,
            failed_code_attempts=customer.failed_code_attempts,
            locked_until=customer.locked_until,
            customer_number=customer.customer_number,
        )

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
        return Cart(customer_id=customer_id, lines=lines, version=int(item.version or 0)), item

    @staticmethod
    def fill_cart_item(item: Any, cart: Cart) -> Any:
        """Copy the cart's lines onto its item before a versioned save."""
        item.lines = _lines_to_items(cart.lines)
        return item

    # --- quotes -------------------------------------------------------------------------------
    def quote_item(self, quote: Quote) -> Any:
        """Item for a quote; DynamoDB's TTL removes it a day after it expires."""
        pk, sk = quote_key(quote.quote_id)
        return self.tables.quote(
            pk=pk,
            sk=sk,
            quote_id=quote.quote_id,
            customer_id=quote.customer_id,
            lines=_lines_to_items(quote.lines),
            currency=quote.currency,
            created_at=quote.created_at,
            expires_at=quote.expires_at,
            ttl=quote.expires_at + timedelta(days=1),
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
        )

    # --- orders -------------------------------------------------------------------------------
    def order_item(self, order: Order) -> Any:
        """Item for an order, indexed under its customer by creation time."""
        pk, sk = order_key(order.order_id)
        return self.tables.order(
            pk=pk,
            sk=sk,
            gsi1pk=customer_pk(order.customer_id),
            gsi1sk=f"ORDER#{order.created_at.isoformat()}#{order.order_id}",
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
