"""The kiosk loop: one turn is hear, understand, answer, speak; the same for a microphone, WAV files or text.

A `Kiosk` never reads input itself: `handle_text`, `handle_wav` and `handle_audio_stream` each take one
utterance from whoever has it (`local_voice.audio_input`), so the loop is tested on real audio without a
microphone. What an utterance means to the shop is decided in `intents.conversation`; the kiosk adds only
what belongs to a shared, speaking machine:

- doubt: a doubtful hearing is never acted on; the kiosk asks "Did you say ...?" and only a clear yes
  acts on it (the doubt lives here, not in the conversation, so that yes can't confirm anything else);
- the voice: slower/faster/louder/softer events, order codes spoken more slowly, "stop" cuts speech off,
  an earcon when it listens again;
- one session, one customer: "start over", "stop" or `idle_timeout` seconds without speech forget the
  conversation and sign the customer out. A signed-in customer's cart is theirs and is kept; each
  walk-up session shops as a new anonymous customer, so the next person at the kiosk inherits neither
  the cart nor the orders of the last.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from catalog.errors import StoreUnavailable
from intents.checkout import CODE_QUESTIONS
from intents.conversation import respond
from intents.dialog import load_prompts
from intents.request import LAUNCH, MASK, SECRET_SLOTS, IntentRequest, Reply, Slot
from intents.session import CONFIRMATIONS
from intents.speech import compose
from local_voice.grammar import DIGITS, YES_NO
from local_voice.voice import Voice

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT = 60.0
YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"
FALLBACK, HELP, REPEAT = "AMAZON.FallbackIntent", "AMAZON.HelpIntent", "AMAZON.RepeatIntent"
CANCEL = "AMAZON.CancelIntent"
STOPS = frozenset({"AMAZON.StopIntent", CANCEL})
START_OVER = frozenset({"AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent"})
VOICE_CONTROLS = frozenset({"SpeakSlowerIntent", "SpeakFasterIntent", "SpeakLouderIntent", "SpeakSofterIntent"})
_DIGIT = re.compile(rf"\b(?:{'|'.join(DIGITS)}|\d+)\b")
VOICE_EVENTS = {"voice_slower": "slower", "voice_faster": "faster", "voice_louder": "louder", "voice_softer": "softer"}
VOICE_LIMITS = {"slower": "slowest", "faster": "fastest", "louder": "loudest", "softer": "softest"}
PENDING_EXPECTATION = {
    **dict.fromkeys(CODE_QUESTIONS, "code"),
    **dict.fromkeys(CONFIRMATIONS, YES_NO),
}
"""Open questions (`context["pending"]["kind"]`) and what the ears expect: a code (a narrow grammar) or a
yes or no (the full grammar, with a garbled answer read as the nearest yes or no)."""
SLOW_STEPS = 2  # order codes are read this many rate steps slower than the shopper's chosen rate
_ORDER_CODE = re.compile(r"\b(?:\d ){3}\d [a-z]+\b")  # "4 8 2 1 maple", as intents.speech spells codes
_SENTENCE = re.compile(r"(?<=[.?!])\s+")

WORDS = {
    "did_you_say": "Did you say: {heard}?",
    "did_you_say_code": "I heard a purchase code, but not clearly, and I won't read it aloud. Shall I use it?",
    "say_yes_or_no": "Please say yes or no. {question}",
    "say_again": "Okay, please say it again.",
    "leave_with_cart": "Your cart has {items}, and they will be removed when this session ends. {verb} anyway?",
    "cart_kept": "Okay, your cart is as it was. What would you like?",
    "cart_moved": "The {items} you chose before signing in are in your cart now.",
    "cart_left_behind": "{items} you chose could not come along, because your account's cart already holds as many of"
    " that product as one order allows, or it is in another currency. Say what's in my cart to hear it.",
    "cart_not_moved": "The shop is not answering, so what you chose before signing in is still in the walk-up cart.",
    "slowest": "That's as slow as I can speak.",
    "fastest": "That's as fast as I can speak.",
    "loudest": "That's as loud as I can speak. If it is hard to follow, say slower and I'll take more time.",
    "softest": "That's as soft as I go; any softer and you couldn't hear me.",
    "kiosk_help": "You can also say slower, faster, louder or softer, repeat, start over, or stop.",
    "timed_out": "It has been quiet for a while, so I've started a new session.",
    "signed_out": "You're signed out. Your cart is kept for next time.",
    "store_down": "Sorry, the shop is not reachable right now. Please try again in a moment.",
}


class Heard(Protocol):
    """What the kiosk needs from `local_voice.understanding.Understood`."""

    heard_text: str
    confidence: float
    match: Any
    doubtful: bool
    corrected: bool


class Understander(Protocol):
    """What the kiosk needs from `local_voice.understanding.Understander`."""

    def hear_text(self, text: str) -> Heard:
        """Understand typed text as if it had been heard."""
        ...

    def hear_wav(self, path: Path, expecting: str | None = None) -> Heard:
        """Understand one WAV file as one utterance (decoded for what the open question expects)."""
        ...

    def stream(self, expecting: str | None = None) -> Any:
        """A streaming decoder with `accept(chunk)` and `finish()` (decoded for what is expected)."""
        ...

    @property
    def catalog_version(self) -> int | None:
        """The catalog version the product phrases were compiled for (None: without the store)."""
        ...

    def refresh(self, products: list[Any], version: int | None) -> Any:
        """Rebuild the product phrases after a catalog import."""
        ...


@dataclass(frozen=True)
class Turn:
    """One exchange, as `--json` prints it and tests read it."""

    heard: str
    intent: str | None
    slots: dict[str, dict[str, str | None]]
    reply: str
    doubtful: bool = False
    confidence: float = 0.0
    events: tuple[str, ...] = ()
    session_ended: bool = False

    def as_json(self) -> dict[str, Any]:
        """The JSON-safe form (one object per line on stdout)."""
        return {
            "heard": self.heard,
            "intent": self.intent,
            "slots": self.slots,
            "doubtful": self.doubtful,
            "confidence": round(self.confidence, 3),
            "reply": self.reply,
            "events": list(self.events),
            "session_ended": self.session_ended,
        }


@dataclass
class Kiosk:
    """One kiosk: its shop, ears, voice and the current session (one customer at a time)."""

    shop: Any
    understander: Understander
    voice: Voice
    kiosk_id: str
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    locale: str = "en-US"
    clock: Callable[[], float] = time.monotonic
    on_speaking: Callable[[bool], None] | None = None
    """Told True before the kiosk speaks and False after, so a microphone can drop what it hears meanwhile."""
    walk_up: bool = True
    """Each session shops as a new one-off customer (`kiosk_id-<random>`); False: every session is `kiosk_id`,
    a customer picked on the command line, whose cart is kept like a signed-in customer's."""
    anonymous_id: str = field(init=False)
    """Who this session shops as until somebody signs in."""
    customer_id: str = field(init=False)
    context: dict[str, Any] = field(init=False, default_factory=dict)
    doubt: Heard | None = field(init=False, default=None)
    """What the kiosk asked "Did you say ...?" (or "end the session anyway?") about: a yes acts on it."""
    question: str = field(init=False, default="")
    """That question, to ask again after "repeat", "help" or "slower"."""
    declined: str = field(init=False, default="")
    """What a no to that question answers."""
    asked_again: bool = field(init=False, default=False)
    """The question was already asked again after an unsure yes: a second unsure yes counts."""
    last_heard_at: float = field(init=False)
    active: bool = field(init=False, default=False)
    catalog_version: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        """Start anonymous, with the idle clock running from now."""
        self.anonymous_id = self._new_anonymous_id()
        self.customer_id = self.anonymous_id
        self.last_heard_at = self.clock()
        self._voice_at_start = (self.voice.rate, self.voice.volume)

    def _new_anonymous_id(self) -> str:
        """A customer nobody has been before: the last walk-up shopper's cart and orders stay theirs.

        One shared anonymous customer let the next person at the kiosk hear the previous one's orders,
        cancel or reorder them, and find their cart after a restart.
        """
        return f"{self.kiosk_id}-{uuid.uuid4().hex[:12]}" if self.walk_up else self.kiosk_id

    @property
    def signed_in(self) -> bool:
        """True while a customer who signed in with number and code is shopping."""
        return self.customer_id != self.anonymous_id

    @property
    def expecting(self) -> str | None:
        """What the last question waits for, as the ears' narrow grammar names it ("code"), else None.

        While a purchase code is awaited, the utterance is decoded against digits and the controls only, so
        "seven" cannot turn into a product word; a pending "Did you say ...?" or any other question keeps
        the full grammar, since a shopper may answer it with a new command (`YES_NO` only helps a garbled
        yes or no through).
        """
        if self.doubt is not None:
            return YES_NO
        pending = self.context.get("pending")
        kind = pending.get("kind") if isinstance(pending, dict) else None
        return PENDING_EXPECTATION.get(str(kind)) if kind else None

    # --- input -----------------------------------------------------------------------------------
    def handle_text(self, text: str) -> Turn:
        """One typed utterance."""
        return self.handle(self.understander.hear_text(text))

    def handle_wav(self, path: Path) -> Turn:
        """One WAV file, heard as one utterance."""
        return self.handle(self.understander.hear_wav(Path(path), self.expecting))

    def handle_audio_stream(self, chunks: Iterable[bytes]) -> Turn | None:
        """Feed 16 kHz mono PCM until Vosk ends an utterance with words in it; None if the audio ran out first.

        Empty chunks are allowed (a microphone with nothing new): they let the idle timeout fire while
        nobody speaks. Utterances with no words (noise, a cough heard as [unk]) are skipped, because a
        microphone hears those all day and answering each one would drown the shop in apologies.
        """
        stream = self.understander.stream(self.expecting)
        for chunk in chunks:
            if self.check_idle():
                stream = self.understander.stream(self.expecting)  # what it heard while announcing is its own voice
            if not chunk:
                continue
            understood = stream.accept(chunk)
            if understood is not None and _words_in(understood.heard_text):
                return self.handle(understood)
        final = stream.finish()
        if final is not None and _words_in(final.heard_text):
            return self.handle(final)
        return None

    # --- the turn --------------------------------------------------------------------------------
    def greet(self) -> Turn:
        """Open a session with the shop's welcome, so the shopper knows what to say first."""
        return self._converse(LAUNCH, {}, heard="", doubtful=False, confidence=0.0)

    def handle(self, understood: Heard) -> Turn:
        """One understood utterance: resolve doubt, then answer through the conversation."""
        self.check_idle()
        self._refresh_catalog()
        self.last_heard_at = self.clock()
        self.active = True
        heard = understood.heard_text.strip()
        match = understood.match
        doubt, self.doubt = self.doubt, None
        if doubt is not None and (answered := self._answer(doubt, understood)) is not None:
            return answered
        if match is None:
            return self._converse(FALLBACK, {}, heard=heard, doubtful=False, confidence=understood.confidence)
        if understood.doubtful:
            return self._ask(understood, _did_you_say(understood), WORDS["say_again"])
        if (items := self._cart_to_lose(match.intent)) is not None:
            verb = "Start over" if match.intent in START_OVER else "Stop"
            return self._ask(understood, WORDS["leave_with_cart"].format(items=items, verb=verb), WORDS["cart_kept"])
        return self._act(understood, heard=heard, doubtful=False)

    def _ask(self, about: Heard, question: str, declined: str) -> Turn:
        """Ask a yes/no question of the kiosk's own; a yes acts on `about`, a no answers `declined`."""
        self.doubt, self.question, self.declined, self.asked_again = about, question, declined, False
        return self._say_only(about, question, doubtful=True)

    def _answer(self, doubt: Heard, understood: Heard) -> Turn | None:
        """The shopper's answer to the kiosk's own question; None when it is a new request instead.

        A no needs no certainty (it changes nothing). An unsure yes is asked about once more, and a
        second unsure yes counts: in a noisy shop a yes may never be heard clearly, and asking forever
        left the shopper stuck. "repeat", "help" and the voice controls keep the question open.
        """
        answer = understood.match.intent if understood.match is not None else None
        unsure_yes = answer == YES and understood.doubtful and not self.asked_again
        if unsure_yes or answer in (REPEAT, HELP):
            self.doubt, self.asked_again = doubt, self.asked_again or unsure_yes
            return self._say_only(understood, WORDS["say_yes_or_no"].format(question=self.question), doubtful=True)
        if answer == YES:
            return self._act(doubt, heard=doubt.heard_text.strip(), doubtful=False)
        if answer == NO:
            return self._say_only(understood, self.declined)
        if answer in VOICE_CONTROLS:
            turn = self._act(understood, heard=understood.heard_text.strip(), doubtful=False)
            self.doubt = doubt
            self._speak(self.question)
            return replace(turn, reply=f"{turn.reply} {self.question}", doubtful=True)
        return None

    def _bring_walk_up_cart(self, customer: str) -> str | None:
        """Move what a walk-up shopper chose into the cart of the account they just signed in to."""
        if not self.walk_up or self.signed_in:
            return None
        try:
            move = self.shop.move_cart(self.anonymous_id, customer)
        except StoreUnavailable:
            log.warning("could not move the walk-up cart at sign-in: store unavailable")
            return WORDS["cart_not_moved"]
        if move.moved == 0 and move.left_behind == 0:
            return None
        said = WORDS["cart_moved"].format(items=self._items(move.moved)) if move.moved else ""
        if move.left_behind:
            left = WORDS["cart_left_behind"].format(items=self._items(move.left_behind))
            said = f"{said} {left}".strip()
        return said

    def _cart_to_lose(self, intent: str) -> str | None:
        """The items ("3 items") that ending the session now would empty from a walk-up cart, else None.

        "stop" or "start over", perhaps misheard, must not silently throw away what somebody spent ten
        minutes choosing by voice; "cancel" with a question open only drops that question.
        """
        if intent not in STOPS | START_OVER or not self.walk_up or self.signed_in:
            return None
        if intent == CANCEL and self.context.get("pending"):
            return None
        try:
            count = self.shop.cart(self.anonymous_id).item_count
        except StoreUnavailable:
            return None
        return None if count == 0 else self._items(count)

    def _items(self, count: int) -> str:
        """The item count ("1 item", "3 items") from the conversation's own prompts (`Dialog.count`), per locale."""
        return compose(load_prompts(self.locale)["item_one" if count == 1 else "item_other"], count=count).text

    def _act(self, understood: Heard, heard: str, doubtful: bool) -> Turn:
        """Do what was (now surely) said."""
        match = understood.match
        if match.intent in STOPS:
            self.voice.stop()  # "stop" first of all stops talking
        return self._converse(
            match.intent, match.slots, heard=heard, doubtful=doubtful, confidence=understood.confidence
        )

    def _converse(self, intent: str, slots: Mapping[str, Any], heard: str, doubtful: bool, confidence: float) -> Turn:
        """Ask the conversation, apply what the reply means for the kiosk, and speak it."""
        request_slots = {name: _as_slot(name, slot) for name, slot in slots.items()}
        request = IntentRequest(
            intent=intent,
            customer_id=self.customer_id,
            slots=request_slots,
            locale=self.locale,
            context=self.context,
            channel="kiosk",
            heard=_private(heard, request_slots),  # for a call-back's record; handoff drops code turns
        )
        try:
            reply = respond(request, self.shop)
        except StoreUnavailable:  # respond() explains it, but a launch's cart lookup may still raise
            reply = Reply(speech=WORDS["store_down"], ssml="", context=self.context, events=("error",))
        speech = self._apply(intent, reply)
        self._speak(speech)
        return Turn(
            heard=_private(heard, request_slots),
            intent=intent,
            slots=_turn_slots(request_slots),
            reply=speech,
            doubtful=doubtful,
            confidence=confidence,
            events=reply.events,
            session_ended=reply.end_session,
        )

    def _apply(self, intent: str, reply: Reply) -> str:
        """Carry the session on (or end it) and change the voice; returns what to say."""
        speech = reply.speech
        changes = [VOICE_EVENTS[event] for event in reply.events if event in VOICE_EVENTS]
        for change in changes:
            before = (self.voice.rate, self.voice.volume)
            getattr(self.voice, change)()
            if (self.voice.rate, self.voice.volume) == before:  # at the limit: say so, not "okay"
                speech = WORDS[VOICE_LIMITS[change]]
        if changes:
            return speech  # the context stays as it was, so an open question survives "slower"
        self.context = dict(reply.context)
        signed_in_as = self.context.get("customer_id")
        if isinstance(signed_in_as, str) and signed_in_as and signed_in_as != self.customer_id:
            if (moved := self._bring_walk_up_cart(signed_in_as)) is not None:
                speech = f"{speech} {moved}"
            self.customer_id = signed_in_as
        if intent == HELP:
            speech = f"{speech} {WORDS['kiosk_help']}"
        if reply.end_session or intent in START_OVER:
            was_signed_in = self.signed_in
            self.end_session()
            if was_signed_in:
                speech = f"{speech} {WORDS['signed_out']}"
        return speech

    def _say_only(self, understood: Heard, speech: str, doubtful: bool = False) -> Turn:
        """A kiosk-level question or answer that the conversation never sees."""
        self._speak(speech)
        match = understood.match
        slots = {name: _as_slot(name, slot) for name, slot in (match.slots.items() if match is not None else ())}
        return Turn(
            heard=_private(understood.heard_text.strip(), slots),
            intent=match.intent if match is not None else None,
            slots=_turn_slots(slots),
            reply=speech,
            doubtful=doubtful,
            confidence=understood.confidence,
        )

    # --- the session -----------------------------------------------------------------------------
    def end_session(self) -> None:
        """Forget the conversation, sign out, and give the next shopper a new anonymous customer.

        The walk-up shopper's cart is emptied (nobody can come back to it); a signed-in or picked
        customer's cart is theirs and is kept.
        """
        if self.walk_up and not self.signed_in and self.active:
            try:
                if self.shop.cart(self.anonymous_id).lines:
                    self.shop.clear_cart(self.anonymous_id)
            except StoreUnavailable:
                log.warning("could not empty the walk-up cart: store unavailable (a fresh customer follows anyway)")
        self.context = {}
        self.doubt = None
        self._reset_voice()
        self.anonymous_id = self._new_anonymous_id()
        self.customer_id = self.anonymous_id
        self.active = False

    def _reset_voice(self) -> None:
        """The next shopper starts at the kiosk's own rate and volume, not at the last shopper's."""
        try:
            self.voice.rate, self.voice.volume = self._voice_at_start  # type: ignore[misc]
        except AttributeError:  # a voice without setters keeps its settings
            log.debug("this voice cannot be reset")

    def check_idle(self) -> bool:
        """End a quiet session after `idle_timeout` seconds, so the next person starts fresh."""
        if not self.active or self.clock() - self.last_heard_at < self.idle_timeout:
            return False
        log.info("session idle for %.0f s: starting over", self.idle_timeout)
        self.end_session()
        self._speak(WORDS["timed_out"])
        return True

    def _refresh_catalog(self) -> None:
        """Teach the recognizer new product names after an import, from the shop's one cached catalog.

        `Shop.catalog_index` checks the catalog version at most every `index_check_seconds`, the same
        check the conversation's searches use: a turn reads the version item once, not once per cache,
        and a changed catalog is read once, not once for search and again for the grammar.
        """
        try:
            index = self.shop.catalog_index()
        except StoreUnavailable:
            log.warning("catalog version check failed: store unavailable")
            return
        version = int(index.version) if index.version.isdigit() else None
        if version != self.catalog_version:
            if self.understander.catalog_version != version:  # built while the store was down?
                self.understander.refresh(list(index.products), version)
            self.catalog_version = version

    # --- the voice -------------------------------------------------------------------------------
    def _speak(self, speech: str) -> None:
        """Say a reply (order codes slower), then sound the earcon: the shopper may talk now."""
        if self.on_speaking is not None:
            self.on_speaking(True)
        try:
            for part, slow in _split_codes(speech):
                if slow:
                    self._say_slowly(part)
                else:
                    self.voice.say(part)
            self.voice.earcon()
        finally:
            self.last_heard_at = self.clock()  # the idle clock runs from the end of the answer
            if self.on_speaking is not None:
                self.on_speaking(False)

    def _say_slowly(self, text: str) -> None:
        """Read an order code slower than the shopper's rate, then go back to it."""
        rate = self.voice.rate
        for _ in range(SLOW_STEPS):
            self.voice.slower()
        try:
            self.voice.say(text)
        finally:
            try:
                self.voice.rate = rate  # type: ignore[misc]  # both voices have a clamping setter
            except AttributeError:
                for _ in range(SLOW_STEPS):
                    self.voice.faster()


