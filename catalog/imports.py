"""Catalog imports: write what a file says about each product, and only that.

A mixin of `Shop`. Each product is one atomic update of the fields its row gives (see
`Repository.upsert_product_fields`), sent 100 to a transaction; when DynamoDB cancels one, its rows are
written one at a time, so a row DynamoDB refuses costs that row alone and is reported by its line. The
catalog version is bumped whenever anything was written, so every search cache sees what did land. An
import is therefore not all-or-nothing but honest: the report names each line that did not land, and why.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.errors import StoreUnavailable, UnknownProduct, WriteRefused
from catalog.importer import CatalogRow
from catalog.model import Product, ProductFields, StockMode
from catalog.repository import Repository

if TYPE_CHECKING:
    from catalog.services import SearchCache

CHUNK = 100
"""Rows per transaction (DynamoDB's TransactWriteItems limit)."""
WRITERS = 4
"""Transactions in flight at once, so round trips overlap without swamping a small machine."""
_NOT_TRIED = "not tried"


@dataclass(frozen=True)
class ImportReport:
    """What an import did: counts for ops and every refused row with its line number."""

    created: int
    updated: int
    errors: tuple[str, ...]
    version: int
    stock: StockMode = StockMode.KEEP
    stock_kept: int = 0
    """Existing products whose row gave a stock that KEEP left alone (ops may have meant SET or ADD)."""

    @property
    def written(self) -> int:
        """Products created or updated."""
        return self.created + self.updated


class CatalogImports:
    """Importing catalog rows into the table."""

    repository: Repository
    search_cache: SearchCache

    def import_products(
        self, products: Sequence[Product], errors: Sequence[str] = (), stock: StockMode = StockMode.KEEP
    ) -> ImportReport:
        """Import whole products (every field given); positions in the list stand in for line numbers."""
        rows = [CatalogRow(number, ProductFields.of(product)) for number, product in enumerate(products, 1)]
        return self.import_rows(rows, errors, stock)

    def import_rows(
        self, rows: Sequence[CatalogRow], errors: Sequence[str] = (), stock: StockMode = StockMode.KEEP
    ) -> ImportReport:
        """Upsert each row's fields by sku, then bump the catalog version if anything was written.

        `errors` are the reader's messages for rows it already refused; they lead the report. A store
        that stops answering part-way still gets its version bumped for what was written, and then
        raises StoreUnavailable saying how far the import got.
        """
        refused = list(errors)
        existing = set(self.repository.get_products([row.fields.sku for row in rows]))
        created = updated = kept = 0
        outage: StoreUnavailable | None = None
        gone = threading.Event()  # after one outage, the rows not yet sent are not tried (each would time out)

        def write(chunk: Sequence[CatalogRow]) -> list[str | StoreUnavailable | None]:
            if gone.is_set():
                return [_NOT_TRIED] * len(chunk)
            outcomes = self._write_chunk(chunk, existing, stock)
            if any(isinstance(outcome, StoreUnavailable) for outcome in outcomes):
                gone.set()
            return outcomes

        chunks = [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
        with ThreadPoolExecutor(WRITERS) as pool:
            outcomes = [outcome for done in pool.map(write, chunks) for outcome in done]
        for row, outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, StoreUnavailable):
                outage = outage or outcome
            elif outcome == _NOT_TRIED:
                continue
            elif outcome is not None:
                refused.append(outcome)
            elif row.fields.sku in existing:
                updated += 1
                kept += stock is StockMode.KEEP and row.fields.stock is not None
            else:
                created += 1
        version = self._publish(created + updated, outage)
        if outage is not None:
            done = created + updated
            detail = (  # a write whose answer timed out may still have been applied: "0 written" was untrue
                f"{outage.detail}; {done} of {len(rows)} products confirmed written (a write that timed out "
                "may still have been applied)"
            )
            raise StoreUnavailable(detail=detail) from outage
        return ImportReport(created, updated, tuple(refused), version, stock, kept)

    def _write_chunk(
        self, chunk: Sequence[CatalogRow], existing: set[str], stock: StockMode
    ) -> list[str | StoreUnavailable | None]:
        """Write up to CHUNK rows in one transaction, or one by one when DynamoDB cancels it."""
        ready = [row for row in chunk if row.fields.sku in existing or not row.fields.missing_for_new()]
        try:
            written = bool(ready) and self.repository.upsert_products_fields([row.fields for row in ready], stock)
        except StoreUnavailable as error:
            return [error] * len(chunk)
        if written:
            return [None if row in ready else _not_in_catalog(row) for row in chunk]
        outcomes: list[str | StoreUnavailable | None] = []
        down = False
        for row in chunk:
            outcome = _NOT_TRIED if down else self._write_row(row, row.fields.sku in existing, stock)
            down = down or isinstance(outcome, StoreUnavailable)
            outcomes.append(outcome)
        return outcomes

    def _write_row(self, row: CatalogRow, exists: bool, stock: StockMode) -> str | StoreUnavailable | None:
        """Write one row: None when written, else why not (a line for the report, or the outage)."""
        if not exists and row.fields.missing_for_new():
            return _not_in_catalog(row)
        try:
            self.repository.upsert_product_fields(row.fields, stock)
        except UnknownProduct:
            return _not_in_catalog(row)
        except WriteRefused as refusal:
            return f"line {row.line}: DynamoDB refused {row.fields.sku} ({refusal.code}: {refusal.reason})"
        except StoreUnavailable as error:
            return error
        return None

    def _publish(self, written: int, outage: StoreUnavailable | None) -> int:
        """Bump the catalog version when anything was written, so caches rebuild; the version as it stands."""
        if not written:
            return self.repository.catalog_version() if outage is None else 0
        try:
            version = self.repository.bump_catalog_version()
        except StoreUnavailable:
            if outage is None:
                raise
            return 0  # the store is gone: the outage is what the caller will hear about
        self.search_cache.invalidate()
        return version


def _not_in_catalog(row: CatalogRow) -> str:
    """The message for an update row whose product the shop does not hold."""
    missing = " and ".join(row.fields.missing_for_new())
    return f"line {row.line}: {row.fields.sku} is not in the catalog, and a new product needs a {missing}"
