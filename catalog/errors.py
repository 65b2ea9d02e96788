"""Domain errors: every channel turns these into a spoken or printed explanation.

They carry data (never prose) so that `intents/` can word them per locale, and they are raised before
anything is written, so a caught error always means "nothing changed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


class VoiceshopError(Exception):
    """Base class, so adapters can catch every domain refusal in one place."""


@dataclass
class UnknownProduct(VoiceshopError):
    """The sku or spoken name matches nothing the shop sells."""

    query: str


@dataclass
class InvalidQuantity(VoiceshopError):
    """A quantity outside the allowed range (1..max per line)."""

    quantity: int
    maximum: int


@dataclass
class NotEnoughStock(VoiceshopError):
    """The shop cannot supply what was asked; `alternatives` are in-stock skus a channel can offer."""

    sku: str
    name: str
    requested: int
    available: int
    alternatives: tuple[str, ...] = ()


@dataclass
class LinesUnavailable(VoiceshopError):
    """Checkout could not fill these lines; nothing was ordered and no stock moved."""

    lines: tuple[NotEnoughStock, ...]


@dataclass
class EmptyCart(VoiceshopError):
    """Checkout or a cart change needs lines that are not there."""

    customer_id: str


@dataclass
class NotInCart(VoiceshopError):
    """A remove or set-quantity named a product the cart does not hold."""

    sku: str


@dataclass
class QuoteNotFound(VoiceshopError):
    """The quote id is unknown, expired or belongs to another customer."""

    quote_id: str


@dataclass
class ConfirmationRequired(VoiceshopError):
    """A purchase was attempted without the customer's explicit yes."""

    quote_id: str


@dataclass
class PurchaseCodeRequired(VoiceshopError):
    """The customer protected purchases with a code and none was given."""

    customer_id: str


@dataclass
class WrongPurchaseCode(VoiceshopError):
    """The code did not match; `attempts_left` before purchases lock."""

    attempts_left: int


@dataclass
class PurchasesLocked(VoiceshopError):
    """Too many wrong codes: purchases are refused until `until`."""

    until: datetime


@dataclass
class InvalidPurchaseCode(VoiceshopError):
    """A new purchase code must be exactly four digits."""

    reason: str = "four digits"


@dataclass
class OrderNotFound(VoiceshopError):
    """No order with that id or number for this customer."""

    reference: str


@dataclass
class IllegalTransition(VoiceshopError):
    """An order cannot move from its status to the one asked (e.g. cancel after shipping)."""

    order_number: str
    current: str
    requested: str


@dataclass
class UnknownDeliveryOption(VoiceshopError):
    """The shop offers no delivery option by that name; `offered` lists the ones it does."""

    option: str
    offered: tuple[str, ...] = ()


@dataclass
class NoDeliveryAddress(VoiceshopError):
    """Delivery was asked for, but the customer's profile has no address to deliver to (pickup needs none)."""

    option: str


@dataclass
class ReturnNotAllowed(VoiceshopError):
    """An order that cannot be returned: `reason` is not_delivered, window_closed or already_returned."""

    order_number: str
    reason: str
    status: str = ""
    days: int = 0
    delivered: date | None = None
    return_number: str = ""


@dataclass
class ReturnNotFound(VoiceshopError):
    """No return with that id or number (for this customer)."""

    reference: str


@dataclass
class IllegalReturnTransition(VoiceshopError):
    """A return moves requested -> received -> refunded, one step at a time; this step is not the next."""

    return_number: str
    current: str
    requested: str


@dataclass
class StoreUnavailable(VoiceshopError):
    """DynamoDB could not be reached or kept throttling after retries; nothing was half-written.

    `uncertain` means a write was sent and no answer came back, so it may yet have been applied whole.
    """

    detail: str = ""
    uncertain: bool = False


@dataclass
class CatalogRowError(VoiceshopError):
    """One row of an import file is malformed; the rest of the file still imports."""

    line: int
    reason: str
    errors: list[str] = field(default_factory=list)


@dataclass
class SignInRefused(VoiceshopError):
    """A kiosk sign-in failed: unknown number, no purchase code, wrong code or paused after wrong tries.

    Deliberately one refusal with no reason a channel could word differently: telling these apart
    would tell a stranger at the kiosk which customer numbers exist.
    """


@dataclass
class CurrencyMismatch(VoiceshopError):
    """A cart or quote holds one currency; this product is priced in another."""

    sku: str
    name: str
    currency: str
    cart_currency: str


@dataclass
class CartAlreadyOrdered(VoiceshopError):
    """The cart this quote priced was already ordered (another device said yes first); nothing was placed."""

    order_number: str


@dataclass
class CartChanged(VoiceshopError):
    """The cart changed after it was priced, so the confirmed total no longer describes it; nothing was placed."""

    quote_id: str


@dataclass
class OrderOutcomeUnknown(VoiceshopError):
    """The store stopped answering while the order was being written: it may or may not exist.

    The order id is derived from the quote, so confirming again can never make a second order, and
    the order status question answers what really happened once the store is back.
    """

    quote_id: str


@dataclass
class WriteRefused(VoiceshopError):
    """DynamoDB refused one item's write (a value it will not store); the store is up and other writes stand."""

    key: str
    code: str
    reason: str
