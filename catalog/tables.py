"""PynamoDB item classes for voiceshop's single DynamoDB table; the only module that imports pynamodb.

One table with generic keys (`pk`, `sk`) and two indexes serves every access pattern (see the README's
table): a single table lets one transaction span stock, orders and carts, and keeps the SAM template and
IAM policy to one resource. `gsi1` holds most lists; `gsi2` is sparse and holds only orders, by status,
because an order's gsi1 slot is taken by its customer's list.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import (
    Attribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import ITEMS, KEYS, LAST_EVALUATED_KEY, NULL, NUMBER, RESPONSES, UNPROCESSED_KEYS
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.operand import Path
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from catalog.errors import StoreUnavailable

__all__ = [
    "STORE_ERRORS",
    "Connection",
    "PynamoDBException",
    "TableSet",
    "TransactWrite",
    "TransactWriteError",
    "add_to_counter",
    "counter_name",
    "counters",
    "error_code",
    "error_message",
    "orders_by_status_key",
    "outcome_unknown",
    "table_set",
]

STORE_ERRORS: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError, ClientError)
"""Everything a storage call can raise for a store that is down, slow, throttling or refusing."""


def error_code(error: BaseException) -> str:
    """DynamoDB's error code for a failed call, or the name of the transport failure.

    PynamoDB's own `cause_response_code` assumes the botocore cause carries a `response`; a read
    timeout or a closed connection carries None there, and the property raised AttributeError instead
    of the storage error (issue 11: a frozen DynamoDB crashed the kiosk). This reads it defensively.
    """
    cause = getattr(error, "cause", None) or error
    response = getattr(cause, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(cause).__name__


def error_message(error: BaseException) -> str:
    """DynamoDB's own words for a refused call ("" for a transport failure), as safely as `error_code`."""
    response = getattr(getattr(error, "cause", None) or error, "response", None)
    return str((response.get("Error") or {}).get("Message") or "") if isinstance(response, dict) else ""


def outcome_unknown(error: BaseException) -> bool:
    """True when a write may have happened: the request went out and no answer came back.

    A timeout or a dropped connection says nothing about whether DynamoDB applied the write (a frozen
    store applies it when it wakes); an error response (throttled, refused) means it did not.
    """
    cause = getattr(error, "cause", None) or error
    return not isinstance(getattr(cause, "response", None), dict) and isinstance(cause, BotoCoreError)


GSI1 = "gsi1"
GSI2 = "gsi2"
PRODUCTS_PARTITION = "PRODUCTS"
ORDERS_BY_STATUS = "ORDERS#"
"""gsi2 partition prefix: `ORDERS#<status>` / `<created iso>#<order id>`, every order in one status."""


def orders_by_status_key(status: str, created_iso: str, order_id: str) -> tuple[str, str]:
    """The (gsi2pk, gsi2sk) an order carries while it is in `status`: oldest first within a status."""
    return f"{ORDERS_BY_STATUS}{status}", f"{created_iso}#{order_id}"



STEADY = 3
"""Queries a new local index must answer in a row before it counts as ready (`_wait_for_index`)."""

class LineMap(MapAttribute):
    """A priced line inside a cart, quote or order; price stays a decimal string, never a float."""

    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price = UnicodeAttribute()
    quantity = NumberAttribute()


class StatusMap(MapAttribute):
    """One timestamped step of an order's history."""

    status = UnicodeAttribute()
    at = UTCDateTimeAttribute()


