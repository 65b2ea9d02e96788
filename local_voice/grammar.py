"""Compile the interaction model and the live catalog into the kiosk's Vosk phrase list.

`models/<locale>.json` is the single source of what can be said (STYLE.md section 2); this module turns
its samples, with slot values from today's catalog, into the phrase list Vosk decodes against, plus
`[unk]` so out-of-grammar speech has somewhere to go. Three facts about Vosk shape it (platform-facts.md):

- a word outside the model's vocabulary is silently dropped, so every word is checked, and unknown ones
  are respelled as known words ("kerrygold" -> "kerry gold", "2" -> "two") or dropped with a record;
- the phrase list acts like a bigram over its words, and how often a pair occurs acts as its weight, so
  product phrases are spread over the templates a few at a time instead of multiplied by every template
  (232 products times "find {product}" would drown "help" and "yes");
- a result can be in no phrase, so transcripts are matched again by `intents.matching`; `Grammar.restore`
  first turns respelled words back into the catalog's own.

The catalog's PRODUCT and CATEGORY slot types are regenerated from the live products, so the matcher
resolves a heard name to today's sku even after an import the JSON file has not seen.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.model import Product
from catalog.text import normalize
from intents.language import InteractionModel, SlotType, SlotValue, fill_sample, sample_slots
from intents.lexicon import LANGUAGES_DIR
from intents.model_generator import generate_types, spoken_number

__all__ = [
    "DIGITS",
    "DIGIT_SLOT_LENGTH",
    "EXPECTATIONS",
    "ORDINAL_WORDS",
    "QUANTITY_WORDS",
    "YES_NO",
    "Grammar",
    "Respeller",
    "catalog_hash",
    "compile_answer_grammar",
    "compile_command_grammar",
    "compile_grammar",
    "live_model",
]

UNKNOWN = "[unk]"
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh")
QUANTITY_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "a dozen", "half a dozen", "a couple of", "a couple", "a few",
)  # fmt: skip
ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "last",
)  # fmt: skip
CATALOG_TYPES = ("PRODUCT", "CATEGORY")
SOUNDS_LIKE: dict[str, tuple[str, ...]] = {
    "sriracha": ("see rah cha", "sir rah cha"),
    "fage": ("fah yeh", "fa yay"),
    "oatly": ("oat lee",),
    "cerave": ("sarah vee", "sera vee"),
    "haribo": ("harry bo", "harry bow"),
    "chobani": ("cho bonnie", "joe bonnie"),
    "sensodyne": ("senso dine", "sensor dine"),
    "belgioioso": ("bell joy oso", "bell joy oh so"),
    "evoo": ("e v o o",),
    "jlab": ("j lab",),
    "kasa": ("casa",),
    "similac": ("simmy lack", "simi lack"),
    "clabber": ("clabber", "clobber"),
    "frosties": ("frosty's", "frosty"),
    "gummies": ("gummy's", "gummy"),
    "barbasol": ("barbara sol", "barba sol"),
}
"""Hand-made sound-alike spellings for coined words no split explains; each is checked against the model too."""
SAMPLE_WEIGHT = 48
"""The phrase count every sample weighs at least (short commands repeated up to it; see `compile_grammar`)."""
FILLERS = ("please {}", "could you {}", "can you {}", "i'd like to {}", "um {}")
"""Polite or hesitant openings the matcher strips; one wrapped copy of each sample lets Vosk hear them."""
CLOSING = "{} please"
"""Every sample also gets a copy ending in "please": dealt round-robin like the openings, "please" followed
one sample in six, and the bench's "yes please" was heard as "yes lean"."""
CONTROLS = (
    "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent",
    "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
    "SpeakSlowerIntent", "SpeakFasterIntent", "SpeakLouderIntent", "SpeakSofterIntent",
)  # fmt: skip
"""What a shopper may say whatever the kiosk just asked: answer, get help, give up, or change the voice."""
EXPECTATIONS: dict[str, tuple[str, ...]] = {
    "code": ("ProvideCodeIntent", *CONTROLS),
    "digit_runs": (
        "ProvideCodeIntent", "SetPurchaseCodeIntent", "IdentifyCustomerIntent", "OrderStatusIntent",
        "CancelOrderIntent",
    ),
}  # fmt: skip
"""Narrow grammars for the kiosk's open questions: the intents that can answer it, plus the controls."""
YES_NO = "yes_no"
"""What a yes/no question expects: no narrow grammar (a shopper may answer with a new command), but a
transcript that fits nothing is read as the nearest yes or no on one word of evidence."""
DIGIT_SLOT_LENGTH = {"AMAZON.FOUR_DIGIT_NUMBER": 4, "customer_number": 6}
"""Digit runs of a fixed length (by slot type or slot name): a purchase code, a customer number."""

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SYMBOLS = re.compile(r"[%&+]")
_SYMBOL_WORDS = {"%": " percent ", "&": " and ", "+": " plus "}

