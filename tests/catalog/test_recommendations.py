"""Recommendations from real sales on DynamoDB Local (issue 14: a daily rotation was called "best sellers").

Popularity is units sold, counted by the checkout's own transaction; buy-again comes from the shopper's
orders; bought-together from every order. Each test has a table of its own, so its figures are its own.
"""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.model import Product
from catalog.recommend import REGULAR_ORDERS, Basis, regular_purchases
from tests.conftest import fresh_shop, random_ref
from tests.faultproxy import FaultProxy


def _product(shop, name, category="pantry", stock=50, price="2.00"):
    product = Product(random_ref("SKU-R"), name, "Testco", category, "1 each", Decimal(price), "USD", stock)
    shop.import_products([product])
    return product


def _buy(shop, customer, *lines):
    """One order of (product, quantity) lines, placed after a confirmation."""
    for product, quantity in lines:
        shop.add_to_cart(customer, product.sku, quantity)
    return shop.place(shop.quote(customer).quote_id, confirmed=True)


def _skus(products):
    return [p.sku for p in products]


# --- popularity: units sold, counted with the order ------------------------------------------------
def test_units_sold_are_counted_once_per_order_however_often_it_is_placed(empty_shop, customer):
    pasta = _product(empty_shop, "Spaghetti")
    empty_shop.add_to_cart(customer, pasta.sku, 3)
    quote = empty_shop.quote(customer)
    first = empty_shop.place(quote.quote_id, confirmed=True)
    assert empty_shop.place(quote.quote_id, confirmed=True) == first  # a double tap
    assert empty_shop.product_sales(pasta.sku).units_sold == 3


def test_a_checkout_whose_reply_was_lost_counts_its_units_once(base_settings, dynamodb_local, customer):
    proxy = FaultProxy(dynamodb_local.port)
    try:
        shop = fresh_shop(replace(base_settings, endpoint=proxy.endpoint))
        pasta, sauce = _product(shop, "Spaghetti"), _product(shop, "Marinara")
        shop.add_to_cart(customer, pasta.sku, 2)
        shop.add_to_cart(customer, sauce.sku, 1)
        quote = shop.quote(customer)
        with proxy.fault("TransactWriteItems", "drop_reply"):
            order = shop.place(quote.quote_id, confirmed=True)  # applied, unanswered, then looked up
        assert shop.place(quote.quote_id, confirmed=True) == order
    finally:
        proxy.close()
    assert shop.product_sales(pasta.sku).units_sold == 2
    assert shop.product_sales(pasta.sku).bought_with == {sauce.sku: 1}
    assert shop.product_sales(sauce.sku).bought_with == {pasta.sku: 1}


def test_a_cancelled_order_takes_its_units_and_pairs_back(empty_shop, customer):
    pasta, sauce = _product(empty_shop, "Spaghetti"), _product(empty_shop, "Marinara")
    kept = _buy(empty_shop, customer, (pasta, 1), (sauce, 1))
    cancelled = _buy(empty_shop, customer, (pasta, 4), (sauce, 2))
    empty_shop.cancel(customer, cancelled.order_id)
    assert empty_shop.product_sales(pasta.sku).units_sold == 1
    assert empty_shop.product_sales(pasta.sku).bought_with == {sauce.sku: 1}
    empty_shop.cancel(customer, kept.order_id)
    assert empty_shop.product_sales(pasta.sku).units_sold == 0
    assert empty_shop.popular().products == ()


def test_a_received_return_takes_the_units_back_but_not_the_pairing(empty_shop, customer):
    pasta, sauce = _product(empty_shop, "Spaghetti"), _product(empty_shop, "Marinara")
    order = _buy(empty_shop, customer, (pasta, 2), (sauce, 1))
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        empty_shop.advance(order.order_id, status)
    record = empty_shop.start_return(customer, order.order_id)
    empty_shop.advance_return(record.return_id, "received")
    assert empty_shop.product_sales(pasta.sku).units_sold == 0
    assert empty_shop.product_sales(pasta.sku).bought_with == {sauce.sku: 1}


