"""Spoken-style queries over the demo catalog, written as a shopper would say them before any tuning.

Each row is (query, expected): a sku, a tuple of acceptable skus, "category:<name>" for the category of
the top hit, or None when the shop does not sell it and nothing may be found.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.model import Product
from catalog.search import SearchIndex

DEMO_CATALOG = Path(__file__).resolve().parents[2].parent / "shared/catalog/demo_catalog.json"


def load_demo_products() -> list[Product]:
    data = json.loads(DEMO_CATALOG.read_text())
    return [
        Product(
            sku=item["sku"],
            name=item["name"],
            brand=item["brand"],
            category=item["category"],
            size=item["size"],
            price=Decimal(str(item["price"])),
            currency=item.get("currency", data.get("currency", "USD")),
            stock=int(item["stock"]),
            synonyms=tuple(item.get("synonyms", ())),
        )
        for item in data["products"]
    ]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(load_demo_products(), version="demo")


MISRECOGNITIONS = [
    ("greek yoga", "SKU-DAI-0044"),
    ("paper tower", "SKU-HOU-0148"),
    ("blue tooth speaker", "SKU-ELE-0215"),
    ("two percent milk", "SKU-DAI-0032"),
    ("tide pods", "SKU-HOU-0153"),
    ("dish washer pods", "SKU-HOU-0152"),
    ("chap stick", "SKU-PER-0188"),
    ("tooth paste", "SKU-PER-0172"),
    ("water mellon", "SKU-PRO-0029"),
    ("honey crisp apples", "SKU-PRO-0005"),
    ("straw berries", "SKU-PRO-0009"),
    ("blue berries", "SKU-PRO-0010"),
    ("pop corn", "SKU-SNA-0114"),
    ("sour dough bread", "SKU-BAK-0049"),
    ("sun screen", "SKU-PER-0186"),
    ("ear buds", "SKU-ELE-0214"),
    ("head phones", "SKU-ELE-0214"),
    ("i phone charger", "SKU-ELE-0212"),
    ("o j", "SKU-BEV-0127"),
    ("seven up", "SKU-BEV-0126"),
    ("k cups", "SKU-BEV-0131"),
    ("gator aid", "SKU-BEV-0135"),
    ("cheerio", "SKU-PAN-0085"),
    ("mouth wash", "SKU-PER-0176"),
    ("paper towel", "SKU-HOU-0148"),
    ("toilet papers", "SKU-HOU-0149"),
    ("shrimps", "SKU-SEA-0067"),
    ("ice cream", "SKU-FRO-0141"),
    ("garbage bag", "SKU-HOU-0161"),
    ("a bag of ice", "SKU-FRO-0147"),
]

PRODUCTS_BY_NAME = [
    ("peanut butter", "SKU-PAN-0088"),
    ("peanut butter cups", "SKU-SNA-0120"),
    ("olive oil", "SKU-PAN-0076"),
    ("ground beef", "SKU-MEA-0061"),
    ("chicken breast", "SKU-MEA-0059"),
    ("salmon", "SKU-SEA-0066"),
    ("english muffins", "SKU-BAK-0053"),
    ("potato chips", "SKU-SNA-0108"),
    ("gummy bears", "SKU-SNA-0121"),
    ("shaving cream", "SKU-PER-0185"),
    ("cat litter", "SKU-PET-0207"),
    ("dog food", "SKU-PET-0204"),
    ("usb c cable", "SKU-ELE-0211"),
    ("hdmi cable", "SKU-ELE-0216"),
    ("double a batteries", "SKU-HOU-0168"),
    ("triple a batteries", "SKU-HOU-0169"),
    ("q tips", "SKU-PER-0189"),
    ("band aids", "SKU-HEA-0194"),
    ("tin foil", "SKU-HOU-0162"),
    ("i need some toilet paper please", "SKU-HOU-0149"),
]

SYNONYMS_AND_PARAPHRASES = [
    ("sparkling water", "SKU-BEV-0123"),
    ("bubbly water", "SKU-BEV-0123"),
    ("fizzy water", "SKU-BEV-0123"),
    ("kitty litter", "SKU-PET-0207"),
    ("hamburger meat", "SKU-MEA-0061"),
    ("kitchen roll", "SKU-HOU-0148"),
    ("washing up liquid", "SKU-HOU-0151"),
    ("nappies", "SKU-BAB-0200"),
    ("pain relief", "SKU-HEA-0190"),
    ("medicine for a cough", "SKU-HEA-0193"),
    ("something for a headache", ("SKU-HEA-0190", "SKU-HEA-0191")),
    ("coffee pods", "SKU-BEV-0131"),
]

BRANDS = [
    ("tylenol", "SKU-HEA-0191"),
    ("advil", "SKU-HEA-0190"),
    ("pampers", "SKU-BAB-0200"),
    ("kerry gold butter", "SKU-DAI-0038"),
    ("haagen dazs", "SKU-FRO-0141"),
    ("ben and jerrys", "SKU-FRO-0142"),
    ("starbucks", "SKU-BEV-0129"),
    ("red bull", "SKU-BEV-0136"),
    ("lays chips", "SKU-SNA-0108"),
    ("tide", ("SKU-HOU-0153", "SKU-HOU-0154")),
    ("clorox", ("SKU-HOU-0157", "SKU-HOU-0158")),
    ("kleenex tissues", "SKU-HOU-0150"),
]

PRICE_CAPS = [
    ("coffee under ten dollars", "SKU-BEV-0129"),
    ("chips under five dollars", "SKU-SNA-0108"),
    ("batteries less than ten bucks", "SKU-HOU-0168"),
    ("shampoo under six dollars", "SKU-PER-0177"),
    ("toothpaste below five dollars", "SKU-PER-0172"),
    ("ice cream for less than five fifty", "SKU-FRO-0141"),
]

CATEGORIES = [
    ("snacks", "category:snacks"),
    ("cleaning stuff", "category:household"),
    ("something for the baby", "category:baby"),
    ("something to drink", "category:beverages"),
    ("fresh fruit", "category:produce"),
    ("office supplies", "category:office"),
    ("frozen food", "category:frozen"),
    ("stuff for the dog", "category:pet"),
    ("snacks under three dollars", "category:snacks"),
    ("frozen vegetables", "SKU-FRO-0140"),
    ("baby wipes", "SKU-BAB-0201"),
    ("baby carrots", "SKU-PRO-0018"),
]

NOT_SOLD = [
    ("a lawn mower", None),
    ("car tires", None),
    ("concert tickets", None),
    ("a washing machine", None),
    ("garden hose", None),
    ("winter jacket", None),
    ("a flight to paris", None),
    ("a new laptop", None),
    ("dog leash", None),
    ("car insurance", None),
    ("running shoes", None),
    ("pizza oven", None),
]

CASES = MISRECOGNITIONS + PRODUCTS_BY_NAME + SYNONYMS_AND_PARAPHRASES + BRANDS + PRICE_CAPS + CATEGORIES + NOT_SOLD


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[query for query, _ in CASES])
def test_spoken_query_finds_the_expected_product(index, query, expected):
    result = index.search(query)
    if expected is None:
        assert result.hits == (), [hit.product.name for hit in result.hits]
        return
    assert result.best is not None, f"nothing found for {query!r}"
    found = result.best.product
    described = [(hit.product.sku, hit.product.name, round(hit.score, 1)) for hit in result.hits]
    if isinstance(expected, str) and expected.startswith("category:"):
        assert found.category == expected.removeprefix("category:"), described
    elif isinstance(expected, tuple):
        assert found.sku in expected, described
    else:
        assert found.sku == expected, described


def test_the_table_is_large_enough_to_mean_something():
    assert len(CASES) >= 60
    assert len(NOT_SOLD) >= 8