Known = Callable[[str], bool]
SPOKEN_VERBS = ("add", "search", "remove", "remove_softly")
"""The locale's verb kinds (`intents/languages/<locale>.json`) that open a product command: the recognizer
rewrites "grab me a coke" into "add a coke", so the ear must be able to hear "grab me" before a product."""
PRODUCT_OPENERS = ("a", "some", "the", "two")
"""What a verb is followed by before the product, besides the product itself ("grab me a coke")."""


def _symbol(found: re.Match[str]) -> str:
    return _SYMBOL_WORDS[found.group(0)]


@dataclass(frozen=True)
class Grammar:
    """A compiled phrase list, with what it was compiled from and how to undo its respellings."""

    phrases: tuple[str, ...]
    """What Vosk decodes against, `[unk]` last."""
    model: InteractionModel
    """The interaction model with PRODUCT and CATEGORY from the live catalog: what transcripts match against."""
    catalog_hash: str
    """Hash of the products compiled in: a cheap check whether a rebuild is due."""
    catalog_version: int | None = None
    """The repository's catalog version when compiled (None when built from a plain product list)."""
    respelled: dict[str, str] = field(default_factory=dict)
    """Respelled form to catalog form ("kerry gold" -> "kerrygold"), longest first."""
    dropped: tuple[str, ...] = ()
    """Catalog or sample words the model cannot hear and no respelling rescued."""

    def restore(self, text: str) -> str:
        """Turn a transcript's respelled words back into the catalog's, so the matcher sees catalog words."""
        padded = f" {' '.join(text.split())} "
        for spoken, written in self.respelled.items():
            padded = padded.replace(f" {spoken} ", f" {written} ")
        return padded.strip()

    @property
    def words(self) -> set[str]:
        """Every distinct word the grammar can produce (besides [unk])."""
        return {word for phrase in self.phrases for word in phrase.split() if word != UNKNOWN}


