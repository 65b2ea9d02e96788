"""From audio or typed text to what the shopper meant: Vosk hears, `intents.recognizer` understands.

This module is an adapter. It turns what Vosk returns into the recognizer's input, one n-best list per
utterance, and the recognizer alone reads and ranks it. In that list:

- the top transcript carries Vosk's word confidences, and an `[unk]` counts as a word heard with none;
- each n-best alternative carries its posterior. A reading taken from a less likely transcript is a guess,
  so the conversation asks it back before it changes the shop (`intents.doubt`);
- the top transcript re-spelled with digits for digit homophones ("code is for to one six") goes in just
  below it: the ear cannot tell those words apart, so such a reading is asked back;
- respellings the grammar needed ("reeses") are undone, so the recognizer sees catalog words.

Two ways of hearing sit behind one switch, so both can be measured (`bench/bench_kiosk_speech.py`):

- `grammar` (default): Vosk decodes against the phrase list `local_voice.grammar` compiled from the
  interaction model and the live catalog. A transcript with a digit run that reads as nothing (or as a
  number of the wrong length) is decoded again with the digit commands' grammar, and that reading is
  always asked back;
- `free`: Vosk decodes free-form. When the recognizer finds nothing, the nearest expanded sample
  (rapidfuzz, as wyoming-vosk's corrected mode does) is offered to it as a less likely transcript.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jellyfish
from rapidfuzz import fuzz, process

from catalog.model import Product
from catalog.search import SearchIndex, SearchResult
from intents.language import InteractionModel
from intents.lexicon import load_lexicon
from intents.matching import Match, expand_samples
from intents.recognizer import MIN_CONFIDENCE, MIN_WORD_CONFIDENCE, Context, Hypothesis, Reading, recognize
from intents.request import Slot
from intents.traits import changes_shop, shop_changing
from local_voice.grammar import (
    DIGIT_SLOT_LENGTH,
    EXPECTATIONS,
    UNKNOWN,
    YES_NO,
    Grammar,
    catalog_hash,
    compile_answer_grammar,
    compile_command_grammar,
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
ASKED_SEARCHES = frozenset({"SearchIntent"})
"""Readings that change nothing yet answer with a product: asked back when heard unsure ("Did you mean ...?")."""
MIN_CORRECTION_SCORE = 75.0
"""rapidfuzz ratio (0..100) a free-form transcript needs to be corrected to a sample at all."""
DIGIT_WORDS = frozenset(["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
MIN_ALTERNATIVE = 0.02
"""An n-best alternative less likely than this is not read at all (it costs matching time, and wins nothing)."""
DIGIT_RUNS = "digit_runs"
"""The grammar (`EXPECTATIONS`) a misheard digit-run command is heard again with."""
CONTEXTS = {YES_NO: Context(expecting="yes_no"), "code": Context(expecting="code")}
"""What the ears' expectation tells the recognizer about the open question."""
Search = Callable[[str, int], SearchResult]
"""A catalog search: query and limit to ranked products (`Shop.search`, `SearchIndex.search`)."""
ALTERNATIVES = 5
"""The n-best size the kiosk decodes by default: on the spoken held-out set (every third row) it read all
slots right on 45.6% against 39.1% with one transcript, "didn't catch" 35.5% against 43.2%, wrong changes equal,
reply p95 226 ms against 129 ms (`bench/bench_heldout_speech.py`). A three-best, or dropping alternatives
below a posterior of 0.1, read the spoken dev sets within a row of it (63.3-64.0% all slots right)."""
COMMANDS = True
"""Whether the kiosk decodes each utterance with the slot-free commands beside the full grammar by default:
on the spoken dev sets (bench/dev_speech.jsonl and bench/dev_commands.jsonl, 286 shop rows) all slots right
64.0% -> 65.7% ("yeah go ahead", "quieter please", "take me to the main menu" heard), wrong changes equal;
on the held-out set (every third row) 59.2% -> 59.8%, "didn't catch" 20.1% both, wrong changes 0 both.
The bench's `combo` (this, plus free-form Vosk when the grammar reading is no clean sample) read 60.4% with
"didn't catch" 15.4%, at twice the CPU; it is not a kiosk mode yet."""
MIN_COMMAND_CONFIDENCE = 0.6
"""Mean word confidence a command-grammar transcript needs to stand in for an unsure full-grammar reading.

It was 0.7 on a command list of a few hundred phrases; the list grew to ~4,000 with the samples added for
how shoppers talk, which spreads Vosk's confidence ("yeah go ahead" in en-029 fell to 0.68). On the spoken
dev sets (bench/dev_speech.jsonl, 38 shop rows; bench/dev_commands.jsonl every third, 83) 0.6 and 0.7 give
the same readings row for row; only an exact command phrase is ever taken, and a shop-changing one is asked."""
SHORT_WEIGHT: int | None = None
"""How many phrases a slot-free sample weighs at least by default (None: the grammar's `SAMPLE_WEIGHT`)."""
SOUND_ALIKE = 85.0
"""rapidfuzz ratio (0..100) of two sound keys (metaphone of the words without spaces) from which the ear
cannot be trusted to tell them apart: espeak-ng's "oat milk" (OTMLK) is heard "oatmeal" (OTML), which
names the rolled oats. "lemons"/"limes" and "salted"/"unsalted butter" are that near too."""
LOOK_ALIKE = 70.0
"""rapidfuzz ratio the spellings must reach as well: metaphone alone puts "croissant" beside "green tea"."""
MIN_SOUND_KEY = 4
"""Sound keys shorter than this ("KK" for "coke") match too much to mean anything."""
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
    """True when the hearing is not sure enough to act on it without asking first: a change to the shop, or
    a search for a product (`ASKED_SEARCHES`)."""
    corrected: bool = False
    """The match is a guess: the transcript fitted no sample as heard and was corrected to the nearest one."""
    guessed: bool = False
    """A weak guess from the words alone (`Reading.guessed`): asked back even when it changes nothing."""
    decode_seconds: float = 0.0
    """Time from the last audio handed over to this result (Vosk's final decode plus matching)."""


