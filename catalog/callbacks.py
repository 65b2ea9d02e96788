"""Call-back requests: a shopper the conversation could not help asked for a person.

A request holds what ops need to call back without asking again: the customer, the channel, why it
was asked (frustration words or misunderstandings in a row), the last few things heard and the cart as
it was. It never holds a purchase code: the conversation records no words of a turn that answered a
code question or carried a code slot (`intents.handoff`). Open requests sit in the gsi1 partition
`CALLBACKS#open`, so `voiceshop callbacks list` is a query; `done` moves one to `CALLBACKS#done`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from catalog.model import CartLine, utcnow
from catalog.repository import Repository, _lines_to_items, storage_errors
from catalog.tables import GSI1, TableSet
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

OPEN, DONE = "open", "done"
KEEP_DAYS = 90
"""Requests expire (DynamoDB TTL) this long after they were made: they hold what a shopper said."""
MAX_UTTERANCES = 5


@dataclass(frozen=True)
class Callback:
    """One request for a person to call the shopper back."""

    callback_id: str
    customer_id: str
    channel: str
    reason: str
    """`frustration` (the shopper asked for a person) or `misunderstood` (three misses in a row)."""
    utterances: tuple[str, ...]
    cart: tuple[CartLine, ...]
    created_at: datetime
    state: str = OPEN
    done_at: datetime | None = None
    note: str | None = None


def callback_key(callback_id: str) -> tuple[str, str]:
    """Key of a call-back request item."""
    return f"CALLBACK#{callback_id}", "CALLBACK"


def callback_item(tables: TableSet, callback: Callback) -> Any:
    """The item for a new open request."""
    pk, sk = callback_key(callback.callback_id)
    item = tables.callback(
        pk=pk,
        sk=sk,
        gsi1pk=f"CALLBACKS#{callback.state}",
        gsi1sk=f"{callback.created_at.isoformat()}#{callback.callback_id}",
        callback_id=callback.callback_id,
        customer_id=callback.customer_id,
        channel=callback.channel,
        reason=callback.reason,
        utterances=list(callback.utterances),
        cart=_lines_to_items(list(callback.cart)),
        state=callback.state,
        created_at=callback.created_at,
    )
    item.ttl = callback.created_at + timedelta(days=KEEP_DAYS)
    return item


def _callback(item: Any) -> Callback:
    return Callback(
        callback_id=item.callback_id,
        customer_id=item.customer_id,
        channel=item.channel,
        reason=item.reason,
        utterances=tuple(item.utterances or ()),
        cart=tuple(CartLine(i.sku, i.name, Decimal(i.unit_price), int(i.quantity)) for i in item.cart or ()),
        created_at=item.created_at,
        state=item.state or OPEN,
        done_at=item.done_at,
        note=item.note,
    )


class CallbackDesk:
    """Record call-back requests and let ops work through them."""

    def __init__(self, repository: Repository) -> None:
        """Share the shop's table binding."""
        self.repository = repository
        self.tables = repository.tables

    def request(self, customer_id: str, channel: str, reason: str, utterances: Sequence[str]) -> Callback:
        """Record a request with the customer's cart as it is now; one write."""
        cart = self.repository.get_cart(customer_id)[0]
        callback = Callback(
            callback_id=uuid.uuid4().hex[:12],
            customer_id=customer_id,
            channel=channel,
            reason=reason,
            utterances=tuple(utterances)[-MAX_UTTERANCES:],
            cart=tuple(cart.lines),
            created_at=utcnow(),
        )
        with UnitOfWork(self.repository) as uow:
            uow.add_callback(callback_item(self.tables, callback))
            uow.commit()
        return callback

    def open_requests(self, limit: int = 50) -> list[Callback]:
        """Open requests, oldest first (the longest wait is called first)."""
        with storage_errors():
            return [_callback(i) for i in self.tables.callback.query(f"CALLBACKS#{OPEN}", index_name=GSI1, limit=limit)]

    def all_in(self, state: str) -> list[Callback]:
        """Every request in one state (`open` or `done`), oldest first, page after page (a query, no scan)."""
        with storage_errors():
            return [_callback(i) for i in self.tables.callback.query(f"CALLBACKS#{state}", index_name=GSI1)]

    def get(self, callback_id: str) -> Callback | None:
        """One request by id."""
        item = self.repository._fetch(self.tables.callback, *callback_key(callback_id))
        return None if item is None else _callback(item)

    def done(self, callback_id: str, note: str | None = None) -> Callback | None:
        """Ops called back: close the request; None when there is no open request with that id."""
        with UnitOfWork(self.repository) as uow:
            uow.close_callback(self.tables.callback(*callback_key(callback_id)), utcnow(), note)
            try:
                uow.commit()
            except TransactionCancelled:
                return None
        return self.get(callback_id)