class Respeller:
    """Spell catalog words as words the speech model knows, remembering each decision."""

    def __init__(self, known: Known) -> None:
        """Ask `known(word)` (the model vocabulary) at most once per word."""
        self._known = known
        self._cache: dict[str, bool] = {}
        self.respelled: dict[str, str] = {}
        self.dropped: set[str] = set()
        self.direct: set[str] = set()
        """Words the catalog or samples use as they are: never mapped back to something else."""

    def is_known(self, word: str) -> bool:
        """Whether Vosk can hear this word."""
        if word not in self._cache:
            self._cache[word] = bool(word) and self._known(word)
        return self._cache[word]

    def word(self, word: str) -> str | None:
        """A hearable spelling of one word, or None (recorded as dropped)."""
        if self.is_known(word):
            self.direct.add(word)
            return word
        spelled = self._respell(word)
        if spelled is None:
            self.dropped.add(word)
            return None
        if not word.isdigit():
            self.respelled[spelled] = word
        return spelled

    def phrase(self, phrase: str) -> str | None:
        """A hearable spelling of a phrase; None when a word in it cannot be heard at all."""
        words = [self._token(token) for token in _TOKEN.findall(_SYMBOLS.sub(_symbol, phrase.lower()))]
        if not words or any(w is None for w in words):
            return None
        return " ".join(w for w in words if w)

    def _token(self, token: str) -> str | None:
        """Keep "what's" when the model knows it; otherwise respell the catalog's folded form ("daves")."""
        if self.is_known(token):
            self.direct.add(token)
            return token
        words = [self.word(word) for word in normalize(token).split()]
        return None if any(w is None for w in words) else " ".join(w for w in words if w)

    def _respell(self, word: str) -> str | None:
        if word.isdigit():
            spoken = spoken_number(int(word)) if int(word) < 1_000_000 else " ".join(DIGITS[int(d)] for d in word)
            return spoken if all(self.is_known(w) for w in spoken.split()) else None
        for spelling in SOUNDS_LIKE.get(word, ()):
            if all(self.is_known(w) for w in spelling.split()):
                return spelling
        if word.endswith("s") and len(word) > 3:
            for candidate in (f"{word[:-1]}'s", word[:-1]):
                if self.is_known(candidate):
                    return candidate
        return self._split(word)

    def _split(self, word: str) -> str | None:
        """Split a coined compound into known words ("kerrygold" -> "kerry gold"), longest parts first."""
        best: tuple[int, int, str] | None = None
        for parts in _splits(word, 3):
            if all(self.is_known(p) for p in parts):
                key = (-len(parts), min(len(p) for p in parts), " ".join(parts))
                if best is None or key[:2] > best[:2]:
                    best = key
        return best[2] if best is not None else None


def _splits(word: str, most: int, shortest: int = 3) -> Iterator[list[str]]:
    """Every way to cut a word into 2..most parts of at least `shortest` letters."""
    for count in range(2, most + 1):
        for cuts in itertools.combinations(range(shortest, len(word) - shortest + 1), count - 1):
            bounds = (0, *cuts, len(word))
            parts = [word[a:b] for a, b in itertools.pairwise(bounds)]
            if all(len(p) >= shortest for p in parts):
                yield parts


def catalog_hash(products: Iterable[Product]) -> str:
    """A stable digest of everything in the catalog that changes what can be heard."""
    digest = hashlib.sha256()
    for product in sorted(products, key=lambda p: p.sku):
        fields = (product.sku, product.name, product.brand, product.category, *product.synonyms)
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def live_model(model: InteractionModel, products: Sequence[Product]) -> InteractionModel:
    """The model with its catalog slot types regenerated from these products (entity resolution to live skus)."""
    if not products:
        return model
    generated = generate_types(products)
    types = dict(model.types)
    for name in CATALOG_TYPES:
        raw: dict[str, Any] = generated[name]
        types[name] = SlotType(
            name=name,
            values=tuple(
                SlotValue(
                    id=str(value["id"]),
                    value=str(value["name"]["value"]),
                    synonyms=tuple(str(s) for s in value["name"].get("synonyms", ())),
                )
                for value in raw["values"]
            ),
        )
    return replace(model, types=types)


def _digit_strings(length: int) -> list[str]:
    """Digit sequences starting and ending with every digit and holding every ordered pair of digits."""
    walk = _de_bruijn_pairs()
    step = length - 1
    walk += walk[1 : 1 + (-(len(walk) - 1)) % step]  # the walk is a cycle: complete the last run with its start
    chunks = [walk[i : i + length] for i in range(0, len(walk) - step, step)]
    strings = [" ".join(DIGITS[d] for d in chunk) for chunk in chunks if len(chunk) == length]
    strings.append(" ".join(["four", "oh", "oh", "two", "one", "oh"][:length]))
    return strings


