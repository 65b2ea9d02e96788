"""Who is shopping: the customer number, and signing in at a kiosk with that number plus the code.

On Alexa the account is the Alexa identity, so sign-in is only meaningful on the kiosk; the signed-in
customer id goes back in the context, where the kiosk adapter picks it up for the following turns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intents.dialog import Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, plain


def _digits(number: str) -> Spoken:
    spaced = " ".join(number)
    return Spoken(spaced, f'<prosody rate="slow"><say-as interpret-as="digits">{number}</say-as></prosody>')


def handle_customer_number(request: IntentRequest, shop: Any) -> Reply:
    """Tell the customer their kiosk number (allocating it the first time)."""
    dialog = Dialog(request, shop)
    return dialog.reply(dialog.say("customer_number", number=_digits(shop.customer_number(request.customer_id))))


def handle_identify_customer(request: IntentRequest, shop: Any) -> Reply:
    """Answer "I am customer 123456" by asking for the code before anything is done as that customer."""
    dialog = Dialog(request, shop)
    if request.channel != "kiosk":
        return dialog.reply(dialog.say("sign_in_elsewhere"))
    raw = request.slot_id("customer_number") or request.slot_value("customer_number") or ""
    number = "".join(ch for ch in raw if ch.isdigit())
    if len(number) != 6:
        return dialog.reply(dialog.say("sign_in_unknown", number=_digits(number) if number else plain("")))
    dialog.set_pending("sign_in", number=number)
    return dialog.ask(dialog.say("ask_sign_in_code"), "help_code")


def signed_in_as(context: Mapping[str, Any] | None) -> str | None:
    """The customer a kiosk session signed in to (`sign_in_with_code`), None when nobody signed in."""
    customer = (context or {}).get("customer_id")
    return customer if isinstance(customer, str) and customer else None


def sign_in_with_code(dialog: Dialog, number: str, code: str) -> Reply:
    """The code answered a sign-in question: switch the session to that customer."""
    customer = dialog.shop.sign_in(number, code)
    dialog.clear_pending()
    dialog.context.pop("list", None)
    dialog.context.pop("focus", None)
    dialog.context["customer_id"] = customer.customer_id
    name = f", {customer.display_name}" if customer.display_name else ""
    return dialog.reply(dialog.say("signed_in", name=name), events=("signed_in",))
