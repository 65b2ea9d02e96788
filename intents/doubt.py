"""Doubt: a reading that would change the shop is acted on only when it is confident; otherwise it is asked back.

So is a search heard unsure ("Did you mean oatmeal?"): it changes nothing, but answering a misheard product
as if sure sends the shopper down the wrong aisle.

"Did you say: add two penne pasta?" is an open question of the conversation's own (`pending` kind
`did_you_say`, answered through `intents.session.CONFIRMATIONS` like every other yes/no question): a yes
acts on what was heard, a no drops it, and any other command moves on, so the yes can never confirm
something else. The question remembers the question it interrupted ("Did you say yes?" while a checkout
waits): answering it, either way, puts that one back.

A channel calls `respond_heard` instead of `respond` for what it heard, saying whether the hearing was
confident and how to read it back. A purchase code is never read back or kept in the context: an unclear
one is asked for again. The same question carries other asks-before-acting, such as a walk-up shopper
leaving with a cart (`intents.walk_up`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from intents.dialog import Dialog
from intents.request import SECRET_SLOTS, IntentRequest, Reply, Slot
from intents.speech import Spoken, plain
from intents.traits import changes_shop

__all__ = ["DOUBT", "ask", "confirm_doubt", "decline_doubt", "question", "respond_heard"]

DOUBT = "did_you_say"
YES, HELP = "AMAZON.YesIntent", "AMAZON.HelpIntent"
VOICE_CONTROLS = frozenset({"SpeakSlowerIntent", "SpeakFasterIntent", "SpeakLouderIntent", "SpeakSofterIntent"})
"""Controls that keep the question open and are answered, then followed by the question again."""
SEARCHES = frozenset({"SearchIntent"})
"""Readings that change nothing but answer with what was heard: an unsure one is asked back too. "find oat
milk" heard "find oatmeal" would otherwise read out rolled oats as if sure; "Did you mean oatmeal?" lets a
no say it again, and a yes searches."""


def _respond(request: IntentRequest, shop: Any) -> Reply:
    """The conversation's own answer (imported late: the conversation's registry imports this module)."""
    from intents.conversation import respond

    return respond(request, shop)


def question(context: Any) -> str | None:
    """The doubt question open in a conversation's context, None when none is."""
    pending = context.get("pending") if context else None
    if isinstance(pending, dict) and pending.get("kind") == DOUBT:
        return str(pending.get("question") or "")
    return None


def ask(request: IntentRequest, shop: Any, asked: Spoken, declined: str = "say_again") -> Reply:
    """Ask `asked` before acting on `request`: a yes acts on it, a no answers the `declined` prompt."""
    dialog = Dialog(request, shop)
    interrupted = dialog.pending
    slots = {name: [slot.value, slot.resolved_id] for name, slot in request.slots.items() if name not in SECRET_SLOTS}
    dialog.set_pending(
        DOUBT,
        intent=request.intent,
        slots=slots,
        question=asked.text,
        declined=declined,
        asked_again=False,
        interrupted=interrupted,
    )
    return dialog.ask(asked, "help_confirm", events=("did_you_say",))


def respond_heard(request: IntentRequest, shop: Any, *, confident: bool, said: str, guessed: bool = False) -> Reply:
    """Answer what a channel heard: act when confident or harmless, else ask back first.

    `said` is the reading in words ("add two penne pasta"), for "Did you say ...?"; an unsure search is asked
    as "Did you mean {product}?" (`SEARCHES`), with the product as heard. An unsure yes to that
    question is asked about once more and a second unsure yes counts: in a noisy shop a yes may never be
    heard clearly, and asking forever left the shopper stuck. A reading `guessed` from the words alone
    (`intents.recognizer.Reading.guessed`) is asked back too, even when it changes nothing: "i need to return
    this book to the library" answered with the returns policy is a wrong answer given as sure.
    """
    open_question = question(request.context)
    if open_question is not None:
        if request.intent == YES and not confident:
            return _yes_again(request, shop)
        if request.intent == HELP:
            dialog = Dialog(request, shop)
            return dialog.ask(dialog.say("say_yes_or_no", question=plain(open_question)), "help_confirm")
        if request.intent in VOICE_CONTROLS:
            reply = _respond(request, shop)
            return _with_question(reply, open_question)
        if request.intent == YES:
            return _respond(request, shop)
    if not confident and request.intent in SEARCHES and (product := request.slot_value("product")):
        return ask(request, shop, Dialog(request, shop).say("search_did_you_mean", product=plain(product)))
    if confident or not (changes_shop(request.intent) or guessed):
        return _respond(request, shop)
    if SECRET_SLOTS & set(request.slots):
        return _code_again(request, shop)
    return ask(request, shop, Dialog(request, shop).say("did_you_say", heard=plain(said)))


def _yes_again(request: IntentRequest, shop: Any) -> Reply:
    """An unsure yes: the first is asked about again, the second is taken as yes."""
    pending = dict(request.context["pending"])
    if pending.get("asked_again"):
        return _respond(request, shop)
    dialog = Dialog(request, shop)
    dialog.set_pending(DOUBT, **{**{k: v for k, v in pending.items() if k != "kind"}, "asked_again": True})
    asked = dialog.say("say_yes_or_no", question=plain(str(pending.get("question") or "")))
    return dialog.ask(asked, "help_confirm", events=("did_you_say",))


def _code_again(request: IntentRequest, shop: Any) -> Reply:
    """An unclear purchase code: never read back, never kept; the question that wanted it stays open."""
    dialog = Dialog(request, shop)
    return dialog.ask(dialog.say("code_unclear"), "help_code", events=("did_you_say", "asked_back"))


def _with_question(reply: Reply, asked: str) -> Reply:
    """A reply followed by the open question again (after "slower")."""
    return replace(reply, speech=f"{reply.speech} {asked}", ssml=reply.ssml.replace("</speak>", f" {asked}</speak>"))


def _restored(dialog: Dialog, pending: dict[str, Any]) -> None:
    """Put back the question the doubt interrupted, or none."""
    interrupted = pending.get("interrupted")
    if isinstance(interrupted, dict):
        dialog.context["pending"] = interrupted
    else:
        dialog.clear_pending()


def confirm_doubt(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """Yes: act on what was heard, with the question it interrupted open again."""
    _restored(dialog, pending)
    slots = {
        name: Slot(name, value, resolved_id) for name, (value, resolved_id) in dict(pending.get("slots") or {}).items()
    }
    heard = replace(dialog.request, intent=str(pending["intent"]), slots=slots, context=dialog.context)
    return _respond(heard, dialog.shop)


def decline_doubt(dialog: Dialog, pending: dict[str, Any]) -> Reply:
    """No: nothing is done; the interrupted question, if any, is open again."""
    _restored(dialog, pending)
    return dialog.reply(dialog.say(str(pending.get("declined") or "say_again")))