def digit_homophones(text: str, locale: str = "en-US") -> str:
    """Read "for", "to", "won"... beside a spoken digit as that digit ("code is for to one six")."""
    homophones = load_lexicon(locale).digit_homophones
    words = text.split()
    out = list(words)
    for i, word in enumerate(words):
        if word in homophones:
            near = words[max(0, i - 1) : i] + words[i + 1 : i + 2]
            if any(w in DIGIT_WORDS or w in homophones for w in near):
                out[i] = homophones[word]
    return " ".join(out)


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
        commands: bool = COMMANDS,
    ) -> None:
        """Use `build` unless you already hold a `Recognizer` (tests, the bench).

        `commands` also decodes each full-grammar utterance with the slot-free commands alone
        (`compile_command_grammar`): a short command the full grammar heard as something unsure is taken
        from there (`_command_instead`).

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
        self.commands = commands and mode == "grammar"
        self._command_phrases: frozenset[str] = frozenset()
        self.min_alternative = MIN_ALTERNATIVE
        """The posterior below which an n-best alternative is not read (`MIN_ALTERNATIVE`)."""
        self.grammar: Grammar | None = None
        self._corrections: list[str] = []
        self._sound_alikes = SoundAlikes()
        self._answers: dict[str, tuple[str, ...]] = {}
        self._expecting: str | None = None
        self.conversation: Mapping[str, Any] | None = None
        """The conversation's context as the kiosk holds it (set before each utterance): the recognizer reads
        the open question and the list just read from it, as it does for Alexa (`Context.from_conversation`)."""
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
        commands: bool = COMMANDS,
    ) -> Understander:
        """Load the speech model once and compile the grammar for this catalog.

        `alternatives` is the n-best size (0: one transcript); `short_weight` how many phrases each
        slot-free sample (a short command: "bye", "yeah") weighs at least (None: `SAMPLE_WEIGHT`).
        """
        recognizer = Recognizer(Path(model_path), alternatives=alternatives)
        understander = cls(recognizer, interaction_model, mode, cover_edges, search, short_weight, commands)
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
            if self.commands:
                phrases = compile_command_grammar(self.interaction_model, self._known)
                self._command_phrases = frozenset(p for p in phrases if p != UNKNOWN)
                self.recognizer.set_companion(phrases)
        if self._shop_search is None:
            self._search = SearchIndex.build(products, str(version or "")).search
        self.select_grammar(None)
        self.recognizer.prepare(self.recognizer.phrases)  # built now, not while the next shopper speaks
        self._corrections = []
        self._sound_alikes = sound_alikes(self.model)
        self.build_seconds = time.perf_counter() - started
        return True

    def hear_text(self, text: str, expecting: str | None = None) -> Understood:
        """Typed input, read by the recognizer as typed (no confidences: nobody mistypes into a purchase)."""
        cleaned = " ".join(text.split())
        if not cleaned:
            return Understood("", 0.0, None, False)
        readings = recognize(cleaned, self._context(expecting), model=self.model, search=self._search, limit=1)
        reading = readings[0] if readings else None
        return self._understood(cleaned, reading, time.perf_counter(), expecting, spoken=False)

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
        self.recognizer.companion_on = not self._answers.get(expecting or "")  # a narrow grammar holds the controls
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
        if heard.beside is not None and (command := self._command_instead(first, heard.beside, started)):
            return command
        if audio is None or self.mode != "grammar" or not self._retry_digits(first):
            return first
        again = self.recognizer.transcribe_pcm(audio, self._answers[DIGIT_RUNS])
        second = self._understand(again, started, confidence)
        if second.match is None or not self._resolved(second.match):
            return replace(first, decode_seconds=time.perf_counter() - started)
        return replace(second, corrected=True, doubtful=changes_shop(second.match.intent))

    def _command_instead(self, first: Understood, beside: Heard, started: float) -> Understood | None:
        """The short command the command grammar heard, when the full grammar's reading is unsure.

        Taken only when that transcript is one of the commands' phrases word for word, heard with
        `MIN_COMMAND_CONFIDENCE`, and the full grammar read nothing, guessed, left a product unresolved or
        doubted; a shop-changing command taken this way is asked back ("Did you say: empty my cart?").
        """
        found = first.match
        if found is not None and not (
            first.corrected or first.doubtful or any(s.unresolved for s in found.slots.values())
        ):
            return None
        text = self._restore(beside.text)
        if beside.contains_unknown or text not in self._command_phrases or beside.confidence < MIN_COMMAND_CONFIDENCE:
            return None
        command = self._understand(beside, started)
        found = command.match
        if found is None or found.slots or command.corrected:
            return None
        return replace(command, doubtful=command.doubtful or changes_shop(found.intent), corrected=True)

    def _retry_digits(self, understood: Understood) -> bool:
        """Whether a transcript looks like a digit-run command that went wrong."""
        homophones = load_lexicon(self.model.locale).digit_homophones
        digits = sum(word in DIGIT_WORDS or word in homophones for word in understood.heard_text.split())
        found = understood.match
        return digits >= 2 and (found is None or understood.corrected or not self._resolved(found))

    def _understand(self, heard: Heard, started: float, confidence: float | None = None) -> Understood:
        """The recognizer's best reading of the utterance's n-best list (see the module docstring)."""
        hypotheses = self._hypotheses(heard, confidence)
        if not hypotheses:
            return Understood("", 0.0, None, False, decode_seconds=time.perf_counter() - started)
        context = self._context(self._expecting)
        readings = recognize(hypotheses, context, model=self.model, search=self._search, limit=1)
        if not readings and self.mode == "free" and (near := self._correct(hypotheses[0].text)) is not None:
            guess = Hypothesis(near, hypotheses[0].confidence, posterior=hypotheses[0].posterior / 2)
            readings = recognize([hypotheses[0], guess], context, model=self.model, search=self._search, limit=1)
        reading = readings[0] if readings else None
        understood = self._understood(hypotheses[0].text, reading, started, self._expecting, top=hypotheses[0])
        return replace(understood, confidence=hypotheses[0].confidence)

    def _context(self, expecting: str | None) -> Context | None:
        """The recognizer's context: the conversation's own when the kiosk gave it, else the ears' expectation."""
        if self.conversation is not None:
            return Context.from_conversation(self.conversation)
        return CONTEXTS.get(expecting or "")

    def _hypotheses(self, heard: Heard, confidence: float | None) -> list[Hypothesis]:
        """Vosk's result as the recognizer's n-best list: the top transcript first, with its word confidences."""
        sure = heard.confidence if confidence is None else confidence
        text = self._restore(heard.text)
        if not text:
            return []
        share = {" ".join(a.text.split()): a.posterior for a in heard.alternatives}
        top = share.get(" ".join(heard.text.split()), heard.alternatives[0].posterior if heard.alternatives else 1.0)
        words = tuple((w.word, w.confidence) for w in heard.words if w.word != UNKNOWN)
        if heard.contains_unknown:
            words += ((UNKNOWN, 0.0),)  # part of it fell outside the grammar: not a sure hearing
        out = [Hypothesis(text, sure, words, top)]
        if (digits := digit_homophones(text, self.model.locale)) != text:
            out.append(Hypothesis(digits, sure, words, top * 0.999))  # a guess: asked back before it changes anything
        for alternative in heard.alternatives:
            again = self._restore(alternative.text)
            if again and again != text and alternative.posterior >= self.min_alternative:
                out.append(Hypothesis(again, sure, (), min(alternative.posterior, top * 0.999)))
        return out

    def _restore(self, text: str) -> str:
        """A transcript without `[unk]` and with the grammar's respellings undone."""
        words = " ".join(w for w in text.split() if w != UNKNOWN)
        return self.grammar.restore(words) if self.grammar is not None else words

    def _understood(
        self,
        heard_text: str,
        reading: Reading | None,
        started: float,
        expecting: str | None = None,
        spoken: bool = True,
        top: Hypothesis | None = None,
    ) -> Understood:
        """The recognizer's reading as the kiosk takes it: doubtful when acting on it needs a yes first.

        A spoken product that sounds like another product is doubtful too: the ear, not the shopper, may
        have picked it (typed text, `spoken=False`, names what it names). So is a spoken search for a
        product (`ASKED_SEARCHES`) heard unsure, guessed, or sounding like another product: answering
        "find oatmeal" with rolled oats when the shopper said oat milk is a wrong answer given as sure;
        the conversation asks "Did you mean oatmeal?" instead (`intents.doubt`).
        """
        seconds = time.perf_counter() - started
        if reading is None:
            return Understood(heard_text, 1.0, None, False, decode_seconds=seconds)
        found = self._named_search(reading.as_match())
        corrected = reading.how != "exact" or reading.heard != heard_text  # read back in the model's words
        doubtful = reading.needs_confirming or (reading.changes_shop and not self._resolved(found, expecting))
        if (reading.changes_shop or found.intent in ASKED_SEARCHES) and spoken:
            if self._sounds_like_another(found, reading.heard):
                doubtful = True  # "change oatmeal to two" may have been "change oat milk to two": ask first
            elif found.intent in ASKED_SEARCHES and found.slots.get("product") is not None:
                doubtful = doubtful or not _sure_search(reading, top)
        return Understood(
            reading.heard, 1.0, found, doubtful, corrected=corrected, guessed=reading.guessed, decode_seconds=seconds
        )

    def _named_search(self, found: Match) -> Match:
        """A search's unresolved product named by the shop's search, when that names one product ("chobani").

        The conversation searches the words either way (`intents.shopping.handle_search`), so the reading
        now says which product that search shows first, and the sound-alike doubt can weigh it; the words
        heard stay the slot's value.
        """
        slot = found.slots.get("product")
        if found.intent not in ASKED_SEARCHES or slot is None or not slot.unresolved or self._search is None:
            return found
        query = load_lexicon(self.model.locale).catalog_query(slot.value or "")
        product = self._search(query, 2).clear_choice if query else None
        if product is None:
            return found
        named = Slot(name=slot.name, value=slot.value, resolved_id=product.sku)
        return replace(found, slots={**found.slots, "product": named})

    def _sounds_like_another(self, found: Match, heard: str) -> bool:
        """Whether the words heard for a product sound like another product ("oatmeal" and "oat milk").

        Each run of heard words that is a phrase of the product read ("oatmeal" for the rolled oats), as a
        sound key (metaphone), against the catalog's keys: a key of another sku within `SOUND_ALIKE` means
        the ear may have picked the wrong one of two. The heard words, not the slot, are compared: the
        search replaces a heard "oatmeal" with the product's name ("rolled oats").
        """
        skus = {s.resolved_id for s in found.slots.values() if s.resolved_id and s.name.startswith("product")}
        alikes = self._sound_alikes
        if not skus or not alikes.phrases:
            return False
        words = heard.split()
        runs = {_squeezed(" ".join(words[i : i + n])) for n in range(1, 6) for i in range(len(words) - n + 1)}
        # only the product's own words: "cart" or "carton" sound like products nobody meant
        return any(alikes.rivals(run, skus) for run in runs if alikes.skus.get(run, frozenset()) & skus)

    def _resolved(self, found: Match, expecting: str | None = None) -> bool:
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
            if name == "code" and expecting == "quantity":
                continue  # "three" after "how many?" is a count, not a code three digits short
            if length and slot.resolved_id is not None and len(slot.resolved_id) != length:
                return False
        return True

    def _correct(self, text: str) -> str | None:
        """Free-form only: the nearest expanded sample, when it is near enough."""
        if not self._corrections:
            self._corrections = self._correction_targets()
        best = process.extractOne(text, self._corrections, scorer=fuzz.ratio, score_cutoff=MIN_CORRECTION_SCORE)
        return None if best is None else str(best[0])

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


