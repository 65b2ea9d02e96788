"""Returns and warranties: start a return (after one yes), hear where it stands, ask about a warranty.

The windows and warranty terms are the shop's policy (`Shop.shop_policy()`), so the answers to "what is
your return policy" and "what is the warranty" are built from the same terms a return is checked against.
"""

from __future__ import annotations

from typing import Any

from catalog.errors import ReturnNotAllowed
from intents.delivery import describe_options
from intents.dialog import Dialog
from intents.orders import order_reference
from intents.request import IntentRequest, Reply
from intents.shopping import resolve_product
from intents.speech import Spoken, order_code, plain


def _lines(dialog: Dialog, lines: Any) -> Spoken:
    return dialog.join([dialog.say("quote_line", quantity=line.quantity, product=line.name) for line in lines])


def handle_start_return(request: IntentRequest, shop: Any) -> Reply:
    """Read back what a return of the order would take and refund, then wait for one yes."""
    dialog = Dialog(request, shop)
    plan = shop.plan_return(request.customer_id, order_reference(request))
    late = plain("")
    if plan.too_late:
        categories = shop.repository.get_products([line.sku for line in plan.too_late])
        days = min(shop.shop_policy().returns.days_for(p.category) for p in categories.values()) if categories else 0
        late = dialog.say("return_too_late", lines=_lines(dialog, plan.too_late), days=days)
    dialog.set_pending("start_return", order_id=plan.order.order_id)
    spoken = dialog.say(
        "return_confirm",
        number=order_code(plan.order.order_number),
        lines=_lines(dialog, plan.lines),
        refund=dialog.money(plan.refund, plan.order.currency),
        late=late,
    )
    return dialog.ask(spoken, "help_confirm")


def confirm_start_return(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """Yes: record the return and say its number slowly."""
    record = dialog.shop.start_return(dialog.request.customer_id, str(pending["order_id"]))
    dialog.clear_pending()
    spoken = dialog.say(
        "return_started", number=order_code(record.return_number), refund=dialog.money(record.refund, record.currency)
    )
    return dialog.reply(spoken, events=("return_started",), card_title=f"Return {record.return_number}")


def decline_start_return(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """No: nothing is recorded."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("return_declined"))


def handle_return_status(request: IntentRequest, shop: Any) -> Reply:
    """Where is my return (the latest, or the one named by its number)."""
    dialog = Dialog(request, shop)
    reference = order_reference(request)
    if reference == "latest":
        record = shop.latest_return(request.customer_id)
    else:
        record = shop.customer_return(request.customer_id, reference)
    spoken = dialog.say(
        "return_status",
        number=order_code(record.return_number),
        order=order_code(record.order_number),
        status=dialog.say(f"return_status_{record.status.value}"),
    )
    return dialog.reply(spoken)


def explain_return_refusal(dialog: Dialog, refusal: ReturnNotAllowed) -> Spoken:
    """Why an order can't be returned, in the shopper's words: not delivered yet, too late, or already."""
    number = order_code(refusal.order_number)
    if refusal.reason == "not_delivered":
        return dialog.say("return_not_delivered", number=number, status=dialog.say(f"status_{refusal.status}"))
    if refusal.reason == "already_returned":
        return dialog.say("return_already", number=number, return_number=order_code(refusal.return_number))
    delivered = dialog.day(refusal.delivered) if refusal.delivered else plain("")
    return dialog.say("return_window_closed", number=number, date=delivered, days=refusal.days)


def describe_returns(dialog: Dialog) -> Reply:
    """The return policy as configured: the usual window and the categories with a shorter one."""
    returns = dialog.shop.shop_policy().returns
    short = sorted(
        {days for days in returns.categories.values() if days < returns.default_days},
    )
    if not short:
        return dialog.reply(dialog.say("policy_returns"))
    quick = short[0]
    categories = sorted(name for name, days in returns.categories.items() if days == quick)
    spoken = dialog.say(
        "policy_returns_live",
        days=returns.default_days,
        categories=dialog.join([plain(dialog.category_name(name)) for name in categories]),
        short=quick,
    )
    return dialog.reply(spoken)


def describe_warranty(dialog: Dialog) -> Reply:
    """The warranty question without a product: how warranties work here."""
    return dialog.reply(dialog.say("warranty_general"))


def handle_warranty(request: IntentRequest, shop: Any) -> Reply:
    """The warranty of a product (named, "it", "the second one") or of a whole category."""
    dialog = Dialog(request, shop)
    category = request.slot_id("category") or request.slot_value("category")
    returns = shop.shop_policy().returns
    if category and not (request.slot_value("product") or request.slot_id("product")):
        term = shop.category_warranty(category)
        days = returns.days_for(category)
        if term:
            return dialog.reply(dialog.say("warranty_category", category=dialog.category_name(category), term=term))
        return dialog.reply(dialog.say("warranty_category_none", category=dialog.category_name(category), days=days))
    if not (request.slot_value("product") or request.slot_id("product") or dialog.focus):
        return dialog.ask(dialog.say("warranty_which"), "anything_else")
    named = resolve_product(dialog)
    if isinstance(named, Reply):
        return named
    product, term = shop.warranty(named.sku)
    dialog.set_focus(product.sku)
    if term:
        return dialog.reply(dialog.say("warranty_product", product=dialog.label(product), term=term))
    days = returns.days_for(product.category)
    return dialog.reply(dialog.say("warranty_product_none", product=dialog.label(product), days=days))


POLICY_ANSWERS = {"delivery": describe_options, "returns": describe_returns, "warranty": describe_warranty}
"""Policy questions answered from the shop's configured terms rather than a fixed prompt."""
