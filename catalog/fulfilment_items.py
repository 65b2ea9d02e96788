"""Returns and the shop policy to and from items: the repository's part for what happens after delivery.

Kept beside `repository.py` (which it builds on) so the order and cart code there stays one file to
review. Atomic writes still go through `UnitOfWork` (`add_return`, `move_return`, `save_policy`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from catalog.repository import (
    Repository,
    _lines_to_items,
    _quote_lines,
    customer_pk,
    storage_errors,
)
from catalog.returns import ReturnRecord, ReturnStatus, ReturnStep
from catalog.tables import GSI1, StatusMap

RETURNS_PARTITION = "RETURNS"
POLICY_KEY = ("CATALOG", "POLICY")
PROMOTIONS_KEY = ("CATALOG", "PROMOTIONS")


def return_key(return_id: str) -> tuple[str, str]:
    """Key of a return item."""
    return f"RETURN#{return_id}", "RETURN"


@dataclass(frozen=True)
class ReturnPage:
    """Returns for ops, newest first; `cursor` is for the next page."""

    returns: tuple[ReturnRecord, ...]
    cursor: str | None


def _encode(key: dict[str, Any] | None) -> str | None:
    """A start key as an opaque cursor for the next page."""
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode() if key else None


def _decode(cursor: str | None) -> dict[str, Any] | None:
    """The start key in a cursor `_encode` made; ValueError for anything else, before DynamoDB is asked."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not a cursor this shop handed out") from error
    if not isinstance(key, dict) or key.get("gsi1pk") != {"S": RETURNS_PARTITION}:
        raise ValueError("not a cursor this shop handed out for returns")
    return key


class FulfilmentItems:
    """Return records, their spoken-number guards and the stored policy sections of one table binding."""

    return_key = staticmethod(return_key)

    def __init__(self, repository: Repository) -> None:
        """Share the repository's table binding (one connection)."""
        self.repository = repository
        self.tables = repository.tables

    # --- returns ------------------------------------------------------------------------------
    def return_item(self, record: ReturnRecord) -> Any:
        """Item for a return, listed for ops in the RETURNS partition of gsi1."""
        pk, sk = return_key(record.return_id)
        return self.tables.return_record(
            pk=pk,
            sk=sk,
            gsi1pk=RETURNS_PARTITION,
            gsi1sk=f"RETURN#{record.created_at.isoformat()}#{record.return_id}",
            return_id=record.return_id,
            return_number=record.return_number,
            order_id=record.order_id,
            order_number=record.order_number,
            customer_id=record.customer_id,
            lines=_lines_to_items(record.lines),
            currency=record.currency,
            status=record.status.value,
            history=[StatusMap(status=step.status.value, at=step.at) for step in record.history],
            created_at=record.created_at,
        )

    @staticmethod
    def to_return(item: Any) -> ReturnRecord:
        """Domain return from an item."""
        return ReturnRecord(
            return_id=item.return_id,
            return_number=item.return_number,
            order_id=item.order_id,
            order_number=item.order_number,
            customer_id=item.customer_id,
            lines=_quote_lines(item.lines or []),
            currency=item.currency or "USD",
            status=ReturnStatus(item.status),
            history=tuple(ReturnStep(ReturnStatus(h.status), h.at) for h in item.history or []),
            created_at=item.created_at,
        )

    def get_return(self, return_id: str) -> ReturnRecord | None:
        """A return by id."""
        item = self.repository._fetch(self.tables.return_record, *return_key(return_id))
        return None if item is None else self.to_return(item)

    def return_number_item(self, customer_id: str, return_number: str, return_id: str) -> Any:
        """Guard item that makes a spoken return number unique for its customer."""
        return self.tables.return_number(
            pk=customer_pk(customer_id), sk=f"RETURNNO#{return_number}", return_id=return_id
        )

    def return_id_for_number(self, customer_id: str, return_number: str) -> str | None:
        """Resolve a spoken return number to the return's id."""
        item = self.repository._fetch(self.tables.return_number, customer_pk(customer_id), f"RETURNNO#{return_number}")
        return None if item is None else str(item.return_id)

    def returns_of(self, return_ids: list[str]) -> dict[str, ReturnRecord]:
        """Those of these returns that exist, by id, in one consistent BatchGetItem round trip."""
        if not return_ids:
            return {}
        with storage_errors():
            rows = self.tables.get_items([return_key(return_id) for return_id in return_ids])
        records = (self.to_return(self.tables.return_record.from_raw_data(row)) for row in rows.values())
        return {record.return_id: record for record in records}

    def all_returns(self, limit: int = 20, cursor: str | None = None) -> ReturnPage:
        """Every return, newest first, through gsi1 (a query, never a scan)."""
        start = _decode(cursor)
        with storage_errors():
            results = self.tables.return_record.query(
                RETURNS_PARTITION,
                self.tables.return_record.gsi1sk.startswith("RETURN#"),
                index_name=GSI1,
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=start,
            )
            records = tuple(self.to_return(item) for item in results)
            key = results.last_evaluated_key
        return ReturnPage(records, _encode(key))

    # --- the shop policy ----------------------------------------------------------------------
    def policy_item(self, sections: dict[str, Any]) -> Any:
        """Item holding the policy sections a catalog file gave."""
        return self.tables.policy(*POLICY_KEY, sections=json.dumps(sections, sort_keys=True))

    def policy_sections(self) -> dict[str, Any]:
        """The stored policy sections ({} before any import gave one)."""
        item = self.repository._fetch(self.tables.policy, *POLICY_KEY)
        return {} if item is None else dict(json.loads(item.sections or "{}"))

    # --- promotions ---------------------------------------------------------------------------
    def promotions_item(self) -> Any:
        """The promotions item as stored (its version guards the next write), or a new, empty one."""
        item = self.repository._fetch(self.tables.promotions, *PROMOTIONS_KEY)
        return self.tables.promotions(*PROMOTIONS_KEY) if item is None else item

    def promotions_stored(self) -> bool:
        """Whether any import ever stored promotions (an import of none, ending them all, counts)."""
        return self.repository._fetch(self.tables.promotions, *PROMOTIONS_KEY) is not None

    def promotion_rows(self, item: Any = None) -> list[dict[str, Any]]:
        """The stored promotion rows (none before the first import)."""
        item = self.promotions_item() if item is None else item
        return list(json.loads(item.promotions or "[]"))

    @staticmethod
    def fill_promotions_item(item: Any, rows: list[dict[str, Any]]) -> Any:
        """Put the rows on the item read before, so its version condition makes a concurrent import fail."""
        item.promotions = json.dumps(rows, sort_keys=True)
        return item


__all__ = ["FulfilmentItems", "ReturnPage", "return_key"]