def create_kiosk(
    shop: Any,
    understander: Understander,
    voice: Voice,
    kiosk_id: str,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    **options: Any,
) -> Kiosk:
    """Build a kiosk (flask-style factory): walk-up shoppers are `kiosk_id-<random>`, one per session.

    `walk_up=False` makes `kiosk_id` the customer of every session instead (`--customer ID`).
    """
    if idle_timeout <= 0:
        raise ValueError("idle_timeout must be positive (seconds without speech before the session ends)")
    kiosk = Kiosk(shop, understander, voice, kiosk_id, idle_timeout=idle_timeout, **options)
    kiosk._refresh_catalog()  # learn the version now, so only later imports trigger a rebuild
    return kiosk


def _as_slot(name: str, slot: Any) -> Slot:
    """Accept the matcher's slots as `Slot`s or plain values."""
    if isinstance(slot, Slot):
        return slot
    if slot is None or isinstance(slot, str):
        return Slot(name, slot)
    return Slot(name, getattr(slot, "value", None), getattr(slot, "resolved_id", None))


def _turn_slots(slots: Mapping[str, Slot]) -> dict[str, dict[str, str | None]]:
    """The slots as a turn reports them, with a purchase code masked."""
    return {
        name: {"value": MASK, "id": MASK} if name in SECRET_SLOTS else {"value": slot.value, "id": slot.resolved_id}
        for name, slot in slots.items()
    }


