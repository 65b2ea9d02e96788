"""Customers: profiles, the purchase code with its lockout, and kiosk customer numbers.

A mixin of `Shop` (it uses the shop's repository and unit of work), kept apart because the code and
sign-in rules are security rules and deserve one short file to review:

- A wrong code is counted with one atomic `ADD` per try (no parallel guess is lost), in the scope it
  was tried in: kiosk sign-in tries never lock the customer's purchases on Alexa.
- A purchase commits only with the code and the not-locked state checked inside the order's own
  transaction (`UnitOfWork.require_purchase_allowed`), so no guess can pass once the lock is stored.
- A refused sign-in says the same thing, after the same work, whether or not the number exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from catalog.errors import PurchaseCodeRequired, PurchasesLocked, SignInRefused, StoreUnavailable, WrongPurchaseCode
from catalog.model import Customer, utcnow
from catalog.purchase_code import MAX_WRONG_CODES, Scope, code_matches, hash_code
from catalog.repository import Repository
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

_ATTEMPTS = 5


@cache
def _decoy_hash() -> str:
    """A hash to check unknown numbers against, so a refusal costs the same time.

    Made on first use: scrypt at import would slow every Lambda cold start for a kiosk-only path.
    """
    return hash_code("0000")


class CustomerAccounts:
    """Who is shopping, and whether they may buy right now."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop

    def customer(self, customer_id: str) -> Customer:
        """The customer's profile, or a blank one for a first-time shopper (not stored until needed)."""
        return self.repository.get_customer(customer_id) or Customer(customer_id)

    def update_profile(self, customer_id: str, display_name: str | None = None, address: str | None = None) -> Customer:
        """Store a display name and delivery address (never touching the code or its counters)."""
        current = self.customer(customer_id)
        updated = replace(
            current,
            display_name=current.display_name if display_name is None else display_name,
            address=current.address if address is None else address,
        )
        with self._uow() as uow:
            uow.save_profile(updated)
            uow.commit()
        return updated

    def set_purchase_code(self, customer_id: str, new_code: str, current_code: str | None = None) -> Customer:
        """Set or change the code; changing it requires the current one (with the same lockout)."""
        return self.replace_code_hash(customer_id, hash_code(new_code), current_code)

    def replace_code_hash(
        self, customer_id: str, new_hash: str, current_code: str | None, staged: bool = False
    ) -> Customer:
        """Make `new_hash` the customer's code after checking the current one.

        `staged` also uses up the staged change it came from, in the same transaction, so one staged code
        makes one change.
        """
        customer = self.customer(customer_id)
        if customer.has_purchase_code:
            self.check_code(customer, current_code)
        with self._uow() as uow:
            uow.set_code_hash(customer, new_hash)
            if staged:
                uow.use_up_staged_code(customer_id, new_hash)
            try:
                uow.commit()
            except TransactionCancelled as changed:
                raise StoreUnavailable("the purchase code changed while it was being set") from changed
        return replace(customer, code_hash=new_hash, failed_code_attempts=0, locked_until=None)

    def check_code(self, customer: Customer, code: str | None, scope: Scope = "purchase") -> None:
        """Refuse a locked scope and wrong codes, counting each wrong one atomically towards the lock.

        A right code only says the code matched now; a purchase must still pass
        `UnitOfWork.require_purchase_allowed` in its own transaction.
        """
        now = utcnow()
        until = customer.lock_until(scope)
        if until is not None and until > now:
            raise PurchasesLocked(until)
        if not code:
            raise PurchaseCodeRequired(customer.customer_id)
        if code_matches(code, customer.code_hash):
            self.repository.forgive_wrong_codes(customer, scope, now)
            return
        attempts, locked = self.repository.count_wrong_code(customer, scope, now)
        if locked is not None and locked > now:
            raise PurchasesLocked(locked)
        raise WrongPurchaseCode(attempts_left=max(0, MAX_WRONG_CODES - attempts))

    def unlock(self, customer_id: str, scope: Scope = "purchase") -> bool:
        """Lift a lockout before its 15 minutes are up (a customer who called support); False if unknown."""
        return self.repository.unlock(customer_id, scope)

    def customer_number(self, customer_id: str) -> str:
        """The customer's six-digit kiosk number, allocated on first request and never reused."""
        for _ in range(_ATTEMPTS * 2):
            customer = self.customer(customer_id)
            if customer.customer_number:
                return customer.customer_number
            number = f"{secrets.randbelow(900_000) + 100_000}"
            try:
                with self._uow() as uow:
                    uow.claim_customer_number(customer, number)
                    uow.commit()
            except TransactionCancelled:
                continue  # number taken, or another channel allocated one first: read again
            return number
        raise StoreUnavailable("could not allocate a customer number")

    def sign_in(self, customer_number: str, code: str | None) -> Customer:
        """Kiosk sign-in: the customer number plus the purchase code, locked in its own scope.

        Every refusal is the same `SignInRefused`, and an unknown number still costs one code check,
        so neither the words nor the time tell a stranger whether a number exists.
        """
        digits = "".join(customer_number.split())
        customer_id = self.repository.customer_for_number(digits) if digits.isdigit() else None
        customer = self.repository.get_customer(customer_id) if customer_id else None
        if customer is None or not customer.has_purchase_code:
            code_matches(code or "", _decoy_hash())
            raise SignInRefused()
        try:
            self.check_code(customer, code, scope="sign_in")
        except (WrongPurchaseCode, PurchasesLocked, PurchaseCodeRequired) as refused:
            raise SignInRefused() from refused
        return self.customer(customer.customer_id)