def test_popular_is_most_units_sold_with_ties_by_sku_and_never_an_unsold_product(empty_shop):
    one, two, three, unsold = (_product(empty_shop, f"Item {n}") for n in range(4))
    _buy(empty_shop, random_ref("c"), (one, 2), (two, 5))
    _buy(empty_shop, random_ref("c"), (three, 2))
    tied = sorted([one.sku, three.sku])
    assert _skus(empty_shop.popular(limit=5).products) == [two.sku, *tied]
    assert unsold.sku not in _skus(empty_shop.popular(limit=5).products)


def test_a_best_seller_that_ran_out_is_not_suggested(empty_shop):
    scarce, plenty = _product(empty_shop, "Scarce", stock=3), _product(empty_shop, "Plenty")
    _buy(empty_shop, random_ref("c"), (scarce, 3), (plenty, 1))
    assert _skus(empty_shop.popular().products) == [plenty.sku]


def test_popular_in_a_category_ranks_that_category_only(empty_shop):
    chips, salsa, soap = (
        _product(empty_shop, "Chips", "snacks"),
        _product(empty_shop, "Salsa", "snacks"),
        _product(empty_shop, "Soap", "household"),
    )
    _buy(empty_shop, random_ref("c"), (soap, 9), (salsa, 2), (chips, 1))
    best = empty_shop.popular("snacks")
    assert best.basis is Basis.POPULAR_IN_CATEGORY
    assert _skus(best.products) == [salsa.sku, chips.sku]


def test_a_category_with_no_sales_is_offered_unranked_never_as_popular(empty_shop):
    bread = _product(empty_shop, "Rye Bread", "bakery")
    _product(empty_shop, "Gone Bagels", "bakery", stock=0)
    shelf = empty_shop.popular("bakery")
    assert shelf.basis is Basis.IN_CATEGORY
    assert _skus(shelf.products) == [bread.sku]


# --- buy again: from the shopper's own orders ----------------------------------------------------
def test_buy_again_is_what_this_shopper_ordered_in_at_least_two_orders(empty_shop, customer):
    milk, eggs, once = _product(empty_shop, "Milk"), _product(empty_shop, "Eggs"), _product(empty_shop, "Caviar")
    _buy(empty_shop, customer, (milk, 1), (eggs, 1))
    _buy(empty_shop, customer, (milk, 1), (once, 1))
    _buy(empty_shop, customer, (milk, 2), (eggs, 1))
    assert REGULAR_ORDERS == 2
    assert _skus(empty_shop.buy_again(customer)) == [milk.sku, eggs.sku]
    assert empty_shop.buy_again(random_ref("someone-else")) == ()


def test_cancelled_orders_and_sold_out_products_are_not_bought_again(empty_shop, customer):
    milk, rare = _product(empty_shop, "Milk"), _product(empty_shop, "Rare Tea", stock=2)
    _buy(empty_shop, customer, (milk, 1), (rare, 1))
    cancelled = _buy(empty_shop, customer, (milk, 1))
    empty_shop.cancel(customer, cancelled.order_id)
    _buy(empty_shop, customer, (rare, 1))  # the last one
    assert empty_shop.buy_again(customer) == ()


def test_equally_regular_items_come_most_recent_first():
    from catalog.model import Order, OrderStatus, QuoteLine, utcnow

    def order(day, *skus):
        lines = tuple(QuoteLine(sku, sku, Decimal("1"), 1) for sku in skus)
        at = utcnow() - timedelta(days=day)
        return Order(f"o{day}", "1 a", "c", "q", lines, "USD", OrderStatus.DELIVERED, (), at, at.date())

    newest_first = [order(1, "B"), order(2, "A"), order(3, "A", "B"), order(4, "C")]
    assert regular_purchases(newest_first) == ("B", "A")


