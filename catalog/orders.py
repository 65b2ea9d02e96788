"""After checkout: listing, finding, cancelling (with restock) and advancing orders.

A mixin of `Shop`: every status change is one conditional write guarded by the status it expects, and a
cancellation restocks every line, and takes back its sales figures (`catalog.sales`), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.errors import IllegalTransition, OrderNotFound
from catalog.events import order_moved
from catalog.model import Order, OrderStatus, utcnow
from catalog.repository import OrderPage, Repository
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

RECENT_ORDERS = 20
"""How far back "my last order" looks past cancelled orders."""
LATEST_ANY = "latest cancelled"
"""The reference for the newest order, cancelled or not ("what about my cancelled order")."""


class OrderLifecycle:
    """A customer's orders and ops' moves along the lifecycle."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop

    def orders(self, customer_id: str, limit: int = 10, cursor: str | None = None) -> OrderPage:
        """A customer's orders, newest first, a page at a time."""
        return self.repository.customer_orders(customer_id, limit=limit, cursor=cursor)

    def orders_in_status(self, status: OrderStatus | str, limit: int = 50, cursor: str | None = None) -> OrderPage:
        """Ops: every customer's orders in one status, oldest first, a page at a time (an index query)."""
        return self.repository.orders_in_status(OrderStatus(status), limit=limit, cursor=cursor)

    def reindex_orders(self) -> int:
        """Ops, once after upgrading: list orders from before the status index under their status."""
        return self.repository.reindex_orders()

    def latest_order(self, customer_id: str, include_cancelled: bool = True) -> Order:
        """The customer's most recent order; without cancelled ones, the newest still standing.

        "Has my order shipped" is about the order on its way, not the one called off yesterday, so the
        conversation skips cancelled orders; when every recent order was cancelled, the newest is it.
        """
        page = self.orders(customer_id, limit=1 if include_cancelled else RECENT_ORDERS)
        if not page.orders:
            raise OrderNotFound("latest")
        standing = [order for order in page.orders if order.status is not OrderStatus.CANCELLED]
        return page.orders[0] if include_cancelled or not standing else standing[0]

    def order(self, customer_id: str, reference: str) -> Order:
        """An order by spoken number ("4821 maple"), id, "latest" (not cancelled) or "latest cancelled" (any).

        Other customers' orders are not found.
        """
        if reference in {"latest", LATEST_ANY}:
            return self.latest_order(customer_id, include_cancelled=reference == LATEST_ANY)
        normalized = " ".join(reference.lower().replace("-", " ").split())
        order_id = self.repository.order_id_for_number(customer_id, normalized) or reference
        order = self.repository.get_order(order_id)
        if order is None or order.customer_id != customer_id:
            raise OrderNotFound(reference)
        return order

    def cancel(self, customer_id: str, reference: str) -> Order:
        """Cancel before shipping, restocking every line in the same transaction."""
        return self._cancel(self.order(customer_id, reference))

    def _cancel(self, order: Order) -> Order:
        if not order.cancellable:
            raise IllegalTransition(order.order_number, order.status.value, OrderStatus.CANCELLED.value)
        now = utcnow()
        cancelled = order.advanced_to(OrderStatus.CANCELLED, now)
        with self._uow() as uow:
            uow.move_order(order, cancelled, now)
            uow.record_event(order_moved(order, cancelled, now))
            skus = [line.sku for line in order.lines]
            for line in order.lines:
                uow.return_stock(line.sku, line.quantity, bought_with=skus)  # sales and pairs go back too
            try:
                uow.commit()
            except TransactionCancelled as error:
                fresh = self.repository.get_order(order.order_id) or order
                raise IllegalTransition(order.order_number, fresh.status.value, "cancelled") from error
        return cancelled

    def advance(self, order_id: str, to: OrderStatus | str) -> Order:
        """Ops: move an order along its lifecycle; illegal moves are refused and change nothing."""
        target = OrderStatus(to)
        order = self.repository.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        if target is OrderStatus.CANCELLED:
            return self._cancel(order)
        now = utcnow()
        moved = order.advanced_to(target, now)
        with self._uow() as uow:
            uow.move_order(order, moved, now)
            uow.record_event(order_moved(order, moved, now))
            try:
                uow.commit()
            except TransactionCancelled as error:
                fresh = self.repository.get_order(order.order_id) or order
                raise IllegalTransition(order.order_number, fresh.status.value, target.value) from error
        return moved