def _private(heard: str, slots: Mapping[str, Slot]) -> str:
    """What was heard, as a turn reports it: the digits masked when a purchase code was among them."""
    if not SECRET_SLOTS & set(slots):
        return heard
    return _DIGIT.sub(MASK, heard)


def _spoken(heard: str) -> str:
    """The heard words without Vosk's [unk] markers, which must not be read aloud."""
    return " ".join(token for token in heard.split() if token != "[unk]")


def _did_you_say(understood: Heard) -> str:
    """The "Did you say ...?" question, which never reads a purchase code aloud."""
    match = understood.match
    if match is not None and SECRET_SLOTS & set(match.slots):
        return WORDS["did_you_say_code"]
    return WORDS["did_you_say"].format(heard=_read_back(understood))


def _read_back(understood: Heard) -> str:
    """What "Did you say ...?" repeats: the words heard, or the sample a misheard command was corrected to.

    "i want to my diced tomatoes" is better asked back as "i want to buy diced tomatoes": the shopper
    confirms what the kiosk would do, not what the recogniser garbled.
    """
    if understood.corrected and understood.match is not None:
        return str(understood.match.said)
    return _spoken(understood.heard_text)


def _words_in(text: str) -> bool:
    """True when an utterance holds at least one real word (not only [unk])."""
    return any(token != "[unk]" for token in text.split())


def _split_codes(speech: str) -> list[tuple[str, bool]]:
    """Cut a reply into sentences, marking the ones with an order code to be read slowly."""
    if not _ORDER_CODE.search(speech):
        return [(speech, False)]
    parts: list[tuple[str, bool]] = []
    for sentence in _SENTENCE.split(speech):
        slow = bool(_ORDER_CODE.search(sentence))
        if parts and parts[-1][1] == slow:
            parts[-1] = (f"{parts[-1][0]} {sentence}", slow)
        else:
            parts.append((sentence, slow))
    return parts


__all__ = ["DEFAULT_IDLE_TIMEOUT", "Kiosk", "Turn", "create_kiosk"]