# --- bought together, and its fallbacks -----------------------------------------------------------
def test_what_goes_with_a_product_is_what_was_most_often_in_its_orders(empty_shop):
    pasta, sauce, cheese, soap = (
        _product(empty_shop, "Spaghetti"),
        _product(empty_shop, "Marinara"),
        _product(empty_shop, "Parmesan", "dairy"),
        _product(empty_shop, "Soap", "household"),
    )
    _buy(empty_shop, random_ref("c"), (pasta, 1), (sauce, 1), (cheese, 1))
    _buy(empty_shop, random_ref("c"), (pasta, 1), (sauce, 3))
    _buy(empty_shop, random_ref("c"), (soap, 5))
    together = empty_shop.goes_with(pasta.sku)
    assert together.basis is Basis.BOUGHT_WITH
    assert _skus(together.products) == [sauce.sku, cheese.sku]


def test_with_no_co_purchases_a_product_gets_what_its_category_is_bought_with(empty_shop):
    pasta, penne, sauce = (
        _product(empty_shop, "Spaghetti"),
        _product(empty_shop, "Penne"),
        _product(empty_shop, "Parmesan", "dairy"),
    )
    _buy(empty_shop, random_ref("c"), (penne, 1), (sauce, 1))
    affinity = empty_shop.goes_with(pasta.sku)
    assert affinity.basis is Basis.CATEGORY_AFFINITY
    assert _skus(affinity.products) == [sauce.sku]


def test_with_no_pairs_at_all_it_falls_back_to_the_category_best_sellers(empty_shop):
    pasta, penne = _product(empty_shop, "Spaghetti"), _product(empty_shop, "Penne")
    _buy(empty_shop, random_ref("c"), (penne, 2))
    fallback = empty_shop.goes_with(pasta.sku)
    assert fallback.basis is Basis.POPULAR_IN_CATEGORY
    assert _skus(fallback.products) == [penne.sku]


def test_an_out_of_stock_partner_is_not_suggested(empty_shop):
    pasta, sauce = _product(empty_shop, "Spaghetti"), _product(empty_shop, "Marinara", stock=1)
    _buy(empty_shop, random_ref("c"), (pasta, 1), (sauce, 1))
    assert sauce.sku not in _skus(empty_shop.goes_with(pasta.sku).products)


# --- a shopper's suggestions, in order ------------------------------------------------------------
def test_a_shopper_hears_regulars_then_what_goes_with_the_cart(empty_shop, customer):
    milk, pasta, sauce = (
        _product(empty_shop, "Milk"),
        _product(empty_shop, "Spaghetti"),
        _product(empty_shop, "Marinara"),
    )
    _buy(empty_shop, random_ref("c"), (pasta, 1), (sauce, 1))
    _buy(empty_shop, customer, (milk, 1))
    _buy(empty_shop, customer, (milk, 1))
    empty_shop.add_to_cart(customer, pasta.sku, 1)
    found = empty_shop.suggestions(customer)
    assert [(s.basis, _skus(s.products)) for s in found] == [
        (Basis.BUY_AGAIN, [milk.sku]),
        (Basis.WITH_CART, [sauce.sku]),
    ]


def test_a_new_shopper_gets_real_best_sellers_and_an_empty_shop_gets_none(base_settings):
    shop = fresh_shop(base_settings)
    tea = _product(shop, "Tea")
    assert shop.suggestions(random_ref("new")) == ()
    _buy(shop, random_ref("c"), (tea, 1))
    assert [(s.basis, _skus(s.products)) for s in shop.suggestions(random_ref("new"))] == [(Basis.POPULAR, [tea.sku])]


@pytest.mark.parametrize("lines", [2, 90])
def test_an_order_of_many_lines_still_fits_one_transaction(empty_shop, customer, lines):
    """90 lines: 90 product updates (stock, units, 89 pair counters each) + order, number, event and cart."""
    products = [
        Product(random_ref("SKU-M"), f"Thing {n}", "Testco", "pantry", "1 each", Decimal("1.00"), "USD", 5)
        for n in range(lines)
    ]
    empty_shop.import_products(products)
    _buy(empty_shop, customer, *((p, 1) for p in products))
    assert len(empty_shop.product_sales(products[0].sku).bought_with) == lines - 1
    assert empty_shop.product_sales(products[-1].sku).units_sold == 1
