"""One DynamoDB transaction per unit of work: all of its writes happen, or none do.

Shaped like cosmicpython's unit of work (`with uow: ...; uow.commit()`), but the "session" is a list of
TransactWriteItems operations. The shop's services speak in intentions (`take_stock`, `add_order`,
`save_cart`, `require_purchase_allowed`); this module and `repository.py` are the only places that
turn those into items, conditions and update expressions. Each operation carries a label so a
cancelled transaction can say which condition failed (the product that ran out, the order that
already exists, the cart that changed).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from catalog.errors import StoreUnavailable
from catalog.events import Event, return_event
from catalog.fulfilment_items import FulfilmentItems
from catalog.model import CANCELLABLE, Cart, Customer, Order, OrderStatus, Quote, utcnow
from catalog.outbox import event_item
from catalog.purchase_code import MAX_WRONG_CODES
from catalog.returns import ReturnRecord
from catalog.sales import BOUGHT_WITH
from catalog.tables import (
    STORE_ERRORS,
    StatusMap,
    TransactWrite,
    TransactWriteError,
    add_to_counter,
    counter_name,
    error_code,
    outcome_unknown,
)

if TYPE_CHECKING:
    from catalog.repository import Repository

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


# TransactWrite sends condition checks, then puts, then updates: cancellation reasons follow that order.
# (Nothing the shop does deletes an item: quotes expire by TTL, so the Lambda is not granted DeleteItem.)
_SEND_ORDER = ("condition_check", "save", "update")


class UnitOfWork:
    """Collects writes, then commits them as one TransactWriteItems call (retrying only conflicts)."""

    def __init__(self, repository: Repository, attempts: int = 6) -> None:
        """Use the table binding's connection: PynamoDB transactions ignore Meta.host."""
        self.repository = repository
        self.tables = repository.tables
        self.connection = repository.tables.connection
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

    # --- the shop's intentions ----------------------------------------------------------------
    def save_cart(self, item: Any, cart: Cart, label: str = "cart") -> None:
        """Write the cart under the version it was read at (a second writer makes this fail, not win)."""
        self.save(label, self.repository.fill_cart_item(item, cart))

    def save_quote(self, quote: Quote) -> None:
        """Store a quote (it expires through the table's TTL)."""
        self.save("quote", self.repository.quote_item(quote))

    def save_profile(self, customer: Customer) -> None:
        """Store name and address only: the code, its counters and the customer number have their own writes."""
        t = self.tables.customer
        item = t(*self.repository.customer_key(customer.customer_id))
        actions = [
            t.customer_id.set(customer.customer_id),
            t.display_name.set(customer.display_name),
            t.address.set(customer.address),
            t.delivery_option.set(customer.delivery_option),
        ]
        self.update("customer", item, actions)

    def set_code_hash(self, customer: Customer, new_hash: str) -> None:
        """Replace the purchase code, only if it is still the one just checked; clears both lock scopes."""
        t = self.tables.customer
        item = t(*self.repository.customer_key(customer.customer_id))
        actions = [
            t.customer_id.set(customer.customer_id),
            t.code_hash.set(new_hash),
            t.failed_code_attempts.set(0),
            t.failed_sign_ins.set(0),
            t.locked_until.remove(),
            t.sign_in_locked_until.remove(),
        ]
        unchanged = (
            (t.code_hash == customer.code_hash)
            if customer.code_hash
            else (t.code_hash.does_not_exist() | (t.code_hash == ""))
        )
        self.update("customer", item, actions, unchanged)

    def stage_code(self, customer_id: str, code_hash: str, expires: datetime) -> None:
        """Keep a new code's hash server-side until `expires`, never in a session (issue 11: codes in transit)."""
        self.save("staged_code", self.repository.staged_code_item(customer_id, code_hash, expires))

    def use_up_staged_code(self, customer_id: str, code_hash: str) -> None:
        """Make a staged code unusable, once: its hash goes and it expires now (TTL removes the item later).

        An update rather than a delete, so the Lambda needs no DeleteItem permission.
        """
        t = self.tables.customer
        item = t(*self.repository.staged_code_key(customer_id))
        self.update("staged_code", item, [t.code_hash.remove(), t.ttl.set(utcnow())], t.code_hash == code_hash)

    def require_purchase_allowed(self, customer: Customer, now: datetime) -> None:
        """Fail the whole transaction unless the code is the one checked and purchases are not locked.

        This is what makes the lockout hold against parallel guesses: a right code checked before the
        fifth wrong one was counted still cannot commit an order once the lock (or its count) is stored.
        """
        t = self.tables.customer
        under_limit = t.failed_code_attempts.does_not_exist() | (t.failed_code_attempts < MAX_WRONG_CODES)
        unlocked = (t.locked_until.does_not_exist() & under_limit) | (t.locked_until < now)
        self.condition_check(
            "purchase_allowed", t, *self.repository.customer_key(customer.customer_id),
            (t.code_hash == customer.code_hash) & unlocked,
        )  # fmt: skip

    def claim_customer_number(self, customer: Customer, number: str) -> None:
        """Give the customer a kiosk number nobody else has, unless they already got one meanwhile."""
        t = self.tables.customer
        self.save(
            "number",
            self.repository.customer_number_item(number, customer.customer_id),
            self.tables.customer_number.pk.does_not_exist(),
        )
        item = t(*self.repository.customer_key(customer.customer_id))
        self.update(
            "customer",
            item,
            [t.customer_id.set(customer.customer_id), t.customer_number.set(number)],
            t.customer_number.does_not_exist() | (t.customer_number == ""),
        )

    def add_order(self, order: Order) -> None:
        """Write a new order and its spoken-number guard; an order id or number that exists fails it."""
        self.save("order", self.repository.order_item(order), self.tables.order.pk.does_not_exist())
        guard = self.repository.order_number_item(order.customer_id, order.order_number, order.order_id)
        self.save("number", guard, self.tables.order_number.pk.does_not_exist())

    def add_return(self, record: ReturnRecord) -> None:
        """Write a new return and its spoken-number guard; one return per order (its id is the order's)."""
        items = FulfilmentItems(self.repository)
        self.save("return", items.return_item(record), self.tables.return_record.pk.does_not_exist())
        guard = items.return_number_item(record.customer_id, record.return_number, record.return_id)
        self.save("return_number", guard, self.tables.return_number.pk.does_not_exist())
        self.record_event(return_event(record, record.created_at))

    def move_return(self, record: ReturnRecord, moved: ReturnRecord, at: datetime) -> None:
        """Record a return's next step, only from the status it was read in (so receiving restocks once)."""
        t = self.tables.return_record
        actions = [
            t.status.set(moved.status.value),
            t.history.set(t.history.append([StatusMap(status=moved.status.value, at=at)])),
        ]
        item = t(*FulfilmentItems.return_key(record.return_id))
        self.update("return", item, actions, t.status == record.status.value)
        self.record_event(return_event(moved, at))

    def save_policy(self, sections: dict[str, Any]) -> None:
        """Store the delivery, returns and warranty sections a catalog import gave."""
        self.save("policy", FulfilmentItems(self.repository).policy_item(sections))

    def save_promotions(self, item: Any, rows: list[dict[str, Any]]) -> None:
        """Store every promotion as one item, under the version it was read at (two imports never both win)."""
        self.save("promotions", FulfilmentItems(self.repository).fill_promotions_item(item, rows))

    def take_stock(self, sku: str, quantity: int, bought_with: Iterable[str] = ()) -> None:
        """Take units from stock and count them sold, failing the transaction rather than going below zero.

        The same update adds one to this product's co-purchase counter for each other product of the
        order (`bought_with`), so the sales figures live on the item the checkout already writes: they
        commit exactly when the order does, cost no extra transaction items, and a retried checkout
        (whose order put fails if the order exists) can never count twice. See `catalog.sales`.
        """
        t = self.tables.product
        actions = [t.stock.add(-quantity), t.units_sold.add(quantity)]
        actions += [add_to_counter(counter_name(BOUGHT_WITH, other), 1) for other in sorted(set(bought_with) - {sku})]
        self.update(
            f"stock:{sku}",
            t(*self.repository.product_key(sku)),
            actions,
            t.pk.exists() & (t.stock >= quantity),
        )

    def return_stock(self, sku: str, quantity: int, bought_with: Iterable[str] = ()) -> None:
        """Put units back and off the sold count (a cancel, a received return); a deleted product gets nothing.

        `bought_with` takes back the co-purchase counts too: a cancelled order was never bought together.
        A return leaves them (see `catalog.sales`). Counts an order placed before the counters existed
        never added may go below zero here; readers count those as none.
        """
        t = self.tables.product
        actions = [t.stock.add(quantity), t.units_sold.add(-quantity)]
        actions += [add_to_counter(counter_name(BOUGHT_WITH, other), -1) for other in sorted(set(bought_with) - {sku})]
        self.update(f"stock:{sku}", t(*self.repository.product_key(sku)), actions, t.pk.exists())

    def move_order(self, order: Order, moved: Order, at: datetime) -> None:
        """Record a status change, only from the status the order was read in (or any cancellable one)."""
        t = self.tables.order
        condition = (
            t.status.is_in(*(s.value for s in CANCELLABLE))
            if moved.status is OrderStatus.CANCELLED
            else (t.status == order.status.value)
        )
        actions = [
            t.status.set(moved.status.value),
            t.history.set(t.history.append([StatusMap(status=moved.status.value, at=at)])),
        ]
        self.update("order", t(*self.repository.order_key(order.order_id)), actions, condition)

    def record_event(self, event: Event) -> None:
        """Append an event to the outbox in this transaction: it exists exactly when the change commits.

        The put is `attribute_not_exists`, and event ids are derived from what they report, so the same
        change can never be two events.
        """
        self.save(f"event:{event.event_type}", event_item(self.tables, event), self.tables.outbox.pk.does_not_exist())

    def add_callback(self, item: Any) -> None:
        """Record a call-back request for ops (`catalog.callbacks`); a new id never overwrites one."""
        self.save("callback", item, self.tables.callback.pk.does_not_exist())

    def close_callback(self, item: Any, at: datetime, note: str | None) -> None:
        """Ops called back: the request leaves the open list, only if it is open."""
        t = self.tables.callback
        actions = [t.state.set("done"), t.gsi1pk.set("CALLBACKS#done"), t.done_at.set(at)]
        if note:
            actions.append(t.note.set(note))
        self.update("callback", item, actions, t.state == "open")

    def count_unanswered_search(self, pk: str, sk: str, amount: int, expires: datetime) -> None:
        """Add to a day's count of an unanswered search (`catalog.unanswered`); ADD, so no writer overwrites another.

        No condition: the first ADD creates the item. The expiry is a function of the day, so every
        writer sets the same one.
        """
        t = self.tables.search_count
        self.update(f"searches:{sk}", t(pk, sk), [t.n.add(amount), t.ttl.set(expires)])

    # --- generic operations -------------------------------------------------------------------
    def save(self, label: str, item: Any, condition: Any = None) -> None:
        """Put a whole item (a versioned item adds its version condition itself)."""
        self._ops.append(_Op("save", label, (item,), {"condition": condition}))

    def update(self, label: str, item: Any, actions: list[Any], condition: Any = None) -> None:
        """Apply update actions to an existing item, under a condition."""
        self._ops.append(_Op("update", label, (item, actions), {"condition": condition}))

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
                code = error_code(error)
                reasons = {
                    op.label: reason.code
                    for op, reason in zip(ordered, error.cancellation_reasons or (), strict=False)
                    if reason is not None
                }
                retryable = (not reasons and code in CONFLICT_CODES) or (
                    bool(reasons) and set(reasons.values()) <= CONFLICT_CODES
                )
                if code == "TransactionCanceledException" and reasons and not retryable:
                    raise TransactionCancelled(reasons) from error
                if not retryable or attempt == self.attempts - 1:
                    raise StoreUnavailable(detail=code, uncertain=outcome_unknown(error)) from error
                time.sleep(min(0.5, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
                continue
            except STORE_ERRORS as error:
                raise StoreUnavailable(detail=error_code(error), uncertain=outcome_unknown(error)) from error
            self.committed = True
            self._ops = []
            return

    def _commit_single(self, op: _Op) -> None:
        """One item is atomic on its own: a plain conditional write costs half a transaction."""
        item = op.args[0]
        try:
            if op.kind == "save":
                item.save(condition=op.kwargs.get("condition"))
            else:
                item.update(actions=op.args[1], condition=op.kwargs.get("condition"))
        except STORE_ERRORS as error:
            code = error_code(error)
            if code == "ConditionalCheckFailedException":
                raise TransactionCancelled({op.label: "ConditionalCheckFailed"}) from error
            raise StoreUnavailable(detail=code, uncertain=outcome_unknown(error)) from error
        self.committed = True
        self._ops = []
