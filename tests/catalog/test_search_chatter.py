"""What a shopper notices when they talk around a product name: the chatter goes, the product stays.

Each row is (query, expected): a tuple of acceptable skus for the first hit, or None when the shop does not
sell it and nothing may be found. Written for issue 13 from how shoppers talk, not from held-out rows.
"""

import pytest

from catalog.search import SURE, SearchIndex
from tests.catalog.test_search_quality import load_demo_products


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(load_demo_products(), version="demo")


CHATTER_AROUND_A_PRODUCT = [
    ("i need some razors for tonight", ("SKU-PER-0184",)),
    ("um diapers size 3 i guess", ("SKU-BAB-0200",)),
    ("i'm running low on toilet paper", ("SKU-HOU-0149",)),
    ("we ran out of dish soap", ("SKU-HOU-0151",)),
    ("what about bagels", ("SKU-BAK-0052",)),
    ("hmm let me think maybe pretzels", ("SKU-SNA-0117",)),
    ("do you happen to sell kombucha", ("SKU-BEV-0137",)),
    ("i was hoping to get croissants", ("SKU-BAK-0056",)),
]

NOT_SOLD_EVEN_WITH_A_KNOWN_WORD = [
    ("a bag of cement", None),  # "bag" is a pack word: it never names a product alone
    ("a bed for my cat", None),  # the thing before "for" is what is wanted, and the shop has no beds
    ("socks for my dog", None),
    ("goat", None),
]


@pytest.mark.parametrize(("query", "expected"), CHATTER_AROUND_A_PRODUCT)
def test_chatter_around_a_product_still_finds_it(index: SearchIndex, query: str, expected: tuple[str, ...]) -> None:
    result = index.search(query)
    assert result.hits, f"{query!r} found nothing"
    assert result.hits[0].product.sku in expected


@pytest.mark.parametrize(("query", "expected"), NOT_SOLD_EVEN_WITH_A_KNOWN_WORD)
def test_what_the_shop_does_not_sell_finds_nothing(index: SearchIndex, query: str, expected: None) -> None:
    result = index.search(query)
    assert not result.hits, f"{query!r} found {result.hits[0].product.name}"


def test_the_reply_names_the_product_words_not_the_chatter(index: SearchIndex) -> None:
    result = index.search("i need some razors for tonight")
    assert "tonight" not in result.text and "razor" in result.text


@pytest.mark.parametrize(("query", "expected"), CHATTER_AROUND_A_PRODUCT)
def test_a_product_found_by_setting_words_aside_is_asked_about_not_acted_on(
    index: SearchIndex, query: str, expected: tuple[str, ...]
) -> None:
    result = index.search(query)
    assert result.hits[0].confidence < SURE  # the conversation says "Did you mean ...?"
    assert result.clear_choice is None
