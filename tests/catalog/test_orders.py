"""Order lifecycle on DynamoDB Local: status history, cancel with restock, reorder, paging."""

import pytest

from catalog.errors import IllegalTransition, OrderNotFound
from catalog.model import OrderStatus
from tests.conftest import add_product, random_ref


def _place(shop, customer, sku, quantity=1):
    shop.add_to_cart(customer, sku, quantity)
    return shop.place(shop.quote(customer).quote_id, confirmed=True)


def test_order_number_is_four_digits_and_a_word(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    digits, word = order.order_number.split(" ")
    assert digits.isdigit() and len(digits) == 4
    assert word.isalpha()


def test_an_order_is_found_by_its_spoken_number(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    assert empty_shop.order(customer, order.order_number.upper()).order_id == order.order_id


def test_another_customer_cannot_see_my_order(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    with pytest.raises(OrderNotFound):
        empty_shop.order(random_ref("stranger"), order.order_number)
    with pytest.raises(OrderNotFound):
        empty_shop.order(random_ref("stranger"), order.order_id)


def test_cancel_before_shipping_restocks(empty_shop, customer):
    product = add_product(empty_shop, stock=10)
    order = _place(empty_shop, customer, product.sku, 3)
    assert empty_shop.product(product.sku).stock == 7
    cancelled = empty_shop.cancel(customer, order.order_number)
    assert cancelled.status is OrderStatus.CANCELLED
    assert empty_shop.product(product.sku).stock == 10
    assert empty_shop.order(customer, order.order_id).status is OrderStatus.CANCELLED


def test_cancelling_twice_restocks_once(empty_shop, customer):
    product = add_product(empty_shop, stock=10)
    order = _place(empty_shop, customer, product.sku, 3)
    empty_shop.cancel(customer, order.order_id)
    with pytest.raises(IllegalTransition):
        empty_shop.cancel(customer, order.order_id)
    assert empty_shop.product(product.sku).stock == 10


def test_a_shipped_order_cannot_be_cancelled(empty_shop, customer):
    product = add_product(empty_shop, stock=10)
    order = _place(empty_shop, customer, product.sku, 2)
    empty_shop.advance(order.order_id, "preparing")
    empty_shop.advance(order.order_id, "shipped")
    with pytest.raises(IllegalTransition):
        empty_shop.cancel(customer, order.order_id)
    assert empty_shop.product(product.sku).stock == 8


def test_every_transition_is_timestamped_in_the_history(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        empty_shop.advance(order.order_id, status)
    stored = empty_shop.order(customer, order.order_id)
    assert [h.status.value for h in stored.history] == [
        "received",
        "preparing",
        "shipped",
        "out_for_delivery",
        "delivered",
    ]
    assert [h.at for h in stored.history] == sorted(h.at for h in stored.history)


def test_illegal_transition_is_refused_and_changes_nothing(empty_shop, customer):
    order = _place(empty_shop, customer, add_product(empty_shop).sku)
    with pytest.raises(IllegalTransition):
        empty_shop.advance(order.order_id, "delivered")
    assert empty_shop.order(customer, order.order_id).status is OrderStatus.RECEIVED


def test_reorder_quotes_todays_price_without_touching_the_cart(empty_shop, customer):
    product = add_product(empty_shop, stock=10, price="2.00")
    order = _place(empty_shop, customer, product.sku, 2)
    empty_shop.import_products([product.__class__(**{**product.__dict__, "price": product.price * 2})])
    quote = empty_shop.reorder(customer, order.order_number)
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in quote.lines] == [(product.sku, 2, "4.00")]
    assert empty_shop.cart(customer).lines == []


def test_orders_are_listed_newest_first_a_page_at_a_time(empty_shop, customer):
    product = add_product(empty_shop, stock=20)
    placed = [_place(empty_shop, customer, product.sku).order_id for _ in range(5)]
    first = empty_shop.orders(customer, limit=2)
    second = empty_shop.orders(customer, limit=2, cursor=first.cursor)
    third = empty_shop.orders(customer, limit=2, cursor=second.cursor)
    listed = [o.order_id for page in (first, second, third) for o in page.orders]
    assert listed == list(reversed(placed))
