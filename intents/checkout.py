"""Buying: read the order back, ask yes or no, ask for the purchase code when one is set, place it.

Nothing is bought without an explicit yes to a summary that named every line and the total. The quote
id travels in the context, so "yes" places exactly what was read out, even if the cart changed since.
"""

from __future__ import annotations

from typing import Any

from catalog.errors import PurchaseCodeRequired
from catalog.model import Order, Quote
from intents.dialog import Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, order_code, plain


def _lines(dialog: Dialog, quote: Quote) -> Spoken:
    return dialog.join([dialog.say("quote_line", quantity=line.quantity, product=line.name) for line in quote.lines])


def savings_sentence(dialog: Dialog, quote: Quote) -> Spoken:
    """"With 10% off oat milk, you save $1.50." when a promotion took something off; nothing otherwise.

    The shopper says yes to a total lower than the lines they heard, so the read-back says why, naming
    each promotion once (one may apply to several lines).
    """
    if quote.savings <= 0:
        return plain("")
    titles = [plain(title) for title in dict.fromkeys(discount.title for discount in quote.discounts)]
    return dialog.say("checkout_savings", deals=dialog.join(titles), amount=dialog.money(quote.savings, quote.currency))


def ask_to_place(
    dialog: Dialog, quote: Quote, summary_key: str = "checkout_summary", order_number: str | None = None
) -> Reply:
    """Read the quote back (lines, delivery option, price and destination, savings, total) and wait for yes or no."""
    from intents.delivery import choice_sentence

    pending = {"order_number": order_number} if order_number else {}
    dialog.set_pending("checkout", quote_id=quote.quote_id, **pending)
    shown = [
        (line.name, f"{line.quantity} × {dialog.money(line.line_total, quote.currency).ssml}") for line in quote.lines
    ]
    shown += [
        (discount.title, f"−{dialog.money(discount.amount, quote.currency).ssml}") for discount in quote.discounts
    ]
    dialog.show("checkout", dialog.say("store_name").text, shown, dialog.money(quote.total, quote.currency).ssml)
    delivery = choice_sentence(dialog, quote.delivery, quote.currency) if quote.delivery else plain("")
    spoken = dialog.say(
        summary_key,
        lines=_lines(dialog, quote),
        total=dialog.money(quote.total, quote.currency),
        delivery=delivery,
        savings=savings_sentence(dialog, quote),
        number=order_code(order_number or ""),
    )
    return dialog.ask(spoken, "checkout_reprompt")


def delivery_slot(request: IntentRequest) -> str | None:
    """The delivery option named with the request ("check out with express"), as its id."""
    value = request.slot_id("delivery") or request.slot_value("delivery")
    return value.lower() if value else None


def handle_check_out(request: IntentRequest, shop: Any) -> Reply:
    """Quote the cart (with the option named, else the profile's or the shop's) and ask for confirmation."""
    dialog = Dialog(request, shop)
    quote = shop.quote(request.customer_id, delivery_slot(request))  # an empty cart is explained as EmptyCart
    return ask_to_place(dialog, quote)


def handle_reorder(request: IntentRequest, shop: Any) -> Reply:
    """Quote the last (or named) order again at today's prices, then the same yes/no as checkout."""
    from intents.orders import order_reference

    dialog = Dialog(request, shop)
    order = shop.order(request.customer_id, order_reference(request))
    quote = shop.reorder(request.customer_id, order.order_id)
    return ask_to_place(dialog, quote, "reorder_summary", order_number=order.order_number)


