"""One botocore client per table binding: each one costs a cold Lambda ~100 ms of service-model loading."""

from botocore.session import Session

from tests.conftest import add_product, fresh_shop, random_ref


def test_every_item_class_and_transactions_share_one_client(base_settings, monkeypatch):
    made = []
    create_client = Session.create_client

    def counting(self, *args, **kwargs):
        client = create_client(self, *args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(Session, "create_client", counting)
    shop = fresh_shop(base_settings)  # table, product and catalog-meta items
    customer = random_ref("cust")
    milk = add_product(shop)
    shop.search("milk")
    shop.add_to_cart(customer, milk.sku, 1)  # cart item, transaction
    order = shop.place(shop.quote(customer).quote_id, confirmed=True)  # quote, order, order number, customer
    assert shop.latest_order(customer).order_id == order.order_id
    assert len(made) == 1
    tables = shop.repository.tables
    assert tables.connection.client is made[0]
