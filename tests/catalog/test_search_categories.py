"""Category words list what a shopper means by them first, not the cheapest thing on the shelf.

Each row is (query, the catalog category, skus any of which may come first). The words ("candy", "hair
care") are generic English from the language file's `search` section, never product synonyms.
"""

import pytest

from catalog.search import SearchIndex
from tests.catalog.test_search_quality import load_demo_products


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(load_demo_products(), version="demo")


CATEGORY_WORDS = [
    ("cleaning stuff", "household", ("SKU-HOU-0151", "SKU-HOU-0157", "SKU-HOU-0158", "SKU-HOU-0159", "SKU-HOU-0160")),
    ("candy", "snacks", ("SKU-SNA-0119", "SKU-SNA-0120", "SKU-SNA-0121")),
    ("sweets", "snacks", ("SKU-SNA-0119", "SKU-SNA-0120", "SKU-SNA-0121")),
    ("spices", "pantry", ("SKU-PAN-0074", "SKU-PAN-0075")),
    ("condiments", "pantry", ("SKU-PAN-0098", "SKU-PAN-0099", "SKU-PAN-0100", "SKU-PAN-0101", "SKU-PAN-0102")),
    ("hair care", "personal care", ("SKU-PER-0177", "SKU-PER-0178")),
    ("dental care", "personal care", ("SKU-PER-0172", "SKU-PER-0173", "SKU-PER-0174", "SKU-PER-0175", "SKU-PER-0176")),
    ("medicine", "health", ("SKU-HEA-0190", "SKU-HEA-0191", "SKU-HEA-0193")),
    (
        "fresh fruit",
        "produce",
        ("SKU-PRO-0001", "SKU-PRO-0002", "SKU-PRO-0006", "SKU-PRO-0007", "SKU-PRO-0008", "SKU-PRO-0028"),
    ),
]


@pytest.mark.parametrize(("query", "category", "first"), CATEGORY_WORDS)
def test_category_words_list_their_kind_first(
    index: SearchIndex, query: str, category: str, first: tuple[str, ...]
) -> None:
    result = index.search(query)
    assert result.category == category
    assert result.hits and result.hits[0].product.sku in first, [hit.product.name for hit in result.hits]


@pytest.mark.parametrize("query", ["candy", "hair care", "medicine"])
def test_every_listed_hit_is_of_that_kind(index: SearchIndex, query: str) -> None:
    listed = index.search(query, limit=10).hits
    names = {
        "candy": ("bar", "bears", "cups"),
        "hair care": ("shampoo", "conditioner"),
        "medicine": ("mg", "relief", "syrup"),
    }
    assert all(hit.product.name.lower().endswith(names[query]) for hit in listed), [hit.product.name for hit in listed]
