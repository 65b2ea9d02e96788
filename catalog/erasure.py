"""Forgetting a customer on request (`voiceshop customers forget`): an ops command, never the skill's.

What goes, and what stays:

- **Deleted:** everything in the customer's own partition (`CUSTOMER#<id>`: the profile with its
  purchase-code hash, lockout counters, address and delivery choice; the cart; a purchase-code change in
  progress; the order-number and return-number guards), the kiosk customer number that maps to them,
  their quotes (which carry an address snapshot) and the call-back requests naming them (which carry
  what they said).
- **Kept, anonymised:** orders and returns. They are the shop's books (what was sold, refunded and
  restocked, and the sales figures in `catalog.sales` were counted from them), and accounts and tax law
  usually require keeping them for years; the person behind them is not needed for that. So the customer
  id on each order, return and order event is replaced by a tombstone (`forgotten-<random>`, one per
  forget, never derived from the id, so it cannot be turned back into it) and the order's address
  snapshot is removed. The lines, prices, statuses and history stay.

Everything is found by key or by index query, never by scanning the table: the customer's partition,
their gsi1 list (orders and quotes), the order's derived return and event ids, and the call-back lists.
Each write is conditioned on the item still naming the customer, so running it again, or after a crash
half way, finishes the job and a second run changes nothing. Deleting needs DeleteItem, which the Lambda's
role deliberately lacks (tests/test_template.py): run this with ops credentials.

Not reachable from here: webhooks and EventBridge events already delivered to other systems, CloudWatch
logs (which hold no customer ids in clear: `skill/envelope.py` salts them), and point-in-time backups
(kept 35 days, then gone). Quotes from before quotes were listed under their customer are not found;
they expire by TTL a day after their 30-minute life.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from catalog.callbacks import DONE, OPEN, CallbackDesk
from catalog.events import ORDER_CANCELLED, ORDER_PLACED, ORDER_STATUS_CHANGED, event_id_for
from catalog.fulfilment import return_id_for
from catalog.fulfilment_items import FulfilmentItems
from catalog.model import OrderStatus
from catalog.outbox import event_key
from catalog.repository import Repository, order_key
from catalog.returns import ReturnStatus
from catalog.unit_of_work import MAX_TRANSACT_ITEMS, TransactionCancelled, UnitOfWork

PARTITION_KINDS = (("PROFILE", "profile"), ("CART", "cart"), ("NEWCODE", "code_change"),
                   ("ORDERNO#", "order_number_guards"), ("RETURNNO#", "return_number_guards"))  # fmt: skip
"""How the items of a customer's partition are counted in the report (by sort key prefix)."""


