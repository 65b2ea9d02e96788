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
from datetime import timedelta
from typing import TYPE_CHECKING

from catalog.model import Customer, utcnow
from catalog.purchase_code import code_matches, hash_code
from catalog.repository import Repository
from catalog.unit_of_work import TransactionCancelled, UnitOfWork

if TYPE_CHECKING:
    from catalog.config import Settings

STAGED_CODE_MINUTES = 5
"""Long enough to say a code twice and the current one, short enough that an abandoned change is gone."""


class CodeChanges:
    """Stage a new purchase code, check a repetition against it, then make it the customer's code."""

    repository: Repository
    settings: Settings

    _uow: Callable[[], UnitOfWork]  # provided by Shop
    customer: Callable[[str], Customer]  # provided by CustomerAccounts
    replace_code_hash: Callable[..., Customer]  # provided by CustomerAccounts

    def stage_purchase_code(self, customer_id: str, new_code: str) -> None:
        """Keep the new code's hash for `STAGED_CODE_MINUTES`, replacing any earlier staged code."""
        with self._uow() as uow:
            uow.stage_code(customer_id, hash_code(new_code), utcnow() + timedelta(minutes=STAGED_CODE_MINUTES))
            uow.commit()

    def staged_code_matches(self, customer_id: str, code: str) -> bool:
        """Whether `code` is the staged new code, still unexpired (a wrong repetition changes nothing)."""
        staged = self.repository.staged_code_hash(customer_id, utcnow())
        return staged is not None and code_matches(code, staged)

    def apply_staged_code(self, customer_id: str, current_code: str | None = None) -> Customer | None:
        """Make the staged code the customer's; the current code is needed when one is set (same lockout).

        None when nothing is staged any more (it expired): the caller asks to start again. The staged
        hash is used up in the same transaction, so it can make one change only.
        """
        staged = self.repository.staged_code_hash(customer_id, utcnow())
        if staged is None:
            return None
        return self.replace_code_hash(customer_id, staged, current_code, staged=True)

    def discard_staged_code(self, customer_id: str) -> None:
        """Forget a staged code (the repetition did not match, or the change was abandoned)."""
        staged = self.repository.staged_code_hash(customer_id, utcnow())
        if staged is None:
            return
        with self._uow() as uow:
            uow.use_up_staged_code(customer_id, staged)
            try:
                uow.commit()
            except TransactionCancelled:
                return  # used up or replaced meanwhile: either way it is gone
