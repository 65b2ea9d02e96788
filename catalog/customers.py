"""Customers: profiles, the purchase code with its lockout, and kiosk customer numbers.

A mixin of `Shop` (it uses the shop's repository and unit of work), kept apart because the code and
sign-in rules are security rules and deserve one short file to review.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from catalog.errors import PurchaseCodeRequired, PurchasesLocked, SignInRefused, StoreUnavailable, WrongPurchaseCode
from catalog.model import Customer, utcnow
from catalog.purchase_code import LOCK_MINUTES, MAX_WRONG_CODES, code_matches, hash_code
from catalog.repository import Repository, customer_pk
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

_ATTEMPTS = 5


class CustomerAccounts:
    """Who is shopping, and whether they may buy right now."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop

    def customer(self, customer_id: str) -> Customer:
        """The customer's profile, or a blank one for a first-time shopper (not stored until needed)."""
        return self.repository.get_customer(customer_id) or Customer(customer_id)

    def update_profile(self, customer_id: str, display_name: str | None = None, address: str | None = None) -> Customer:
        """Store a display name and delivery address."""
        current = self.customer(customer_id)
        updated = replace(
            current,
            display_name=current.display_name if display_name is None else display_name,
            address=current.address if address is None else address,
        )
        with self._uow() as uow:
            uow.save("customer", self.repository.customer_item(updated))
            uow.commit()
        return updated

    def set_purchase_code(self, customer_id: str, new_code: str, current_code: str | None = None) -> Customer:
        """Set or change the code; changing it requires the current one (with the same lockout)."""
        customer = self.customer(customer_id)
        new_hash = hash_code(new_code)
        if customer.has_purchase_code:
            self._check_code(customer, current_code)
            customer = self.customer(customer_id)
        updated = replace(customer, code_hash=new_hash, failed_code_attempts=0, locked_until=None)
        with self._uow() as uow:
            uow.save("customer", self.repository.customer_item(updated))
            uow.commit()
        return updated

    def _check_code(self, customer: Customer, code: str | None) -> None:
        """Refuse locked customers and wrong codes, counting failures atomically towards the lock."""
        now = utcnow()
        if customer.locked_until is not None and customer.locked_until > now:
            raise PurchasesLocked(customer.locked_until)
        if not code:
            raise PurchaseCodeRequired(customer.customer_id)
        tables = self.repository.tables
        item = tables.customer(pk=customer_pk(customer.customer_id), sk="PROFILE")
        if code_matches(code, customer.code_hash):
            if customer.failed_code_attempts:
                with self._uow() as uow:
                    uow.update("customer", item, [tables.customer.failed_code_attempts.set(0)])
                    uow.commit()
            return
        attempts = customer.failed_code_attempts + 1
        if customer.locked_until is not None and customer.locked_until <= now:
            attempts = 1
        actions = [tables.customer.failed_code_attempts.set(attempts)]
        if attempts >= MAX_WRONG_CODES:
            until = now + timedelta(minutes=LOCK_MINUTES)
            actions = [tables.customer.failed_code_attempts.set(0), tables.customer.locked_until.set(until)]
        # Only count this try if nobody else counted the same state (no lost increments).
        condition = tables.customer.failed_code_attempts == customer.failed_code_attempts
        try:
            with self._uow() as uow:
                uow.update("customer", item, actions, condition)
                uow.commit()
        except TransactionCancelled:
            return self._check_code(self.customer(customer.customer_id), code)
        if attempts >= MAX_WRONG_CODES:
            raise PurchasesLocked(now + timedelta(minutes=LOCK_MINUTES))
        raise WrongPurchaseCode(attempts_left=MAX_WRONG_CODES - attempts)

    def customer_number(self, customer_id: str) -> str:
        """The customer's six-digit kiosk number, allocated on first request and never reused."""
        for _ in range(_ATTEMPTS * 2):
            customer = self.customer(customer_id)
            if customer.customer_number:
                return customer.customer_number
            number = f"{secrets.randbelow(900_000) + 100_000}"
            tables = self.repository.tables
            try:
                with self._uow() as uow:
                    uow.save(
                        "number",
                        self.repository.customer_number_item(number, customer_id),
                        tables.customer_number.pk.does_not_exist(),
                    )
                    profile = replace(customer, customer_number=number)
                    condition = (
                        tables.customer.pk.does_not_exist()
                        | tables.customer.customer_number.does_not_exist()
                        | (tables.customer.customer_number == "")
                    )
                    uow.save("customer", self.repository.customer_item(profile), condition)
                    uow.commit()
            except TransactionCancelled:
                continue  # number taken, or another channel allocated one first: read again
            return number
        raise StoreUnavailable("could not allocate a customer number")

    def sign_in(self, customer_number: str, code: str | None) -> Customer:
        """Kiosk sign-in: the customer number plus the purchase code, with the code's lockout."""
        digits = "".join(customer_number.split())
        customer_id = self.repository.customer_for_number(digits) if digits.isdigit() else None
        customer = self.repository.get_customer(customer_id) if customer_id else None
        if customer is None:
            raise SignInRefused("unknown")
        if not customer.has_purchase_code:
            raise SignInRefused("no_code")
        self._check_code(customer, code)
        return self.customer(customer.customer_id)
