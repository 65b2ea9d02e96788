"""Hashing and checking the optional 4-digit purchase code.

Uses the standard library's scrypt rather than a dependency: a 4-digit code has only 10,000 values, so
the real protection is the lock after five wrong tries; hashing keeps the code out of plain sight in a
table export and in backups.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

from catalog.errors import InvalidPurchaseCode

Scope = Literal["purchase", "sign_in"]
"""Each lock scope counts its own wrong codes: kiosk sign-in tries never lock a customer's purchases."""
MAX_WRONG_CODES = 5
LOCK_MINUTES = 15
_N, _R, _P = 2**13, 8, 1


def validate_code(code: str) -> str:
    """Accept exactly four digits, spoken digits already joined ("4 2 7 1" -> "4271")."""
    digits = "".join(code.split())
    if len(digits) != 4 or not digits.isdigit():
        raise InvalidPurchaseCode()
    return digits


def hash_code(code: str) -> str:
    """Salted scrypt hash, self-describing so parameters can change later."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(validate_code(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash; malformed input simply does not match."""
    try:
        _, n, salt, digest = stored.split("$")
        digits = validate_code(code)
    except (ValueError, InvalidPurchaseCode):
        return False
    candidate = hashlib.scrypt(digits.encode(), salt=bytes.fromhex(salt), n=int(n), r=_R, p=_P, dklen=32)
    return hmac.compare_digest(candidate.hex(), digest)