@dataclass
class ForgetReport:
    """What one forget removed or anonymised, as counts only: it never repeats personal data."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    tombstone: str | None = None
    """The id the kept orders and returns now carry (None when there were none)."""

    @property
    def nothing(self) -> bool:
        """True when the customer had nothing left to forget (a second forget)."""
        return not any(self.deleted.values()) and not any(self.anonymised.values())

    def count(self, where: dict[str, int], kind: str, n: int = 1) -> None:
        """Add `n` to one kind of item."""
        where[kind] = where.get(kind, 0) + n


def _anonymised_body(body: str, customer_id: str, tombstone: str) -> str | None:
    """The event body naming the tombstone instead of the customer, canonical as `Event.body`; None if not theirs."""
    envelope = json.loads(body)
    data = envelope.get("data") or {}
    if data.get("customer_id") != customer_id:
        return None
    envelope["data"] = {**data, "customer_id": tombstone}
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _order_event_ids(order_id: str) -> list[str]:
    """Every event id an order and its return can have: ids are derived from what they report."""
    return_id = return_id_for(order_id)
    ids = [event_id_for(ORDER_PLACED, order_id), event_id_for(ORDER_CANCELLED, f"{order_id}:cancelled")]
    ids += [event_id_for(ORDER_STATUS_CHANGED, f"{order_id}:{status.value}") for status in OrderStatus]
    ids += [event_id_for(f"return.{status.value}", f"{return_id}:{status.value}") for status in ReturnStatus]
    return ids


class Erasure:
    """Forget one customer: delete what is theirs, anonymise what the books keep."""

    def __init__(self, repository: Repository) -> None:
        """Share the shop's table binding."""
        self.repository = repository
        self.tables = repository.tables

    def footprint(self, customer_id: str) -> ForgetReport:
        """What a forget would touch, counted, without changing anything (for the confirmation prompt)."""
        report = ForgetReport()
        for _, sk in self.repository.customer_partition_keys(customer_id):
            report.count(report.deleted, _kind(sk))
        report.count(report.anonymised, "orders", len(self.repository.customer_index_keys(customer_id, "ORDER#")))
        report.count(report.deleted, "quotes", len(self.repository.customer_index_keys(customer_id, "QUOTE#")))
        report.count(report.deleted, "callbacks", len(self._callbacks(customer_id)))
        return report

    def forget(self, customer_id: str) -> ForgetReport:
        """Delete the customer's data and anonymise their orders and returns; idempotent."""
        report = ForgetReport()
        tombstone = f"forgotten-{uuid.uuid4().hex[:12]}"
        for pk, _ in self.repository.customer_index_keys(customer_id, "ORDER#"):
            self._anonymise_order(pk.removeprefix("ORDER#"), customer_id, tombstone, report)
        if report.anonymised:
            report.tombstone = tombstone
        for pk, sk in self.repository.customer_index_keys(customer_id, "QUOTE#"):
            self._delete([("quotes", pk, sk)], report)
        for callback_id in self._callbacks(customer_id):
            with UnitOfWork(self.repository) as uow:
                uow.forget_callback(callback_id, customer_id)
                if self._committed(uow):
                    report.count(report.deleted, "callbacks")
        customer = self.repository.get_customer(customer_id)
        if customer is not None and customer.customer_number:
            with UnitOfWork(self.repository) as uow:
                uow.forget_customer_number(customer.customer_number, customer_id)
                if self._committed(uow):
                    report.count(report.deleted, "customer_number")
        keys = self.repository.customer_partition_keys(customer_id)
        self._delete([(_kind(sk), pk, sk) for pk, sk in keys], report)
        return report

    def _anonymise_order(self, order_id: str, customer_id: str, tombstone: str, report: ForgetReport) -> None:
        """One transaction per order: the order, its return and its events move to the tombstone together."""
        return_key = FulfilmentItems.return_key(return_id_for(order_id))
        event_keys = [event_key(event_id) for event_id in _order_event_ids(order_id)]
        found = self.repository.raw_items([order_key(order_id), return_key, *event_keys])
        order = found.get(order_key(order_id))
        if order is None or order.get("customer_id", {}).get("S") != customer_id:
            return
        with UnitOfWork(self.repository) as uow:
            uow.anonymise_order(order_id, customer_id, tombstone)
            kept = {"orders": 1}
            returned = found.get(return_key)
            if returned is not None and returned.get("customer_id", {}).get("S") == customer_id:
                uow.anonymise_return(returned["return_id"]["S"], customer_id, tombstone)
                kept["returns"] = 1
            for key in event_keys:
                row = found.get(key)
                body = row and row.get("body", {}).get("S")
                anonymised = _anonymised_body(body, customer_id, tombstone) if body else None
                if row is not None and body and anonymised:
                    uow.anonymise_event(row["event_id"]["S"], body, anonymised)
                    kept["events"] = kept.get("events", 0) + 1
            if self._committed(uow):
                for kind, n in kept.items():
                    report.count(report.anonymised, kind, n)

    def _delete(self, items: list[tuple[str, str, str]], report: ForgetReport) -> None:
        """Delete (kind, pk, sk) items, up to a transaction's worth at a time."""
        for start in range(0, len(items), MAX_TRANSACT_ITEMS):
            chunk = items[start : start + MAX_TRANSACT_ITEMS]
            with UnitOfWork(self.repository) as uow:
                for kind, pk, sk in chunk:
                    uow.forget_item(kind, pk, sk)
                uow.commit()
            for kind, _, _ in chunk:
                report.count(report.deleted, kind)

    @staticmethod
    def _committed(uow: UnitOfWork) -> bool:
        """Commit; False when a condition failed (the item no longer names the customer: already done)."""
        try:
            uow.commit()
        except TransactionCancelled:
            return False
        return True

    def _callbacks(self, customer_id: str) -> list[str]:
        """Ids of the call-back requests, open or done, that name the customer (a query of each list)."""
        desk = CallbackDesk(self.repository)
        return [c.callback_id for state in (OPEN, DONE) for c in desk.all_in(state) if c.customer_id == customer_id]


def _kind(sk: str) -> str:
    """How an item of the customer's partition is named in the report."""
    return next((kind for prefix, kind in PARTITION_KINDS if sk.startswith(prefix)), "other")
