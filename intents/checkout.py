"""Buying: read the order back, ask yes or no, ask for the purchase code when one is set, place it.

Nothing is bought without an explicit yes to a summary that named every line and the total. The quote
id travels in the context, so "yes" places exactly what was read out, even if the cart changed since.
"""

from __future__ import annotations

from typing import Any

from catalog.errors import PurchaseCodeRequired
from catalog.model import Order, Quote
from catalog.purchase_code import validate_code
from intents.dialog import Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, day, join, money, order_code


def _lines(dialog: Dialog, quote: Quote) -> Spoken:
    return join([dialog.say("quote_line", quantity=line.quantity, product=line.name) for line in quote.lines])


def ask_to_place(dialog: Dialog, quote: Quote, summary_key: str = "checkout_summary") -> Reply:
    """Read the quote back and wait for yes or no."""
    dialog.set_pending("checkout", quote_id=quote.quote_id)
    spoken = dialog.say(summary_key, lines=_lines(dialog, quote), total=money(quote.total, quote.currency))
    return dialog.ask(spoken, "checkout_reprompt")


def handle_check_out(request: IntentRequest, shop: Any) -> Reply:
    """Quote the cart and ask for confirmation."""
    dialog = Dialog(request, shop)
    return ask_to_place(dialog, shop.quote(request.customer_id))  # an empty cart is explained as EmptyCart


def handle_reorder(request: IntentRequest, shop: Any) -> Reply:
    """Quote the last (or named) order again at today's prices, then the same yes/no as checkout."""
    from intents.orders import order_reference

    dialog = Dialog(request, shop)
    quote = shop.reorder(request.customer_id, order_reference(request))
    return ask_to_place(dialog, quote, "reorder_summary")


def placed_reply(dialog: Dialog, order: Order) -> Reply:
    """Say the order number slowly, what to pay and when it arrives."""
    dialog.clear_pending()
    dialog.context.pop("list", None)
    spoken = dialog.say(
        "placed",
        number=order_code(order.order_number),
        total=money(order.total, order.currency),
        date=day(order.expected_delivery),
    )
    return dialog.reply(spoken, events=("order_placed",), card_title=f"Order {order.order_number}")


def confirm_checkout(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """Yes: place it, or first ask for the purchase code."""
    quote_id = str(pending["quote_id"])
    try:
        order = dialog.shop.place(quote_id, confirmed=True, customer_id=dialog.request.customer_id)
    except PurchaseCodeRequired:
        dialog.set_pending("code", quote_id=quote_id)
        return dialog.ask(dialog.say("ask_code"), "help_code")
    return placed_reply(dialog, order)


def decline_checkout(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """No: nothing is ordered, the cart stays."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("not_placed"))


def handle_provide_code(request: IntentRequest, shop: Any) -> Reply:
    """A spoken code answers whichever question asked for one (purchase, new code, current code)."""
    dialog = Dialog(request, shop)
    pending = dialog.pending or {}
    code = request.slot_id("code") or request.slot_value("code")
    kind = pending.get("kind")
    if kind not in {"code", "new_code", "current_code", "sign_in"}:
        return dialog.reply(dialog.say("code_not_expected"))
    digits = "".join((code or "").split())
    if len(digits) != 4 or not digits.isdigit():
        # Not a four-digit code at all (a misheard word, "42"): ask again without counting a wrong try.
        return dialog.ask(dialog.say("code_invalid"), "help_code")
    code = digits
    if kind == "code":
        order = shop.place(
            str(pending["quote_id"]), confirmed=True, customer_id=request.customer_id, purchase_code=code
        )
        return placed_reply(dialog, order)
    if kind == "sign_in":
        from intents.account import sign_in_with_code

        return sign_in_with_code(dialog, str(pending.get("number", "")), code)
    if kind == "new_code":
        return _set_code(dialog, code, None)
    return _set_code(dialog, str(pending.get("new_code", "")), code)


def _set_code(dialog: Dialog, new_code: str, current: str | None) -> Reply:
    dialog.shop.set_purchase_code(dialog.request.customer_id, new_code, current_code=current)
    dialog.clear_pending()
    return dialog.reply(dialog.say("code_set"))


def handle_set_purchase_code(request: IntentRequest, shop: Any) -> Reply:
    """Set a code, or change it (which needs the current one first)."""
    dialog = Dialog(request, shop)
    code = request.slot_id("code") or request.slot_value("code")
    if not code:
        dialog.set_pending("new_code")
        return dialog.ask(dialog.say("ask_new_code"), "help_code")
    new_code = validate_code(code)
    if shop.customer(request.customer_id).has_purchase_code:
        # The new code waits in the context only until the current one is heard, then is stored hashed.
        dialog.set_pending("current_code", new_code=new_code)
        return dialog.ask(dialog.say("ask_current_code"), "help_code")
    try:
        return _set_code(dialog, new_code, None)
    except PurchaseCodeRequired:
        dialog.set_pending("current_code", new_code=new_code)
        return dialog.ask(dialog.say("ask_current_code"), "help_code")
