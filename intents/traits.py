"""What each intent is, declared once: does it change the shop, and what answer does it wait for.

The kiosk's doubt rule ("never act on a doubtful hearing that changes a cart, an order or an account"),
the recognizer's confidence, and the grammar a question is answered with all read this one table, so a
new intent cannot be shop-changing in one place and harmless in another. `tests/intents/test_traits.py`
fails when an intent that writes is missing here or not marked as writing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TRAITS", "IntentTraits", "changes_shop", "expects", "shop_changing", "sure_answering"]


@dataclass(frozen=True)
class IntentTraits:
    """One intent's properties."""

    changes_shop: bool = False
    """It writes (cart, order, account, a customer number): act on it only when the reading is confident."""
    expects: str | None = None
    """What its reply waits for: "yes_no", "code", "customer_number", or None."""
    sure_answering: str | None = None
    """A reading is sure (acted on unasked) only while this is what the conversation waits for: "use pickup"
    answers a checkout's read-back, but "i'll pick them up" said to someone else must not set a default."""


_WRITES = IntentTraits(changes_shop=True)
TRAITS: dict[str, IntentTraits] = {
    "SearchIntent": IntentTraits(),
    "ProductDetailsIntent": IntentTraits(),
    "AddToCartIntent": _WRITES,
    "RemoveFromCartIntent": _WRITES,
    "SetQuantityIntent": _WRITES,
    "ReviewCartIntent": IntentTraits(),
    "ClearCartIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "RecommendIntent": IntentTraits(),
    "StorePolicyIntent": IntentTraits(),
    "DeliveryOptionsIntent": IntentTraits(),
    "ChooseDeliveryIntent": IntentTraits(changes_shop=True, sure_answering="yes_no"),  # re-reads the checkout
    "ReturnStatusIntent": IntentTraits(),
    "WarrantyIntent": IntentTraits(),
    "TalkToPersonIntent": IntentTraits(expects="yes_no"),  # offers a call-back; only the yes records it
    "CheckOutIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "ReorderIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "ProvideCodeIntent": _WRITES,
    "SetPurchaseCodeIntent": IntentTraits(changes_shop=True, expects="code"),
    "OrderStatusIntent": IntentTraits(),
    "ListOrdersIntent": IntentTraits(),
    "CancelOrderIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "CustomerNumberIntent": _WRITES,  # the first ask allocates the number (a conditional write)
    "IdentifyCustomerIntent": IntentTraits(changes_shop=True, expects="code"),
    "SpeakSlowerIntent": IntentTraits(),
    "SpeakFasterIntent": IntentTraits(),
    "SpeakLouderIntent": IntentTraits(),
    "SpeakSofterIntent": IntentTraits(),
    "AMAZON.YesIntent": _WRITES,  # confirms whatever was asked: a checkout, a cancel, a cleared cart
    "AMAZON.NoIntent": IntentTraits(),
    "AMAZON.HelpIntent": IntentTraits(),
    "AMAZON.StopIntent": IntentTraits(),
    "AMAZON.CancelIntent": IntentTraits(),
    "AMAZON.FallbackIntent": IntentTraits(),
    "AMAZON.RepeatIntent": IntentTraits(),
    "AMAZON.NextIntent": IntentTraits(),
    "AMAZON.PreviousIntent": IntentTraits(),
    "AMAZON.StartOverIntent": IntentTraits(),
    "AMAZON.NavigateHomeIntent": IntentTraits(),
    "LaunchRequest": IntentTraits(),
}


def changes_shop(intent: str) -> bool:
    """Whether acting on this intent can write; an unknown intent is treated as writing (the safe side)."""
    traits = TRAITS.get(intent)
    return True if traits is None else traits.changes_shop


def sure_answering(intent: str) -> str | None:
    """What the conversation must be waiting for before a reading of this intent is acted on unasked."""
    traits = TRAITS.get(intent)
    return traits.sure_answering if traits else None


def expects(intent: str) -> str | None:
    """What the intent's reply waits for, if anything."""
    traits = TRAITS.get(intent)
    return traits.expects if traits else None


def shop_changing() -> frozenset[str]:
    """Every intent declared as writing (for channels that keep a set)."""
    return frozenset(name for name, traits in TRAITS.items() if traits.changes_shop)
