"""The walk-up shopper: somebody at a shared kiosk who has not signed in, shopping as a one-off customer.

Their cart lives only as long as the session (nobody can come back to it), so two rules protect it:

- leaving ("stop", "start over", perhaps misheard) with something in the cart is asked about first, through
  the conversation's own doubt question (`intents.doubt`): yes leaves, no keeps the cart as it was;
  "cancel" with a question open only drops that question;
- signing in brings what they chose into the account's cart (`Shop.move_cart`), and says what came along
  and what could not.

The channel decides who is a walk-up shopper (the kiosk, for a session nobody signed in to); the rules and
their words are here, so any channel with shared devices says the same.
"""

from __future__ import annotations

import logging
from typing import Any

from catalog.errors import StoreUnavailable
from intents import doubt
from intents.dialog import Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat

__all__ = ["LEAVING", "ask_before_leaving", "bring_cart", "forget_cart"]

log = logging.getLogger(__name__)

CANCEL = "AMAZON.CancelIntent"
START_OVER = frozenset({"AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent"})
LEAVING = frozenset({"AMAZON.StopIntent", CANCEL, *START_OVER})
"""Intents that end a walk-up session (and so empty its cart)."""


def ask_before_leaving(request: IntentRequest, shop: Any) -> Reply | None:
    """The question before a walk-up shopper's cart would be emptied by leaving; None to go ahead.

    "stop" or "start over", perhaps misheard, must not silently throw away what somebody spent ten
    minutes choosing by voice. With the store down there is nothing to protect that we could read.
    """
    if request.intent not in LEAVING:
        return None
    dialog = Dialog(request, shop)
    if request.intent == CANCEL and dialog.pending is not None:
        return None
    try:
        count = shop.cart(request.customer_id).item_count
    except StoreUnavailable:
        return None
    if count == 0:
        return None
    verb = dialog.say("leave_start_over" if request.intent in START_OVER else "leave_stop")
    asked = dialog.say("leave_with_cart", items=dialog.count("item", count), verb=verb)
    return doubt.ask(request, shop, asked, declined="cart_kept")


def bring_cart(request: IntentRequest, shop: Any, walk_up_id: str, customer_id: str) -> Spoken | None:
    """Move what a walk-up shopper chose into the account they just signed in to; what to say, if anything."""
    dialog = Dialog(request, shop)
    try:
        move = shop.move_cart(walk_up_id, customer_id)
    except StoreUnavailable:
        log.warning("could not move the walk-up cart at sign-in: store unavailable")
        return dialog.say("cart_not_moved")
    parts = []
    if move.moved:
        parts.append(dialog.say("cart_moved", items=dialog.count("item", move.moved)))
    if move.left_behind:
        parts.append(dialog.say("cart_left_behind", items=dialog.count("item", move.left_behind)))
    return concat(*parts) if parts else None


def forget_cart(shop: Any, walk_up_id: str) -> None:
    """Empty a walk-up cart at the end of its session: nobody can come back to it."""
    try:
        if shop.cart(walk_up_id).lines:
            shop.clear_cart(walk_up_id)
    except StoreUnavailable:
        log.warning("could not empty the walk-up cart: store unavailable (a fresh customer follows anyway)")