def _de_bruijn_pairs(base: int = 10) -> list[int]:
    """A digit walk holding every ordered pair a->b exactly once (de Bruijn sequence B(10, 2), unrolled).

    The earlier walk (a, 0, 1, ..., 9 for each a) held "seven eight" ten times and "seven two" never, so
    digit runs in the grammar taught Vosk that seven is followed by eight or by a product word.
    """
    sequence: list[int] = []
    a = [0] * (2 * base)

    def extend(t: int, p: int) -> None:
        if t > 2:
            if 2 % p == 0:
                sequence.extend(a[1 : p + 1])
            return
        a[t] = a[t - p]
        extend(t + 1, p)
        for digit in range(a[t - p] + 1, base):
            a[t] = digit
            extend(t + 1, t)

    extend(1, 1)
    return [*sequence, sequence[0]]


def _slot_pool(model: InteractionModel, slot: str, slot_type: str, respeller: Respeller) -> list[str]:
    """Every spoken form a slot can take, already respelled to hearable words."""
    if slot_type == "AMAZON.Ordinal":
        raw: Iterable[str] = ORDINAL_WORDS
    elif slot_type == "AMAZON.FOUR_DIGIT_NUMBER" or slot in DIGIT_SLOT_LENGTH:
        raw = _digit_strings(DIGIT_SLOT_LENGTH.get(slot, DIGIT_SLOT_LENGTH.get(slot_type, 4)))
    elif slot_type == "AMAZON.NUMBER":
        raw = QUANTITY_WORDS
    else:
        known = model.types.get(slot_type)
        raw = [phrase for value in known.values for phrase in value.phrases] if known else []
    spoken = (respeller.phrase(phrase) for phrase in raw)
    return list(dict.fromkeys(p for p in spoken if p))


