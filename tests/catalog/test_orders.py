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


def test_orders_by_status_span_customers_and_follow_every_status_change(empty_shop):
    first, second = random_ref("cust"), random_ref("cust")
    product = add_product(empty_shop, stock=10)
    one, two = _place(empty_shop, first, product.sku), _place(empty_shop, second, product.sku)

    def ids(status):
        return [order.order_id for order in empty_shop.orders_in_status(status).orders]

    assert ids("received") == [one.order_id, two.order_id]  # oldest first: what waits longest
    empty_shop.advance(one.order_id, "preparing")
    empty_shop.cancel(second, two.order_number)
    assert ids("received") == []
    assert ids("preparing") == [one.order_id]
    assert ids("cancelled") == [two.order_id]
    assert empty_shop.orders_in_status("cancelled").orders[0].status is OrderStatus.CANCELLED
    empty_shop.advance(one.order_id, "shipped")
    assert (ids("preparing"), ids("shipped")) == ([], [one.order_id])


def test_orders_by_status_page_with_their_own_cursor(empty_shop, customer):
    product = add_product(empty_shop, stock=10)
    placed = [_place(empty_shop, customer, product.sku).order_id for _ in range(3)]
    page = empty_shop.orders_in_status("received", limit=2)
    rest = empty_shop.orders_in_status("received", limit=2, cursor=page.cursor)
    assert [o.order_id for o in (*page.orders, *rest.orders)] == placed
    with pytest.raises(ValueError, match="status"):
        empty_shop.orders_in_status("shipped", cursor=page.cursor)
    customer_cursor = empty_shop.orders(customer, limit=1).cursor
    with pytest.raises(ValueError):
        empty_shop.orders_in_status("received", cursor=customer_cursor)


def _forget_status_index(shop, order_id):
    """Make an order look like one written before gsi2 existed (no gsi2pk/gsi2sk)."""
    t = shop.repository.tables.order
    t(*shop.repository.order_key(order_id)).update(actions=[t.gsi2pk.remove(), t.gsi2sk.remove()])


def test_orders_from_before_the_status_index_appear_after_reindex_or_their_next_move(empty_shop, customer):
    product = add_product(empty_shop, stock=10)
    old, older = _place(empty_shop, customer, product.sku), _place(empty_shop, customer, product.sku)
    _forget_status_index(empty_shop, old.order_id)
    _forget_status_index(empty_shop, older.order_id)
    assert empty_shop.orders_in_status("received").orders == ()
    empty_shop.advance(older.order_id, "preparing")
    assert [o.order_id for o in empty_shop.orders_in_status("preparing").orders] == [older.order_id]
    assert empty_shop.reindex_orders() == 1
    assert [o.order_id for o in empty_shop.orders_in_status("received").orders] == [old.order_id]
    assert empty_shop.reindex_orders() == 0


@pytest.fixture
def lone_dynamodb_local(tmp_path):
    """An emulator of its own, holding only the table under test.

    DynamoDB Local 2.6.1 holding a few hundred tables (the suite's by this point) reports an index added to an
    old table ACTIVE and never adds its columns ("no such column: indexKey_2" in its log, every query an
    InternalFailure; reproduced with 200 tables, 6 tries of 6). Real DynamoDB has no such limit, so the
    migration is checked where the emulator itself works.
    """
    from catalog.config import Settings
    from catalog.dynamodb_local import DynamoDBLocal, free_port

    server = DynamoDBLocal(tmp_path, port=free_port(), jars_dir=Settings.from_env().data_dir)
    server.start()
    yield server
    server.stop()


def test_a_table_made_before_the_status_index_gets_it_from_ensure_table(base_settings, lone_dynamodb_local):
    from dataclasses import replace

    from catalog.repository import Repository

    # creating a table and an index are ops' calls, not a shopper's: no 1 s budget on a busy machine
    settings = replace(
        base_settings, endpoint=lone_dynamodb_local.endpoint, table=random_ref("vs-old"), store_timeout_seconds=10.0
    )
    repository = Repository(settings)
    keys = [("pk", "HASH"), ("sk", "RANGE")]
    repository.tables.connection.client.create_table(
        TableName=settings.table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gsi1pk", "gsi1sk")],
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, k in keys],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    assert repository.ensure_table() is False
    described = repository.tables.connection.describe_table(settings.table)
    assert {index["IndexName"] for index in described["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2"}
    assert repository.orders_in_status(OrderStatus.RECEIVED).orders == ()
    assert repository.tables.add_missing_indexes() == []
