"""The ops command line on DynamoDB Local: readable text, `--json` for scripts, refusals exit 2."""

import json

import pytest

from tests.conftest import DEMO_CATALOG, add_product, fresh_shop


@pytest.fixture
def ops_shop(base_settings, monkeypatch):
    shop = fresh_shop(base_settings)
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.setenv("VOICESHOP_INDEX_CHECK_SECONDS", "0")
    return shop


def run(capsys, *argv):
    from voiceshop.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_search_as_json(ops_shop, capsys):
    code, out, _ = run(capsys, "catalog", "import", str(DEMO_CATALOG), "--json")
    assert code == 0 and json.loads(out)["created"] == 232
    code, out, _ = run(capsys, "catalog", "search", "greek yoga", "--json")
    assert json.loads(out)["hits"][0]["product"]["sku"] == "SKU-DAI-0044"


def test_import_if_empty_leaves_a_loaded_catalog_alone(ops_shop, capsys):
    run(capsys, "catalog", "import", str(DEMO_CATALOG))
    code, out, _ = run(capsys, "catalog", "import", "--if-empty", str(DEMO_CATALOG))
    assert code == 0 and "already loaded" in out


def test_unreadable_catalog_is_explained(ops_shop, capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = run(capsys, "catalog", "import", str(broken))
    assert code == 2 and "not valid JSON" in err


def test_cart_and_orders_for_ops(ops_shop, capsys, customer):
    product = add_product(ops_shop, stock=5, price="3.00")
    ops_shop.add_to_cart(customer, product.sku, 2)
    code, out, _ = run(capsys, "cart", "show", "--customer", customer)
    assert code == 0 and "$6.00" in out
    order = ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    code, out, _ = run(capsys, "orders", "list", "--customer", customer, "--json")
    assert json.loads(out)["orders"][0]["order_number"] == order.order_number
    code, out, _ = run(capsys, "orders", "advance", order.order_id, "--to", "preparing")
    assert code == 0 and "preparing" in out


def test_orders_show_by_id_or_spoken_number(ops_shop, capsys, customer):
    product = add_product(ops_shop, stock=5, price="3.00")
    ops_shop.add_to_cart(customer, product.sku, 2)
    order = ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    for reference in (order.order_id, order.order_number):
        code, out, _ = run(capsys, "orders", "show", reference, "--customer", customer)
        assert code == 0 and order.order_id in out and "received" in out and product.name in out


def test_customers_unlock_lifts_a_purchase_lock(ops_shop, capsys, customer):
    from catalog.errors import PurchasesLocked

    ops_shop.set_purchase_code(customer, "4271")
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - wrong codes, then the lock
            ops_shop.check_code(ops_shop.customer(customer), "0000")
    with pytest.raises(PurchasesLocked):
        ops_shop.check_code(ops_shop.customer(customer), "4271")
    assert run(capsys, "customers", "unlock", customer)[0] == 0
    ops_shop.check_code(ops_shop.customer(customer), "4271")
    assert run(capsys, "customers", "unlock", "nobody-" + customer)[0] == 2


def test_version_is_the_installed_distributions(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        run(capsys, "--version")
    assert done.value.code == 0 and version("voiceshop") in capsys.readouterr().out


def test_an_illegal_transition_is_refused_with_exit_2(ops_shop, capsys, customer):
    product = add_product(ops_shop)
    ops_shop.add_to_cart(customer, product.sku, 1)
    order = ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    code, _, err = run(capsys, "orders", "advance", order.order_id, "--to", "delivered")
    assert code == 2 and "IllegalTransition" in err
    assert ops_shop.order(customer, order.order_id).status.value == "received"


def test_dynamodb_down_exits_3_with_what_to_do(monkeypatch, capsys):
    from catalog.dynamodb_local import free_port

    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    code, _, err = run(capsys, "cart", "show", "--customer", "anyone")
    assert code == 3 and "voiceshop db start" in err


def test_a_partial_import_exits_1_with_a_line_per_skipped_row(ops_shop, capsys, tmp_path):
    path = tmp_path / "supplier.csv"
    path.write_text("sku,name,price,stock\nC-1,Good,1.00,3\nC-2,Bad,zero,3\nC-3,Minus,1.00,-1\n")
    code, out, _ = run(capsys, "catalog", "import", str(path))
    assert code == 1
    assert "  skipped line 3: price 'zero' is not a number" in out and "  skipped line 4: stock -1 is negative" in out
    assert ops_shop.product("C-1").stock == 3


def test_an_import_that_writes_nothing_exits_2(ops_shop, capsys, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nNOT-HERE,1.00\n")
    code, out, _ = run(capsys, "catalog", "import", str(path), "--json")
    assert code == 2 and json.loads(out)["errors"][0].startswith("line 2: NOT-HERE is not in the catalog")
    assert ops_shop.repository.catalog_version() == 0


def test_a_42_digit_stock_is_a_skipped_line_not_an_outage(ops_shop, capsys, tmp_path):
    rows = [{"sku": f"B-{n:02d}", "name": f"Item {n}", "price": "1.00", "stock": 1} for n in range(40)]
    rows[30]["stock"] = int("1234567890" * 4 + "12")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(rows))
    code, out, err = run(capsys, "catalog", "import", str(path))
    assert code == 1 and "not reachable" not in err
    assert "Imported 39 products (39 new, 0 updated, stock keep); catalog version 1." in out
    assert "skipped line 1: stock 1234567890" in out


def test_stock_modes_on_the_command_line(ops_shop, capsys, tmp_path, customer):
    product = add_product(ops_shop, stock=10)
    ops_shop.add_to_cart(customer, product.sku, 3)
    ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    path = tmp_path / "count.csv"
    path.write_text(f"sku,stock\n{product.sku},10\n")
    code, out, _ = run(capsys, "catalog", "import", str(path))
    assert code == 0 and "kept the live stock of 1 products" in out and ops_shop.product(product.sku).stock == 7
    run(capsys, "catalog", "import", str(path), "--stock", "add")
    assert ops_shop.product(product.sku).stock == 17
    code, out, _ = run(capsys, "catalog", "import", str(path), "--stock", "set", "--json")
    assert code == 0 and json.loads(out)["stock"] == "set" and ops_shop.product(product.sku).stock == 10


@pytest.mark.parametrize("limit", ["-1", "0", "two"])
@pytest.mark.parametrize("command", [("orders", "list", "--customer", "anyone"), ("catalog", "search", "milk")])
def test_a_limit_below_one_is_a_usage_error(ops_shop, capsys, command, limit):
    with pytest.raises(SystemExit) as exited:
        run(capsys, *command, "--limit", limit)
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "argument --limit: must be" in err.splitlines()[-1]
    assert "Nothing matches" not in err and "DynamoDB" not in err


@pytest.mark.parametrize("cursor", ["junk", "!!!", "bnVsbA==", "W10=", "eyJhIjogMX0="])  # junk; null, [], {"a": 1}
def test_a_bad_cursor_is_one_clear_line_and_exit_2(ops_shop, capsys, customer, cursor):
    code, out, err = run(capsys, "orders", "list", "--customer", customer, "--cursor", cursor)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "argument --cursor" in err and "Traceback" not in err


def test_a_cursor_for_another_customer_is_refused_before_dynamodb(ops_shop, capsys, customer):
    product = add_product(ops_shop, stock=10)
    for _ in range(2):
        ops_shop.add_to_cart(customer, product.sku, 1)
        ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    cursor = ops_shop.orders(customer, limit=1).cursor
    code, out, _ = run(capsys, "orders", "list", "--customer", customer, "--limit", "1", "--cursor", cursor, "--json")
    assert code == 0 and len(json.loads(out)["orders"]) == 1
    code, _, err = run(capsys, "orders", "list", "--customer", "someone-else", "--cursor", cursor)
    assert code == 2 and err.count("\n") == 1 and "argument --cursor" in err and "DynamoDB" not in err


def test_orders_list_by_status_across_customers(ops_shop, capsys, customer):
    other = customer + "-other"
    product = add_product(ops_shop, stock=5, price="3.00")
    orders = []
    for who in (customer, other):
        ops_shop.add_to_cart(who, product.sku, 1)
        orders.append(ops_shop.place(ops_shop.quote(who).quote_id, confirmed=True))
    code, out, _ = run(capsys, "orders", "list", "--status", "received")
    assert code == 0 and f"customer {customer}" in out and f"customer {other}" in out
    run(capsys, "orders", "advance", orders[0].order_id, "--to", "preparing")
    code, out, _ = run(capsys, "orders", "list", "--status", "preparing", "--json")
    assert [o["order_id"] for o in json.loads(out)["orders"]] == [orders[0].order_id]
    code, out, _ = run(capsys, "orders", "list", "--status", "delivered")
    assert code == 0 and out.strip() == "No delivered orders."
    code, out, _ = run(capsys, "orders", "reindex")
    assert code == 0 and "Indexed 0 orders" in out


def test_orders_list_takes_a_customer_or_a_status_not_both(ops_shop, capsys, customer):
    for argv in ([], ["--customer", customer, "--status", "received"], ["--status", "lost"]):
        with pytest.raises(SystemExit) as stopped:
            run(capsys, "orders", "list", *argv)
        assert stopped.value.code == 2


def test_db_start_on_another_port_says_what_to_export(dynamodb_local, capsys, monkeypatch):
    from tests.conftest import random_ref

    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", "")  # so the command's own setdefault is undone after
    monkeypatch.delenv("VOICESHOP_DYNAMODB_ENDPOINT")
    monkeypatch.setenv("VOICESHOP_DATA_DIR", str(dynamodb_local.data_dir))  # the suite's server: already running
    monkeypatch.setenv("VOICESHOP_TABLE", random_ref("vs-dbstart"))
    code, out, err = run(capsys, "db", "start", "--port", str(dynamodb_local.port))
    assert code == 0 and f"running at {dynamodb_local.endpoint}" in out
    assert f"export VOICESHOP_DYNAMODB_ENDPOINT={dynamodb_local.endpoint}" in err
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", dynamodb_local.endpoint)
    code, out, err = run(capsys, "db", "start")
    assert code == 0 and "ready" in out and err == ""
