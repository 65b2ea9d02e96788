"""Delivery: what the options cost and when they arrive, choosing one at checkout or as a default.

The options, prices and cut-offs are the shop's (`Shop.shop_policy()`), so every sentence here is built
from them rather than written into the prompts; a read-back always names the option, its price and
where the order goes (the address, or the pickup place).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from catalog.delivery import DeliveryChoice, DeliveryOption
from catalog.model import utcnow
from intents.dialog import Dialog
from intents.lexicon import load_lexicon
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat, plain


def clock(value: time, locale: str = "en-US") -> str:
    """A cut-off as people say it: "2 PM", "12:30 PM" (es-US "2 p. m.", from the language file)."""
    hour = value.hour % 12 or 12
    morning, afternoon = load_lexicon(locale).day_halves
    suffix = morning if value.hour < 12 else afternoon
    return f"{hour} {suffix}" if not value.minute else f"{hour}:{value.minute:02d} {suffix}"


def option_name(dialog: Dialog, code: str) -> Spoken:
    """An option's spoken name ("Express"); an option the prompts don't name is said as configured."""
    key = f"option_{code}"
    try:
        return dialog.say(key)
    except KeyError:
        return plain(code.capitalize())


def delivery_price(dialog: Dialog, price: Any, currency: str = "USD") -> Spoken:
    """A delivery price, "free" when it costs nothing."""
    return dialog.say("delivery_free") if not price else dialog.money(price, currency)


def expected(dialog: Dialog, code: str) -> date:
    """When an order placed now with this option should arrive (or be ready)."""
    return dialog.shop.shop_policy().delivery.expected_date(code, utcnow())


def choice_sentence(dialog: Dialog, choice: DeliveryChoice, currency: str = "USD") -> Spoken:
    """The read-back of how an order will travel: option, price, address or pickup place, and date."""
    when = dialog.day(expected(dialog, choice.option))
    price = delivery_price(dialog, choice.price, currency)
    name = option_name(dialog, choice.option)
    if choice.option == "pickup":
        return dialog.say("delivery_pickup", place=choice.destination, price=price, date=when)
    return dialog.say("delivery_to", option=name, address=choice.destination, price=price, date=when)


def _option_line(dialog: Dialog, option: DeliveryOption) -> Spoken:
    arrival = dialog.day(expected(dialog, option.code))
    fields = {
        "option": option_name(dialog, option.code),
        "price": delivery_price(dialog, option.price),
        "arrival": arrival,
        "cutoff": clock(option.cutoff, dialog.request.locale),
    }
    if not option.needs_address:
        return dialog.say("delivery_option_pickup_line", place=option.place, **fields)
    return dialog.say("delivery_option_line", **fields)


def describe_options(dialog: Dialog, only: str | None = None) -> Reply:
    """Every option (or the one asked about) with its price, date if ordered now and cut-off."""
    policy = dialog.shop.shop_policy().delivery
    options = [policy.option(only)] if only else list(policy.options)
    intro = plain("") if only else dialog.say("delivery_options_intro", count=len(options))
    address = dialog.shop.customer(dialog.request.customer_id).address
    outro = (
        dialog.say("delivery_options_outro", address=address)
        if address
        else dialog.say("delivery_options_outro_no_address")
    )
    return dialog.reply(concat(intro, *(_option_line(dialog, option) for option in options), outro))


def handle_delivery_options(request: IntentRequest, shop: Any) -> Reply:
    """How much is delivery, can I get express, when would pickup be ready."""
    dialog = Dialog(request, shop)
    return describe_options(dialog, request.slot_id("delivery") or _spoken_option(request))


def _spoken_option(request: IntentRequest) -> str | None:
    value = request.slot_value("delivery")
    return value.lower() if value else None


def handle_choose_delivery(request: IntentRequest, shop: Any) -> Reply:
    """Use express: re-read the open checkout with that option, or make it the shopper's default."""
    from intents.checkout import ask_to_place

    dialog = Dialog(request, shop)
    code = request.slot_id("delivery") or _spoken_option(request)
    if code is None:
        return describe_options(dialog)
    pending = dialog.pending or {}
    if pending.get("kind") == "checkout":
        quote = shop.requote(request.customer_id, str(pending["quote_id"]), code)
        number = pending.get("order_number")
        summary = "reorder_summary" if number else "checkout_summary"
        return ask_to_place(dialog, quote, summary, order_number=str(number) if number else None)
    dialog.clear_pending()
    shop.delivery_choice(request.customer_id, code)  # refuses an unknown option, or delivery without an address
    shop.set_delivery_profile(request.customer_id, option=code)
    return dialog.reply(dialog.say("delivery_default_set", option=option_name(dialog, code)))


def explain_unknown_option(dialog: Dialog, option: str, offered: tuple[str, ...]) -> Spoken:
    """The refusal of an option the shop doesn't offer, naming the ones it does."""
    return dialog.say(
        "delivery_unknown", option=option, offered=dialog.join([option_name(dialog, o) for o in offered], "or")
    )
