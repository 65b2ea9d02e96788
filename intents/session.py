"""The conversation's own controls: launch, help, yes/no, repeat, next/previous, stop, start over.

Yes and no answer whatever `pending` says was asked; every kind of question registers its confirm and
decline functions in `CONFIRMATIONS`, so a stray "yes" can never buy anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from intents import checkout, deals, doubt, handoff, orders, returns, shopping
from intents.dialog import PAGE_SIZE, Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat

Answer = Callable[[Dialog, dict[str, Any]], Reply]
CONFIRMATIONS: dict[str, tuple[Answer, Answer]] = {
    "checkout": (checkout.confirm_checkout, checkout.decline_checkout),
    "cancel_order": (orders.confirm_cancel_order, orders.decline_cancel_order),
    "start_return": (returns.confirm_start_return, returns.decline_start_return),
    "clear_cart": (shopping.confirm_clear_cart, shopping.decline_clear_cart),
    "add": (shopping.confirm_add, shopping.decline_add),
    "did_you_mean": (shopping.confirm_did_you_mean, shopping.decline_did_you_mean),
    "packs": (shopping.confirm_packs, shopping.decline_packs),
    "callback": (handoff.confirm_callback, handoff.decline_callback),
    doubt.DOUBT: (doubt.confirm_doubt, doubt.decline_doubt),
}
HELP_FOR_PENDING = {
    "checkout": "help_confirm",
    "cancel_order": "help_confirm",
    "start_return": "help_confirm",
    "clear_cart": "help_confirm",
    "add": "help_confirm",
    "did_you_mean": "help_confirm",
    "packs": "help_confirm",
    "how_many": "help_how_many",
    "callback": "help_confirm",
    doubt.DOUBT: "help_confirm",
    "code": "help_code",
    "new_code": "help_code",
    "repeat_new_code": "help_code",
    "current_code": "help_code",
    "sign_in": "help_code",
    "choose": "help_choose",
}


def handle_launch(request: IntentRequest, shop: Any) -> Reply:
    """Greet; mention a waiting cart so a returning shopper can pick up where they left off."""
    dialog = Dialog(request, shop)
    dialog.context.clear()
    cart = shop.cart(request.customer_id)
    if cart.lines:
        return dialog.reply(dialog.say("welcome_back_cart", items=dialog.count("item", cart.item_count)))
    return dialog.reply(dialog.say("welcome"))


def handle_yes(request: IntentRequest, shop: Any) -> Reply:
    """Confirm whatever was just asked."""
    dialog = Dialog(request, shop)
    pending = dialog.pending
    if pending is None or pending.get("kind") not in CONFIRMATIONS:
        if pending is not None:
            return dialog.ask(
                dialog.say(HELP_FOR_PENDING.get(str(pending.get("kind")), "help_general")),
                HELP_FOR_PENDING.get(str(pending.get("kind")), "anything_else"),
            )
        return dialog.reply(dialog.say("nothing_to_confirm"))
    return CONFIRMATIONS[str(pending["kind"])][0](dialog, pending)


def handle_no(request: IntentRequest, shop: Any) -> Reply:
    """Decline whatever was just asked; nothing changes."""
    dialog = Dialog(request, shop)
    pending = dialog.pending
    if pending is None:
        return dialog.reply(dialog.say("anything_else"))
    if pending.get("kind") in CONFIRMATIONS:
        return CONFIRMATIONS[str(pending["kind"])][1](dialog, pending)
    dialog.clear_pending()
    return dialog.reply(dialog.say("cancelled_pending"))


def handle_help(request: IntentRequest, shop: Any) -> Reply:
    """What can be said right now, which depends on what was just asked or listed."""
    dialog = Dialog(request, shop)
    pending = dialog.pending
    if pending is not None:
        key = HELP_FOR_PENDING.get(str(pending.get("kind")), "help_general")
        return dialog.ask(dialog.say(key), key)
    if dialog.listing is not None and dialog.listing.get("kind") in ("results", deals.LIST_KIND):
        count = len(dialog.listing.get("ids") or ())  # offer only what this list allows
        key = "help_result_one" if count == 1 else "help_results" if count > PAGE_SIZE else "help_results_page"
        return dialog.reply(dialog.say(key))
    return dialog.reply(dialog.say("help_general"))


def handle_stop(request: IntentRequest, shop: Any) -> Reply:
    """Stop ends the session (anything pending is dropped, so nothing is bought)."""
    dialog = Dialog(request, shop)
    return dialog.reply(dialog.say("goodbye"), end=True)


def handle_cancel(request: IntentRequest, shop: Any) -> Reply:
    """Cancel drops an open question and keeps listening; with nothing open it ends like stop."""
    dialog = Dialog(request, shop)
    if dialog.pending is not None:
        dialog.clear_pending()
        return dialog.reply(dialog.say("cancelled_pending"))
    return dialog.reply(dialog.say("goodbye"), end=True)


def handle_repeat(request: IntentRequest, shop: Any) -> Reply:
    """Say the last reply again, word for word."""
    dialog = Dialog(request, shop)
    last = dialog.context.get("last")
    if not isinstance(last, dict):
        return dialog.reply(dialog.say("nothing_to_repeat"))
    pending = dialog.pending
    reprompt_key = HELP_FOR_PENDING.get(str(pending.get("kind"))) if pending else None
    spoken = Spoken(str(last.get("text", "")), str(last.get("ssml", "")))
    return dialog.reply(spoken, reprompt=dialog.say(reprompt_key) if reprompt_key else None)


def _page(request: IntentRequest, shop: Any, step: int) -> Reply:
    dialog = Dialog(request, shop)
    listing = dialog.listing
    if listing is None or listing.get("kind") == "choice":
        return dialog.reply(dialog.say("no_list"))
    start = int(listing.get("start") or 0) + step
    if start >= len(listing["ids"]):
        return dialog.reply(dialog.say("no_more"))
    if start < 0:
        return dialog.reply(dialog.say("no_previous"))
    listing["start"] = start
    renderers = {
        "results": shopping.render_results,
        deals.LIST_KIND: deals.render_deals,
        "cart": shopping.render_cart,
        "orders": orders.render_orders,
    }
    return renderers[str(listing.get("kind"))](dialog)


def handle_next(request: IntentRequest, shop: Any) -> Reply:
    """The next three of the current list."""
    return _page(request, shop, PAGE_SIZE)


def handle_previous(request: IntentRequest, shop: Any) -> Reply:
    """The previous three of the current list."""
    return _page(request, shop, -PAGE_SIZE)


def handle_start_over(request: IntentRequest, shop: Any) -> Reply:
    """Forget the conversation (not the cart: that belongs to the customer)."""
    dialog = Dialog(request, shop)
    dialog.context.clear()
    return dialog.reply(dialog.say("start_over"), events=("started_over",))  # a kiosk also signs out


def handle_fallback(request: IntentRequest, shop: Any) -> Reply:
    """Not understood: say so, keep any open question open, and say what works."""
    dialog = Dialog(request, shop)
    pending = dialog.pending
    hint = (
        dialog.say(HELP_FOR_PENDING[str(pending.get("kind"))])
        if pending and pending.get("kind") in HELP_FOR_PENDING
        else None
    )
    fallback = dialog.say("fallback")
    return dialog.reply(concat(fallback, hint) if hint else fallback, reprompt=hint)
