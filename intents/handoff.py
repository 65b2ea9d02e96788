"""A human when needed: offer a call-back after three misunderstandings in a row, or when asked.

Every turn passes through `follow`, which counts misunderstandings in a row in the context (`misses`: a
FallbackIntent, or a reply that asked the shopper to say it again, see `dialog.ASKS_AGAIN`) and keeps a
record of the last few turns (`heard`), so a call-back request can tell ops what went wrong without
asking the shopper again. Words of frustration ("this is useless", "agent", "talk to a person") are
`TalkToPersonIntent`, which offers the call-back at once. A yes records the request
(`catalog.callbacks.CallbackDesk`) with the cart and the customer. On the kiosk the offer is a member of
staff, and the reply says where staff can be found.

Never a code: a turn that carried a code slot, or answered while a code was being asked for (a garbled
code is a FallbackIntent whose words are digits), is recorded only as `PURCHASE_CODE_TURN`; a customer
number only as `SIGN_IN_TURN`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalog.callbacks import CallbackDesk
from intents.checkout import CODE_QUESTIONS
from intents.dialog import Dialog
from intents.request import SECRET_SLOTS, IntentRequest, Reply
from intents.speech import concat

MISSES_BEFORE_OFFER = 3
HEARD_KEPT = 5
"""Turns kept for a call-back request; older ones are dropped from the context."""
FALLBACK = "AMAZON.FallbackIntent"
ASKED_BACK = "asked_back"
NEUTRAL = frozenset({
    "AMAZON.HelpIntent", "AMAZON.RepeatIntent", "SpeakSlowerIntent", "SpeakFasterIntent", "SpeakLouderIntent",
    "SpeakSofterIntent",
})  # fmt: skip
"""Turns that neither count as a misunderstanding nor end a row of them: asking for help after two misses
is part of being stuck."""
CODE_INTENTS = frozenset({"ProvideCodeIntent", "SetPurchaseCodeIntent"})
PURCHASE_CODE_TURN = "(a purchase code turn: not recorded)"
SIGN_IN_TURN = "(a customer number: not recorded)"
"""A kiosk customer number is half a sign-in, and is kept out of session attributes like a code."""
NOT_UNDERSTOOD = "(not understood)"


def _pending_kind(context: Any) -> str | None:
    pending = context.get("pending") if isinstance(context, dict) else None
    return str(pending.get("kind")) if isinstance(pending, dict) else None


def heard_line(request: IntentRequest) -> str:
    """What this turn was, for ops: the words when the channel has them, else the intent and its slots."""
    secret = any(request.slot_value(name) or request.slot_id(name) for name in SECRET_SLOTS)
    if secret or request.intent in CODE_INTENTS or _pending_kind(dict(request.context)) in CODE_QUESTIONS:
        return PURCHASE_CODE_TURN
    if request.slot_value("customer_number") or request.slot_id("customer_number"):
        return SIGN_IN_TURN
    if request.heard:
        return request.heard
    if request.intent == FALLBACK:
        return NOT_UNDERSTOOD
    values = [f"{name}={slot.value}" for name, slot in sorted(request.slots.items()) if slot.value]
    return request.intent + (f" ({', '.join(values)})" if values else "")


def offer(dialog: Dialog, reason: str, opening: str) -> Reply:
    """Ask whether a person should call back (the kiosk: come and help); yes records it."""
    dialog.set_pending("callback", reason=reason)
    dialog.context["misses"] = 0
    if dialog.request.channel == "kiosk":
        question = dialog.say("handoff_offer_kiosk", staff=dialog.say("staff_location"))
    else:
        question = dialog.say("handoff_offer")
    return dialog.ask(concat(dialog.say(opening), question), "handoff_reprompt", events=("handoff_offered",))


def handle_talk_to_person(request: IntentRequest, shop: Any) -> Reply:
    """Frustration or a plain request for a person: offer the call-back now."""
    return offer(Dialog(request, shop), "frustration", "handoff_of_course")


def confirm_callback(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """Yes: record the request with the last turns, the cart and the customer, then forget those turns."""
    heard = [str(line) for line in dialog.context.get("heard") or ()]
    request = dialog.request
    CallbackDesk(dialog.shop.repository).request(
        request.customer_id, request.channel, str(pending.get("reason") or "frustration"), heard
    )
    dialog.clear_pending()
    dialog.context.pop("heard", None)
    if request.channel == "kiosk":
        spoken = dialog.say("callback_recorded_kiosk", staff=dialog.say("staff_location"))
    else:
        spoken = dialog.say("callback_recorded")
    return dialog.reply(spoken, events=("callback_requested",))


def decline_callback(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """No: carry on shopping; nothing is recorded."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("callback_declined"))


def follow(request: IntentRequest, reply: Reply, shop: Any) -> Reply:
    """After every turn: count misunderstandings in a row, keep the last few turns, offer a person on the third."""
    if reply.end_session:
        return reply
    context = dict(reply.context)
    previous = int(request.context.get("misses") or 0) if request.context else 0
    if request.intent in NEUTRAL:
        misses = previous
    elif request.intent == FALLBACK or ASKED_BACK in reply.events:
        misses = previous + 1
    else:
        misses = 0
    context["heard"] = [*(context.get("heard") or ()), heard_line(request)][-HEARD_KEPT:]
    if misses >= MISSES_BEFORE_OFFER and _pending_kind(context) != "callback":
        return offer(Dialog(replace(request, context=context), shop), "misunderstood", "handoff_sorry")
    context["misses"] = misses
    return replace(reply, context=context)


__all__ = ["confirm_callback", "decline_callback", "follow", "handle_talk_to_person", "heard_line", "offer"]
