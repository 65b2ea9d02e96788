"""After buying: where is my order, what did I order, cancel it (after a yes)."""

from __future__ import annotations

from typing import Any

from catalog.errors import OrderNotFound
from catalog.model import Order, OrderStatus
from catalog.orders import LATEST_ANY
from intents.delivery import delivery_price, option_name
from intents.dialog import PAGE_SIZE, Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat, order_code, plain

ORDERS_LISTED = 9


def order_reference(request: IntentRequest) -> str:
    """Name "order 4821 maple" when both parts were heard, else the latest order.

    "The latest" skips cancelled orders (`Shop.order`), unless the shopper asked about the cancelled one:
    only a filter that entity resolution named counts, so "my newest order" is the latest, not a cancelled one.
    """
    digits = request.slot_id("order_digits") or request.slot_value("order_digits")
    word = request.slot_id("order_word") or request.slot_value("order_word")
    if digits and word:
        return f"{''.join(digits.split())} {word.lower()}"
    if request.slot_id("order_filter"):  # "my cancelled order"; "my latest order" resolves to no filter
        return LATEST_ANY
    return "latest"


def _status(dialog: Dialog, order: Order) -> Spoken:
    return dialog.say(f"status_{order.status.value}")


def _order_sentence(dialog: Dialog, order: Order, key: str = "order_status") -> Spoken:
    arriving = order.status not in {OrderStatus.DELIVERED, OrderStatus.CANCELLED}
    when = dialog.say("order_when", date=dialog.day(order.expected_delivery)) if arriving else plain("")
    return dialog.say(
        key,
        number=order_code(order.order_number),
        total=dialog.money(order.total, order.currency),
        status=_status(dialog, order),
        when=when,
    )


def _find(dialog: Dialog) -> Order | Reply:
    reference = order_reference(dialog.request)
    try:
        return dialog.shop.order(dialog.request.customer_id, reference)
    except OrderNotFound:
        if reference == "latest":
            return dialog.reply(dialog.say("no_orders"))
        return dialog.reply(dialog.say("order_not_found", reference=order_code(reference)))


def handle_order_status(request: IntentRequest, shop: Any) -> Reply:
    """Where is my order."""
    dialog = Dialog(request, shop)
    order = _find(dialog)
    if isinstance(order, Reply):
        return order
    return dialog.reply(_order_sentence(dialog, order))


def handle_order_contents(request: IntentRequest, shop: Any) -> Reply:
    """What was in my last order (or the one named): every line, how it travelled, what it saved, the total."""
    dialog = Dialog(request, shop)
    order = _find(dialog)
    if isinstance(order, Reply):
        return order
    lines = dialog.join([dialog.say("quote_line", quantity=line.quantity, product=line.name) for line in order.lines])
    choice = order.delivery
    if choice is None:
        delivery = plain("")
    elif choice.option == "pickup":
        delivery = dialog.say("order_contents_pickup", destination=choice.destination)
    else:
        delivery = dialog.say(
            "order_contents_delivery",
            option=option_name(dialog, choice.option),
            destination=choice.destination,
            price=delivery_price(dialog, choice.price, order.currency),
        )
    dialog.set_list("results", [line.sku for line in order.lines])
    savings = plain("")
    if order.savings > 0:  # the discounts the order kept, whatever promotions run today
        titles = [plain(title) for title in dict.fromkeys(discount.title for discount in order.discounts)]
        amount = dialog.money(order.savings, order.currency)
        savings = dialog.say("order_contents_savings", amount=amount, deals=dialog.join(titles))
    spoken = dialog.say(
        "order_contents",
        savings=savings,
        number=order_code(order.order_number),
        status=_status(dialog, order),
        lines=lines,
        delivery=delivery,
        total=dialog.money(order.total, order.currency),
    )
    return dialog.reply(spoken)


def render_orders(dialog: Dialog, intro: Spoken | None = None) -> Reply:
    """Read the listed orders three at a time."""
    listing = dialog.listing or {"ids": [], "start": 0}
    start = int(listing.get("start") or 0)
    lines = []
    for order_id in [str(i) for i in listing["ids"]][start : start + PAGE_SIZE]:
        try:
            order = dialog.shop.order(dialog.request.customer_id, order_id)
        except OrderNotFound:
            continue
        lines.append(_order_sentence(dialog, order, "order_line"))
    more = dialog.say("more_results") if start + PAGE_SIZE < len(listing["ids"]) else plain("")
    return dialog.reply(concat(intro or plain(""), *lines, more))


def handle_list_orders(request: IntentRequest, shop: Any) -> Reply:
    """My recent orders, newest first."""
    dialog = Dialog(request, shop)
    page = shop.orders(request.customer_id, limit=ORDERS_LISTED)
    if not page.orders:
        return dialog.reply(dialog.say("no_orders"))
    dialog.set_list("orders", [order.order_id for order in page.orders])
    return render_orders(dialog, dialog.say("orders_intro", count=dialog.count("recent_order", len(page.orders))))


def handle_cancel_order(request: IntentRequest, shop: Any) -> Reply:
    """Cancel the last (or named) order, after reading it back and hearing yes."""
    dialog = Dialog(request, shop)
    order = _find(dialog)
    if isinstance(order, Reply):
        return order
    if not order.cancellable:
        return dialog.reply(
            dialog.say("cannot_cancel", number=order_code(order.order_number), status=_status(dialog, order))
        )
    dialog.set_pending("cancel_order", order_id=order.order_id)
    return dialog.ask(
        dialog.say(
            "confirm_cancel", number=order_code(order.order_number), total=dialog.money(order.total, order.currency)
        ),
        "help_confirm",
    )


def confirm_cancel_order(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """Yes: cancel and restock."""
    order = dialog.shop.cancel(dialog.request.customer_id, str(pending["order_id"]))
    dialog.clear_pending()
    return dialog.reply(
        dialog.say("order_cancelled", number=order_code(order.order_number)), events=("order_cancelled",)
    )


def decline_cancel_order(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """No: the order stays."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("cancel_declined"))
