"""The outbox: order events stored beside the changes they report, and their delivery state.

`UnitOfWork.record_event` puts an event item into the same transaction as the order write, so a
cancelled transaction leaves no event and a committed one always has its event. This module builds
that item and is the deliverers' storage: what is due, claiming an event (one conditional update, so
two deliverers racing cannot both send it), and recording the outcome. Each state is a gsi1 partition
(`OUTBOX#pending`, `OUTBOX#delivered`, `OUTBOX#dead`): finding due or dead events is a query, not a scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from catalog.errors import StoreUnavailable
from catalog.events import Event
from catalog.repository import Repository, storage_errors
from catalog.tables import GSI1, STORE_ERRORS, TableSet, error_code

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
STATES = (PENDING, DELIVERED, DEAD)
KEEP_DAYS = 30
"""Events expire (DynamoDB TTL) this long after they happened, delivered or not: a month of retries and
of dead letters for ops to read, without the table growing forever."""


def event_key(event_id: str) -> tuple[str, str]:
    """Key of an outbox item."""
    return f"EVENT#{event_id}", "EVENT"


def _partition(state: str) -> str:
    return f"OUTBOX#{state}"


def event_item(tables: TableSet, event: Event) -> Any:
    """The outbox item for a new event, pending delivery from now on."""
    pk, sk = event_key(event.event_id)
    item = tables.outbox(
        pk=pk,
        sk=sk,
        gsi1pk=_partition(PENDING),
        gsi1sk=f"{event.occurred_at.isoformat()}#{event.event_id}",
        event_id=event.event_id,
        event_type=event.event_type,
        occurred_at=event.occurred_at,
        body=event.body(),
        order_id=event.order_id,
        status=event.status,
        state=PENDING,
        attempts=0,
    )
    item.ttl = event.occurred_at + timedelta(days=KEEP_DAYS)
    return item


@dataclass(frozen=True)
class OutboxEntry:
    """An event as stored, with where its delivery stands."""

    event_id: str
    event_type: str
    occurred_at: datetime
    body: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    claimed_by: str | None
    claim_until: datetime | None
    last_error: str | None
    delivered_at: datetime | None

    def due(self, now: datetime) -> bool:
        """Pending, not held by a deliverer, and past its backoff."""
        return (
            self.state == PENDING
            and (self.claim_until is None or self.claim_until < now)
            and (self.next_attempt_at is None or self.next_attempt_at <= now)
        )


def _entry(item: Any) -> OutboxEntry:
    return OutboxEntry(
        event_id=item.event_id,
        event_type=item.event_type,
        occurred_at=item.occurred_at,
        body=item.body,
        state=item.state or PENDING,
        attempts=int(item.attempts or 0),
        next_attempt_at=item.next_attempt_at,
        claimed_by=item.claimed_by,
        claim_until=item.claim_until,
        last_error=item.last_error,
        delivered_at=item.delivered_at,
    )


class Outbox:
    """Reads and delivery-state writes on the outbox items of one table."""

    def __init__(self, repository: Repository) -> None:
        """Share the repository's table binding (one connection per table)."""
        self.repository = repository
        self.tables = repository.tables

    def get(self, event_id: str) -> OutboxEntry | None:
        """One event by id."""
        item = self.repository._fetch(self.tables.outbox, *event_key(event_id))
        return None if item is None else _entry(item)

    def in_state(self, state: str, limit: int = 100) -> list[OutboxEntry]:
        """Events in one state, oldest first (gsi1; eventually consistent, so claims re-check)."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}")
        with storage_errors():
            results = self.tables.outbox.query(_partition(state), index_name=GSI1, limit=limit)
            return [_entry(item) for item in results]

    def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending events a deliverer may claim now."""
        return [entry for entry in self.in_state(PENDING, limit) if entry.due(now)]

    def claim(self, event_id: str, worker: str, now: datetime, lease: timedelta) -> OutboxEntry | None:
        """Hold an event for `lease` and count the try; None when another deliverer holds it or it is done.

        One conditional update decides it: of two deliverers claiming at once, exactly one gets the
        event. The try is counted here rather than after the send, so a deliverer that dies mid-send
        still uses one of the event's tries.
        """
        t = self.tables.outbox
        item = t(*event_key(event_id))
        free = t.claim_until.does_not_exist() | (t.claim_until < now)
        ready = t.next_attempt_at.does_not_exist() | (t.next_attempt_at <= now)
        actions = [t.claimed_by.set(worker), t.claim_until.set(now + lease), t.attempts.add(1)]
        if not self._update_if(item, actions, (t.state == PENDING) & free & ready):
            return None
        return _entry(item)

    def mark_delivered(self, event_id: str, worker: str, now: datetime) -> bool:
        """The receiver took it (2xx): it is never sent again; False if this worker no longer held it."""
        t = self.tables.outbox
        actions = [
            t.state.set(DELIVERED),
            t.gsi1pk.set(_partition(DELIVERED)),
            t.delivered_at.set(now),
            t.claim_until.remove(),
            t.last_error.remove(),
        ]
        return self._update_if(t(*event_key(event_id)), actions, t.claimed_by == worker)

    def mark_failed(self, event_id: str, worker: str, error: str, retry_at: datetime | None) -> bool:
        """A failed try: due again at `retry_at`, or (None) dead-lettered for ops to look at."""
        t = self.tables.outbox
        actions = [t.last_error.set(error[:500]), t.claim_until.remove()]
        if retry_at is None:
            actions += [t.state.set(DEAD), t.gsi1pk.set(_partition(DEAD))]
        else:
            actions.append(t.next_attempt_at.set(retry_at))
        return self._update_if(t(*event_key(event_id)), actions, t.claimed_by == worker)

    def requeue(self, event_id: str, now: datetime) -> bool:
        """Ops: give a dead event a fresh round of tries (after fixing the receiver)."""
        t = self.tables.outbox
        actions = [
            t.state.set(PENDING),
            t.gsi1pk.set(_partition(PENDING)),
            t.attempts.set(0),
            t.next_attempt_at.set(now),
        ]
        return self._update_if(t(*event_key(event_id)), actions, t.state == DEAD)

    @staticmethod
    def _update_if(item: Any, actions: list[Any], condition: Any) -> bool:
        """One conditional update; False when the condition did not hold (storage failures raise)."""
        try:
            item.update(actions=actions, condition=condition)
        except STORE_ERRORS as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise StoreUnavailable(detail=error_code(error)) from error
        return True
