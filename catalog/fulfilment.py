"""After the sale: delivery choices and addresses, returns and warranties (a mixin of `Shop`).

The rules live in `delivery.py` and `returns.py`; this module adds what needs storage: the shop's policy
as imported, the customer's address and default option, and the return records. Each change is one unit
of work, so a refusal means nothing was written, and receiving a return restocks in the same transaction
as its status change, guarded by that status, so a return is restocked once however often it is received.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from catalog.delivery import DeliveryChoice
from catalog.errors import (
    IllegalReturnTransition,
    NoDeliveryAddress,
    OrderNotFound,
    ReturnNotAllowed,
    ReturnNotFound,
    StoreUnavailable,
    UnknownProduct,
)
from catalog.fulfilment_items import FulfilmentItems, ReturnPage
from catalog.model import Customer, Order, OrderStatus, Product, utcnow
from catalog.policy import ShopPolicy, build_policy, policy_sections
from catalog.repository import CONDITION_FAILED, Repository
from catalog.returns import ReturnPlan, ReturnRecord, ReturnStatus, ReturnStep
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

_ATTEMPTS = 10


def return_id_for(order_id: str) -> str:
    """One return per order: its id is derived from the order's, so starting it twice makes one record."""
    return f"r-{order_id}"


class Fulfilment:
    """Delivery and returns for `Shop`."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop
    customer: Callable[[str], Customer]  # provided by CustomerAccounts
    order: Callable[[str, str], Order]  # provided by OrderLifecycle
    orders: Callable[..., Any]

    @property
    def fulfilment_items(self) -> FulfilmentItems:
        """Return and policy items on the shop's table binding."""
        return FulfilmentItems(self.repository)

    # --- policy -------------------------------------------------------------------------------
    def shop_policy(self) -> ShopPolicy:
        """The delivery, returns and warranty terms as last imported, the shipped defaults for the rest."""
        return build_policy(self.fulfilment_items.policy_sections())

    def import_policy(self, document: dict[str, Any]) -> tuple[str, ...]:
        """Store the policy sections a catalog file gives (checked first); returns the section names stored.

        Sections the file leaves out keep what was stored before, as an import never clears a field.
        """
        given = policy_sections(document)
        if not given:
            return ()
        merged = {**self.fulfilment_items.policy_sections(), **given}
        with self._uow() as uow:
            uow.save_policy(merged)
            uow.commit()
        return tuple(sorted(given))

    # --- delivery -----------------------------------------------------------------------------
    def set_delivery_profile(self, customer_id: str, address: str | None = None, option: str | None = None) -> Customer:
        """Ops: store a customer's delivery address and, optionally, their default delivery option."""
        if option:
            self.shop_policy().delivery.option(option)  # an option the shop does not offer is refused
        current = self.customer(customer_id)
        updated = replace(
            current,
            address=current.address if address is None else address.strip(),
            delivery_option=current.delivery_option if option is None else option,
        )
        with self._uow() as uow:
            uow.save_profile(updated)
            uow.commit()
        return updated

    def delivery_choice(self, customer_id: str, wanted: str | None = None) -> DeliveryChoice:
        """How this customer's order would travel: priced, with the address or pickup place it goes to."""
        policy = self.shop_policy().delivery
        customer = self.customer(customer_id)
        option = policy.choose(wanted, customer.delivery_option, customer.address)
        if option.needs_address and not customer.address:
            raise NoDeliveryAddress(option.code)
        return DeliveryChoice(option.code, option.price, option.place or customer.address)

    # --- returns ------------------------------------------------------------------------------
    def _categories(self, order: Order) -> dict[str, str]:
        products = self.repository.get_products([line.sku for line in order.lines])
        return {sku: product.category for sku, product in products.items()}

    def returnable_order(self, customer_id: str, reference: str) -> Order:
        """The order a return is about: the one named, else the newest delivered (else the newest)."""
        if reference != "latest":
            return self.order(customer_id, reference)
        page = self.orders(customer_id, limit=20)
        delivered = [order for order in page.orders if order.status is OrderStatus.DELIVERED]
        if delivered:
            return delivered[0]
        if not page.orders:
            raise OrderNotFound("latest")
        return page.orders[0]

    def plan_return(self, customer_id: str, reference: str) -> ReturnPlan:
        """What a return of this order would take back and refund, or the refusal with its reason."""
        order = self.returnable_order(customer_id, reference)
        existing = self.fulfilment_items.get_return(return_id_for(order.order_id))
        if existing is not None:
            raise ReturnNotAllowed(order.order_number, "already_returned", return_number=existing.return_number)
        policy = self.shop_policy()
        return policy.returns.plan(order, self._categories(order), utcnow(), policy.delivery.zone)

    def start_return(self, customer_id: str, order_id: str) -> ReturnRecord:
        """Record a return of the order's lines still in their window; the same order twice is one return."""
        from catalog.services import order_number_for

        existing = self.fulfilment_items.get_return(return_id_for(order_id))
        if existing is not None and existing.customer_id == customer_id:
            return existing  # a second yes, a second device or a retry: the one return there is
        plan = self.plan_return(customer_id, order_id)
        order = plan.order
        return_id = return_id_for(order.order_id)
        for attempt in range(_ATTEMPTS):
            now = utcnow()
            record = ReturnRecord(
                return_id=return_id,
                return_number=order_number_for(return_id, attempt),
                order_id=order.order_id,
                order_number=order.order_number,
                customer_id=customer_id,
                lines=plan.lines,
                currency=order.currency,
                status=ReturnStatus.REQUESTED,
                history=(ReturnStep(ReturnStatus.REQUESTED, now),),
                created_at=now,
            )
            with self._uow() as uow:
                uow.add_return(record)
                try:
                    uow.commit()
                except TransactionCancelled as cancelled:
                    if cancelled.reasons.get("return") == CONDITION_FAILED:
                        existing = self.fulfilment_items.get_return(return_id)
                        if existing is not None:
                            return existing  # a second device, or a retry: one return
                    continue  # the spoken number is taken: try the next
            return record
        raise StoreUnavailable("could not record the return after several tries")

    def customer_return(self, customer_id: str, reference: str) -> ReturnRecord:
        """A customer's return by spoken number or id; other customers' returns are not found."""
        normalized = " ".join(reference.lower().replace("-", " ").split())
        items = self.fulfilment_items
        return_id = items.return_id_for_number(customer_id, normalized) or reference
        record = items.get_return(return_id)
        if record is None or record.customer_id != customer_id:
            raise ReturnNotFound(reference)
        return record

    def latest_return(self, customer_id: str) -> ReturnRecord:
        """The return of the customer's most recent returned order ("where is my return")."""
        orders = self.orders(customer_id, limit=20).orders
        found = self.fulfilment_items.returns_of([return_id_for(order.order_id) for order in orders])
        for order in orders:
            record = found.get(return_id_for(order.order_id))
            if record is not None:
                return record
        raise ReturnNotFound("latest")

    def returns(self, limit: int = 20, cursor: str | None = None) -> ReturnPage:
        """Ops: every return, newest first."""
        return self.fulfilment_items.all_returns(limit=limit, cursor=cursor)

    def advance_return(self, return_id: str, to: ReturnStatus | str) -> ReturnRecord:
        """Ops: move a return one step; receiving it puts its units back in stock in the same transaction."""
        target = ReturnStatus(to)
        record = self.fulfilment_items.get_return(return_id)
        if record is None:
            raise ReturnNotFound(return_id)
        now = utcnow()
        moved = record.advanced_to(target, now)
        with self._uow() as uow:
            uow.move_return(record, moved, now)
            if target is ReturnStatus.RECEIVED:
                for line in record.lines:
                    uow.return_stock(line.sku, line.quantity)  # units sold go back; pairs stay (catalog.sales)
            try:
                uow.commit()
            except TransactionCancelled as error:
                fresh = self.fulfilment_items.get_return(return_id) or record
                raise IllegalReturnTransition(record.return_number, fresh.status.value, target.value) from error
        return moved

    # --- warranty -----------------------------------------------------------------------------
    def warranty(self, sku: str) -> tuple[Product, str]:
        """A product and its warranty term ("" when it has none beyond the return window)."""
        product = self.repository.get_product(sku)
        if product is None:
            raise UnknownProduct(sku)
        return product, self.shop_policy().warranty.term_for(product.sku, product.category)

    def category_warranty(self, category: str) -> str:
        """The warranty term of a whole category."""
        return self.shop_policy().warranty.term_for("", category)
