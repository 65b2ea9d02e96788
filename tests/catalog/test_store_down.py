"""DynamoDB unreachable: a typed error the channels can apologise with, and nothing half-written."""

from dataclasses import replace

import pytest

from catalog.dynamodb_local import free_port
from catalog.errors import StoreUnavailable
from catalog.repository import Repository
from catalog.services import Shop


@pytest.fixture
def unreachable_shop(base_settings):
    settings = replace(base_settings, endpoint=f"http://127.0.0.1:{free_port()}", table="vs-down")
    return Shop(settings, Repository(settings))


def test_reads_raise_store_unavailable(unreachable_shop):
    with pytest.raises(StoreUnavailable):
        unreachable_shop.cart("anyone")


def test_writes_raise_store_unavailable(unreachable_shop):
    with pytest.raises(StoreUnavailable):
        unreachable_shop.add_to_cart("anyone", "SKU-PRO-0002", 1)


def test_search_raises_store_unavailable(unreachable_shop):
    with pytest.raises(StoreUnavailable):
        unreachable_shop.search("oat milk")
