"""Out-of-stock alternatives are the same kind, not just the same category (issue 14: dog food got cat food)."""

import pytest

from catalog.importer import read_catalog
from catalog.recommend import same_kind_alternatives
from tests.conftest import demo_catalog_path


@pytest.fixture(scope="module")
def catalog():
    return {p.sku: p for p in read_catalog(demo_catalog_path()).products}


def test_dog_food_is_never_offered_cat_food(catalog):
    offered = same_kind_alternatives(catalog["SKU-PET-0204"], catalog.values())
    assert all("cat" not in p.name.lower() for p in offered)


def test_bananas_get_organic_bananas(catalog):
    offered = same_kind_alternatives(catalog["SKU-PRO-0001"], catalog.values())
    assert "SKU-PRO-0002" in [p.sku for p in offered]
    assert all(p.in_stock and p.category == "produce" for p in offered)


def test_an_alternative_is_never_the_product_itself(catalog):
    oats = catalog["SKU-PAN-0084"]
    assert oats not in same_kind_alternatives(oats, catalog.values())
