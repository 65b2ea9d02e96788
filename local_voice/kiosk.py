"""The kiosk loop: one turn is hear, understand, answer, speak; the same for a microphone, WAV files or text.

A `Kiosk` never reads input itself: `handle_text`, `handle_wav` and `handle_audio_stream` each take one
utterance from whoever has it (`local_voice.audio_input`), so the loop is tested on real audio without a
microphone. What an utterance means to the shop is decided in `intents.conversation`; the kiosk adds only
what belongs to a shared, speaking machine:

- how sure the hearing was: the conversation asks "Did you say ...?" about a doubtful hearing that would
  change the shop (`intents.doubt`), and asks a walk-up shopper before leaving drops their cart
  (`intents.walk_up`); the kiosk only says whether it heard clearly, and how to read it back;
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from catalog.errors import StoreUnavailable
from intents import walk_up
from intents.account import signed_in_as
from intents.dialog import load_prompts
from intents.doubt import question, respond_heard
from intents.request import LAUNCH, MASK, SECRET_SLOTS, IntentRequest, Reply, Slot
from intents.traits import expecting
from local_voice.grammar import DIGITS, YES_NO
from local_voice.voice import Voice

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT = 60.0
FALLBACK, HELP = "AMAZON.FallbackIntent", "AMAZON.HelpIntent"
STOPS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})
_DIGIT = re.compile(rf"\b(?:{'|'.join(DIGITS)}|\d+)\b")
VOICE_EVENTS = {"voice_slower": "slower", "voice_faster": "faster", "voice_louder": "louder", "voice_softer": "softer"}
VOICE_LIMITS = {"slower": "slowest", "faster": "fastest", "louder": "loudest", "softer": "softest"}
EARS_FOR = {"code": "code", "yes_no": YES_NO, "quantity": "quantity"}  # "quantity": the full grammar
"""What the conversation's open question expects (`intents.traits.expecting`) and what the ears listen for:
a code (a narrow grammar) or a yes or no (the full grammar, with a garbled answer read as the nearest yes or
no); anything else uses the full grammar."""
SLOW_STEPS = 2  # order codes are read this many rate steps slower than the shopper's chosen rate
_ORDER_CODE = re.compile(r"\b(?:\d ){3}\d [a-z]+\b")  # "4 8 2 1 maple", as intents.speech spells codes
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def kiosk_words(locale: str, key: str) -> str:
    """What only a shared, speaking machine says, in the kiosk's locale (prompts `kiosk_<key>`).

    The conversation's own words are in `intents/prompts` too; these are the kiosk's alone.
    """
    return load_prompts(locale)[f"kiosk_{key}"]


class Heard(Protocol):
    """What the kiosk needs from `local_voice.understanding.Understood`."""

    heard_text: str
    confidence: float
    match: Any
    doubtful: bool
    corrected: bool


class Understander(Protocol):
    """What the kiosk needs from `local_voice.understanding.Understander`."""

    def hear_text(self, text: str, expecting: str | None = None) -> Heard:
        """Understand typed text as if it had been heard (read for what the open question expects)."""
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
    """The conversation's context, carried between turns and read only through `intents`' functions."""
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
        return EARS_FOR.get(expecting(self.context) or "")

    # --- input -----------------------------------------------------------------------------------
    def handle_text(self, text: str) -> Turn:
        """One typed utterance."""
        self.understander.conversation = self.context
        return self.handle(self.understander.hear_text(text, self.expecting))

    def handle_wav(self, path: Path) -> Turn:
        """One WAV file, heard as one utterance."""
        self.understander.conversation = self.context
        return self.handle(self.understander.hear_wav(Path(path), self.expecting))

    def handle_audio_stream(self, chunks: Iterable[bytes]) -> Turn | None:
        """Feed 16 kHz mono PCM until Vosk ends an utterance with words in it; None if the audio ran out first.

        Empty chunks are allowed (a microphone with nothing new): they let the idle timeout fire while
        nobody speaks. Utterances with no words (noise, a cough heard as [unk]) are skipped, because a
        microphone hears those all day and answering each one would drown the shop in apologies.
        """
        self.understander.conversation = self.context
        stream = self.understander.stream(self.expecting)
        for chunk in chunks:
            if self.check_idle():
                self.understander.conversation = self.context
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
        return self._converse(LAUNCH, {}, heard="", confident=True, confidence=0.0)

    def handle(self, understood: Heard) -> Turn:
        """One understood utterance, answered through the conversation with how sure the hearing was."""
        self.check_idle()
        self._refresh_catalog()
        self.last_heard_at = self.clock()
        self.active = True
        heard = understood.heard_text.strip()
        match = understood.match
        if match is None:
            return self._converse(FALLBACK, {}, heard=heard, confident=True, confidence=understood.confidence)
        if match.intent in STOPS:
            self.voice.stop()  # "stop" first of all stops talking
        return self._converse(
            match.intent,
            match.slots,
            heard=heard,
            confident=not understood.doubtful,
            confidence=understood.confidence,
            said=_read_back(understood),
            guessed=understood.guessed,
        )

    def _converse(
        self,
        intent: str,
        slots: Mapping[str, Any],
        heard: str,
        confident: bool,
        confidence: float,
        said: str = "",
        guessed: bool = False,
    ) -> Turn:
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
            reply = self._leaving(request) or respond_heard(
                request, self.shop, confident=confident, said=said, guessed=guessed
            )
        except StoreUnavailable:  # respond() explains it, but a launch's cart lookup may still raise
            reply = Reply(
                speech=kiosk_words(self.locale, "store_down"), ssml="", context=self.context, events=("error",)
            )
        speech = self._apply(intent, reply)
        self._speak(speech)
        return Turn(
            heard=_private(heard, request_slots),
            intent=intent,
            slots=_turn_slots(request_slots),
            reply=speech,
            doubtful="did_you_say" in reply.events,
            confidence=confidence,
            events=reply.events,
            session_ended=reply.end_session,
        )

    def _leaving(self, request: IntentRequest) -> Reply | None:
        """A walk-up shopper about to leave with a cart is asked first (`intents.walk_up`)."""
        if not self.walk_up or self.signed_in:
            return None
        return walk_up.ask_before_leaving(request, self.shop)

    def _apply(self, intent: str, reply: Reply) -> str:
        """Carry the session on (or end it) and change the voice; returns what to say."""
        speech = reply.speech
        changes = [VOICE_EVENTS[event] for event in reply.events if event in VOICE_EVENTS]
        for change in changes:
            before = (self.voice.rate, self.voice.volume)
            getattr(self.voice, change)()
            if (self.voice.rate, self.voice.volume) == before:  # at the limit: say so, not "okay"
                speech = " ".join(
                    filter(None, (kiosk_words(self.locale, VOICE_LIMITS[change]), question(self.context)))
                )
        if changes:
            return speech  # the context stays as it was, so an open question survives "slower"
        self.context = dict(reply.context)
        customer = signed_in_as(self.context)
        if customer is not None and customer != self.customer_id:
            if self.walk_up and not self.signed_in:
                request = IntentRequest(intent, customer, locale=self.locale, context=self.context, channel="kiosk")
                if (moved := walk_up.bring_cart(request, self.shop, self.anonymous_id, customer)) is not None:
                    speech = f"{speech} {moved.text}"
            self.customer_id = customer
        if intent == HELP:
            speech = f"{speech} {kiosk_words(self.locale, 'help')}"
        if reply.end_session or "started_over" in reply.events:
            was_signed_in = self.signed_in
            self.end_session()
            if was_signed_in:
                speech = f"{speech} {kiosk_words(self.locale, 'signed_out')}"
        return speech

    # --- the session -----------------------------------------------------------------------------
    def end_session(self) -> None:
        """Forget the conversation, sign out, and give the next shopper a new anonymous customer.

        The walk-up shopper's cart is emptied (nobody can come back to it); a signed-in or picked
        customer's cart is theirs and is kept.
        """
        if self.walk_up and not self.signed_in and self.active:
            walk_up.forget_cart(self.shop, self.anonymous_id)
        self.shop.flush_unanswered_searches(quietly=True)  # one batch per shopper, not a write per search
        self.context = {}
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
        self._speak(kiosk_words(self.locale, "timed_out"))
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