def compile_grammar(
    model: InteractionModel,
    products: Sequence[Product],
    known: Known,
    catalog_version: int | None = None,
    cover_edges: bool = True,
    sample_weight: int = SAMPLE_WEIGHT,
    short_weight: int | None = None,
) -> Grammar:
    """The balanced phrase list for this model and catalog; `known(word)` is the speech model's vocabulary.

    With `cover_edges`, every sample is filled often enough that each slot value's first and last word
    follow and precede the sample's own words (the bigram pairs decoding needs); otherwise each value
    appears once, dealt round-robin over the samples.

    Vosk estimates a bigram from the phrases, so a sample filled with 700 product names started 700
    phrases while "help" started one: 9,176 of 37k phrases began with "add" and "help" was heard as
    "tell". Each sample whose fills give fewer than `sample_weight` phrases is repeated up to that weight,
    so a short command's prior no longer depends on how many slot values other samples have.
    `short_weight` weighs slot-free samples ("bye", "yeah", "forget that") separately from those with
    slots: product phrases outnumber them by far in word pairs, so they may need more weight than that.
    """
    live = live_model(model, products)
    respeller = Respeller(known)
    pools: dict[tuple[str, str], list[str]] = {}
    filled: list[tuple[str, dict[str, str], list[str]]] = []
    for intent in live.intents.values():
        for sample in intent.samples:
            literal = re.sub(r"\{[^}]+\}", " ", sample)
            if literal.strip() and respeller.phrase(literal) is None:
                continue  # a sample word the model cannot hear: Vosk would drop it anyway
            names = sample_slots(sample)
            for name in names:
                key = (name, intent.slots[name])
                if key not in pools:
                    pools[key] = _slot_pool(live, name, intent.slots[name], respeller)
            filled.append((sample, intent.slots, names))
    phrases: list[str] = []
    used: set[str] = set()
    offsets: dict[tuple[str, str], int] = {}
    fillers = itertools.cycle(FILLERS)
    light: list[tuple[int, list[str]]] = []
    for sample, slots, names in filled:
        start = len(phrases)
        choices = {n: (_cover(n, slots[n], pools[(n, slots[n])]) if cover_edges else []) for n in names}
        rounds = max([len(c) for c in choices.values()] + [1])
        for round_ in range(rounds):
            values = {}
            for name in names:
                key = (name, slots[name])
                pool = choices[name] or pools[key] or [name]
                if choices[name]:
                    values[name] = pool[round_ % len(pool)]
                else:
                    values[name] = pool[offsets.get(key, 0) % len(pool)]
                    offsets[key] = offsets.get(key, 0) + 1
                used.add(values[name])
            phrases.append(fill_sample(sample, values))
        weight = short_weight if short_weight is not None and not names else sample_weight
        if rounds < weight:
            light.append((weight, phrases[start:]))
        firsts = {n: pools[(n, slots[n])][0] for n in names if pools[(n, slots[n])]}
        phrases.append(fill_sample(next(fillers).format(sample), firsts))
        phrases.append(fill_sample(CLOSING.format(sample), firsts))
    phrases += _leftovers(filled, pools, used)
    product_pool = next((pool for (_n, kind), pool in pools.items() if kind == "PRODUCT"), [])
    phrases += _spoken_verbs(live.locale, product_pool, respeller)
    phrases = [p for p in dict.fromkeys(phrases) if p and "{" not in p]
    for weight, own in light:  # repeated phrases count again in Vosk's bigram estimate: weight, not new sentences
        own = [p for p in dict.fromkeys(own) if p and "{" not in p]
        phrases += own * (max(0, -(-weight // max(1, len(own))) - 1))
    respelled = {
        spoken: written
        for spoken, written in sorted(respeller.respelled.items(), key=lambda item: -len(item[0]))
        if spoken not in respeller.direct  # "gummy bears" must stay gummy, though "gummies" is heard as "gummy"
    }
    return Grammar(
        phrases=(*phrases, UNKNOWN),
        model=live,
        catalog_hash=catalog_hash(products),
        catalog_version=catalog_version,
        respelled=respelled,
        dropped=tuple(sorted(respeller.dropped)),
    )


def _spoken_verbs(locale: str, pool: Sequence[str], respeller: Respeller) -> list[str]:
    """Kiosk phrasing the samples do not spell out: the locale's verbs and a bare product name.

    The matcher reads "grab me a coke", "i'll take some cheerios" and a bare "chobani" (the locale's verbs
    and a bare product are understood), but Vosk can only hear word pairs that some phrase holds, and the
    model's samples say "add". In a bigram, one phrase per verb and opener ("grab me a {product}") gives the
    verb's own pairs, and each distinct last word of a verb ("me", "take") and each opener is followed once
    by the product cover, which gives every product's first word after it. A bare product is the cover once.
    Few thousand phrases against the samples' hundreds of thousands: the short commands keep their weight.
    """
    if not pool:
        return []
    path = LANGUAGES_DIR / f"{locale}.json"
    verbs_of = json.loads(path.read_text(encoding="utf-8")).get("verbs", {}) if path.is_file() else {}
    cover = _edge_cover(pool)
    first = pool[0]
    phrases: list[str] = list(cover)  # a bare product name: "chobani", "oat milk"
    lasts: set[str] = set()
    for kind in SPOKEN_VERBS:
        for verb in verbs_of.get(kind, ()):
            spoken = respeller.phrase(verb)
            if spoken is None:
                continue
            phrases += [f"{spoken} {first}", *(f"{spoken} {opener} {first}" for opener in PRODUCT_OPENERS)]
            if spoken.split()[-1] not in lasts:
                lasts.add(spoken.split()[-1])
                phrases += [f"{spoken} {value}" for value in cover]
    for opener in PRODUCT_OPENERS:
        phrases += [f"{opener} {value}" for value in cover]
    return phrases


def compile_answer_grammar(model: InteractionModel, known: Known, expecting: str) -> tuple[str, ...]:
    """The phrase list for one open question (`EXPECTATIONS`): only its answers and the controls.

    While the kiosk waits for a purchase code, "seven" can only be followed by another digit, not by
    "salmon" as in "add eight salmon"; the full grammar's product and quantity phrases are simply absent.
    Digit runs of every length a shopper might pause between (one to four digits) are phrases of their
    own, so a code spoken in two breaths still decodes as digits.
    """
    wanted = EXPECTATIONS[expecting]
    narrow = replace(model, intents={name: intent for name, intent in model.intents.items() if name in wanted})
    phrases = list(compile_grammar(narrow, (), known).phrases)
    if "ProvideCodeIntent" in wanted:
        runs = [" ".join(DIGITS[d] for d in chunk) for n in (1, 2) for chunk in itertools.product(range(10), repeat=n)]
        phrases[-1:-1] = [run for run in runs if run not in phrases]
    return tuple(phrases)


def compile_command_grammar(model: InteractionModel, known: Known) -> tuple[str, ...]:
    """The phrase list of the model's slot-free samples alone: the short commands, without a product in sight.

    In the full grammar a bigram over 300k phrases starts an utterance with a word as often as the word
    occurs anywhere, so "the", "a" and product words outweigh "help", "yeah" or "nah": "help" was heard
    "sale" and "yeah go ahead" "the eighth warranty". Decoded beside the full grammar, this list hears a
    short command among short commands only (`Understander`, `commands=True`).
    """
    intents = {}
    for name, intent in model.intents.items():
        samples = tuple(sample for sample in intent.samples if not sample_slots(sample))
        if samples:
            intents[name] = replace(intent, samples=samples)
    return compile_grammar(replace(model, intents=intents), (), known).phrases


def _is_digit_run(slot: str, slot_type: str) -> bool:
    """Slots spoken digit by digit (codes, order digits, customer numbers)."""
    return slot_type == "AMAZON.FOUR_DIGIT_NUMBER" or slot in DIGIT_SLOT_LENGTH


def _cover(slot: str, slot_type: str, pool: Sequence[str]) -> list[str]:
    """The values each sample taking this slot is filled with.

    A digit run is all inner pairs: covering only its first and last digits left "seven eight" 160 times
    and "seven two" once, so a spoken "seven two" lost to "seven" + a product word. Each sample with a
    digit slot therefore carries the whole pair walk (`_digit_strings`), every digit pair equally often.
    """
    return list(pool) if _is_digit_run(slot, slot_type) else _edge_cover(pool)


def _edge_cover(pool: Sequence[str]) -> list[str]:
    """Few values whose first words include every value's first word, and last words every last word."""
    firsts = {v.split()[0] for v in pool}
    lasts = {v.split()[-1] for v in pool}
    chosen = []
    for value in sorted(pool, key=lambda v: (-((v.split()[0] in firsts) + (v.split()[-1] in lasts)), v)):
        gain = (value.split()[0] in firsts) + (value.split()[-1] in lasts)
        if gain:
            chosen.append(value)
            firsts.discard(value.split()[0])
            lasts.discard(value.split()[-1])
    return chosen


def _leftovers(
    filled: list[tuple[str, dict[str, str], list[str]]],
    pools: dict[tuple[str, str], list[str]],
    used: set[str],
) -> list[str]:
    """Values no sample used yet, dealt round-robin over the samples that take them, so each is heard once."""
    phrases = []
    for key, pool in pools.items():
        takers = [
            (sample, slots, names) for sample, slots, names in filled if key[0] in names and slots[key[0]] == key[1]
        ]
        missing = [value for value in pool if value not in used]
        for n, value in enumerate(missing):
            sample, slots, names = takers[n % len(takers)]
            values = {name: pools[(name, slots[name])][0] for name in names if pools[(name, slots[name])]}
            values[key[0]] = value
            used.add(value)
            phrases.append(fill_sample(sample, values))
    return phrases
