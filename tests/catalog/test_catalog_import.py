"""Importing catalogs: upserts by sku, bad rows reported by line, search follows the catalog."""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest

from catalog.importer import CatalogRow, read_catalog
from catalog.model import Product, ProductFields, StockMode
from tests.conftest import DEMO_CATALOG, random_ref


def test_the_demo_catalog_parses_completely():
    parsed = read_catalog(DEMO_CATALOG)
    assert len(parsed.products) == 232
    assert parsed.errors == []


def test_reimporting_the_demo_catalog_changes_no_counts(empty_shop, demo_products):
    first = empty_shop.import_products(demo_products)
    second = empty_shop.import_products(read_catalog(DEMO_CATALOG).products)
    assert (first.created, first.updated) == (232, 0)
    assert (second.created, second.updated) == (0, 232)
    assert len(empty_shop.repository.all_products()) == 232
    assert second.version == first.version + 1


def test_bad_csv_rows_are_reported_with_their_line_and_the_rest_imports(tmp_path, empty_shop):
    path = tmp_path / "supplier.csv"
    path.write_text(
        "sku,name,brand,category,size,price,currency,stock,synonyms\n"
        "S-1,Oat Milk,Oatly,dairy,64 oz,4.99,USD,12,oat drink|oatmilk\n"
        "S-2,Broken Price,Acme,pantry,1 lb,four dollars,USD,3,\n"
        ",No Sku,Acme,pantry,1 lb,1.00,USD,3,\n"
        "S-3,Negative Stock,Acme,pantry,1 lb,1.00,USD,-4,\n"
        "S-4,Rye Bread,Acme,bakery,1 loaf,3.49,USD,7,\n"
    )
    parsed = read_catalog(path)
    assert [p.sku for p in parsed.products] == ["S-1", "S-4"]
    assert [e.split(":")[0] for e in parsed.errors] == ["line 3", "line 4", "line 5"]
    assert parsed.products[0].synonyms == ("oat drink", "oatmilk")
    empty_shop.import_products(parsed.products)
    assert str(empty_shop.product("S-1").price) == "4.99"


def test_bad_json_rows_are_reported_with_their_line(tmp_path):
    path = tmp_path / "catalog.json"
    products = [
        {"sku": "A", "name": "Apples", "price": "1.00", "stock": 3},
        {"sku": "B", "name": "Pears", "price": "-2", "stock": 3},
    ]
    path.write_text(json.dumps({"currency": "USD", "products": products}, indent=2))
    parsed = read_catalog(path)
    assert [p.sku for p in parsed.products] == ["A"]
    assert parsed.errors[0].startswith("line 10:")


def test_search_sees_an_import_made_in_the_same_process(empty_shop, demo_products):
    empty_shop.import_products(demo_products[:5])
    assert empty_shop.search("organic bananas").best.product.sku == "SKU-PRO-0002"
    empty_shop.import_products(demo_products)
    assert empty_shop.search("gala apples").best.product.sku == "SKU-PRO-0003"


def test_search_sees_an_import_made_by_another_process(base_settings, empty_shop, demo_products):
    from catalog.services import Shop

    reader = Shop(empty_shop.settings)  # another "process": its own cache
    empty_shop.import_products(demo_products[:2])
    assert reader.search("gala apples").best is None or reader.search("gala apples").best.product.sku != "SKU-PRO-0003"
    empty_shop.import_products(demo_products)
    assert reader.search("gala apples").best.product.sku == "SKU-PRO-0003"


def test_the_catalog_reads_back_whole_across_query_pages_with_every_field(empty_shop, demo_products):
    # DynamoDB pages a Query at 1 MB: ~2.4 MB of synonyms makes the catalog load follow LastEvaluatedKey.
    padded = [
        replace(p, synonyms=(*p.synonyms, *(f"{p.sku} filler {n:04d} " * 8 for n in range(40)))) for p in demo_products
    ]
    sparse = Product("S-SPARSE", "Plain Flour", "", "", "", Decimal("1.10"), "USD", 0)
    empty_shop.import_products([*padded, sparse])
    read = empty_shop.repository.all_products()
    assert sorted(read, key=lambda p: p.sku) == sorted([*padded, sparse], key=lambda p: p.sku)


# --- partial rows: an import writes what the file says and nothing else -----------------------------


def _sell(shop, sku, quantity):
    customer = random_ref("cust")
    shop.add_to_cart(customer, sku, quantity)
    shop.place(shop.quote(customer).quote_id, confirmed=True)


