"""The one entry point every channel calls: `respond(request, shop) -> Reply`.

It dispatches through the registry, drops a pending question when the customer moves on (so a later
"yes" can't confirm something stale), and turns every domain refusal into a spoken explanation. A
refusal is raised before anything is written, so each of these replies can truthfully say nothing
changed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from catalog.errors import (
    CartAlreadyOrdered,
    CartChanged,
    ConfirmationRequired,
    CurrencyMismatch,
    EmptyCart,
    IllegalReturnTransition,
    IllegalTransition,
    InvalidPurchaseCode,
    InvalidQuantity,
    LinesUnavailable,
    NoDeliveryAddress,
    NotEnoughStock,
    NotInCart,
    OrderNotFound,
    OrderOutcomeUnknown,
    PurchaseCodeRequired,
    PurchasesLocked,
    QuoteNotFound,
    ReturnNotAllowed,
    ReturnNotFound,
    SignInRefused,
    StoreUnavailable,
    UnknownDeliveryOption,
    UnknownProduct,
    VoiceshopError,
    WrongPurchaseCode,
)
from catalog.model import utcnow
from catalog.purchase_code import LOCK_MINUTES
from intents.delivery import explain_unknown_option, option_name
from intents.dialog import Dialog
from intents.handoff import follow
from intents.quantity import UnreadableQuantity
from intents.registry import HANDLERS
from intents.request import IntentRequest, Reply
from intents.returns import explain_return_refusal
from intents.speech import concat, order_code

log = logging.getLogger(__name__)

KEEPS_PENDING = frozenset({
    "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent",
    "AMAZON.CancelIntent", "ProvideCodeIntent", "SpeakSlowerIntent", "SpeakFasterIntent", "SpeakLouderIntent",
    "SpeakSofterIntent", "ChooseDeliveryIntent",
})  # fmt: skip
"""Intents that answer or act on the open question ("use express" re-reads an open checkout).
"cancel" is one: it drops that question and keeps the
session (`session.handle_cancel`); dropping the question first made it end the session instead."""
ANSWERS_A_CHOICE = frozenset({"AddToCartIntent", "ProductDetailsIntent", "RemoveFromCartIntent"})


def handles(intent: str) -> bool:
    """Whether the conversation knows this intent (adapters route everything else to fallback)."""
    return intent in HANDLERS


def _carry_pending(request: IntentRequest) -> IntentRequest:
    """Keep an open question only for intents that answer it; anything else moves on."""
    pending = request.context.get("pending") if request.context else None
    if not isinstance(pending, dict):
        return request
    kind = pending.get("kind")
    if request.intent in KEEPS_PENDING:
        return request
    if kind == "choose" and request.intent in ANSWERS_A_CHOICE:
        wanted = str(pending.get("intent") or request.intent)
        if request.slot_value("ordinal") or request.slot_id("ordinal"):
            return replace(request, intent=wanted if wanted in ANSWERS_A_CHOICE else request.intent)
        return request
    context = {k: v for k, v in request.context.items() if k != "pending"}
    return replace(request, context=context)


def respond(request: IntentRequest, shop: Any) -> Reply:
    """Answer one turn; never raises for a domain refusal. A third misunderstanding in a row offers a person."""
    request = _carry_pending(request)
    handler = HANDLERS.get(request.intent, HANDLERS["AMAZON.FallbackIntent"])
    try:
        reply = handler(request, shop)
    except VoiceshopError as error:
        reply = explain(error, request, shop)
    return follow(request, reply, shop)


def explain(error: VoiceshopError, request: IntentRequest, shop: Any) -> Reply:
    """A spoken explanation of a refusal, worded per locale; the context keeps any open question."""
    dialog = Dialog(request, shop)
    say = dialog.say
    events: tuple[str, ...] = ()
    keep_pending = False
    match error:
        case UnknownProduct(query=query):
            spoken = say("unknown_product", query=query)
            events = ("search_no_result",)
        case InvalidQuantity(maximum=maximum):
            spoken = say("how_many_max", maximum=maximum)
        case UnreadableQuantity():
            spoken = say("quantity_unreadable", maximum=shop.settings.max_quantity)
        case NotEnoughStock(available=0, alternatives=alternatives, name=name, requested=requested) if alternatives:
            spoken = say("sold_out", product=name)
            alternative = shop.product(alternatives[0])
            dialog.set_pending("add", sku=alternative.sku, quantity=min(requested, max(alternative.stock, 1)))
            dialog.set_list("results", list(alternatives))
            return dialog.ask(
                concat(
                    spoken,
                    say("offer_alternative", alternative=dialog.label(alternative), price=dialog.price(alternative)),
                ),
                "help_confirm",
            )
        case NotEnoughStock(available=0, name=name):
            spoken = say("sold_out", product=name)
        case NotEnoughStock(available=available, name=name):
            spoken = say("only_left", available=available, product=name)
        case LinesUnavailable(lines=lines):
            parts = [
                say("line_gone", product=line.name)
                if line.available == 0
                else say("line_short", available=line.available, product=line.name)
                for line in lines
            ]
            spoken = say("lines_unavailable", lines=dialog.join(parts))
        case EmptyCart():
            spoken = say("checkout_empty")
        case NotInCart():
            spoken = say("cart_empty") if not shop.cart(request.customer_id).lines else say("which_product")
        case QuoteNotFound():
            spoken = say("quote_expired")
        case ConfirmationRequired():
            spoken = say("checkout_reprompt")
        case PurchaseCodeRequired():
            spoken, keep_pending = say("ask_code"), True
        case WrongPurchaseCode(attempts_left=left):
            spoken, keep_pending = say("wrong_code", attempts=dialog.count("attempt", left)), True
        case PurchasesLocked(until=until):
            minutes = max(1, min(LOCK_MINUTES, int((until - utcnow()).total_seconds() // 60) + 1))
            spoken = say("locked", minutes=minutes)
        case InvalidPurchaseCode():
            spoken, keep_pending = say("code_invalid"), True
        case OrderNotFound(reference=reference):
            spoken = say("no_orders") if reference == "latest" else say("order_not_found", reference=reference)
        case IllegalTransition(order_number=number, current=current):
            spoken = say("cannot_cancel", number=number, status=say(f"status_{current}"))
        case ReturnNotAllowed():
            spoken = explain_return_refusal(dialog, error)
        case ReturnNotFound(reference=reference):
            spoken = say("no_returns") if reference == "latest" else say("return_not_found", reference=reference)
        case IllegalReturnTransition(return_number=number, current=current):
            spoken = say("return_cannot_move", number=order_code(number), status=say(f"return_status_{current}"))
        case UnknownDeliveryOption(option=option, offered=offered):
            spoken = explain_unknown_option(dialog, option, offered)
        case NoDeliveryAddress(option=option):
            spoken = say("delivery_no_address", option=option_name(dialog, option))
        case SignInRefused():  # the same words and the same open question, whether or not the number exists
            spoken, keep_pending = say("sign_in_refused"), True
        case CartAlreadyOrdered(order_number=number):
            spoken = say("cart_already_ordered", number=order_code(number))
        case CartChanged():
            spoken = say("cart_changed")
        case OrderOutcomeUnknown():
            log.warning("order outcome unknown after a store failure")
            spoken, events = say("order_outcome_unknown"), ("error",)
        case CurrencyMismatch(name=name, currency=currency, cart_currency=cart_currency):
            spoken = say("currency_mismatch", product=name, currency=currency, cart_currency=cart_currency)
        case StoreUnavailable():
            log.warning("store unavailable: %s", type(error).__name__)
            spoken, keep_pending, events = say("store_unavailable"), True, ("error",)
        case _:
            log.warning("unexplained refusal: %s", type(error).__name__)
            spoken, events = say("error"), ("error",)
    if not keep_pending:
        dialog.clear_pending()
    return dialog.reply(spoken, events=events)


__all__ = ["explain", "handles", "respond"]
