"""Checkout on the real DynamoDB Local: never oversell, never double-charge, name what failed."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from catalog.errors import (
    ConfirmationRequired,
    EmptyCart,
    LinesUnavailable,
    PurchaseCodeRequired,
    PurchasesLocked,
    QuoteNotFound,
    WrongPurchaseCode,
)
from catalog.model import OrderStatus
from tests.conftest import add_product, random_ref


def test_quote_reads_back_lines_and_total(empty_shop, customer):
    milk = add_product(empty_shop, price="4.99")
    empty_shop.add_to_cart(customer, milk.sku, 3)
    quote = empty_shop.quote(customer)
    assert [(line.sku, line.quantity) for line in quote.lines] == [(milk.sku, 3)]
    assert str(quote.total) == "14.97"


def test_an_empty_cart_cannot_be_quoted(empty_shop, customer):
    with pytest.raises(EmptyCart):
        empty_shop.quote(customer)


def test_placing_decrements_stock_empties_the_cart_and_records_pay_on_delivery(empty_shop, customer):
    milk = add_product(empty_shop, stock=10)
    empty_shop.add_to_cart(customer, milk.sku, 4)
    order = empty_shop.place(empty_shop.quote(customer).quote_id, confirmed=True)
    assert empty_shop.product(milk.sku).stock == 6
    assert empty_shop.cart(customer).lines == []
    assert order.status is OrderStatus.RECEIVED
    assert order.payment == "pay_on_delivery"
    assert empty_shop.latest_order(customer).order_id == order.order_id


def test_placing_without_confirmation_changes_nothing(empty_shop, customer):
    milk = add_product(empty_shop, stock=10)
    empty_shop.add_to_cart(customer, milk.sku, 1)
    quote = empty_shop.quote(customer)
    with pytest.raises(ConfirmationRequired):
        empty_shop.place(quote.quote_id, confirmed=False)
    assert empty_shop.product(milk.sku).stock == 10
    assert empty_shop.orders(customer).orders == ()


def test_the_same_quote_placed_three_times_is_one_order(empty_shop, customer):
    milk = add_product(empty_shop, stock=10)
    empty_shop.add_to_cart(customer, milk.sku, 2)
    quote = empty_shop.quote(customer)
    orders = {empty_shop.place(quote.quote_id, confirmed=True).order_id for _ in range(3)}
    assert len(orders) == 1
    assert len(empty_shop.orders(customer).orders) == 1
    assert empty_shop.product(milk.sku).stock == 8


def test_the_same_quote_placed_concurrently_is_still_one_order(empty_shop, customer):
    milk = add_product(empty_shop, stock=10)
    empty_shop.add_to_cart(customer, milk.sku, 2)
    quote = empty_shop.quote(customer)
    with ThreadPoolExecutor(max_workers=3) as pool:
        ids = set(pool.map(lambda _: empty_shop.place(quote.quote_id, confirmed=True).order_id, range(3)))
    assert len(ids) == 1
    assert empty_shop.product(milk.sku).stock == 8


def test_twenty_concurrent_checkouts_for_the_last_five_units_make_exactly_five_orders(empty_shop):
    last_five = add_product(empty_shop, stock=5)
    customers = [random_ref("racer") for _ in range(20)]
    quotes = []
    for shopper in customers:
        empty_shop.add_to_cart(shopper, last_five.sku, 1)
        quotes.append(empty_shop.quote(shopper).quote_id)

    def checkout(quote_id: str) -> str:
        try:
            empty_shop.place(quote_id, confirmed=True)
        except LinesUnavailable:
            return "sold out"
        return "ordered"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(checkout, quotes))
    assert outcomes.count("ordered") == 5
    assert outcomes.count("sold out") == 15
    assert empty_shop.product(last_five.sku).stock == 0
    assert sum(len(empty_shop.orders(c).orders) for c in customers) == 5


def test_a_line_that_ran_out_after_quoting_is_named_and_nothing_changes(empty_shop, customer):
    plenty = add_product(empty_shop, stock=10)
    scarce = add_product(empty_shop, stock=2)
    empty_shop.add_to_cart(customer, plenty.sku, 1)
    empty_shop.add_to_cart(customer, scarce.sku, 2)
    quote = empty_shop.quote(customer)
    rival = random_ref("rival")
    empty_shop.add_to_cart(rival, scarce.sku, 1)
    empty_shop.place(empty_shop.quote(rival).quote_id, confirmed=True)

    with pytest.raises(LinesUnavailable) as refused:
        empty_shop.place(quote.quote_id, confirmed=True)
    assert [(line.sku, line.available) for line in refused.value.lines] == [(scarce.sku, 1)]
    assert empty_shop.product(plenty.sku).stock == 10
    assert empty_shop.orders(customer).orders == ()
    assert len(empty_shop.cart(customer).lines) == 2


def test_another_customers_quote_cannot_be_placed(empty_shop, customer):
    milk = add_product(empty_shop)
    empty_shop.add_to_cart(customer, milk.sku, 1)
    quote = empty_shop.quote(customer)
    with pytest.raises(QuoteNotFound):
        empty_shop.place(quote.quote_id, confirmed=True, customer_id=random_ref("stranger"))


def test_purchase_code_is_required_once_set(empty_shop, customer):
    milk = add_product(empty_shop)
    empty_shop.set_purchase_code(customer, "4271")
    empty_shop.add_to_cart(customer, milk.sku, 1)
    quote = empty_shop.quote(customer)
    with pytest.raises(PurchaseCodeRequired):
        empty_shop.place(quote.quote_id, confirmed=True)
    with pytest.raises(WrongPurchaseCode) as wrong:
        empty_shop.place(quote.quote_id, confirmed=True, purchase_code="1111")
    assert wrong.value.attempts_left == 4
    order = empty_shop.place(quote.quote_id, confirmed=True, purchase_code="4271")
    assert order.status is OrderStatus.RECEIVED


def test_purchase_code_is_stored_hashed(empty_shop, customer):
    empty_shop.set_purchase_code(customer, "4271")
    stored = empty_shop.customer(customer).code_hash
    assert "4271" not in stored
    assert stored.startswith("scrypt$")


def test_five_wrong_codes_lock_purchases_even_with_the_right_code(empty_shop, customer):
    milk = add_product(empty_shop)
    empty_shop.set_purchase_code(customer, "4271")
    empty_shop.add_to_cart(customer, milk.sku, 1)
    quote = empty_shop.quote(customer)
    for _ in range(4):
        with pytest.raises(WrongPurchaseCode):
            empty_shop.place(quote.quote_id, confirmed=True, purchase_code="0000")
    with pytest.raises(PurchasesLocked):
        empty_shop.place(quote.quote_id, confirmed=True, purchase_code="0000")
    with pytest.raises(PurchasesLocked):
        empty_shop.place(quote.quote_id, confirmed=True, purchase_code="4271")
    assert empty_shop.orders(customer).orders == ()
    assert empty_shop.product(milk.sku).stock == milk.stock


def test_changing_the_code_needs_the_current_one(empty_shop, customer):
    empty_shop.set_purchase_code(customer, "4271")
    with pytest.raises(PurchaseCodeRequired):
        empty_shop.set_purchase_code(customer, "9999")
    empty_shop.set_purchase_code(customer, "9999", current_code="4271")
    with pytest.raises(WrongPurchaseCode):
        empty_shop.set_purchase_code(customer, "1234", current_code="4271")


def test_a_customer_number_is_allocated_once_and_signs_in_with_the_code(empty_shop, customer):
    from catalog.errors import SignInRefused

    number = empty_shop.customer_number(customer)
    assert len(number) == 6 and number.isdigit()
    assert empty_shop.customer_number(customer) == number
    with pytest.raises(SignInRefused):
        empty_shop.sign_in(number, "4271")  # no purchase code yet: a number alone proves nothing
    empty_shop.set_purchase_code(customer, "4271")
    with pytest.raises(SignInRefused):
        empty_shop.sign_in(number, "0000")  # the same refusal as an unknown number: no tries-left count
    assert empty_shop.sign_in(number, "4271").customer_id == customer
    with pytest.raises(SignInRefused):
        empty_shop.sign_in("000000", "4271")
