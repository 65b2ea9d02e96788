"""Kinds of query the search must read right, one table each: heard through the sound index, things the shop
lacks, topics ("dog stuff").

Rows are written from issue 13's kinds and the DEV set (bench/dev_search.jsonl), never from held-out rows.
Each asserts what a shopper would notice: which product comes first, what a list holds, or that nothing is
found for a thing the shop does not sell.
"""

import pytest

from catalog.search import SURE, SearchIndex
from tests.catalog.test_search_quality import load_demo_products


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(load_demo_products(), version="demo")


class FullScan(SearchIndex):
    """The same search, with every catalog phrase a sound-alike candidate (what the index must not lose)."""

    def _sound_candidates(self, letters: str, key: str) -> set[int]:
        everything = self._sound_grams.candidates
        self._sound_grams.candidates = lambda letters, key: list(range(len(self._spoken_keys)))  # type: ignore[method-assign]
        try:
            return super()._sound_candidates(letters, key)
        finally:
            self._sound_grams.candidates = everything  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def full_scan() -> SearchIndex:
    return FullScan.build(load_demo_products(), version="demo")


HEARD = [  # one row per way a recogniser garbles a name, each found through the sound index
    ("split", "tor tia chips", "SKU-SNA-0109"),
    ("merged", "dish washer pot", "SKU-HOU-0152"),
    ("sound-alike word", "salted murder", "SKU-DAI-0038"),
    ("word heard as two", "sensitive to face", "SKU-PER-0173"),
    ("extra word before the name", "flow pepperoni pizza", "SKU-FRO-0138"),
    ("short phonetic key", "sir rah cha", "SKU-PAN-0102"),
    ("last word garbled", "sparkling water line", "SKU-BEV-0123"),
    ("first word garbled", "roasted potatoes", "SKU-PRO-0020"),
]


@pytest.mark.parametrize(("kind", "query", "sku"), HEARD, ids=[row[0] for row in HEARD])
def test_a_garbled_name_is_found_through_the_sound_index(index, kind, query, sku):
    best = index.search(query).best
    assert best is not None, f"{kind}: nothing found for {query!r}"
    assert best.product.sku == sku, f"{kind}: {best.product.name}"
    assert best.tier == "sound" and best.heard_as, kind


@pytest.mark.parametrize(("kind", "query", "sku"), HEARD, ids=[row[0] for row in HEARD])
def test_the_sound_index_hears_what_reading_every_phrase_hears(index, full_scan, kind, query, sku):
    mine = [(hit.product.sku, hit.score, hit.confidence, hit.heard_as) for hit in index.search(query).hits]
    every = [(hit.product.sku, hit.score, hit.confidence, hit.heard_as) for hit in full_scan.search(query).hits]
    assert mine == every, kind


def test_a_brand_said_alone_lists_its_products_without_asking(index):
    result = index.search("clorox")
    assert result.hits and all(hit.product.brand == "Clorox" for hit in result.hits)
    assert all(hit.tier == "brand" for hit in result.hits)


LACKING = [  # a describing word the shop has nothing for, before a word many products share
    ("an animal the shop sells no milk of", "goat milk"),
    ("an animal the shop sells no cheese of", "goat cheese"),
    ("another animal's milk", "sheep milk"),
    ("a food for an animal the shop has no aisle for", "fish food"),
    ("an egg the shop does not stock", "duck eggs"),
    ("a plant milk the shop does not stock", "rice milk"),
]


@pytest.mark.parametrize(("kind", "query"), LACKING, ids=[row[0] for row in LACKING])
def test_a_describing_word_the_catalog_lacks_finds_nothing(index, kind, query):
    result = index.search(query)
    assert result.hits == (), f"{kind}: {[hit.product.name for hit in result.hits]}"
    assert result.text.split()[0] == query.split()[0]  # the reply can name what was looked for


KNOWN_OR_NEAR = [  # the same shape, but the describing word is the catalog's, split, or a near spelling
    ("the catalog's own word", "oat milk", "SKU-DAI-0035"),
    ("a split word", "pine apple", "SKU-PRO-0028"),
    ("a near spelling", "camomile tea", "SKU-BEV-0134"),
    ("heard with its first sound right", "html cable", "SKU-ELE-0216"),
    ("one garbled word among known ones", "family whipping cream", "SKU-DAI-0046"),
    ("a homophone of the catalog's word", "hole milk", "SKU-DAI-0031"),
    ("a typo in the describing word", "organik bananas", "SKU-PRO-0002"),
]


@pytest.mark.parametrize(("kind", "query", "sku"), KNOWN_OR_NEAR, ids=[row[0] for row in KNOWN_OR_NEAR])
def test_a_describing_word_the_catalog_has_or_nearly_has_still_finds(index, kind, query, sku):
    best = index.search(query).best
    assert best is not None and best.product.sku == sku, kind


def test_a_lacking_word_heard_as_the_catalogs_is_asked_about_not_dropped(index):
    best = index.search("where cat food").best  # Vosk for "wet cat food": first sound kept, so asked
    assert best is not None and best.product.sku == "SKU-PET-0205" and best.confidence < SURE


TOPICS = [  # "<thing> stuff": things for it, from the aisle most of its matches are in
    ("dog stuff", "pet", "Hot Dogs"),
    ("cat things", "pet", None),
    ("coffee stuff", "beverages", None),
]


@pytest.mark.parametrize(("query", "category", "not_listed"), TOPICS)
def test_a_topic_lists_the_aisle_most_of_its_matches_are_in(index, query, category, not_listed):
    hits = index.search(query).hits
    assert len(hits) >= 2 and all(hit.product.category == category for hit in hits), [h.product.name for h in hits]
    assert not_listed not in [hit.product.name for hit in hits]


def test_the_thing_itself_is_still_found_when_no_topic_word_is_said(index):
    assert index.search("hot dogs").best.product.name == "Hot Dogs"
    assert "Hot Dogs" in [hit.product.name for hit in index.search("dog").hits]


MADE_FROM = [  # "<thing> made from <what>": the ingredient describes the thing, as a name would put it first
    ("juice made from oranges", "SKU-BEV-0127"),
    ("chips made from tortillas", "SKU-SNA-0109"),
    ("bread made with whole wheat", "SKU-BAK-0050"),
]


@pytest.mark.parametrize(("query", "sku"), MADE_FROM)
def test_what_a_thing_is_made_from_finds_it_as_its_name_says_it(index, query, sku):
    best = index.search(query).best
    assert best is not None and best.product.sku == sku, query