def _full_product(shop, stock=10):
    sku = random_ref("SKU-T")
    product = Product(sku, "Oat Milk", "Oatly", "dairy", "64 oz", Decimal("4.99"), "USD", stock, ("oat drink",))
    shop.import_products([product])
    return product


def test_a_csv_of_sku_name_and_price_leaves_every_other_field_alone(tmp_path, empty_shop):
    product = _full_product(empty_shop)
    path = tmp_path / "prices.csv"
    path.write_text(f"sku,name,price\n{product.sku},Oat Milk Barista,5.49\n")
    report = empty_shop.import_rows(read_catalog(path).rows)
    assert (report.created, report.updated, report.errors) == (0, 1, ())
    assert empty_shop.product(product.sku) == replace(product, name="Oat Milk Barista", price=Decimal("5.49"))


def test_a_reimport_keeps_the_units_already_sold_by_default(empty_shop):
    product = _full_product(empty_shop, stock=10)
    _sell(empty_shop, product.sku, 3)
    report = empty_shop.import_products([product])
    assert empty_shop.product(product.sku).stock == 7
    assert (report.stock, report.stock_kept) == (StockMode.KEEP, 1)


def test_stock_set_replaces_live_stock_and_add_adds_to_it(empty_shop):
    product = _full_product(empty_shop, stock=10)
    _sell(empty_shop, product.sku, 3)
    empty_shop.import_rows([CatalogRow(2, ProductFields(product.sku, stock=20))], stock=StockMode.SET)
    assert empty_shop.product(product.sku).stock == 20
    empty_shop.import_rows([CatalogRow(2, ProductFields(product.sku, stock=5))], stock=StockMode.ADD)
    assert empty_shop.product(product.sku).stock == 25


def test_a_row_without_stock_leaves_stock_alone_in_every_mode(empty_shop):
    product = _full_product(empty_shop, stock=10)
    for mode in StockMode:
        empty_shop.import_rows([CatalogRow(2, ProductFields(product.sku, price=Decimal("3.00")))], stock=mode)
    assert empty_shop.product(product.sku).stock == 10


@pytest.mark.parametrize("mode", list(StockMode))
def test_a_new_product_starts_at_the_files_stock_or_zero_in_every_mode(empty_shop, mode):
    counted, uncounted = random_ref("SKU-N"), random_ref("SKU-N")
    rows = [
        CatalogRow(2, ProductFields(counted, name="Rye Bread", price=Decimal("3.49"), stock=4)),
        CatalogRow(3, ProductFields(uncounted, name="Spelt Bread", price=Decimal("3.99"))),
    ]
    report = empty_shop.import_rows(rows, stock=mode)
    assert report.created == 2
    assert (empty_shop.product(counted).stock, empty_shop.product(uncounted).stock) == (4, 0)
    assert empty_shop.product(uncounted) == Product(uncounted, "Spelt Bread", "", "", "", Decimal("3.99"), "USD", 0)


def test_a_stock_add_during_checkouts_loses_no_decrement(empty_shop):
    product = _full_product(empty_shop, stock=100)
    customers = [random_ref("cust") for _ in range(8)]
    for customer in customers:
        empty_shop.add_to_cart(customer, product.sku, 1)
    quotes = [empty_shop.quote(customer).quote_id for customer in customers]
    delivery = [CatalogRow(2, ProductFields(product.sku, stock=10))]
    with ThreadPoolExecutor(6) as pool:
        placed = [pool.submit(empty_shop.place, quote, True) for quote in quotes]
        added = [pool.submit(empty_shop.import_rows, delivery, (), StockMode.ADD) for _ in range(4)]
        for future in [*placed, *added]:
            future.result()
    assert empty_shop.product(product.sku).stock == 100 - 8 + 40


def test_an_update_for_a_product_the_shop_does_not_hold_is_skipped_with_its_line(tmp_path, empty_shop):
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nNOT-HERE,1.00\n")
    before = empty_shop.repository.catalog_version()
    report = empty_shop.import_rows(read_catalog(path).rows)
    assert report.written == 0
    assert report.errors == ("line 2: NOT-HERE is not in the catalog, and a new product needs a name",)
    assert empty_shop.repository.get_product("NOT-HERE") is None
    assert report.version == empty_shop.repository.catalog_version() == before


# --- values DynamoDB would refuse, and what it refuses anyway ---------------------------------------


