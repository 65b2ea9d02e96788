"""Shared fixtures: one real DynamoDB Local per test session, a fresh table per use.

The emulator runs on a free port with its data in a temp folder, so a developer's own `voiceshop db
start` instance (port 8000, .data/) is never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog.config import REPO_ROOT, Settings
from catalog.dynamodb_local import DynamoDBLocal, free_port
from catalog.importer import read_catalog
from catalog.model import Product
from catalog.repository import Repository
from catalog.services import Shop

DEMO_CATALOG = REPO_ROOT.parent / "shared" / "catalog" / "demo_catalog.json"


def random_ref(prefix: str) -> str:
    """Unique ids per test, so tests can share one table without seeing each other's data."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamoDBLocal]:
    base = Settings.from_env()
    server = DynamoDBLocal(tmp_path_factory.mktemp("ddb"), port=free_port(), jars_dir=base.data_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_settings(dynamodb_local: DynamoDBLocal) -> Settings:
    return replace(Settings.from_env(), endpoint=dynamodb_local.endpoint, index_check_seconds=0.0, region="us-east-1")


def fresh_shop(settings: Settings, table: str | None = None, products: list[Product] | None = None) -> Shop:
    """A shop on a brand-new table, holding `products` when given (a catalog of the test's own)."""
    settings = replace(settings, table=table or random_ref("vs-test"))
    repository = Repository(settings)
    repository.ensure_table()
    shop = Shop(settings, repository)
    if products:
        shop.import_products(products)
    return shop


@pytest.fixture(scope="session")
def demo_products() -> list[Product]:
    return read_catalog(DEMO_CATALOG).products


@pytest.fixture(scope="session")
def demo_shop(base_settings: Settings, demo_products: list[Product]) -> Shop:
    """One table holding the demo catalog, shared by tests that only read it or use their own customers."""
    return fresh_shop(base_settings, products=demo_products)


@pytest.fixture
def empty_shop(base_settings: Settings) -> Shop:
    return fresh_shop(base_settings)


@pytest.fixture
def customer() -> str:
    return random_ref("cust")


def add_product(shop: Shop, stock: int = 10, price: str = "2.50", name: str | None = None) -> Product:
    """A product of this test's own, so stock changes can't leak between tests."""
    sku = random_ref("SKU-T")
    product = Product(sku, name or f"Test Item {sku}", "Testco", "pantry", "1 each", Decimal(price), "USD", stock)
    shop.import_products([product])
    return product


def demo_catalog_path() -> Path:
    return DEMO_CATALOG


@contextmanager
def dynamodb_calls(shop: Shop) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every call (operation, request parameters) the shop's own botocore client sends while the block runs.

    A botocore event hook on the real client talking to DynamoDB Local: it observes, it never answers.
    """
    client = shop.repository.tables.connection.client
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        seen.append((model.name, params))

    client.meta.events.register("before-parameter-build.dynamodb", record)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb", record)
