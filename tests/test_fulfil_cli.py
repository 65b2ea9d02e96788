"""Ops' side of delivery and returns on DynamoDB Local: set-address, policy imports, returns list|advance."""

import json

from tests.conftest import add_product
from tests.test_cli import ops_shop, run  # noqa: F401 - the fixture is used by name


def test_set_address_is_read_back_at_checkout_and_an_unknown_option_is_refused(ops_shop, capsys, customer):  # noqa: F811
    code, out, _ = run(capsys, "customers", "set-address", customer, "12 Elm Street", "--delivery", "express")
    assert code == 0 and "12 Elm Street" in out and "express" in out
    product = add_product(ops_shop)
    ops_shop.add_to_cart(customer, product.sku, 1)
    assert ops_shop.quote(customer).delivery.destination == "12 Elm Street"
    code, _, err = run(capsys, "customers", "set-address", customer, "1 Other Road", "--delivery", "drone")
    assert code == 2 and "UnknownDeliveryOption" in err
    assert ops_shop.customer(customer).address == "12 Elm Street"


def test_a_catalog_files_delivery_section_becomes_the_shops_terms(ops_shop, capsys, tmp_path, customer):  # noqa: F811
    policy = {"delivery": {"default": "standard", "timezone": "UTC", "options": [
        {"code": "standard", "price": "2.00", "days": 3, "cutoff": "10:00"},
        {"code": "pickup", "price": "0", "days": 0, "cutoff": "18:00", "place": "Back door, 1 Mill Lane"},
    ]}}  # fmt: skip
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    code, out, _ = run(capsys, "catalog", "import", str(path))
    assert code == 0 and "delivery" in out
    product = add_product(ops_shop, price="1.00")
    ops_shop.add_to_cart(customer, product.sku, 1)
    assert ops_shop.quote(customer).delivery.destination == "Back door, 1 Mill Lane"
    ops_shop.set_delivery_profile(customer, address="12 Elm Street")
    quote = ops_shop.quote(customer)
    assert (quote.delivery.option, str(quote.total)) == ("standard", "3.00")
    assert [o.code for o in ops_shop.shop_policy().delivery.options] == ["standard", "pickup"]
    assert ops_shop.shop_policy().returns.days_for("produce") == 2  # sections the file left out keep the defaults


def test_a_bad_delivery_section_is_refused_before_anything_is_written(ops_shop, capsys, tmp_path):  # noqa: F811
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"delivery": {"options": [{"code": "standard", "price": "-3"}]}, "products": []}))
    code, _, err = run(capsys, "catalog", "import", str(path))
    assert code == 2 and "delivery price" in err


def test_returns_list_and_advance(ops_shop, capsys, customer):  # noqa: F811
    product = add_product(ops_shop, stock=4, price="5.00")
    ops_shop.add_to_cart(customer, product.sku, 3)
    order = ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        ops_shop.advance(order.order_id, status)
    record = ops_shop.start_return(customer, order.order_id)
    assert ops_shop.start_return(customer, order.order_id) == record  # the same order twice is one return
    code, out, _ = run(capsys, "returns", "list")
    assert code == 0 and record.return_number in out and "requested" in out
    code, _, err = run(capsys, "returns", "advance", record.return_id, "--to", "refunded")
    assert code == 2 and "IllegalReturnTransition" in err
    code, out, _ = run(capsys, "returns", "advance", record.return_id, "--to", "received", "--json")
    assert code == 0 and json.loads(out)["status"] == "received"
    assert ops_shop.product(product.sku).stock == 4
    code, out, _ = run(capsys, "returns", "advance", record.return_id, "--to", "refunded")
    assert code == 0 and "refunded" in out


def test_returns_list_pages_with_a_cursor_and_refuses_a_made_up_one(ops_shop, capsys, customer):  # noqa: F811
    for _ in range(2):
        product = add_product(ops_shop)
        ops_shop.add_to_cart(customer, product.sku, 1)
        order = ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
        for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
            ops_shop.advance(order.order_id, status)
        ops_shop.start_return(customer, order.order_id)
    code, out, _ = run(capsys, "returns", "list", "--limit", "1", "--json")
    page = json.loads(out)
    assert code == 0 and len(page["returns"]) == 1 and page["cursor"]
    code, out, _ = run(capsys, "returns", "list", "--limit", "1", "--cursor", page["cursor"], "--json")
    assert code == 0 and json.loads(out)["returns"][0]["return_id"] != page["returns"][0]["return_id"]
    code, _, err = run(capsys, "returns", "list", "--cursor", "not-a-cursor")
    assert code == 2 and "--cursor" in err
