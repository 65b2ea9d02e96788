"""Business rules of carts and orders, without any storage."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog.errors import IllegalTransition, InvalidQuantity, NotEnoughStock, NotInCart
from catalog.model import Cart, Order, OrderStatus, Product, QuoteLine, StatusChange, expected_delivery_for

OAT_MILK = Product("SKU-1", "Oat Milk", "Oatly", "dairy", "64 oz", Decimal("4.99"), "USD", stock=5)
NOON = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_adding_the_same_product_again_raises_its_quantity():
    cart = Cart("c")
    cart.add(OAT_MILK, 1)
    cart.add(OAT_MILK, 2)
    assert [(line.sku, line.quantity) for line in cart.lines] == [("SKU-1", 3)]


def test_cart_total_is_exact_decimal_money():
    cart = Cart("c")
    cart.add(OAT_MILK, 3)
    assert cart.total == Decimal("14.97")


@pytest.mark.parametrize("quantity", [0, -1, 21, 200])
def test_quantities_outside_one_to_twenty_are_refused(quantity):
    cart = Cart("c")
    with pytest.raises(InvalidQuantity):
        cart.add(OAT_MILK, quantity)
    assert cart.lines == []


def test_more_than_the_stock_is_refused_and_the_cart_is_unchanged():
    cart = Cart("c")
    cart.add(OAT_MILK, 4)
    with pytest.raises(NotEnoughStock) as refused:
        cart.add(OAT_MILK, 2)
    assert refused.value.available == 5
    assert cart.lines[0].quantity == 4


def test_removing_what_is_not_in_the_cart_is_an_error():
    with pytest.raises(NotInCart):
        Cart("c").remove("SKU-1")


def _order(status: OrderStatus) -> Order:
    return Order(
        "o",
        "1234 maple",
        "c",
        "q",
        (QuoteLine("SKU-1", "Oat Milk", Decimal("4.99"), 1),),
        "USD",
        status,
        (StatusChange(status, NOON),),
        NOON,
        expected_delivery_for(NOON),
    )


def test_orders_move_forward_and_keep_their_history():
    order = _order(OrderStatus.RECEIVED).advanced_to(OrderStatus.PREPARING, NOON)
    assert [h.status for h in order.history] == [OrderStatus.RECEIVED, OrderStatus.PREPARING]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OrderStatus.RECEIVED, OrderStatus.DELIVERED),
        (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        (OrderStatus.DELIVERED, OrderStatus.RECEIVED),
        (OrderStatus.CANCELLED, OrderStatus.PREPARING),
    ],
)
def test_illegal_transitions_are_refused(start, target):
    with pytest.raises(IllegalTransition):
        _order(start).advanced_to(target, NOON)


def test_delivery_is_promised_two_days_out():
    assert expected_delivery_for(NOON).isoformat() == "2026-11-25"