def _sure_search(reading: Reading, top: Hypothesis | None) -> bool:
    """A spoken search read from the top transcript as heard, every word heard surely.

    The floors are the recognizer's own for cart changes (`MIN_CONFIDENCE`, `MIN_WORD_CONFIDENCE`); a
    reading from a less likely transcript, or one corrected to the nearest sample, is a guess.
    """
    if top is None or reading.heard != top.text or reading.how.startswith("approximate"):
        return False
    if top.typed:
        return True
    if top.confidence < MIN_CONFIDENCE:
        return False
    return all(confidence >= MIN_WORD_CONFIDENCE for _word, confidence in top.words)


def _squeezed(phrase: str) -> str:
    """A phrase as the ear hears it: no spaces, no apostrophes ("oat milk" and "oatmeal" are one sound apart)."""
    return "".join(ch for ch in phrase.lower() if ch.isalnum())


@dataclass(frozen=True)
class SoundAlikes:
    """The catalog's product phrases as the ear hears them: spelled without spaces, their sound keys, their skus."""

    phrases: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    """Metaphone of each phrase, in the same order (what `process.extract` searches)."""
    skus: dict[str, frozenset[str]] = field(default_factory=dict)

    def rivals(self, heard: str, skus: set[str]) -> bool:
        """Whether `heard` (a phrase of one of `skus`) sounds and looks like a phrase of another sku."""
        key = jellyfish.metaphone(heard)
        if len(key) < MIN_SOUND_KEY:
            return False  # "coke" is KK: a short key is near far too much to mean anything
        near = process.extract(key, self.keys, scorer=fuzz.ratio, score_cutoff=SOUND_ALIKE, limit=None)
        return any(
            self.skus[self.phrases[i]] - skus and fuzz.ratio(heard, self.phrases[i]) >= LOOK_ALIKE
            for _key, _score, i in near
        )


def sound_alikes(model: InteractionModel) -> SoundAlikes:
    """The catalog's product phrases for `SoundAlikes`, built once per catalog (about a thousand, in milliseconds)."""
    product = model.types.get("PRODUCT")
    owners: dict[str, set[str]] = {}
    for value in product.values if product is not None else ():
        for phrase in value.phrases:
            if squeezed := _squeezed(phrase):
                owners.setdefault(squeezed, set()).add(value.id)
    phrases = tuple(sorted(owners))
    return SoundAlikes(
        phrases, tuple(jellyfish.metaphone(p) for p in phrases), {p: frozenset(owners[p]) for p in phrases}
    )
