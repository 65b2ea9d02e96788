"""The outbox on DynamoDB Local: an event exists exactly when the change it reports committed."""

import json
from datetime import timedelta

import pytest

from catalog.config import REPO_ROOT
from catalog.errors import IllegalTransition, LinesUnavailable
from catalog.events import ORDER_CANCELLED, ORDER_PLACED, ORDER_STATUS_CHANGED
from catalog.model import OrderStatus, utcnow
from catalog.outbox import DELIVERED, PENDING, Outbox
from tests.conftest import add_product, random_ref


def _place(shop, customer, sku, quantity=1):
    shop.add_to_cart(customer, sku, quantity)
    return shop.place(shop.quote(customer).quote_id, confirmed=True)


def _events(shop):
    return [json.loads(entry.body) for entry in Outbox(shop.repository).in_state(PENDING)]


def test_placing_an_order_appends_one_order_placed_event(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop, price="1.25").sku, 2)
    [event] = _events(empty_shop)
    assert event["type"] == ORDER_PLACED
    assert event["schema_version"] == 1
    assert event["data"]["order_id"] == order.order_id
    assert event["data"]["order_number"] == order.order_number
    assert event["data"]["total"] == "2.50"
    assert event["data"]["status"] == "received"


def test_placing_the_same_quote_twice_is_still_one_event(empty_shop, customer):
    empty_shop.add_to_cart(customer, add_product(empty_shop).sku, 1)
    quote = empty_shop.quote(customer)
    empty_shop.place(quote.quote_id, confirmed=True)
    empty_shop.place(quote.quote_id, confirmed=True)
    assert len(_events(empty_shop)) == 1


def test_a_cancelled_checkout_transaction_writes_no_event(empty_shop, customer):
    product = add_product(empty_shop, stock=5)
    empty_shop.add_to_cart(customer, product.sku, 5)
    quote = empty_shop.quote(customer)
    other = random_ref("other")
    _place(empty_shop, other, product.sku, 1)  # someone else takes one: the quote can't be filled
    with pytest.raises(LinesUnavailable):
        empty_shop.place(quote.quote_id, confirmed=True)
    assert [event["data"]["customer_id"] for event in _events(empty_shop)] == [other]


def test_every_status_change_and_the_cancel_is_an_event(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    empty_shop.advance(order.order_id, "preparing")
    empty_shop.cancel(customer, order.order_id)
    events = sorted(_events(empty_shop), key=lambda e: e["occurred_at"])
    assert [e["type"] for e in events] == [ORDER_PLACED, ORDER_STATUS_CHANGED, ORDER_CANCELLED]
    assert [(e["data"].get("previous_status"), e["data"]["status"]) for e in events] == [
        (None, "received"),
        ("received", "preparing"),
        ("preparing", "cancelled"),
    ]


def test_a_lost_race_to_move_an_order_writes_no_second_event(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    empty_shop.cancel(customer, order.order_id)
    with pytest.raises(IllegalTransition):
        empty_shop._cancel(order)  # a second channel still holding the order as received
    with pytest.raises(IllegalTransition):
        empty_shop.advance(order.order_id, OrderStatus.PREPARING)
    assert [e["type"] for e in _events(empty_shop)].count(ORDER_CANCELLED) == 1
    assert len(_events(empty_shop)) == 2


def test_a_claimed_event_cannot_be_claimed_again_until_its_lease_runs_out(empty_shop, customer):
    _place(empty_shop, customer, add_product(empty_shop).sku)
    outbox = Outbox(empty_shop.repository)
    [entry] = outbox.due(utcnow())
    now = utcnow()
    assert outbox.claim(entry.event_id, "a", now, timedelta(seconds=30)) is not None
    assert outbox.claim(entry.event_id, "b", now, timedelta(seconds=30)) is None
    assert outbox.claim(entry.event_id, "b", now + timedelta(seconds=31), timedelta(seconds=30)) is not None
    assert not outbox.mark_delivered(entry.event_id, "a", now)  # a lost its lease: it may not report
    assert outbox.mark_delivered(entry.event_id, "b", now)
    assert outbox.get(entry.event_id).state == DELIVERED
    assert outbox.claim(entry.event_id, "c", now + timedelta(hours=1), timedelta(seconds=30)) is None


def test_events_have_the_documented_shape(empty_shop, customer):
    """docs/event.schema.json's required fields and patterns, checked without a schema library."""
    import re

    from catalog.config import REPO_ROOT

    schema = json.loads((REPO_ROOT / "docs" / "event.schema.json").read_text())
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    empty_shop.cancel(customer, order.order_id)
    order_schema = schema["$defs"]["order"]
    for event in _events(empty_shop):
        assert set(schema["required"]) <= set(event) <= set(schema["properties"])
        assert re.fullmatch(schema["properties"]["id"]["pattern"], event["id"])
        assert set(order_schema["required"]) <= set(event["data"]) <= set(order_schema["properties"])
        assert event["data"]["status"] in schema["$defs"]["status"]["enum"]
        money = schema["$defs"]["money"]["pattern"]
        assert all(re.fullmatch(money, line["unit_price"]) for line in event["data"]["lines"])


def test_each_step_of_a_return_is_an_event_of_the_same_transaction(empty_shop, customer):
    product = add_product(empty_shop, stock=4)
    order = _place(empty_shop, customer, product.sku, 2)
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        empty_shop.advance(order.order_id, status)
    record = empty_shop.start_return(customer, order.order_id)
    empty_shop.start_return(customer, order.order_id)  # the same return again: no second event
    empty_shop.advance_return(record.return_id, "received")
    returns = [e for e in _events(empty_shop) if e["type"].startswith("return.")]
    assert sorted(e["type"] for e in returns if e["data"]["return_id"] == record.return_id) == [
        "return.received",
        "return.requested",
    ]
    schema = json.loads((REPO_ROOT / "docs" / "event.schema.json").read_text())["$defs"]["return"]
    assert all(set(schema["required"]) <= set(e["data"]) for e in returns)