@dataclass(frozen=True)
class TableSet:
    """The item classes bound to one table name and endpoint (tests bind a random table per run)."""

    connection: Connection
    base: type[Model]
    product: type[Model]
    catalog_meta: type[Model]
    customer: type[Model]
    customer_number: type[Model]
    cart: type[Model]
    quote: type[Model]
    order: type[Model]
    order_number: type[Model]
    outbox: type[Model]
    callback: type[Model]
    return_record: type[Model]
    return_number: type[Model]
    policy: type[Model]
    promotions: type[Model]
    search_count: type[Model]

    def add_missing_indexes(self) -> list[str]:
        """Create the indexes the item classes declare and the existing table lacks; their names.

        A table made before an index existed (a developer's DynamoDB Local in .data/) would otherwise
        refuse every query on it. On AWS the template adds indexes; this is for local tables. DynamoDB
        builds a new index from the items already there, and takes one new index per UpdateTable at a
        time, so each is created and waited for in turn.
        """
        table = self.base.Meta.table_name
        described = self.connection.describe_table(table)
        present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", ())}
        created = []
        for index in self.base._get_schema()["global_secondary_indexes"]:
            if index["index_name"] in present:
                continue
            self.connection.client.update_table(
                TableName=table,
                AttributeDefinitions=index["attribute_definitions"],
                GlobalSecondaryIndexUpdates=[
                    {
                        "Create": {
                            "IndexName": index["index_name"],
                            "KeySchema": index["key_schema"],
                            "Projection": index["projection"],
                        }
                    }
                ],
            )
            self._wait_for_index(index["index_name"], index["key_schema"][0]["AttributeName"])
            created.append(index["index_name"])
        return created

    def _wait_for_index(self, name: str, hash_key: str, timeout_seconds: float = 120.0) -> None:
        """Wait until a new index is ACTIVE and answers a query.

        DynamoDB Local has answered InternalFailure for a moment after reporting ACTIVE, on a busy machine, and
        once after answering one query (a clean-clone CI run): so it must answer `STEADY` queries in a row.
        An index that never answers is an error, not a silent return: ops would otherwise be told the table
        is ready and every query on the index would fail later (DynamoDB Local 2.6.1 holding a few hundred
        tables reports such an index ACTIVE and never adds its columns: "no such column: indexKey_2").
        """
        table = self.base.Meta.table_name
        deadline = time.monotonic() + timeout_seconds
        answered = 0
        while time.monotonic() < deadline:
            described = self.connection.describe_table(table)
            states = {i["IndexName"]: i.get("IndexStatus") for i in described.get("GlobalSecondaryIndexes", ())}
            if states.get(name) == "ACTIVE":
                try:
                    self.connection.client.query(
                        TableName=table,
                        IndexName=name,
                        KeyConditionExpression="#h = :h",
                        ExpressionAttributeNames={"#h": hash_key},
                        ExpressionAttributeValues={":h": {"S": "-"}},
                        Limit=1,
                    )
                    answered += 1
                    if answered >= STEADY:
                        return
                    time.sleep(0.1)
                    continue
                except ClientError as error:
                    if error_code(error) != "InternalFailure":
                        raise
            answered = 0
            time.sleep(0.2)
        raise StoreUnavailable(detail=f"index {name} did not answer within {timeout_seconds:.0f} s")

    def scan_rows(self, prefix: str, missing: str, attributes: list[str]) -> Iterator[dict[str, Any]]:
        """Raw items whose pk starts with `prefix` and that lack the attribute `missing`, page after page.

        A table scan: only for one-off ops commands run with ops credentials (`voiceshop orders reindex`);
        the Lambda is not granted Scan, and nothing a shopper does reads this way.
        """
        start: dict[str, Any] | None = None
        while True:
            kwargs: dict[str, Any] = {
                "TableName": self.base.Meta.table_name,
                "FilterExpression": "begins_with(pk, :prefix) AND attribute_not_exists(#missing)",
                "ExpressionAttributeValues": {":prefix": {"S": prefix}},
                "ExpressionAttributeNames": {"#missing": missing},
                "ProjectionExpression": ", ".join(f"#a{i}" for i in range(len(attributes))),
            }
            kwargs["ExpressionAttributeNames"].update({f"#a{i}": name for i, name in enumerate(attributes)})
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.connection.client.scan(**kwargs)
            yield from page.get("Items", ())
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def query_rows(
        self, model: type[Model], hash_key: str, index_name: str | None = None, attributes: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every raw item of one partition, page after page (only `attributes`, when given)."""
        start: dict[str, Any] | None = None
        while True:
            page = self.connection.query(
                model.Meta.table_name,
                hash_key,
                index_name=index_name,
                exclusive_start_key=start,
                attributes_to_get=attributes,
            )
            yield from page.get(ITEMS, ())
            start = page.get(LAST_EVALUATED_KEY)
            if not start:
                return

    def query_fields(self, model: type[Model], hash_key: str, index_name: str | None = None) -> Iterator[Any]:
        """Every item of one partition, page after page, as a plain object with the model's attribute values.

        For reads that only copy fields into domain objects: `Model.query` builds a PynamoDB item per row
        (defaults, descriptors, discriminator) that is thrown away at once, which made the first catalog
        load of a cold start ~20-40 ms slower than the query itself. The request is the same Query on the
        same connection, and each value goes through the attribute's own `deserialize`; attributes absent
        from the row are None (no model defaults), so readers keep their own fallbacks. Only the model's
        declared attributes are asked for, so counters kept beside them (a product's co-purchase counts,
        `counter_name`) never ride along on a catalog load.
        """
        attributes = model.get_attributes()
        wanted = sorted({attribute.attr_name for attribute in attributes.values()})
        for row in self.query_rows(model, hash_key, index_name, attributes=wanted):
            yield SimpleNamespace(**{name: _field(attribute, row) for name, attribute in attributes.items()})

    def get_items(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Raw items of any item classes by (pk, sk), in consistent BatchGetItem round trips.

        PynamoDB's `batch_get` reads one item class at a time; a cart change needs the product (for live
        stock) and the cart, and one round trip instead of two is a fifth of an add-to-cart turn on
        DynamoDB Local. Keys DynamoDB leaves unprocessed (throttling) are asked for again.
        """
        table = self.base.Meta.table_name
        found: dict[tuple[str, str], dict[str, Any]] = {}
        wanted = [{"pk": pk, "sk": sk} for pk, sk in dict.fromkeys(keys)]
        while wanted:
            page = self.connection.batch_get_item(table, wanted, consistent_read=True)
            for row in page.get(RESPONSES, {}).get(table, ()):
                found[(row["pk"]["S"], row["sk"]["S"])] = row
            wanted = page.get(UNPROCESSED_KEYS, {}).get(table, {}).get(KEYS, [])
            wanted = [{name: value["S"] for name, value in key.items()} for key in wanted]
        return found


def counter_name(prefix: str, key: str) -> str:
    """A top-level number attribute named for a key (`with#SKU-1`): one item, one counter per key."""
    return f"{prefix}{key}"


def add_to_counter(name: str, amount: int) -> Any:
    """An update action adding `amount` to a top-level number attribute the model does not declare.

    DynamoDB's ADD creates the attribute at 0 first, so counters need no setting up; a map would (ADD
    on `map.key` fails while the map itself is absent). The name is one path segment, never split on dots.
    """
    return Path([name]).add({NUMBER: str(amount)})


def counters(row: dict[str, Any], prefix: str) -> dict[str, int]:
    """The number attributes of a raw item whose names start with `prefix`, keyed by the rest of the name."""
    return {
        name[len(prefix) :]: int(value[NUMBER])
        for name, value in row.items()
        if name.startswith(prefix) and NUMBER in value
    }


def _field(attribute: Attribute[Any], row: dict[str, Any]) -> Any:
    """One attribute's value from a raw DynamoDB item, as `Model.from_raw_data` would set it (None if absent)."""
    value = row.get(attribute.attr_name)
    if not value or NULL in value:
        return None
    return attribute.deserialize(attribute.get_value(value))


def _share_one_connection(base: type[Model]) -> Connection:
    """Bind every item class (and transactions) to the base class's connection, hence to one botocore client.

    PynamoDB otherwise gives each Model class its own connection, and each connection its own botocore
    session and client on first use (pynamodb/PynamoDB#876, #1245): a cold Lambda paid ~100-150 ms of
    service-model loading per item class a turn touched, twice on the very first search. The item classes
    all subclass `base`, so they share its table name, key schema and index, which is all a table
    connection holds; `_connection` is the attribute `Model._get_connection` caches it in.
    """
    shared = base._get_connection()
    for model in base.__subclasses__():
        model._connection = shared
    return shared.connection


@cache
def table_set(
    table_name: str, host: str | None, region: str, timeout_seconds: float = 1.0, attempts: int = 2
) -> TableSet:
    """Build (once per binding) the Model classes for a table; cached so connections are reused.

    `timeout_seconds` bounds each connect and each read, and `attempts` the tries per call (botocore's
    standard retry mode, which backs off on throttling): a call to a frozen store fails in about
    `attempts * timeout_seconds`, so a whole turn apologises well inside Alexa's 8 s and the 7 s Lambda
    timeout. DynamoDB answers in milliseconds; one second is two orders of magnitude of headroom.
    """
    settings: dict[str, Any] = {
        "table_name": table_name,
        "region": region,
        "host": host,
        "billing_mode": "PAY_PER_REQUEST",
        "connect_timeout_seconds": timeout_seconds,
        "read_timeout_seconds": timeout_seconds,
        "max_retry_attempts": max(0, attempts - 1),
    }
    meta = type("Meta", (), settings)

    class Gsi1(GlobalSecondaryIndex):
        """Orders by customer (newest first) and the product list for index builds, without scans."""

        Meta = type("Meta", (), {"index_name": GSI1, "projection": AllProjection()})
        gsi1pk = UnicodeAttribute(hash_key=True)
        gsi1sk = UnicodeAttribute(range_key=True)

    class Gsi2(GlobalSecondaryIndex):
        """Orders by status across customers (sparse: only order items carry gsi2pk), without scans."""

        Meta = type("Meta", (), {"index_name": GSI2, "projection": AllProjection()})
        gsi2pk = UnicodeAttribute(hash_key=True)
        gsi2sk = UnicodeAttribute(range_key=True)

    class Base(Model):
        """Key schema shared by every item type; also used to create the table."""

        Meta = meta
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        gsi2pk = UnicodeAttribute(null=True)
        gsi2sk = UnicodeAttribute(null=True)
        ttl = TTLAttribute(null=True)
        by_gsi1 = Gsi1()
        by_gsi2 = Gsi2()

    class ProductItem(Base):
        """pk=PRODUCT#sku, sk=PRODUCT; gsi1 partition PRODUCTS lists the catalog."""

        sku = UnicodeAttribute()
        name = UnicodeAttribute()
        brand = UnicodeAttribute(default="")
        category = UnicodeAttribute(default="")
        size = UnicodeAttribute(default="")
        price = UnicodeAttribute()
        currency = UnicodeAttribute(default="USD")
        stock = NumberAttribute(default=0)
        synonyms = ListAttribute(of=UnicodeAttribute, default=list)
        units_sold = NumberAttribute(null=True)
        """Units in orders standing (placed, less cancelled and received back), added by the checkout itself.

        Beside it, undeclared `with#<sku>` counters: in how many orders this product and that one were
        bought together (`catalog.sales`)."""

    class CatalogMetaItem(Base):
        """pk=CATALOG, sk=VERSION: bumped on every import so search caches know to rebuild."""

        version = NumberAttribute(default=0)
        updated_at = UTCDateTimeAttribute(null=True)

    class CustomerItem(Base):
        """pk=CUSTOMER#id, sk=PROFILE."""

        customer_id = UnicodeAttribute()
        display_name = UnicodeAttribute(default="")
        address = UnicodeAttribute(default="")
        code_hash = UnicodeAttribute(default="")
        failed_code_attempts = NumberAttribute(default=0)
        locked_until = UTCDateTimeAttribute(null=True)
        failed_sign_ins = NumberAttribute(default=0)
        sign_in_locked_until = UTCDateTimeAttribute(null=True)
        customer_number = UnicodeAttribute(default="")
        delivery_option = UnicodeAttribute(default="")

    class CustomerNumberItem(Base):
        """pk=CUSTNO#number, sk=CUSTNO: a short number a customer can say at the kiosk to sign in."""

        customer_id = UnicodeAttribute()

    class CartItem(Base):
        """pk=CUSTOMER#id, sk=CART; the version guards against two channels writing at once."""

        customer_id = UnicodeAttribute()
        lines = ListAttribute(of=LineMap, default=list)
        currency = UnicodeAttribute(null=True)
        orders_made = ListAttribute(of=UnicodeAttribute, null=True)  # "<cart version> <order number>", the last few
        version = VersionAttribute()

    class QuoteItem(Base):
        """pk=QUOTE#id, sk=QUOTE; expires through the table's TTL."""

        quote_id = UnicodeAttribute()
        customer_id = UnicodeAttribute()
        lines = ListAttribute(of=LineMap, default=list)
        currency = UnicodeAttribute(default="USD")
        cart_version = NumberAttribute(null=True)
        created_at = UTCDateTimeAttribute()
        expires_at = UTCDateTimeAttribute()
        delivery_option = UnicodeAttribute(null=True)
        delivery_price = UnicodeAttribute(null=True)
        delivery_to = UnicodeAttribute(null=True)
        discounts = UnicodeAttribute(null=True)
        """The promotions applied when quoted, as JSON (sku, promotion id, title, amount per line)."""

    class OrderItem(Base):
        """pk=ORDER#id, sk=ORDER; gsi1 = CUSTOMER#id / ORDER#created#id lists a customer's orders.

        gsi2 = ORDERS#<status> / created#id lists every order in one status; the status change rewrites it.
        """

        order_id = UnicodeAttribute()
        order_number = UnicodeAttribute()
        customer_id = UnicodeAttribute()
        quote_id = UnicodeAttribute()
        lines = ListAttribute(of=LineMap, default=list)
        currency = UnicodeAttribute(default="USD")
        status = UnicodeAttribute()
        history = ListAttribute(of=StatusMap, default=list)
        created_at = UTCDateTimeAttribute()
        expected_delivery = UnicodeAttribute()
        payment = UnicodeAttribute(default="pay_on_delivery")
        delivery_option = UnicodeAttribute(null=True)
        delivery_price = UnicodeAttribute(null=True)
        delivery_to = UnicodeAttribute(null=True)
        """A snapshot of the address (or the pickup place) when the order was placed."""
        discounts = UnicodeAttribute(null=True)
        """The promotions the confirmed quote applied (a snapshot: later promotion changes never alter it)."""

    class OrderNumberItem(Base):
        """pk=CUSTOMER#id, sk=ORDERNO#number: keeps spoken order numbers unique per customer."""

        order_id = UnicodeAttribute()

    class OutboxItem(Base):
        """pk=EVENT#id, sk=EVENT: an order event and its webhook delivery; gsi1 = OUTBOX#<state> / occurred#id.

        Written in the transaction of the change it reports. `state` (pending, delivered, dead) moves the
        item between gsi1 partitions, so the deliverer and ops query what is due or dead, never scan.
        """

        event_id = UnicodeAttribute()
        event_type = UnicodeAttribute()
        occurred_at = UTCDateTimeAttribute()
        body = UnicodeAttribute()
        order_id = UnicodeAttribute(null=True)
        status = UnicodeAttribute(null=True)
        state = UnicodeAttribute(default="pending")
        attempts = NumberAttribute(default=0)
        next_attempt_at = UTCDateTimeAttribute(null=True)
        claimed_by = UnicodeAttribute(null=True)
        claim_until = UTCDateTimeAttribute(null=True)
        last_error = UnicodeAttribute(null=True)
        delivered_at = UTCDateTimeAttribute(null=True)

    class CallbackItem(Base):
        """pk=CALLBACK#id, sk=CALLBACK: a shopper asked for a person; gsi1 = CALLBACKS#<state> / created#id."""

        callback_id = UnicodeAttribute()
        customer_id = UnicodeAttribute()
        channel = UnicodeAttribute()
        reason = UnicodeAttribute()
        utterances = ListAttribute(of=UnicodeAttribute, default=list)
        cart = ListAttribute(of=LineMap, default=list)
        state = UnicodeAttribute(default="open")
        created_at = UTCDateTimeAttribute()
        done_at = UTCDateTimeAttribute(null=True)
        note = UnicodeAttribute(null=True)

    class ReturnItem(Base):
        """pk=RETURN#id, sk=RETURN; gsi1 = RETURNS / RETURN#created#id lists every return for ops."""

        return_id = UnicodeAttribute()
        return_number = UnicodeAttribute()
        order_id = UnicodeAttribute()
        order_number = UnicodeAttribute()
        customer_id = UnicodeAttribute()
        lines = ListAttribute(of=LineMap, default=list)
        currency = UnicodeAttribute(default="USD")
        status = UnicodeAttribute()
        history = ListAttribute(of=StatusMap, default=list)
        created_at = UTCDateTimeAttribute()

    class ReturnNumberItem(Base):
        """pk=CUSTOMER#id, sk=RETURNNO#number: keeps spoken return numbers unique per customer."""

        return_id = UnicodeAttribute()

    class PolicyItem(Base):
        """pk=CATALOG, sk=POLICY: the delivery, returns and warranty sections last imported, as JSON."""

        sections = UnicodeAttribute(default="{}")

    class PromotionsItem(Base):
        """pk=CATALOG, sk=PROMOTIONS: every promotion ops imported, as one JSON list (see catalog/deals.py)."""

        promotions = UnicodeAttribute(default="[]")
        version = VersionAttribute()

    class SearchCountItem(Base):
        """pk=SEARCHES#<yyyy-mm-dd>, sk=<outcome>#<channel>#<query>: how often a search went unanswered that day.

        `n` only ever grows by UpdateItem ADD, so writers on many Lambdas never overwrite each other's
        counts; the item holds no customer, only the normalised words (`catalog.unanswered`).
        """

        n = NumberAttribute(default=0)

    return TableSet(
        connection=_share_one_connection(Base),
        base=Base,
        product=ProductItem,
        catalog_meta=CatalogMetaItem,
        customer=CustomerItem,
        customer_number=CustomerNumberItem,
        cart=CartItem,
        quote=QuoteItem,
        order=OrderItem,
        order_number=OrderNumberItem,
        outbox=OutboxItem,
        callback=CallbackItem,
        return_record=ReturnItem,
        return_number=ReturnNumberItem,
        policy=PolicyItem,
        promotions=PromotionsItem,
        search_count=SearchCountItem,
    )
