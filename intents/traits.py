"""What each intent is, declared once: does it change the shop, and what answer does it wait for.

The kiosk's doubt rule ("never act on a doubtful hearing that changes a cart, an order or an account"),
the recognizer's confidence, and the grammar a question is answered with all read this one table, so a
new intent cannot be shop-changing in one place and harmless in another. `tests/intents/test_traits.py`
fails when an intent that writes is missing here or not marked as writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PENDING_EXPECTS", "TRAITS", "IntentTraits", "answers", "changes_shop", "closes", "expecting", "expects",
    "shop_changing", "sure_answering", "takes_products",
]  # fmt: skip


@dataclass(frozen=True)
class IntentTraits:
    """One intent's properties."""

    changes_shop: bool = False
    """It writes (cart, order, account, a customer number): act on it only when the reading is confident."""
    expects: str | None = None
    """What its reply waits for: "yes_no", "code", "customer_number", or None."""
    answers: str | None = None
    """Which expectation it answers ("yes_no", "code", "customer_number"): ranked first while that is open."""
    takes_products: bool = False
    """Its product slot names something to buy or find (the cart's intents and search): such a reading whose
    product is talk of an order ("buy the same stuff again") is refused, so the order intents read it."""
    closes: bool = False
    """A way of finishing ("that's all", "no thanks", "i'm done"): followed by a goodbye, the whole sentence
    is a goodbye ("i'm done, goodbye" must not check out)."""
    sure_answering: str | None = None
    """A reading is sure (acted on unasked) only while this is what the conversation waits for: "use pickup"
    answers a checkout's read-back, but "i'll pick them up" said to someone else must not set a default."""


_WRITES = IntentTraits(changes_shop=True)
_CART = IntentTraits(changes_shop=True, takes_products=True)
TRAITS: dict[str, IntentTraits] = {
    # each intent of every models/<locale>.json (tests/intents/test_traits.py runs them and counts the writes)
    "SearchIntent": IntentTraits(takes_products=True),
    "ProductDetailsIntent": IntentTraits(),
    "AddToCartIntent": _CART,
    "RemoveFromCartIntent": _CART,
    "SetQuantityIntent": _CART,
    "ReviewCartIntent": IntentTraits(),
    "ClearCartIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "OrderContentsIntent": IntentTraits(),
    "StartReturnIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "RecommendIntent": IntentTraits(),
    "DealsIntent": IntentTraits(),  # reads promotions; adding from its list is AddToCartIntent's own turn
    "StorePolicyIntent": IntentTraits(),
    "DeliveryOptionsIntent": IntentTraits(),
    "ChooseDeliveryIntent": IntentTraits(changes_shop=True, sure_answering="yes_no"),  # re-reads the checkout
    "ReturnStatusIntent": IntentTraits(),
    "WarrantyIntent": IntentTraits(),
    "TalkToPersonIntent": IntentTraits(expects="yes_no"),  # offers a call-back; only the yes records it
    "CheckOutIntent": IntentTraits(changes_shop=True, expects="yes_no", closes=True),
    "ReorderIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "ProvideCodeIntent": IntentTraits(changes_shop=True, answers="code"),
    "SetPurchaseCodeIntent": IntentTraits(changes_shop=True, expects="code"),
    "OrderStatusIntent": IntentTraits(),
    "ListOrdersIntent": IntentTraits(),
    "CancelOrderIntent": IntentTraits(changes_shop=True, expects="yes_no"),
    "CustomerNumberIntent": _WRITES,  # the first ask allocates the number (a conditional write)
    "IdentifyCustomerIntent": IntentTraits(changes_shop=True, expects="code", answers="customer_number"),
    "SpeakSlowerIntent": IntentTraits(),
    "SpeakFasterIntent": IntentTraits(),
    "SpeakLouderIntent": IntentTraits(),
    "SpeakSofterIntent": IntentTraits(),
    "AMAZON.YesIntent": IntentTraits(changes_shop=True, answers="yes_no"),  # confirms whatever was asked
    "AMAZON.NoIntent": IntentTraits(answers="yes_no", closes=True),
    "AMAZON.HelpIntent": IntentTraits(),
    "AMAZON.StopIntent": IntentTraits(closes=True),
    "AMAZON.CancelIntent": IntentTraits(closes=True),
    "AMAZON.FallbackIntent": IntentTraits(),
    "AMAZON.RepeatIntent": IntentTraits(),
    "AMAZON.NextIntent": IntentTraits(),
    "AMAZON.PreviousIntent": IntentTraits(),
    "AMAZON.StartOverIntent": IntentTraits(),
    "AMAZON.NavigateHomeIntent": IntentTraits(),
    "LaunchRequest": IntentTraits(),
}


PENDING_EXPECTS: dict[str, str] = {
    "checkout": "yes_no", "cancel_order": "yes_no", "clear_cart": "yes_no", "add": "yes_no", "start_return": "yes_no",
    "callback": "yes_no", "did_you_say": "yes_no", "did_you_mean": "yes_no", "packs": "yes_no",
    "how_many": "quantity",
    "code": "code", "new_code": "code", "repeat_new_code": "code", "current_code": "code", "sign_in": "code",
    "choose": "choice",
}  # fmt: skip
"""Each open question (`pending["kind"]` in the conversation's context) and the answer it waits for.

"how many?" (`how_many`) waits for a "quantity": any whole number, answered through ProvideCodeIntent's
number slot, so a one-digit answer is not a purchase code missing three digits.
"""


def expecting(context: Mapping[str, Any] | None) -> str | None:
    """What the conversation's open question waits for ("yes_no", "code", "choice"), None when none is open.

    Channels ask this instead of reading the context's keys: the recognizer ranks the answers first, and
    the kiosk's ears pick a narrow grammar for a code.
    """
    pending = (context or {}).get("pending")
    kind = pending.get("kind") if isinstance(pending, dict) else None
    return PENDING_EXPECTS.get(str(kind)) if kind else None


def answers(expectation: str | None) -> tuple[str, ...]:
    """The intents that answer an expectation ("yes_no": yes and no), from the one table."""
    if not expectation:
        return ()
    return tuple(name for name, traits in TRAITS.items() if traits.answers == expectation)


def changes_shop(intent: str) -> bool:
    """Whether acting on this intent can write; an unknown intent is treated as writing (the safe side)."""
    traits = TRAITS.get(intent)
    return True if traits is None else traits.changes_shop


def sure_answering(intent: str) -> str | None:
    """What the conversation must be waiting for before a reading of this intent is acted on unasked."""
    traits = TRAITS.get(intent)
    return traits.sure_answering if traits else None


def closes(intent: str) -> bool:
    """Whether the intent is a way of finishing, which a goodbye after it makes a goodbye."""
    traits = TRAITS.get(intent)
    return traits.closes if traits else False


def takes_products(intent: str) -> bool:
    """Whether the intent's product slot names something to buy or find (not an order)."""
    traits = TRAITS.get(intent)
    return traits.takes_products if traits else False


def expects(intent: str) -> str | None:
    """What the intent's reply waits for, if anything."""
    traits = TRAITS.get(intent)
    return traits.expects if traits else None


def shop_changing() -> frozenset[str]:
    """Every intent declared as writing (for channels that keep a set)."""
    return frozenset(name for name, traits in TRAITS.items() if traits.changes_shop)
