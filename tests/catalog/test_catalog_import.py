"""Importing catalogs: upserts by sku, bad rows reported by line, search follows the catalog."""

import json
from dataclasses import replace
from decimal import Decimal

from catalog.importer import read_catalog
from catalog.model import Product
from tests.conftest import DEMO_CATALOG


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
