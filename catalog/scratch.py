"""A throwaway shop on its own DynamoDB Local (temp folder, free port), for benchmarks.

Benchmarks must measure the real emulator without touching a developer's `.data/` instance, and each
needs the same start, fresh table and clean stop; this is that one place.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from catalog.config import Settings
from catalog.dynamodb_local import DynamoDBLocal, free_port
from catalog.model import Product
from catalog.repository import Repository
from catalog.services import Shop


@contextmanager
def scratch_shop(products: Iterable[Product] = (), prefix: str = "bench") -> Iterator[tuple[DynamoDBLocal, Shop]]:
    """Start an emulator, create a fresh table holding `products`, and stop it all afterwards."""
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        server = DynamoDBLocal(Path(tmp), port=free_port(), jars_dir=base.data_dir)
        server.start()
        try:
            settings = replace(base, endpoint=server.endpoint, table=f"{prefix}-{uuid.uuid4().hex[:8]}")
            repository = Repository(settings)
            repository.ensure_table()
            shop = Shop(settings, repository)
            batch = list(products)
            if batch:
                shop.import_products(batch)
            yield server, shop
        finally:
            server.stop()