def test_values_dynamodb_would_refuse_are_skipped_with_their_line(tmp_path):
    path = tmp_path / "supplier.csv"
    path.write_text(
        "sku,name,price,stock\n"
        f"S-1,Huge,1.00,{'1234567890' * 4}12\n"
        "S-2,Minus,1.00,-1\n"
        "S-3,Free,0,1\n"
        "S-4,Fraction,1.005,1\n"
        f"S-5,{'x' * 501},1.00,1\n"
        f"S-6,Dear,{'9' * 37},1\n"
        "S-7,Fine,1.00,1\n"
    )
    parsed = read_catalog(path)
    assert [row.fields.sku for row in parsed.rows] == ["S-7"]
    assert [error.split(":")[0] for error in parsed.errors] == [f"line {n}" for n in range(2, 8)]
    assert "more than 38 digits" in parsed.errors[0]


def test_a_42_digit_stock_is_skipped_and_the_other_39_rows_land_with_the_version_bumped(tmp_path, empty_shop):
    rows = [{"sku": f"B-{n:02d}", "name": f"Item {n}", "price": "1.00", "stock": 1} for n in range(40)]
    rows[30]["stock"] = int("1234567890" * 4 + "12")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(rows, indent=1))
    parsed = read_catalog(path)
    before = empty_shop.repository.catalog_version()
    report = empty_shop.import_rows(parsed.rows, parsed.errors)
    assert report.errors == (
        f"line {2 + 30 * 6}: stock {rows[30]['stock']!r} has more than 38 digits (DynamoDB's limit)",
    )
    assert report.created == 39 and len(empty_shop.repository.all_products()) == 39
    assert report.version == empty_shop.repository.catalog_version() == before + 1


def test_a_write_dynamodb_refuses_is_reported_by_line_with_its_reason_and_the_rest_lands(empty_shop):
    full = _full_product(empty_shop, stock=int("9" * 38))
    other = _full_product(empty_shop, stock=1)
    before = empty_shop.repository.catalog_version()
    rows = [CatalogRow(2, ProductFields(full.sku, stock=2)), CatalogRow(3, ProductFields(other.sku, stock=1))]
    report = empty_shop.import_rows(rows, stock=StockMode.ADD)  # 38 nines plus 2: 39 significant digits
    assert report.updated == 1 and len(report.errors) == 1
    assert report.errors[0].startswith(f"line 2: DynamoDB refused {full.sku} (ValidationException: ")
    assert empty_shop.product(full.sku).stock == int("9" * 38)
    assert empty_shop.product(other.sku).stock == 2
    assert report.version == empty_shop.repository.catalog_version() == before + 1


# --- JSON: a list or an object, read the same way ---------------------------------------------------


def test_a_json_list_may_hold_a_product_named_products(tmp_path):
    path = tmp_path / "catalog.json"
    rows = [{"sku": "D-1", "name": "products", "price": "1.00", "synonyms": ["goods"]}, {"sku": "D-2", "name": "Pears"}]
    path.write_text(json.dumps(rows, indent=1))
    parsed = read_catalog(path)
    assert [(row.line, row.fields.sku, row.fields.name) for row in parsed.rows] == [
        (2, "D-1", "products"),
        (10, "D-2", "Pears"),
    ]
    assert parsed.errors == []


def test_line_numbers_hold_when_a_products_key_comes_earlier(tmp_path):
    path = tmp_path / "catalog.json"
    products = [{"sku": "E-1", "name": "Apples", "price": "1.00"}, {"sku": "E-2", "name": "Pears", "price": "-2"}]
    text = json.dumps({"note": {"products": ["apples", "pears"]}, "currency": "EUR", "products": products}, indent=2)
    path.write_text(text)
    parsed = read_catalog(path)
    lines = text.splitlines()
    assert [row.line for row in parsed.rows] == [lines.index("    {") + 1]
    assert parsed.errors[0].startswith(f"line {len(lines) - 6}:")
    assert lines[len(lines) - 7] == "    {" and '"E-2"' in lines[len(lines) - 6]
    assert parsed.rows[0].fields.currency == "EUR"


def test_a_json_list_and_an_object_give_the_same_rows(tmp_path):
    products = [{"sku": "F-1", "name": "Apples", "price": "1.00", "stock": 2}, {"sku": "F-2", "price": 2.5}]
    as_list, as_object = tmp_path / "list.json", tmp_path / "object.json"
    as_list.write_text(json.dumps(products))
    as_object.write_text(json.dumps({"products": products}))
    assert read_catalog(as_list) == read_catalog(as_object)
    assert read_catalog(as_list).rows[1].fields == ProductFields("F-2", price=Decimal("2.5"))
