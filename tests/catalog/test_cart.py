"""Carts on DynamoDB Local: every refusal explains itself and leaves the cart as it was."""

import pytest

from catalog.errors import InvalidQuantity, NotEnoughStock, NotInCart, UnknownProduct
from tests.conftest import add_product, random_ref


def test_adding_twice_raises_the_quantity_and_totals_are_exact(empty_shop, customer):
    product = add_product(empty_shop, stock=10, price="0.10")
    empty_shop.add_to_cart(customer, product.sku, 1)
    empty_shop.add_to_cart(customer, product.sku, 2)
    cart = empty_shop.cart(customer)
    assert [(line.sku, line.quantity) for line in cart.lines] == [(product.sku, 3)]
    assert str(cart.total) == "0.30"


def test_remove_set_quantity_and_clear(empty_shop, customer):
    first, second = add_product(empty_shop), add_product(empty_shop)
    empty_shop.add_to_cart(customer, first.sku, 1)
    empty_shop.add_to_cart(customer, second.sku, 1)
    empty_shop.set_quantity(customer, first.sku, 5)
    empty_shop.remove_from_cart(customer, second.sku)
    assert [(line.sku, line.quantity) for line in empty_shop.cart(customer).lines] == [(first.sku, 5)]
    empty_shop.clear_cart(customer)
    assert empty_shop.cart(customer).lines == []


@pytest.mark.parametrize("quantity", [0, 21, 1000])
def test_impossible_quantities_change_nothing(empty_shop, customer, quantity):
    product = add_product(empty_shop, stock=5000)
    empty_shop.add_to_cart(customer, product.sku, 1)
    with pytest.raises(InvalidQuantity):
        empty_shop.add_to_cart(customer, product.sku, quantity)
    assert empty_shop.cart(customer).lines[0].quantity == 1


def test_the_limit_counts_what_is_already_in_the_cart(empty_shop, customer):
    product = add_product(empty_shop, stock=100)
    empty_shop.add_to_cart(customer, product.sku, 15)
    with pytest.raises(InvalidQuantity):
        empty_shop.add_to_cart(customer, product.sku, 6)


def test_unknown_product_is_refused(empty_shop, customer):
    with pytest.raises(UnknownProduct):
        empty_shop.add_to_cart(customer, "SKU-NOPE", 1)
    assert empty_shop.cart(customer).lines == []


def test_more_than_the_stock_is_refused(empty_shop, customer):
    product = add_product(empty_shop, stock=2)
    with pytest.raises(NotEnoughStock) as refused:
        empty_shop.add_to_cart(customer, product.sku, 3)
    assert refused.value.available == 2
    assert empty_shop.cart(customer).lines == []


def test_out_of_stock_offers_in_stock_alternatives_from_search(demo_shop, customer):
    with pytest.raises(NotEnoughStock) as refused:
        demo_shop.add_to_cart(customer, "SKU-PRO-0001", 1)  # plain bananas, out of stock in the demo
    assert refused.value.alternatives
    assert "SKU-PRO-0002" in refused.value.alternatives  # organic bananas, in stock
    assert all(demo_shop.product(sku).in_stock for sku in refused.value.alternatives)


def test_removing_something_not_in_the_cart_is_refused(empty_shop, customer):
    with pytest.raises(NotInCart):
        empty_shop.remove_from_cart(customer, add_product(empty_shop).sku)


def test_moving_a_cart_merges_its_lines_into_the_other_and_empties_it(empty_shop, customer):
    shared, own = add_product(empty_shop, stock=50), add_product(empty_shop)
    walk_up = random_ref("walkup")
    empty_shop.add_to_cart(walk_up, shared.sku, 15)
    empty_shop.add_to_cart(walk_up, own.sku, 2)
    empty_shop.add_to_cart(customer, shared.sku, 10)
    move = empty_shop.move_cart(walk_up, customer)
    lines = {line.sku: line.quantity for line in empty_shop.cart(customer).lines}
    assert lines == {shared.sku: empty_shop.settings.max_quantity, own.sku: 2}  # merged, capped per line
    assert (move.moved, move.left_behind) == (12, 5)  # 10 of the 15 fit under the cap of 20: 5 are said to stay out
    assert empty_shop.cart(walk_up).lines == []
    assert empty_shop.move_cart(walk_up, customer).moved == 0  # nothing twice
