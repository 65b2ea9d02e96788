"""A purchase code change in progress: the new code waits in the table, hashed, for a few minutes.

Changing a code takes several turns (the new code, the new code again, the current code), and on Alexa
whatever waits between turns travels in the session attributes, to Amazon and back (issue 11). So the
new code never waits there, nor does its hash (10,000 codes are guessed from a hash in a moment): this
keeps the salted hash server-side, under the customer, with an expiry. The table's TTL removes the item
eventually, but TTL deletion lags by up to days, so the expiry is also checked on every read.

A mixin of `Shop`, beside `customers.py` whose rules (the current code and its lockout) it reuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from catalog.model import Customer, utcnow
from catalog.purchase_code import code_matches, hash_code
from catalog.repository import Repository, customer_pk, storage_errors
from catalog.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

STAGED_CODE_MINUTES = 5
"""Long enough to say a code twice and the current one, short enough that an abandoned change is gone."""
STAGED_CODE_SK = "NEWCODE"


class CodeChanges:
    """Stage a new purchase code, check a repetition against it, then make it the customer's code."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop
    customer: Callable[[str], Customer]  # provided by CustomerAccounts
    _check_code: Callable[[Customer, str | None], None]  # provided by CustomerAccounts

    def stage_purchase_code(self, customer_id: str, new_code: str) -> None:
        """Keep the new code's hash for `STAGED_CODE_MINUTES`, replacing any earlier staged code."""
        expires = utcnow() + timedelta(minutes=STAGED_CODE_MINUTES)
        item = self.repository.tables.customer(
            pk=customer_pk(customer_id), sk=STAGED_CODE_SK, customer_id=customer_id, code_hash=hash_code(new_code)
        )
        item.ttl = expires
        with self._uow() as uow:
            uow.save("staged_code", item)
            uow.commit()

    def staged_code_matches(self, customer_id: str, code: str) -> bool:
        """Whether `code` is the staged new code, still unexpired (a wrong repetition changes nothing)."""
        item = self._staged(customer_id)
        return item is not None and code_matches(code, str(item.code_hash))

    def apply_staged_code(self, customer_id: str, current_code: str | None = None) -> Customer | None:
        """Make the staged code the customer's; the current code is needed when one is set (same lockout).

        None when nothing is staged any more (it expired): the caller asks to start again.
        """
        staged = self._staged(customer_id)
        if staged is None:
            return None
        customer = self.customer(customer_id)
        if customer.has_purchase_code:
            self._check_code(customer, current_code)
            customer = self.customer(customer_id)
        updated = replace(customer, code_hash=str(staged.code_hash), failed_code_attempts=0, locked_until=None)
        with self._uow() as uow:
            uow.save("customer", self.repository.customer_item(updated))
            uow.delete("staged_code", staged)
            uow.commit()
        return updated

    def discard_staged_code(self, customer_id: str) -> None:
        """Forget a staged code (the repetition did not match, or the change was abandoned)."""
        staged = self._staged(customer_id)
        if staged is None:
            return
        with self._uow() as uow:
            uow.delete("staged_code", staged)
            uow.commit()

    def _staged(self, customer_id: str) -> Any | None:
        """The staged item, or None when absent or past its expiry (TTL may not have removed it yet)."""
        model = self.repository.tables.customer
        with storage_errors():
            try:
                item = model.get(customer_pk(customer_id), STAGED_CODE_SK, consistent_read=True)
            except model.DoesNotExist:
                return None
        expires: datetime | None = item.ttl
        return item if expires is not None and expires > utcnow() else None
