"""Delivery dates and the return window, as business rules, without a database."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from catalog.delivery import DeliveryOption, parse_delivery
from catalog.errors import IllegalReturnTransition, NoDeliveryAddress, ReturnNotAllowed, UnknownDeliveryOption
from catalog.model import Order, OrderStatus, Quote, QuoteLine, StatusChange
from catalog.policy import build_policy
from catalog.returns import ReturnPolicy, ReturnRecord, ReturnStatus, ReturnStep, parse_warranty

NEW_YORK = ZoneInfo("America/New_York")
STANDARD = DeliveryOption("standard", Decimal("4.99"), days=2, cutoff=time(14, 0))
EXPRESS = DeliveryOption("express", Decimal("9.99"), days=1, cutoff=time(12, 0), weekends=True)


def local(day: str, clock: str) -> datetime:
    """A moment in the shop's time zone (2026-12-04 is a Friday)."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=NEW_YORK)


def test_before_the_cut_off_standard_leaves_today_and_arrives_two_working_days_later():
    assert STANDARD.expected_date(local("2026-12-01", "13:59"), NEW_YORK) == date(2026, 12, 3)  # Tue -> Thu


def test_after_the_cut_off_standard_leaves_the_next_working_day():
    assert STANDARD.expected_date(local("2026-12-01", "14:00"), NEW_YORK) == date(2026, 12, 4)  # Tue -> Fri


def test_friday_after_the_cut_off_skips_the_weekend_twice_over():
    assert STANDARD.expected_date(local("2026-12-04", "10:00"), NEW_YORK) == date(2026, 12, 8)  # Fri -> Tue
    assert STANDARD.expected_date(local("2026-12-04", "15:00"), NEW_YORK) == date(2026, 12, 9)  # Mon + 2 -> Wed
    assert STANDARD.expected_date(local("2026-12-05", "09:00"), NEW_YORK) == date(2026, 12, 9)  # Saturday too


def test_an_option_that_works_weekends_delivers_on_saturday():
    assert EXPRESS.expected_date(local("2026-12-04", "11:00"), NEW_YORK) == date(2026, 12, 5)
    assert EXPRESS.expected_date(local("2026-12-04", "12:30"), NEW_YORK) == date(2026, 12, 6)


def test_the_cut_off_is_the_shops_clock_not_utc():
    # 18:30 UTC is 13:30 in New York (before the 14:00 cut-off) in December
    ordered = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    assert STANDARD.expected_date(ordered, NEW_YORK) == date(2026, 12, 3)
    assert STANDARD.expected_date(ordered, UTC) == date(2026, 12, 4)


def test_the_delivery_price_goes_into_the_quote_total_exactly():
    lines = (QuoteLine("A", "a", Decimal("0.10"), 3), QuoteLine("B", "b", Decimal("0.20"), 1))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    from catalog.delivery import DeliveryChoice

    quote = Quote("q", "c", lines, "USD", now, now, delivery=DeliveryChoice("express", Decimal("9.99"), "1 Elm St"))
    assert quote.subtotal == Decimal("0.50")
    assert quote.total == Decimal("10.49")


def test_without_an_address_the_default_becomes_pickup_but_asking_for_delivery_is_kept():
    delivery = build_policy({}).delivery
    assert delivery.choose(None, "", "").code == "pickup"
    assert delivery.choose(None, "", "1 Elm St").code == "standard"
    assert delivery.choose(None, "express", "1 Elm St").code == "express"
    assert delivery.choose("express", "", "").code == "express"  # the quote refuses it: no address
    with pytest.raises(UnknownDeliveryOption):
        delivery.choose("drone", "", "1 Elm St")
    assert NoDeliveryAddress("express").option == "express"


def test_a_delivery_section_is_checked_when_read():
    with pytest.raises(ValueError):
        parse_delivery({"options": [{"code": "standard", "price": "-1"}]})
    with pytest.raises(ValueError):
        parse_delivery({"options": [{"code": "pickup", "price": "0"}]})  # pickup needs a place
    with pytest.raises(UnknownDeliveryOption):
        parse_delivery({"default": "express", "options": [{"code": "standard", "price": "1"}]})


def delivered_order(delivered_at: datetime, *lines: QuoteLine) -> Order:
    created = delivered_at - timedelta(days=2)
    return Order(
        "o-1", "4821 maple", "c", "q", lines, "USD", OrderStatus.DELIVERED,
        (StatusChange(OrderStatus.RECEIVED, created), StatusChange(OrderStatus.DELIVERED, delivered_at)),
        created, delivered_at.date(),
    )  # fmt: skip


RETURNS = ReturnPolicy(30, {"produce": 2})
MILK = QuoteLine("MILK", "Milk", Decimal("3.49"), 1)
KETTLE = QuoteLine("KETTLE", "Kettle", Decimal("24.00"), 1)
CATEGORIES = {"MILK": "produce", "KETTLE": "household"}


def test_fresh_food_can_go_back_through_the_second_day_after_delivery():
    order = delivered_order(local("2026-12-01", "18:00"), MILK)
    assert RETURNS.plan(order, CATEGORIES, local("2026-12-03", "23:00"), NEW_YORK).lines == (MILK,)
    with pytest.raises(ReturnNotAllowed) as refused:
        RETURNS.plan(order, CATEGORIES, local("2026-12-04", "00:30"), NEW_YORK)
    refusal = refused.value
    assert (refusal.reason, refusal.days, refusal.delivered) == ("window_closed", 2, date(2026, 12, 1))


def test_past_the_fresh_window_only_the_lines_still_in_theirs_go_back():
    order = delivered_order(local("2026-12-01", "18:00"), MILK, KETTLE)
    plan = RETURNS.plan(order, CATEGORIES, local("2026-12-10", "12:00"), NEW_YORK)
    assert (plan.lines, plan.too_late, plan.refund, plan.last_day) == (
        (KETTLE,),
        (MILK,),
        Decimal("24.00"),
        date(2026, 12, 31),
    )


def test_an_order_not_yet_delivered_cannot_be_returned():
    order = replace(delivered_order(local("2026-12-01", "18:00"), KETTLE), status=OrderStatus.SHIPPED, history=())
    with pytest.raises(ReturnNotAllowed) as refused:
        RETURNS.plan(order, CATEGORIES, local("2026-12-02", "12:00"), NEW_YORK)
    assert (refused.value.reason, refused.value.status) == ("not_delivered", "shipped")


def test_a_return_moves_requested_received_refunded_one_step_at_a_time():
    at = local("2026-12-02", "12:00")
    record = ReturnRecord("r", "1234 apple", "o", "4821 maple", "c", (KETTLE,), "USD", ReturnStatus.REQUESTED,
                          (ReturnStep(ReturnStatus.REQUESTED, at),), at)  # fmt: skip
    with pytest.raises(IllegalReturnTransition):
        record.advanced_to(ReturnStatus.REFUNDED, at)
    received = record.advanced_to(ReturnStatus.RECEIVED, at)
    assert received.advanced_to(ReturnStatus.REFUNDED, at).status is ReturnStatus.REFUNDED
    with pytest.raises(IllegalReturnTransition):
        received.advanced_to(ReturnStatus.RECEIVED, at)


def test_a_warranty_is_the_products_own_else_its_categorys():
    warranty = parse_warranty({"default": "", "categories": {"Electronics": "1 year"}, "products": {"X": "2 years"}})
    assert warranty.term_for("X", "electronics") == "2 years"
    assert warranty.term_for("Y", "electronics") == "1 year"
    assert warranty.term_for("Z", "produce") == ""
