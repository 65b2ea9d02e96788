"""From audio or typed text to what the shopper meant: Vosk hears, `intents.matching` understands.

Two ways of hearing, behind one switch, so both can be measured (`bench/bench_kiosk_speech.py`):

- `grammar` (default): Vosk decodes against the phrase list `local_voice.grammar` compiled from the
  interaction model and the live catalog; the transcript is matched again because the phrase list acts as
  a bigram and can yield sequences that are in no sample.
- `free`: Vosk decodes free-form, and a transcript that matches nothing is corrected towards the nearest
  expanded sample with rapidfuzz (as wyoming-vosk's corrected mode does).

In both, a transcript no sample fits as heard ("i want to my diced tomatoes") is read as the nearest
sample within two words (`intents.matching.approximate`): such a reading is a guess, asked back as the
sample ("Did you say: i want to buy diced tomatoes?") before it changes the shop.

Vosk readily hears unrelated speech as some shop phrase, so a hearing that would change the shop (add,
buy, confirm, cancel, sign in...) is marked `doubtful` when its confidence is low, part of it was `[unk]`,
a slot did not resolve, or it only matched after correction: the kiosk then asks "Did you say ...?".
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from catalog.model import Product
from catalog.search import SearchIndex, SearchResult
from intents.language import InteractionModel
from intents.matching import LIGHT_WORDS, Match, approximate, expand_samples, match
from intents.request import Slot
from intents.traits import shop_changing
from local_voice.grammar import (
    DIGIT_SLOT_LENGTH,
    EXPECTATIONS,
    UNKNOWN,
    YES_NO,
    Grammar,
    catalog_hash,
    compile_answer_grammar,
    compile_grammar,
)
from local_voice.recognizer import Heard, Recognizer, read_pcm16_mono

__all__ = [
    "EXPECTATIONS",
    "MODES",
    "SHOP_CHANGING",
    "YES_NO",
    "Understander",
    "Understood",
    "UtteranceStream",
    "digit_homophones",
]

MODES = ("grammar", "free")
SHOP_CHANGING = shop_changing()
"""Intents that change a cart, an order or an account: never acted on from a doubtful hearing
(declared once, in `intents.traits`)."""
MIN_CONFIDENCE = 0.85
"""Below this mean word confidence a shop-changing hearing is confirmed first (measured in the bench)."""
MIN_WORD_CONFIDENCE = 0.5
"""One word below this makes a shop-changing hearing doubtful, however sure the others were."""
MIN_CORRECTION_SCORE = 75.0
"""rapidfuzz ratio (0..100) a free-form transcript needs to be corrected to a sample at all."""
DIGIT_WORDS = frozenset(["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
HOMOPHONES = {"for": "four", "to": "two", "too": "two", "won": "one", "ate": "eight"}
"""Words the model's lexicon pronounces exactly like a digit: only the grammar's word pairs tell them apart."""
YES_NO_INTENTS = ("AMAZON.YesIntent", "AMAZON.NoIntent")
MIN_ALTERNATIVE = 0.02
"""An n-best alternative less likely than this is not read at all (it costs matching time, and wins nothing)."""
RIVAL_POSTERIOR = 0.25
"""A rival this likely that reads differently makes a confident shop-changing top reading doubtful."""
NO_READING = -6.0
"""Log-posterior points an alternative that reads as nothing loses against one that reads as a sample."""
GUESSED_READING = -2.0
"""Points lost by a reading that is a guess (corrected, or a slot left unresolved)."""
CONTEXT_FIT = 1.5
"""Points won by a reading that answers the open question (a yes or no after "Shall I place the order?")."""
DIGIT_RUNS = "digit_runs"
ANSWERS = {YES_NO: YES_NO_INTENTS, "code": ("ProvideCodeIntent",)}
"""The intents that answer each open question, which an n-best reading is preferred for."""
"""The grammar (`EXPECTATIONS`) a misheard digit-run command is heard again with."""
Search = Callable[[str, int], SearchResult]
"""A catalog search: query and limit to ranked products (`Shop.search`, `SearchIndex.search`)."""
ALTERNATIVES = 5
"""The n-best size the kiosk decodes by default: on the spoken held-out set (every third row) it read all
slots right on 45.6% against 39.1% with one transcript, "didn't catch" 35.5% against 43.2%, wrong changes equal,
reply p95 226 ms against 129 ms (`bench/bench_heldout_speech.py`)."""
SHORT_WEIGHT: int | None = None
"""How many phrases a slot-free sample weighs at least by default (None: the grammar's `SAMPLE_WEIGHT`)."""
CHUNK_BYTES = 8000  # 0.25 s of 16 kHz 16-bit mono, what a microphone hands over at a time


@dataclass(frozen=True)
class Understood:
    """One utterance as the kiosk acts on it: the words heard, how sure, what they mean, and whether to ask."""

    heard_text: str
    """The transcript as heard (respellings undone), "" for silence."""
    confidence: float
    """Mean word confidence from Vosk (1.0 for typed text, 0.0 when nothing was heard)."""
    match: Match | None
    """The intent and slots, or None ("Sorry, I didn't catch that")."""
    doubtful: bool
    """True when acting on it could change the shop and the hearing is not sure enough: ask first."""
    corrected: bool = False
    """The match is a guess: the transcript fitted no sample as heard and was corrected to the nearest one."""
    decode_seconds: float = 0.0
    """Time from the last audio handed over to this result (Vosk's final decode plus matching)."""


def digit_homophones(text: str) -> str:
    """Read "for", "to", "won"... beside a spoken digit as that digit ("code is for to one six")."""
    words = text.split()
    out = list(words)
    for i, word in enumerate(words):
        if word in HOMOPHONES:
            near = words[max(0, i - 1) : i] + words[i + 1 : i + 2]
            if any(w in DIGIT_WORDS or w in HOMOPHONES for w in near):
                out[i] = HOMOPHONES[word]
    return " ".join(out)


def _differs(first: Match, other: Match | None) -> bool:
    """Whether another reading would do something else: another intent, or other resolved slot values."""
    if other is None:
        return False
    if other.intent != first.intent:
        return True
    return {n: v.resolved_id for n, v in first.slots.items()} != {n: v.resolved_id for n, v in other.slots.items()}


def _keeps_what_was_unclear(heard: Match, guess: Match) -> bool:
    """Whether a guess accounts for the words the plain reading could not place.

    "add two zebra" reads as add two of an unknown "zebra"; the nearest sample "add {quantity}" would
    quietly skip the zebra and add two of whatever was last mentioned. A guess may read those words as
    its own ("show me my previous one" as "show me the previous ones") but never skip one that carries
    meaning.
    """
    unclear = {word for slot in heard.slots.values() if slot.unresolved for word in (slot.value or "").split()}
    return not any(word in unclear and word not in LIGHT_WORDS for word in guess.skipped)


class UtteranceStream:
    """One utterance's worth of streamed audio: `accept` chunks until it returns an `Understood`."""

    def __init__(self, understander: Understander, expecting: str | None = None) -> None:
        """Start a fresh decoder, dropping whatever half utterance the recognizer still held.

        `expecting` names the kiosk's open question (`EXPECTATIONS`, e.g. "code"): the utterance is then
        decoded with that question's narrow grammar; None (or an unknown name) uses the full grammar.
        """
        self._understander = understander
        understander.recognizer.finish()
        understander.select_grammar(expecting)
        self._narrow = bool(expecting) and expecting in EXPECTATIONS
        self._audio = bytearray()

    def accept(self, chunk: bytes) -> Understood | None:
        """Feed 16 kHz mono 16-bit PCM; an `Understood` once Vosk's endpointing closes the utterance."""
        started = time.perf_counter()
        self._audio += chunk
        heard = self._understander.recognizer.accept_chunk(chunk)
        if heard is None:
            return None
        return self._understand(heard, started)

    def finish(self) -> Understood | None:
        """Close an utterance cut off before its endpoint (end of input); None when none was open."""
        started = time.perf_counter()
        heard = self._understander.recognizer.finish()
        if heard is None:
            return None
        return self._understand(heard, started)

    def _understand(self, heard: Heard, started: float) -> Understood:
        """Understand what the recognizer closed, with its audio at hand for a second, digit-run hearing."""
        audio, self._audio = bytes(self._audio), bytearray()
        return self._understander.understand(heard, started, audio=None if self._narrow else audio)


class Understander:
    """The kiosk's ears: one loaded Vosk model, the compiled grammar, and the matcher."""

    def __init__(
        self,
        recognizer: Recognizer,
        interaction_model: InteractionModel,
        mode: str = "grammar",
        cover_edges: bool = True,
        search: Search | None = None,
        short_weight: int | None = None,
    ) -> None:
        """Use `build` unless you already hold a `Recognizer` (tests, the bench).

        `search` is the shop's own search (`Shop.search`), which names a garbled product exactly as the
        conversation will; without one (the bench, tests without a shop) an index of the products given
        to `refresh` is built here.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.recognizer = recognizer
        self.interaction_model = interaction_model
        self.mode = mode
        self.cover_edges = cover_edges
        self.short_weight = short_weight
        self.grammar: Grammar | None = None
        self._corrections: list[str] = []
        self._answers: dict[str, tuple[str, ...]] = {}
        self._expecting: str | None = None
        self._shop_search = search
        self._search: Search | None = search
        self.build_seconds = 0.0

    @classmethod
    def build(
        cls,
        model_path: Path,
        interaction_model: InteractionModel,
        products: Sequence[Product],
        mode: str = "grammar",
        version: int | None = None,
        cover_edges: bool = True,
        search: Search | None = None,
        alternatives: int = ALTERNATIVES,
        short_weight: int | None = SHORT_WEIGHT,
    ) -> Understander:
        """Load the speech model once and compile the grammar for this catalog.

        `alternatives` is the n-best size (0: one transcript); `short_weight` how many phrases each
        slot-free sample (a short command: "bye", "yeah") weighs at least (None: `SAMPLE_WEIGHT`).
        """
        recognizer = Recognizer(Path(model_path), alternatives=alternatives)
        understander = cls(recognizer, interaction_model, mode, cover_edges, search, short_weight)
        understander.refresh(products, version)
        return understander

    @property
    def load_seconds(self) -> float:
        """How long loading the Vosk model took."""
        return self.recognizer.load_seconds

    @property
    def catalog_version(self) -> int | None:
        """The catalog version the grammar was compiled for (None: built without the store)."""
        return self.grammar.catalog_version if self.grammar is not None else None

    @property
    def model(self) -> InteractionModel:
        """The interaction model with the live catalog's products, as transcripts are matched against it."""
        return self.grammar.model if self.grammar is not None else self.interaction_model

    def refresh(self, products: Sequence[Product], version: int | None = None) -> bool:
        """Recompile for a changed catalog (from the next utterance on); False when nothing changed."""
        grammar = self.grammar
        if grammar is not None and version is not None and grammar.catalog_version == version:
            return False
        if grammar is not None and grammar.catalog_hash == catalog_hash(products):
            self.grammar = replace(grammar, catalog_version=version)
            return False
        started = time.perf_counter()
        self.grammar = compile_grammar(
            self.interaction_model,
            products,
            self._known,
            catalog_version=version,
            cover_edges=self.cover_edges,
            short_weight=self.short_weight,
        )
        if not self._answers:  # the answers to the kiosk's questions do not depend on the catalog
            self._answers = {
                name: compile_answer_grammar(self.interaction_model, self._known, name) for name in EXPECTATIONS
            }
        if self._shop_search is None:
            self._search = SearchIndex.build(products, str(version or "")).search
        self.select_grammar(None)
        self._corrections = []
        self.build_seconds = time.perf_counter() - started
        return True

    def hear_text(self, text: str) -> Understood:
        """Typed input: matched as written, never doubtful (nobody mistypes into a purchase by accident)."""
        cleaned = " ".join(text.split())
        return Understood(cleaned, 1.0 if cleaned else 0.0, match(cleaned, self.model) if cleaned else None, False)

    def hear_wav(self, path: Path, expecting: str | None = None) -> Understood:
        """One WAV file (any format sox reads) as one utterance, fed in microphone-sized chunks."""
        pcm = read_pcm16_mono(Path(path))
        return self.hear_pcm(pcm, expecting)

    def hear_pcm(self, pcm: bytes, expecting: str | None = None) -> Understood:
        """16 kHz mono PCM as one utterance; endpoints inside it are joined, as a push-to-talk would."""
        stream = self.stream(expecting)
        heard: list[Understood] = []
        for offset in range(0, len(pcm), CHUNK_BYTES):
            found = stream.accept(pcm[offset : offset + CHUNK_BYTES])
            if found is not None and found.heard_text:
                heard.append(found)
        final = stream.finish()
        if final is not None and (final.heard_text or not heard):
            heard.append(final)
        if not heard:
            return Understood("", 0.0, None, False)
        if len(heard) == 1:
            return heard[0]
        return self.understand(
            Heard(" ".join(h.heard_text for h in heard), ()),
            time.perf_counter() - heard[-1].decode_seconds,
            confidence=min(h.confidence for h in heard),
        )

    def stream(self, expecting: str | None = None) -> UtteranceStream:
        """A streaming decoder for a microphone: `accept(chunk)` until it returns, then a new stream.

        `expecting` is what the kiosk's last question waits for ("code"), or None for anything.
        """
        return UtteranceStream(self, expecting)

    def select_grammar(self, expecting: str | None) -> None:
        """Decode the next utterance with the narrow grammar for `expecting`, or the full one (None)."""
        self._expecting = expecting
        if self.mode != "grammar" or self.grammar is None:
            self.recognizer.set_grammar(None)
            return
        self.recognizer.set_grammar(self._answers.get(expecting or "") or self.grammar.phrases)

    def understand(
        self, heard: Heard, started: float, confidence: float | None = None, audio: bytes | None = None
    ) -> Understood:
        """Match a transcript and decide whether it needs confirming; `started` is when its last audio came.

        With the utterance's `audio`, a full-grammar transcript that holds a digit run yet matches nothing
        (or leaves a slot unresolved) is heard once more with the digit-run commands' grammar (`DIGIT_RUNS`):
        in the full grammar "seven" competes with every product word, there only with digits. Such a second
        hearing is always doubtful for a shop-changing intent, so the kiosk confirms it before acting.
        """
        first = self._understand(heard, started, confidence)
        if audio is None or self.mode != "grammar" or not self._retry_digits(first):
            return first
        again = self.recognizer.transcribe_pcm(audio, self._answers[DIGIT_RUNS])
        second = self._understand(again, started, confidence)
        if second.match is None or not self._resolved(second.match):
            return replace(first, decode_seconds=time.perf_counter() - started)
        return replace(second, corrected=True, doubtful=second.match.intent in SHOP_CHANGING)

    def _retry_digits(self, understood: Understood) -> bool:
        """Whether a transcript looks like a digit-run command that went wrong."""
        digits = sum(word in DIGIT_WORDS or word in HOMOPHONES for word in understood.heard_text.split())
        found = understood.match
        return digits >= 2 and (found is None or understood.corrected or not self._resolved(found))

    def _understand(self, heard: Heard, started: float, confidence: float | None = None) -> Understood:
        """The best reading of the utterance's n-best (or of its one transcript), rescored by fit and context.

        Each alternative is read like the top transcript; its score is its posterior (log) plus how well it
        reads (a sample as heard, a guess, nothing) plus whether it answers the open question. A reading
        picked from below the top is a guess, so a shop-changing one is asked back; a confident top
        reading is asked back too when a likely rival reads as something else.
        """
        first = self._understand_one(heard, started, confidence)
        alternatives = heard.alternatives
        if len(alternatives) < 2:
            return first
        sure = first.confidence
        posterior = {alternative.text: alternative.posterior for alternative in alternatives}
        top_posterior = posterior.get(" ".join(heard.text.split()), alternatives[0].posterior)
        readings = [(first, top_posterior)]
        for alternative in alternatives:
            if alternative.text != " ".join(heard.text.split()) and alternative.posterior >= MIN_ALTERNATIVE:
                again = self._understand_one(Heard(alternative.text), started, sure)
                readings.append((again, alternative.posterior))
        best, _ = max(readings, key=lambda reading: self._fit(*reading))
        if best is first and first.match is not None and first.doubtful:
            # "check out" and "checkout" are one command: alternatives that read the same add up their share
            agree = sum(share for u, share in readings if u.match is not None and not _differs(first.match, u.match)
                        and u.match.intent == first.match.intent)  # fmt: skip
            if agree > sure:
                first = best = self._understand_one(heard, started, agree)
        if best is not first and best.match is not None:
            best = replace(best, corrected=True, doubtful=best.match.intent in SHOP_CHANGING, confidence=sure)
        elif first.match is not None and first.match.intent in SHOP_CHANGING and not first.doubtful:
            rivals = [u for u, share in readings[1:] if share >= RIVAL_POSTERIOR and _differs(first.match, u.match)]
            if rivals:
                best = replace(first, doubtful=True)
        return replace(best, decode_seconds=time.perf_counter() - started)

    def _fit(self, understood: Understood, posterior: float) -> float:
        """How well one alternative reads, in log-posterior units: likelier, a cleaner match, fits the question."""
        found = understood.match
        score = math.log(max(posterior, 1e-6))
        if found is None:
            return score + NO_READING
        if understood.corrected or not self._resolved(found):
            score += GUESSED_READING
        if found.intent in ANSWERS.get(self._expecting or "", ()):
            score += CONTEXT_FIT
        return score

    def _understand_one(self, heard: Heard, started: float, confidence: float | None = None) -> Understood:
        """One transcript to an `Understood` (see `understand`)."""
        grammar = self.grammar
        words = [w for w in heard.text.split() if w != UNKNOWN]
        sure = heard.confidence if confidence is None else confidence
        text = grammar.restore(" ".join(words)) if grammar is not None else " ".join(words)
        if not text:
            return Understood("", 0.0, None, False, decode_seconds=time.perf_counter() - started)
        found = match(text, self.model)
        corrected = False
        if found is None or any(slot.unresolved for slot in found.slots.values()):
            digits = digit_homophones(text)
            if digits != text and (again := match(digits, self.model)) is not None:
                found, text, corrected = again, digits, True
        near = approximate(text, self.model) if found is None or not self._resolved(found) else None
        if near is not None and (found is None or _keeps_what_was_unclear(found, near)):
            found, corrected = near, True
        if found is None and self._expecting == YES_NO:  # "yes lean": half a yes is worth asking about
            found = approximate(text, self.model, intents=YES_NO_INTENTS, min_evidence=1)
            corrected = found is not None
        if found is None and self.mode == "free":
            found, corrected = self._correct(text), True
        if found is not None and (named := self._name_the_product(found)) is not None:
            found, corrected = named, True
        doubtful = found is not None and found.intent in SHOP_CHANGING and self._unsure(heard, found, corrected, sure)
        return Understood(
            text,
            sure,
            found,
            doubtful,
            corrected=corrected and found is not None,
            decode_seconds=time.perf_counter() - started,
        )

    def _name_the_product(self, found: Match) -> Match | None:
        """An unresolved product in a cart or details command, resolved as the shop's search would do it.

        "i'll have a couple of reeses is the cups" names no product word for word, but the shop's own
        search finds Peanut Butter Cups for "reeses is the cups", and the conversation would act on that
        hit anyway. Resolving it here makes the kiosk ask "Did you say: i'll have a couple of peanut
        butter cups?" about the product it would really add. Searches and ambiguous hits stay as heard
        (search lists them; "did you mean A or B?" asks).
        """
        slot = found.slots.get("product")
        if self._search is None or found.intent == "SearchIntent" or slot is None or slot.resolved_id:
            return None
        product = self._search(slot.value or "", 2).clear_choice
        if product is None:
            return None
        named = Slot(name=slot.name, value=product.name.lower(), resolved_id=product.sku)
        return replace(found, slots={**found.slots, "product": named}, score=min(found.score, 0.99))

    def _resolved(self, found: Match) -> bool:
        """Every slot with a value resolved, and every digit run as long as it must be.

        "four oh two one nine" is a customer number missing a digit: acting on it would sign nobody in at
        best, so it is heard again with the digit grammar and, failing that, asked about.
        """
        intent = self.model.intents.get(found.intent)
        types = intent.slots if intent is not None else {}
        for name, slot in found.slots.items():
            if slot.unresolved:
                return False
            length = DIGIT_SLOT_LENGTH.get(name) or DIGIT_SLOT_LENGTH.get(types.get(name, ""))
            if length and slot.resolved_id is not None and len(slot.resolved_id) != length:
                return False
        return True

    def _unsure(self, heard: Heard, found: Match, corrected: bool, confidence: float) -> bool:
        """Why a shop-changing hearing should be confirmed before acting on it."""
        if corrected or heard.contains_unknown or found.score < 1.0:
            return True
        if not self._resolved(found):
            return True
        if confidence < MIN_CONFIDENCE:
            return True
        return any(word.confidence < MIN_WORD_CONFIDENCE for word in heard.words)

    def _correct(self, text: str) -> Match | None:
        """Free-form only: the match of the nearest expanded sample, when it is near enough."""
        if not self._corrections:
            self._corrections = self._correction_targets()
        best = process.extractOne(text, self._corrections, scorer=fuzz.ratio, score_cutoff=MIN_CORRECTION_SCORE)
        return None if best is None else match(best[0], self.model)

    def _correction_targets(self) -> list[str]:
        """Every sample with its slots filled from the live catalog, spelled as a recogniser writes them."""
        products = [p for v in self.model.types["PRODUCT"].values for p in v.phrases] if self.grammar else None
        values = {"PRODUCT": products} if products else None
        targets = {text for _intent, text, _slots in expand_samples(self.model, values)}
        if self.grammar is not None:
            targets.update(self.grammar.restore(p) for p in self.grammar.phrases if p != UNKNOWN)
        return sorted(targets)

    def _known(self, word: str) -> bool:
        """The speech model's vocabulary, which decides what a phrase list can contain."""
        return not self.recognizer.unknown_words([word])