def placed_reply(dialog: Dialog, order: Order) -> Reply:
    """Say the order number slowly, what to pay and when it arrives."""
    dialog.clear_pending()
    dialog.context.pop("list", None)
    when = dialog.day(order.expected_delivery)
    if order.delivery is None:
        arrival = dialog.say("placed_plain", date=when)
    elif order.delivery.option == "pickup":
        arrival = dialog.say("placed_pickup", place=order.delivery.destination, date=when)
    else:
        arrival = dialog.say("placed_arrives", address=order.delivery.destination, date=when)
    spoken = dialog.say(
        "placed", number=order_code(order.order_number), total=dialog.money(order.total, order.currency), when=arrival
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


CODE_QUESTIONS = frozenset({"code", "new_code", "repeat_new_code", "current_code", "sign_in"})
"""Pending kinds a spoken code answers; none of them holds a code (see `_stage_new_code`)."""


def _four_digits(request: IntentRequest) -> str | None:
    """The code slot as four digits, or None when it is not a four-digit code at all."""
    code = request.slot_id("code") or request.slot_value("code")
    digits = "".join((code or "").split())
    return digits if len(digits) == 4 and digits.isdigit() else None


def handle_provide_code(request: IntentRequest, shop: Any) -> Reply:
    """A spoken code answers whichever question asked for one (purchase, sign-in, new code, current code)."""
    dialog = Dialog(request, shop)
    pending = dialog.pending or {}
    kind = pending.get("kind")
    if kind == "how_many":  # "three", after "how many avocados would you like?"
        from intents.shopping import answer_how_many

        return answer_how_many(dialog, pending)
    if kind not in CODE_QUESTIONS:
        return dialog.reply(dialog.say("code_not_expected"))
    code = _four_digits(request)
    if code is None:
        # Not a four-digit code at all (a misheard word, "42"): ask again without counting a wrong try.
        return dialog.ask(dialog.say("code_invalid"), "help_code")
    if kind == "code":
        order = shop.place(
            str(pending["quote_id"]), confirmed=True, customer_id=request.customer_id, purchase_code=code
        )
        return placed_reply(dialog, order)
    if kind == "sign_in":
        from intents.account import sign_in_with_code

        return sign_in_with_code(dialog, str(pending.get("number", "")), code)
    if kind == "new_code":
        return _stage_new_code(dialog, code)
    if kind == "repeat_new_code":
        return _confirm_new_code(dialog, code)
    return _apply_new_code(dialog, code)


def _stage_new_code(dialog: Dialog, new_code: str) -> Reply:
    """Keep the new code server-side, hashed and expiring, and ask for it again.

    The context goes to Alexa and back on every turn (session attributes), so it only says which
    question is open; the second saying is compared with the stored hash.
    """
    dialog.shop.stage_purchase_code(dialog.request.customer_id, new_code)
    dialog.set_pending("repeat_new_code")
    return dialog.ask(dialog.say("ask_repeat_new_code"), "help_code")


def _confirm_new_code(dialog: Dialog, repeated: str) -> Reply:
    """The second saying: a different code (or an expired one) changes nothing; a match goes on."""
    shop, customer_id = dialog.shop, dialog.request.customer_id
    if not shop.staged_code_matches(customer_id, repeated):
        shop.discard_staged_code(customer_id)
        dialog.clear_pending()
        return dialog.reply(dialog.say("new_code_mismatch"))
    if shop.customer(customer_id).has_purchase_code:
        dialog.set_pending("current_code")
        return dialog.ask(dialog.say("ask_current_code"), "help_code")
    return _apply_new_code(dialog, None)


def _apply_new_code(dialog: Dialog, current: str | None) -> Reply:
    """Make the staged code the customer's (a wrong current code is refused and may be said again)."""
    updated = dialog.shop.apply_staged_code(dialog.request.customer_id, current_code=current)
    dialog.clear_pending()
    if updated is None:
        return dialog.reply(dialog.say("new_code_expired"))
    return dialog.reply(dialog.say("code_set"))


def handle_set_purchase_code(request: IntentRequest, shop: Any) -> Reply:
    """Set or change the code: the new code twice, then the current one when a code is already set."""
    dialog = Dialog(request, shop)
    if request.slot_id("code") is None and request.slot_value("code") is None:
        dialog.set_pending("new_code")
        return dialog.ask(dialog.say("ask_new_code"), "help_code")
    code = _four_digits(request)
    if code is None:
        dialog.set_pending("new_code")
        return dialog.ask(dialog.say("code_invalid"), "help_code")
    return _stage_new_code(dialog, code)
