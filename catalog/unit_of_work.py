"""One DynamoDB transaction per unit of work: all of its writes happen, or none do.

Shaped like cosmicpython's unit of work (`with uow: ...; uow.commit()`), but the "session" is a list of
TransactWriteItems operations. Each operation carries a label so a cancelled transaction can say which
condition failed (the product that ran out, the order that already exists).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from catalog.errors import StoreUnavailable
from catalog.tables import Connection, PynamoDBException, TransactWrite, TransactWriteError

CONFLICT_CODES = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
MAX_TRANSACT_ITEMS = 100


@dataclass
class TransactionCancelled(Exception):
    """Conditions failed; `reasons` maps each failing operation's label to DynamoDB's reason code."""

    reasons: dict[str, str]


@dataclass
class _Op:
    kind: str
    label: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


# TransactWrite sends condition checks, then deletes, puts, updates: cancellation reasons follow that order.
_SEND_ORDER = ("condition_check", "delete", "save", "update")


class UnitOfWork:
    """Collects writes, then commits them as one TransactWriteItems call (retrying only conflicts)."""

    def __init__(self, connection: Connection, attempts: int = 6) -> None:
        """Use the table binding's connection: PynamoDB transactions ignore Meta.host."""
        self.connection = connection
        self.attempts = attempts
        self._ops: list[_Op] = []
        self.committed = False

    def __enter__(self) -> UnitOfWork:
        """Start with no pending writes."""
        self._ops = []
        self.committed = False
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Drop anything not committed: leaving the block without commit writes nothing."""
        self._ops = []

    def save(self, label: str, item: Any, condition: Any = None) -> None:
        """Put a whole item (a versioned item adds its version condition itself)."""
        self._ops.append(_Op("save", label, (item,), {"condition": condition}))

    def update(self, label: str, item: Any, actions: list[Any], condition: Any = None) -> None:
        """Apply update actions to an existing item, under a condition."""
        self._ops.append(_Op("update", label, (item, actions), {"condition": condition}))

    def delete(self, label: str, item: Any, condition: Any = None) -> None:
        """Delete an item, under a condition."""
        self._ops.append(_Op("delete", label, (item,), {"condition": condition}))

    def condition_check(self, label: str, model: type[Any], hash_key: str, range_key: str, condition: Any) -> None:
        """Require a condition on an item that is not written."""
        self._ops.append(_Op("condition_check", label, (model, hash_key, range_key), {"condition": condition}))

    def commit(self) -> None:
        """Write everything atomically; conflicts with other transactions are retried with backoff."""
        if not self._ops:
            self.committed = True
            return
        if len(self._ops) > MAX_TRANSACT_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACT_ITEMS} writes")
        if len(self._ops) == 1 and self._ops[0].kind != "condition_check":
            self._commit_single(self._ops[0])
            return
        ordered = sorted(self._ops, key=lambda op: _SEND_ORDER.index(op.kind))
        for attempt in range(self.attempts):
            try:
                with TransactWrite(connection=self.connection) as transaction:
                    for op in ordered:
                        getattr(transaction, op.kind)(*op.args, **op.kwargs)
            except TransactWriteError as error:
                reasons = {
                    op.label: reason.code
                    for op, reason in zip(ordered, error.cancellation_reasons, strict=False)
                    if reason is not None
                }
                retryable = (not reasons and error.cause_response_code in {None, *CONFLICT_CODES}) or (
                    reasons and set(reasons.values()) <= CONFLICT_CODES
                )
                if error.cause_response_code == "TransactionCanceledException" and reasons and not retryable:
                    raise TransactionCancelled(reasons) from error
                if not retryable or attempt == self.attempts - 1:
                    raise StoreUnavailable(detail=str(error.cause_response_code or "transaction failed")) from error
                time.sleep(min(0.5, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
                continue
            self.committed = True
            self._ops = []
            return

    def _commit_single(self, op: _Op) -> None:
        """One item is atomic on its own: a plain conditional write costs half a transaction."""
        item = op.args[0]
        try:
            if op.kind == "save":
                item.save(condition=op.kwargs.get("condition"))
            elif op.kind == "update":
                item.update(actions=op.args[1], condition=op.kwargs.get("condition"))
            else:
                item.delete(condition=op.kwargs.get("condition"))
        except PynamoDBException as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise TransactionCancelled({op.label: "ConditionalCheckFailed"}) from error
            raise StoreUnavailable(detail=str(error.cause_response_code or type(error.cause).__name__)) from error
        self.committed = True
        self._ops = []
