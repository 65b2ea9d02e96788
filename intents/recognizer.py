"""One recognizer for every channel: text, or a recognizer's n-best list, plus context, to ranked readings.

Entry point: `recognize(heard, context) -> list[Reading]`, best first. `heard` is typed text, or the
kiosk's n-best list (`Hypothesis(text, confidence, words)` or `(text, confidence)` pairs); `context` is
what the conversation last asked or listed (`Context.from_conversation(reply.context)`). Each `Reading`
carries the intent, the slots as a channel sends them, typed values (sku, `Quantity` with its unit,
ordinal, order number), `how` it was matched, a score, and `confident`: whether a shop-changing reading
may be acted on, or must be asked back ("Did you say ...?", `Reading.said`).

How a text is read, in order, keeping the best reading per intent:

0. while a list is open, "number two" and "that first one" are said as the model says positions; a
   goodbye after a closing ("i'm done goodbye") is a goodbye; a sentence that corrects itself ("add
   three no make that two apples", "six of the yogurt not four") is read as the correction, as a guess;
1. exactly against the interaction model's samples (`intents.matching`), the one source of phrasings;
2. after rewriting the locale's verbs, places and fillers (`intents/languages/<locale>.json`): "buy",
   "get me", "put ... in my basket" become "add"; "take ... out" becomes "remove"; "basket" is the cart;
3. a closed slot's value hung on the end of a command by a carrier word of the language file ("check out
   *with* express", "pay *and make it* pickup"), for a slot the intent takes alone in some sample;
4. when a yes or no was asked, a yes or no that says more ("yes please call me", "no i'm fine thanks"),
   unless the rest is a new command ("no, add milk");
5. the nearest sample within two words (`matching.approximate`), else the longest run of the sentence's
   words that reads as a whole shop command ("my daughter does this for me but how much is delivery"):
   always a guess, never confident;
6. a bare product name; a need hinted at ("we're out of toilet paper") as an add, asked back; and last
   the intent the sentence's rare words point to clearly (`intents.keywords`), as a guess.

A rewritten verb whose product only the search could name is two guesses at once: asked back. "The last
one" is the position it names in the list just read (the sixth of six).

A slot of a closed type (a policy, a delivery option; every custom type but the catalog's) must name one of
its values, so "tell me about delivery options" is no policy called "delivery options". A delivery choice
is sure only as an answer to the checkout's read-back (`traits.sure_answering`): "i'll pick them up" said
to someone else sets no default.

A number word counts only in a quantity position, and "to", "too", "for" only in a guess from speech;
"-2" and "minus two" stay negative so the shop refuses them; "a few" is "?" (asked), never 1. Readings
from a slot-only sample ("chobani", "cleaning supplies") need the slot to name something the shop knows,
so speech not for the shop stays unmatched.

Why not hassil: hassil 3.12.1 (PyPI) matches templates strictly (`recognize_best`); its n-gram fuzzy
matcher (`hassil/fuzzy.py`) lives only in the repository, needs a trained sqlite n-gram model per intent,
and is not in the 3.12.1 or 3.13.0 wheels. The bench (`bench/bench_understanding_typed.py`) compiles the
interaction model into hassil templates and measures hassil plus a fuzzy fallback beside this recognizer
on the same held-out rows; this recognizer is kept because it reads the ASK JSON directly (no second
template set), handles unresolved products the way Alexa's entity resolution does, and reports doubt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.search import SearchResult
from catalog.text import parse_number, stem
from intents import keywords
from intents.language import CATALOG_TYPES, InteractionModel, load_model, sample_slots
from intents.lexicon import Lexicon, load_lexicon
from intents.matching import Match, approximate, catalog_words, rank, resolve_value, words_of
from intents.request import Slot
from intents.traits import answers, changes_shop, closes, expecting, sure_answering, takes_products

__all__ = ["Context", "Hypothesis", "Quantity", "Reading", "best", "recognize"]

MIN_CONFIDENCE = 0.85
"""Mean word confidence below which a spoken, shop-changing reading is asked back."""
MIN_WORD_CONFIDENCE = 0.5
"""One word below this makes a spoken, shop-changing reading doubtful."""
RIVAL_POSTERIOR = 0.25
"""A transcript this likely that reads as something else makes a confident shop-changing reading doubtful."""
UNRESOLVED_HEARD = 0.9
"""Weight of a spoken reading whose product resolves to nothing the shop sells (typed: 1, the shop says so)."""
POSTERIOR_WEIGHT = 0.1
"""Rank points per log-unit of a transcript's posterior: a likelier transcript wins between equal readings,
and a clean reading of a transcript e^2 times less likely beats a guess (0.2 points) at the top."""
Search = Callable[[str, int], SearchResult]
_NEGATIVE_DIGITS = re.compile(r"(?<![\w])-\s*(\d)")


@dataclass(frozen=True)
class Hypothesis:
    """One transcript of an n-best list: its words, the mean confidence, and (word, confidence) pairs."""

    text: str
    confidence: float = 1.0
    words: tuple[tuple[str, float], ...] = ()
    posterior: float = 1.0
    """Its share of the n-best list's probability (1.0 for typed text or a lone transcript)."""

    @property
    def typed(self) -> bool:
        """Typed text carries no confidences: nobody mistypes into a purchase by accident."""
        return self.confidence >= 1.0 and not self.words


@dataclass(frozen=True)
class Context:
    """What the conversation last asked or listed: the readings that answer it rank first."""

    expecting: str | None = None
    """"yes_no", "code", "customer_number", "choice" or None."""
    list_kind: str | None = None
    """"results", "cart", "choice" or None: what "the second one" counts in."""
    list_size: int = 0

    @classmethod
    def from_conversation(cls, context: Mapping[str, Any] | None) -> Context:
        """Read the conversation's own context dict (`Reply.context`, Alexa session attributes)."""
        context = context or {}
        listing = context.get("list")
        ids = listing.get("ids") if isinstance(listing, dict) else None
        return cls(
            expecting=expecting(context),
            list_kind=str(listing.get("kind")) if isinstance(listing, dict) else None,
            list_size=len(ids) if isinstance(ids, list) else 0,
        )


@dataclass(frozen=True)
class Quantity:
    """A quantity as meant: a count (None when vague or unreadable), its unit, and whether relative."""

    count: int | None
    words: str
    unit: str = "item"
    """"item", or a pack word ("dozen") the handler converts with the product's own pack size."""
    relative: str | None = None
    """"add" for "one more", "remove" for "one less"."""


@dataclass(frozen=True)
class Reading:
    """One reading of what was heard."""

    intent: str
    slots: dict[str, Slot]
    score: float
    how: str
    """"exact", "rewritten" (locale verbs, places, fillers) or "approximate"; "+search": search named it."""
    confident: bool
    """False when acting on it could change the shop and it should be asked back first."""
    said: str = ""
    """The reading in the model's words, for "Did you say ...?"."""
    heard: str = ""
    """The hypothesis it came from."""
    values: dict[str, Any] = field(default_factory=dict)
    """Typed slot values: sku, quantity (`Quantity`), ordinal (int), order_ref ("4821 maple"), code, category."""
    guessed: bool = False
    """A weak guess: read from the sentence's words alone (`intents.keywords`), or an approximate reading
    the sentence's words point away from. It is asked back even when it changes nothing: answering "what
    is your returns policy" to "i need to return this book to the library" is a wrong answer given as sure."""

    @property
    def changes_shop(self) -> bool:
        """Whether acting on it writes (declared once in `intents.traits`)."""
        return changes_shop(self.intent)

    @property
    def needs_confirming(self) -> bool:
        """Ask back before acting: it would change the shop and is not confident, or it is a weak guess."""
        return not self.confident and (self.changes_shop or self.guessed)

    def as_match(self) -> Match:
        """The `Match` older callers take (`intents.matching.match`'s shape)."""
        return Match(self.intent, dict(self.slots), self.score, self.said)


def _hypotheses(heard: str | Sequence[Any]) -> list[Hypothesis]:
    """Typed text, or an n-best list of `Hypothesis`, `(text, confidence)` or plain strings."""
    if isinstance(heard, str):
        return [Hypothesis(heard)]
    out: list[Hypothesis] = []
    for item in heard:
        if isinstance(item, Hypothesis):
            out.append(item)
        elif isinstance(item, str):
            out.append(Hypothesis(item))
        else:
            text, confidence = item[0], float(item[1])
            out.append(Hypothesis(str(text), confidence, tuple(item[2]) if len(item) > 2 else ()))
    return out


def _strip_phrase(tokens: list[str], phrases: Sequence[tuple[str, ...]]) -> tuple[list[str], bool]:
    """Drop the longest leading phrase of `phrases`, when something is left after it."""
    for phrase in sorted(phrases, key=len, reverse=True):
        if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
            return tokens[len(phrase) :], True
    return tokens, False


def _starts_with(tokens: list[str], phrases: Sequence[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The longest of `phrases` the tokens begin with (and go on after), or None."""
    for phrase in sorted(phrases, key=len, reverse=True):
        if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
            return phrase
    return None


def _joined(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """Joiners between two products as the model's one "and" ("three cokes plus a bag of pretzels")."""
    out: list[str] = []
    at = 0
    joiners = sorted((j for j in lexicon.joiners if j != ("and",)), key=len, reverse=True)
    while at < len(tokens):
        found = next((j for j in joiners if at > 0 and tuple(tokens[at : at + len(j)]) == j), None)
        if found is not None and at + len(found) < len(tokens):
            out.append("and")
            at += len(found)
        else:
            out.append(tokens[at])
            at += 1
    return out


def _whole_cart(tokens: list[str], lexicon: Lexicon) -> bool:
    """A removal of everything ("delete my whole cart", "throw it all out", "get rid of everything")."""
    verb = _starts_with(tokens, lexicon.verbs.get("clear", ()))
    if verb is None:
        return False
    rest = tokens[len(verb) :]
    return any(word in lexicon.whole_cart for word in rest) and all(
        word in lexicon.whole_cart or word in lexicon.whole_cart_glue for word in rest
    )


_PLACE_WORDS = frozenset({"my", "the", "our", "shopping", "your"})


def rewrite(text: str, lexicon: Lexicon) -> str | None:
    """The text in the model's own verbs ("buy oat milk" -> "add oat milk"), or None when nothing changed.

    Every table is the locale's (`intents/languages/<locale>.json`): leading fillers, wanting ("i'd love
    to") and "tell me" before a question are dropped until a verb starts the sentence; the cart's other
    names become "cart"; a removal of everything becomes "empty my cart" (which asks before it empties);
    "take/get/pull ... out" becomes "remove"; an add verb becomes "add"; and "to my cart" after an add or
    a removal is dropped.
    """
    tokens = words_of(text)
    original = list(tokens)
    tokens = [word for word in tokens if word not in lexicon.hesitations] or tokens  # "um", "er" anywhere
    tokens = _without_trailing(tokens, lexicon.trailing_fillers)  # "... in my basket love": the place is last
    cart, add, remove = (lexicon.canonical.get(word, word) for word in ("cart", "add", "remove"))
    owners = {place[0] for place in lexicon.places if len(place) > 1} | {"your"}  # "my", "the"; "mi", "el"
    tokens = [
        cart if word in lexicon.cart_words and owners & set(tokens[max(0, at - 2) : at]) else word
        for at, word in enumerate(tokens)
    ]
    tokens = _joined(tokens, lexicon)
    tokens = [  # "remove just one of the yogurts": the count is the count
        word
        for at, word in enumerate(tokens)
        if not (
            word in lexicon.count_softeners
            and at + 1 < len(tokens)
            and parse_number(tokens[at + 1], lexicon.locale) is not None
            and tokens[at + 1] not in lexicon.homophones
        )
    ]
    verbs = (*lexicon.verbs["add"], *lexicon.verbs.get("clear", ()))
    while True:  # "i want to get": the wanting goes; "i'll take two": the verb stays
        verb, want = _starts_with(tokens, verbs), _starts_with(tokens, lexicon.wanting)
        filler = _starts_with(tokens, lexicon.leading_fillers)
        if filler is not None and len(filler) > max(len(want or ()), len(verb or ())):
            tokens = tokens[len(filler) :]  # "i would like to know if": the longer filler, not "i would like to"
        elif want is not None and (verb is None or len(want) > len(verb)):
            tokens = tokens[len(want) :]
        elif verb is not None:
            break
        elif (ask := _starts_with(tokens, lexicon.before_question)) is not None and (
            tokens[len(ask)] in lexicon.question_words
        ):
            tokens = tokens[len(ask) :]
        elif (filler := _starts_with(tokens, lexicon.leading_fillers)) is not None:
            tokens = tokens[len(filler) :]
        else:
            break
    if _whole_cart(tokens, lexicon):
        return "empty my cart"
    search = _starts_with(tokens, lexicon.verbs.get("search", ()))
    softly = _starts_with(tokens, lexicon.verbs.get("remove_softly", ()))
    particles = [phrase[0] for phrase in lexicon.verbs.get("out_particles", (("out",),))]
    particle = next((word for word in tokens[1:] if word in particles), None)
    if tokens and (tokens[0],) in lexicon.verbs.get("out", ()) and particle is not None:
        at = tokens.index(particle, 1)
        after = tokens[at + 1 :]
        if (len(after) == 2 and after[0] in _PLACE_WORDS and after[1] == cart) or tuple(after) in lexicon.places:
            after = []  # "take the milk off my list": the place goes with the particle
        tokens = [remove, *tokens[1:at], *after]
    elif search is not None and "search" in lexicon.canonical:
        tokens = [lexicon.canonical["search"], *tokens[len(search) :]]
    elif softly is not None and not _unremovable(tokens[len(softly) :], lexicon):
        tokens = [remove, *tokens[len(softly) :]]  # "scratch the coke"; "forget it" stays unread
    elif (changed := _set_to(tokens, lexicon)) is not None:
        tokens = changed
    else:
        rest, verbed = _strip_phrase(tokens, lexicon.verbs["add"])
        if verbed:
            tokens = [add, *rest]
        elif (removal := _starts_with(tokens, lexicon.verbs.get("remove_plain", ()))) is not None:
            tokens = [remove, *tokens[len(removal) :]]  # "delete the oreos from my cart": the place goes below
    if tokens and tokens[0] in (add, remove):
        tokens = _without_place(tokens, lexicon)
    while len(tokens) > 1 and tokens[0] == remove and tokens[-1] == "out":
        tokens = tokens[:-1]
    return " ".join(tokens) if tokens != original and tokens else None


def _unremovable(words: list[str], lexicon: Lexicon) -> bool:
    """Whether what follows a soft removal verb names no product.

    A pronoun alone ("forget it") or words that start with a person ("never mind *i'll* do it later").
    """
    if words in _PRONOUNS:
        return True
    person = bool(words) and words[0] in lexicon.light_words and (words[0],) not in lexicon.articles
    return person and words[0] not in ("my", "your", "that", "this", "those", "them", "it")


_PRONOUNS = (["it"], ["that"], ["this"], ["them"], ["those"], ["all", "that"], ["about", "it"])


def _set_to(tokens: list[str], lexicon: Lexicon) -> list[str] | None:
    """The model's "change ... to ..." for "bump the coke up to four" or "bring the eggs down to two".

    The verb, the "to" and the particles dropped ("up", "down") are the locale's (`set_words`).

    A bare set verb ("make the bananas three") needs no "to", but only a plain count ends it: a word
    heard for a number ("to", "for") or anything else ("make me a sandwich") leaves the text alone.
    """
    verb, to = lexicon.set_verb, lexicon.set_to
    if len(tokens) >= 3 and (tokens[0],) in lexicon.verbs.get("set_bare", ()) and tokens[-2] != to:
        last = tokens[-1]
        plain = last.isdigit() or (last not in lexicon.homophones and parse_number(last, lexicon.locale) is not None)
        return [verb, *tokens[1:-1], to, last] if plain else None
    if len(tokens) < 4 or (tokens[0],) not in lexicon.verbs.get("set", ()) or tokens[-2] != to:
        return None
    middle = [word for word in tokens[1:-2] if word not in lexicon.set_particles]
    return [verb, *middle, to, tokens[-1]] if middle else None


def _without_place(tokens: list[str], lexicon: Lexicon) -> list[str]:
    """An add or removal without "to my cart", "out of the cart", "in my cart" ("al carrito") at its end."""
    cart = lexicon.canonical.get("cart", "cart")
    for size in (4, 3):
        tail = tuple(tokens[-size:])
        if (
            len(tokens) > size
            and tail[0] in ("to", "in", "into", "from", "of", "out", "on")
            and tail[-1] == cart
            and set(tail[1:-1]) <= _PLACE_WORDS  # "to by cart" is a misheard "my", not a place
        ):
            return tokens[:-size]
    place = _place_size(tokens, lexicon)
    return tokens[:-place] if place is not None else tokens


def _place_size(tokens: list[str], lexicon: Lexicon) -> int | None:
    """How many closing words name the cart in the language's own words ("en el carrito", "al carrito")."""
    for place in sorted(lexicon.places, key=len, reverse=True):
        size = len(place)
        if len(tokens) <= size or tuple(tokens[-size:]) != place:
            continue
        if place[0] in lexicon.place_prepositions:
            return size
        if len(tokens) > size + 1 and tokens[-size - 1] in lexicon.place_prepositions:
            return size + 1
    return None


def _prepare(text: str) -> str:
    """Keep a typed minus sign ("-2" as "minus 2"): normalising would drop it and read 2."""
    return _NEGATIVE_DIGITS.sub(r"minus \1", text)


def _slot_only(sample: str) -> bool:
    """A sample that is one slot and nothing else ("{product}")."""
    return bool(re.fullmatch(r"\{[A-Za-z0-9_]+\}", sample.strip()))


def _strip_pack(words: list[str], lexicon: Lexicon) -> tuple[list[str], bool]:
    """Drop a pack said before a product ("a 12 pack of coke", "a bunch of bananas"): the product is "coke"."""
    at = 1 if words and (words[0] in ("a", "an") or words[0].isdigit() or parse_number(words[0])) else 0
    if len(words) > at + 2 and words[at] in lexicon.pack_words and words[at + 1] == "of":
        return words[at + 2 :], True
    container = _starts_with(words[at:], lexicon.pack_containers)
    if container is not None:
        return words[at + len(container) :], True
    return words, False


def _strip_tail(words: list[str], lexicon: Lexicon, vocabulary: frozenset[str]) -> list[str]:
    """Drop what follows a product and names none ("cheerios too", "the coke for my son").

    "for ..." goes only when nothing after it is a catalog word: "tennis balls for dogs" keeps its dogs.
    """
    for phrase in sorted(lexicon.slot_trailing, key=len, reverse=True):
        if len(words) > len(phrase) and tuple(words[-len(phrase) :]) == phrase:
            words = words[: -len(phrase)]
            break
    for at in range(1, len(words)):
        if words[at] in lexicon.slot_trailing_from and not any(stem(w) in vocabulary for w in words[at + 1 :]):
            return words[:at]
    return words


def _clean_product(found: Match, model: InteractionModel, lexicon: Lexicon) -> Match:
    """An unresolved product without words that name no product, re-resolved.

    Leading filler ("anything by clorox"), a pack ("a 12 pack of coke") and trailing words ("cheerios too",
    "the coke for my son") go, each from the locale's language file.
    """
    found = _as_category(found, model, lexicon)
    slots = dict(found.slots)
    changed = False
    for name in ("product", "product_two", "category"):
        slot = slots.get(name)
        if slot is None or not slot.unresolved:
            continue
        heard = words_of(slot.value or "")
        words = heard[1:] if len(heard) > 1 and heard[0] in lexicon.homophones else heard
        stripped = True
        while stripped:
            words, stripped = _strip_phrase(words, lexicon.slot_fillers)
        words, _pack = _strip_pack(words, lexicon)
        words = _strip_tail(words, lexicon, catalog_words(model))
        if words == heard or not words:
            continue
        kind = "CATEGORY" if name == "category" else "PRODUCT"
        slots[name] = Slot(name=name, value=" ".join(words), resolved_id=resolve_value(model, kind, words))
        changed = True
        count = "quantity" if name == "product" else "quantity_two"
        spec = model.intents.get(found.intent)
        if heard[0] in lexicon.homophones and count not in slots and spec is not None and count in spec.slots:
            # "i want to my diced tomatoes": "to" stands where a count would, so it may be "two": ask how many
            slots[count] = Slot(name=count, value=heard[0], resolved_id="?")
    if not changed:
        return found
    named = all(not slot.unresolved for slot in slots.values())
    return replace(found, slots=slots, score=max(found.score, 0.99) if named else found.score)


def _as_category(found: Match, model: InteractionModel, lexicon: Lexicon) -> Match:
    """An unresolved product that is a category and a word naming no product ("pet stuff", "the snack aisle").

    Only for an intent that takes a category too (search), and only when the category alone resolves: "dog
    treats" is no category, so it stays a product for the search.
    """
    spec = model.intents.get(found.intent)
    if spec is None or "category" not in spec.slots:
        return found
    slot = found.slots.get("category")  # "what's good in the frozen section"
    if slot is None or not slot.unresolved:
        slot = None if "category" in found.slots else found.slots.get("product")
    if slot is None or not slot.unresolved:
        return found
    words = _without_leading(words_of(slot.value or ""), (*lexicon.slot_fillers, *lexicon.articles))
    if len(words) < 2 or words[-1] not in lexicon.category_tails:
        return found
    category = resolve_value(model, spec.slots["category"], words[:-1])
    if category is None:
        return found
    slots = {name: value for name, value in found.slots.items() if name != slot.name}
    slots["category"] = Slot(name="category", value=" ".join(words[:-1]), resolved_id=category)
    sample = found.sample.replace("{product}", "{category}")
    return replace(found, slots=slots, score=max(found.score, 0.99), sample=sample)


MAX_BARE_WORDS = 3
"""The longest bare product name read as a search ("cleaning supplies", "chobani greek yogurt")."""


def _catalog_named(words: Sequence[str], model: InteractionModel) -> bool:
    """A short phrase made only of words the catalog names its products and categories with."""
    vocabulary = catalog_words(model)
    return 0 < len(words) <= MAX_BARE_WORDS and all(stem(word) in vocabulary for word in words)


def _acceptable(found: Match, search: Search | None = None, model: InteractionModel | None = None) -> bool:
    """A slot-only sample reads only when its slot names something the shop knows.

    A bare brand the model has no synonym for ("chobani") counts when every word of it is a catalog word,
    or when the shop's search names one product for it, and only for a few words: "pass the salt" is
    someone else's sentence, not a product.
    """
    if model is not None and _order_talk(found, load_lexicon(model.locale)):
        return False
    if not _slot_only(found.sample):
        return True
    if all(slot.resolved_id for slot in found.slots.values()):
        return True
    value = " ".join(slot.value or "" for slot in found.slots.values())
    if model is not None and _catalog_named(words_of(value), model):
        return True
    return search is not None and len(value.split()) <= 2 and search(value, 2).clear_choice is not None


def _order_talk(found: Match, lexicon: Lexicon) -> bool:
    """A cart or search reading whose unresolved product is talk of an order ("buy the same stuff again").

    No product is called "order" or "again", and acting on such a reading would change the cart when the
    shopper meant to reorder, cancel or return; refused, the order intents read the sentence instead.
    """
    if not takes_products(found.intent):
        return False
    return any(
        slot.unresolved and lexicon.order_talk & set(words_of(slot.value or ""))
        for name, slot in found.slots.items()
        if name in ("product", "product_two")
    )


def _bare_name(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A bare product, brand or kind ("chobani", "paper towels") as a search for it, fillers aside."""
    words = words_of(text)
    words, _lead = _strip_phrase(words, lexicon.leading_fillers)
    for phrase in lexicon.trailing_fillers:
        if len(words) > len(phrase) and tuple(words[-len(phrase) :]) == phrase:
            words = words[: -len(phrase)]
    if not _catalog_named(words, model) or "SearchIntent" not in model.intents:
        return None
    slot = Slot(name="product", value=" ".join(words), resolved_id=resolve_value(model, "PRODUCT", words))
    return Match("SearchIntent", {"product": slot}, 0.9, "{product}")


def _quantity(slot: Slot | None, lexicon: Lexicon, sample: str) -> Quantity | None:
    """The typed quantity a slot holds: count, pack unit, relative."""
    if slot is None or not slot.value:
        return None
    raw = slot.resolved_id or slot.value
    count = int(raw) if raw.lstrip("-").isdigit() else None
    words = " ".join(words_of(slot.value))
    unit = next((lexicon.unit_words[word] for word in words.split() if word in lexicon.unit_words), "item")
    relative = None
    for word, kind in lexicon.relative.items():
        if f"{{quantity}} {word}" in sample or f"{word} {{product}}" in sample:
            relative = kind
    return Quantity(count, slot.value, unit, relative)


def _values(found: Match, lexicon: Lexicon) -> dict[str, Any]:
    """The typed values of a reading's slots."""
    values: dict[str, Any] = {}
    slots = found.slots
    if slots.get("product") and slots["product"].resolved_id:
        values["sku"] = slots["product"].resolved_id
    if slots.get("product_two") and slots["product_two"].resolved_id:
        values["sku_two"] = slots["product_two"].resolved_id
    quantity = _quantity(slots.get("quantity"), lexicon, found.sample)
    if quantity is not None:
        values["quantity"] = quantity
    if slots.get("ordinal") and slots["ordinal"].resolved_id:
        values["ordinal"] = int(slots["ordinal"].resolved_id)
    if slots.get("order_digits") and slots["order_digits"].value:
        word = slots.get("order_word")
        values["order_ref"] = f"{slots['order_digits'].resolved_id or slots['order_digits'].value} " + (
            (word.resolved_id or word.value or "") if word else ""
        )
    for name in ("code", "customer_number", "category", "policy"):
        slot = slots.get(name)
        if slot is not None and slot.value:
            values[name] = slot.resolved_id or slot.value
    return values


def _named_by_search(found: Match, search: Search | None) -> tuple[Match, bool]:
    """An unresolved product named the way the shop's search would name it; False when search is unsure."""
    if found.intent == "SearchIntent" or search is None:
        return found, True
    slots, sure = dict(found.slots), True
    for name in ("product", "product_two"):
        slot = slots.get(name)
        if slot is None or not slot.unresolved:
            continue
        product = search(slot.value or "", 2).clear_choice
        if product is None:
            sure = False
            continue
        slots[name] = Slot(name=name, value=product.name.lower(), resolved_id=product.sku)
    return replace(found, slots=slots), sure


def _sure_hearing(hypothesis: Hypothesis) -> bool:
    """Typed, or heard with enough confidence in every word."""
    if hypothesis.typed:
        return True
    if hypothesis.confidence < MIN_CONFIDENCE:
        return False
    return all(conf >= MIN_WORD_CONFIDENCE for _word, conf in hypothesis.words)


def _read(
    found: Match, how: str, hypothesis: Hypothesis, model: InteractionModel, lexicon: Lexicon, search: Search | None
) -> Reading | None:
    """A `Match` as a `Reading`: cleaned slots, typed values, score and confidence."""
    found = _clean_product(found, model, lexicon)
    if not _acceptable(found, search, model):
        return None
    heard_as = found
    found, search_sure = _named_by_search(found, search)
    named = found.slots != heard_as.slots
    unresolved = any(slot.unresolved for slot in found.slots.values())
    quantity = found.slots.get("quantity")
    homophone = quantity is not None and words_of(quantity.value or "") in ([w] for w in lexicon.homophones)
    exact = how == "exact" or (how == "rewritten" and hypothesis.typed)  # heard, a rewrite is a guess too
    confident = (
        exact
        and search_sure
        and not homophone
        and _sure_hearing(hypothesis)
        and (found.score >= 1.0 or not unresolved)
        and not (named and not hypothesis.typed)  # heard words only the search could name: a guess, asked back
        and not (named and how == "rewritten")  # the verb rewritten and the product only searched: two guesses
    )
    weight = {"exact": 1.0, "rewritten": 0.97, "approximate": 0.8}[how]
    if unresolved and not hypothesis.typed:
        weight *= UNRESOLVED_HEARD  # heard, a product nobody sells is more likely a word misheard
    score = round(found.score * weight * hypothesis.confidence, 3)
    if named:
        how += "+search"
    return Reading(
        intent=found.intent,
        slots=dict(found.slots),
        score=score,
        how=how,
        confident=confident,
        said=found.said,
        heard=hypothesis.text,
        values=_values(found, lexicon),
    )


def _in_context(reading: Reading, context: Context) -> Reading:
    """A reading in the conversation's terms.

    "The last one" is the list's last position, and a reading that is sure only as an answer
    (`traits.sure_answering`) is a guess at any other time.
    """
    reading = _last_counted(reading, context)
    wanted = sure_answering(reading.intent)
    if reading.confident and wanted is not None and context.expecting != wanted:
        return replace(reading, confident=False)
    return reading


def _last_counted(reading: Reading, context: Context) -> Reading:
    """Ordinal -1 ("the last one") as the position it names in the list just read (the sixth of six)."""
    ordinal = reading.slots.get("ordinal")
    if ordinal is None or ordinal.resolved_id != "-1" or context.list_size <= 0:
        return reading
    position = str(context.list_size)
    slots = {**reading.slots, "ordinal": replace(ordinal, resolved_id=position)}
    return replace(reading, slots=slots, values={**reading.values, "ordinal": context.list_size})


def _readings_of(
    hypothesis: Hypothesis, context: Context, model: InteractionModel, lexicon: Lexicon, search: Search | None
) -> list[Reading]:
    """Every reading of one hypothesis, best per intent."""
    text = _prepare(hypothesis.text)
    if context.list_kind:
        text = _positions(text, lexicon)
    if (goodbye := _farewell(text, model, lexicon)) is not None:
        return [r for r in (_read(goodbye, "rewritten", hypothesis, model, lexicon, search),) if r]
    if (corrected := _corrected(text, model, lexicon)) is not None:
        return [r for r in (_read(corrected, "approximate", hypothesis, model, lexicon, search),) if r]
    out: list[Reading] = []

    def fits(found: Match) -> bool:
        return _acceptable(_clean_product(found, model, lexicon), search, model)

    exact = [m for m in rank(text, model, limit=8) if fits(m)]
    top = exact[0] if exact else None
    clean = top is not None and not any(s.unresolved for s in top.slots.values())
    if not clean:
        rewritten = rewrite(text, lexicon)
        if rewritten:
            again = [m for m in rank(rewritten, model, limit=8) if fits(m)]
            if again and (top is None or _unexplained(again[0]) < _unexplained(top)):
                exact = []
                out += [r for m in again if (r := _read(m, "rewritten", hypothesis, model, lexicon, search))]
    out += [r for m in exact if (r := _read(m, "exact", hypothesis, model, lexicon, search))]
    if not clean:
        out += [
            r
            for m in _carried_slot(text, model, lexicon)
            if (r := _read(m, "rewritten", hypothesis, model, lexicon, search))
        ]
    answered = any(r.intent in answers("yes_no") for r in out)
    if not answered and (answer := _confirmation(hypothesis, text, context, model, lexicon)) is not None:
        out.append(answer)
    if not out or not any(r.confident or not r.changes_shop for r in out):
        wanted = answers(context.expecting)
        near = approximate(text, model)
        if near is None and wanted:
            near = approximate(text, model, intents=wanted, min_evidence=1)
        part = near is None and not out
        if part:
            near = _part_read(text, model, lexicon)
        if near is not None and (reading := _read(near, "approximate", hypothesis, model, lexicon, search)):
            out.append(replace(reading, guessed=part and near.score < PART_SURE))
    if not out and (bare := _bare_name(text, model, lexicon)) is not None:
        out += [r for r in (_read(bare, "exact", hypothesis, model, lexicon, search),) if r]
    if not out and (hinted := _hinted(text, model, lexicon)) is not None:
        out += [r for r in (_read(hinted, "approximate", hypothesis, model, lexicon, search),) if r]
    if not out and (asked := _about_product(text, model, lexicon)) is not None:
        out += [r for r in (_read(asked, "approximate", hypothesis, model, lexicon, search),) if r]
    if not out and (leaning := keywords.guess(text, model, lexicon)) is not None:
        found = _read(leaning, "approximate", hypothesis, model, lexicon, search)
        out += [replace(found, guessed=True)] if found is not None else []
    elif out:
        out = _contested(out, text, model, lexicon)
    return [_in_context(reading, context) for reading in out]


CONTESTED_LEAD = keywords.MIN_LEAD**2
"""How many times the evidence for the reading's own intent the other intent's must have to contest it: a
guess's lead (`keywords.MIN_LEAD`) twice over, so a word or two shared with another intent contest nothing."""


def _contested(out: list[Reading], text: str, model: InteractionModel, lexicon: Lexicon) -> list[Reading]:
    """The readings, with an unsure best one a guess when the sentence's rare words point to another intent.

    "how do i send back my last order" is read nearest to "how do i send back" (the returns policy) but
    its words lean clearly to starting a return (`keywords.guess`), far more than to the policy
    (`CONTESTED_LEAD`): two plausible intents, so the reading is asked back rather than answered as if
    sure. A sure reading (score 1) is left alone.
    """
    top = max(out, key=lambda r: r.score)
    if top.score >= 1.0:
        return out
    leaning = keywords.guess(text, model, lexicon)
    if leaning is None or leaning.intent == top.intent:
        return out
    evidence = dict((name, weight) for weight, name in keywords.evidence(text, model, lexicon))
    if evidence[leaning.intent] < CONTESTED_LEAD * evidence.get(top.intent, 0.0):
        return out  # "where's my latest order": "where" leans to delivery, but not so far ahead of its status
    return [replace(r, guessed=True) if r is top else r for r in out]


def _positions(text: str, lexicon: Lexicon) -> str:
    """A list position in the model's words while a list is open.

    "number two" and "that first one" are "the second one" and "the first one" (`positions` in the
    language file), so the model's ordinal samples read them.
    """
    words = words_of(text)
    names = {value: word for word, value in lexicon.ordinals.items() if value > 0 and not word.isdigit()}
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        following = words[at + 1] if at + 1 < len(words) else ""
        count = parse_number(following, lexicon.locale) if following and not following.isdigit() else None
        count = int(following) if following.isdigit() else count
        if word in lexicon.position_markers and count is not None and count in names:
            phrase = lexicon.position_phrase.replace("{ordinal}", names[count]).split()
            if out and (out[-1],) in lexicon.articles and (phrase[0],) in lexicon.articles:
                phrase = phrase[1:]  # "the number two": one "the"
            out += phrase
            at += 2
            continue
        if word in lexicon.position_pointers and following in lexicon.ordinals:
            out.append(lexicon.position_phrase.split()[0])  # "that first one" is "the first one"
        else:
            out.append(word)
        at += 1
    return " ".join(out)


def _clean_reading(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """The text's best reading, as typed or in the model's verbs, every word explained.

    A product may stay for the shop's search to name; every other slot must resolve.
    """
    for candidate in (text, rewrite(text, lexicon)):
        if not candidate:
            continue
        found = [_clean_product(m, model, lexicon) for m in rank(candidate, model, limit=3)]
        found = [m for m in found if not any(s.unresolved for n, s in m.slots.items() if not n.startswith("product"))]
        if found and _acceptable(found[0], None, model):
            return found[0]
    return None


def _corrected(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A sentence that corrects itself, read as the correction, always as a guess (asked back).

    "add three no make that two honeycrisp apples" is "add two honeycrisp apples": the head's verb before
    what follows the correction, or the head with its count replaced ("add three apples, i mean two").
    "i want six of the strawberry yogurt not four" and "make the paper towels two instead of one" change a
    count already in the cart: the quantity is set. The words are the language file's (`corrections`).
    """
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    for marker in sorted(lexicon.corrections, key=len, reverse=True):
        for at in range(1, len(tokens) - len(marker)):
            if tuple(tokens[at : at + len(marker)]) != marker:
                continue
            head, tail = tokens[:at], tokens[at + len(marker) :]
            said = rank(" ".join(head), model, limit=1) or rank(rewrite(" ".join(head), lexicon) or "", model, limit=1)
            if not said:
                continue  # "can you make that five": nothing was said to correct
            candidates = [[*head[:size], *tail] for size in (1, 2) if len(head) > size]
            if len(tail) == 1 and parse_number(tail[0], lexicon.locale) is not None:
                numbers = [i for i, word in enumerate(head) if parse_number(word, lexicon.locale) is not None]
                if numbers:
                    candidates.insert(0, [*head[: numbers[-1]], tail[0], *head[numbers[-1] + 1 :]])
            candidates.append(tail)
            for words in candidates:
                found = _clean_reading(" ".join(words), model, lexicon)
                if found is not None and found.intent == said[0].intent:
                    return replace(found, score=0.9)
    return _instead(tokens, model, lexicon)


def _instead(tokens: list[str], model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A count corrected against another ("six of the yogurt not four"): the quantity set, not added."""
    for marker in sorted(lexicon.instead, key=len, reverse=True):
        size = len(marker)
        if len(tokens) <= size + 2 or tuple(tokens[-size - 1 : -1]) != marker:
            continue
        if parse_number(tokens[-1], lexicon.locale) is None:
            continue
        rest = " ".join(tokens[: -size - 1])
        found = _clean_reading(rest, model, lexicon)
        if found is None or "quantity" not in found.slots or "product" not in found.slots:
            continue
        if SET not in model.intents:
            return None
        sample = next((s for s in model.intents[SET].samples if set(sample_slots(s)) == {"product", "quantity"}), "")
        return Match(SET, {"product": found.slots["product"], "quantity": found.slots["quantity"]}, 0.9, sample)
    return None


def _hinted(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A need hinted at ("we're out of toilet paper", "we've run out of dish soap again") as an add, a guess.

    It may be said to someone at home, so it is only ever asked back ("Did you say add toilet paper?").
    """
    tokens = _without_leading(
        [word for word in words_of(text) if word not in lexicon.hesitations], lexicon.leading_fillers
    )
    hint = _starts_with(tokens, lexicon.hints)
    if hint is None:
        return None
    rest = _without_trailing(tokens[len(hint) :], lexicon.trailing_fillers)
    found = _clean_reading(" ".join([lexicon.canonical.get("add", "add"), *rest]), model, lexicon)
    return replace(found, score=0.8) if found is not None and found.intent == ADD else None


def _about_product(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A question about something a product is ("is the almond milk sweetened", "are the eggs free range").

    The words after the question's opening (`product_questions`) must begin with a product's name; what
    follows is what was asked about, which the details answer (price, size, stock) may not cover, so the
    reading is a guess. It changes nothing, so it is answered.
    """
    spec = model.intents.get(DETAILS)
    if spec is None or "product" not in spec.slots:
        return None
    tokens = _without_leading(
        [word for word in words_of(text) if word not in lexicon.hesitations], lexicon.leading_fillers
    )
    opening = _starts_with(tokens, lexicon.product_questions)
    if opening is None:
        return None
    rest = tokens[len(opening) :]
    for size in range(min(len(rest) - 1, MAX_BARE_WORDS + 1), 0, -1):
        sku = resolve_value(model, spec.slots["product"], rest[:size])
        if sku is None and size > 1:
            sku = _branded(rest[:size], model, spec.slots["product"])
        if sku is not None:
            slot = Slot(name="product", value=" ".join(rest[:size]), resolved_id=sku)
            sample = next((s for s in spec.samples if sample_slots(s) == ["product"]), "{product}")
            return Match(DETAILS, {"product": slot}, 0.8, sample)
    return None


def _branded(words: list[str], model: InteractionModel, slot_type: str) -> str | None:
    """A product said with its brand before a shorter name ("the jif peanut butter"), when the brand is its own.

    The words after the brand must name the product, and the brand must be a word of that product's own
    names ("Jif Creamy Peanut Butter"): "the organic milk" names no product whose name says organic, so it
    is not read as plain milk.
    """
    sku = resolve_value(model, slot_type, words[1:])
    spec = model.types.get(slot_type)
    if sku is None or spec is None:
        return None
    names = {word for value in spec.values if value.id == sku for phrase in value.phrases for word in words_of(phrase)}
    return sku if words[0] in names else None


DETAILS = "ProductDetailsIntent"
ADD = "AddToCartIntent"
SET = "SetQuantityIntent"
STOP = "AMAZON.StopIntent"


def _farewell(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """A goodbye after a way of finishing ("i'm done goodbye", "that's all thanks bye") as the goodbye.

    Only when what comes before it is itself a closing (`traits.closes`: a no, a stop, "i'm done") or
    politeness: "add milk and goodbye" is still read for the milk.
    """
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    farewell = next(
        (f for f in sorted(lexicon.farewells, key=len, reverse=True) if tuple(tokens[-len(f) :]) == f), None
    )
    if farewell is None or len(tokens) == len(farewell) or STOP not in model.intents:
        return None
    head = _without_trailing(tokens[: -len(farewell)], (*lexicon.trailing_fillers, ("and",), ("so",)))
    head = _without_leading(head, lexicon.leading_fillers)
    polite = _without_leading(head, lexicon.trailing_fillers) == []
    if not polite:
        found = rank(" ".join(head), model, limit=1)
        if not found or found[0].score < 1.0 or not closes(found[0].intent):
            return None
    return Match(STOP, {}, 1.0, " ".join(farewell))


MIN_PART_WORDS = 3
"""The fewest words a part of a sentence must have to be read on its own (`_part_read`)."""
PART_SURE = 0.515
"""The `_part_read` score of a part that is half the sentence: a shorter part ("is it guaranteed" of "if the
thermometer breaks is it guaranteed") leaves most of what was said unexplained, so its reading is a guess
(`Reading.guessed`), asked back even when it changes nothing."""


def _part_read(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """The longest start or end of a sentence that reads as a whole command, as a guess.

    "hi there, my daughter usually does this, but how much is delivery" is read by its end. Only a reading
    that explains every word of its part, of a shop intent (never a bare yes, no or stop, which hide in
    anyone's sentence), from a sample with words of its own beside its slots; always a guess, so a
    shop-changing one is asked back and speech for someone else is never acted on.
    """
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    for size in range(len(tokens) - 1, MIN_PART_WORDS - 1, -1):
        starts = [len(tokens) - size, 0, *range(1, len(tokens) - size)]
        for part in (tokens[start : start + size] for start in starts):
            joined = " ".join(part)
            found = [m for m in rank(joined, model, limit=3)]
            if not found and (rewritten := rewrite(joined, lexicon)):
                found = rank(rewritten, model, limit=3)
            for match in found:
                if match.intent.startswith("AMAZON.") or _slot_only(match.sample):
                    continue
                if any(slot.unresolved for slot in match.slots.values()) or match.score < 1.0:
                    continue
                return replace(match, score=round(0.95 * size / len(tokens) + 0.04, 3))
    return None


def _carried_slot(text: str, model: InteractionModel, lexicon: Lexicon) -> list[Match]:
    """A command with a closed slot's value hung on its end: "check out with express", "pay and make it pickup".

    The head must be a whole reading of its own (typed exactly, or in the model's verbs), and the slot one its
    intent takes alone in some sample ("place my order for {delivery}"), of a closed type (not a product,
    whose words search would stretch over anything), whose value the tail names after a carrier word of the
    language file (`slot_carriers`). Samples stay short, so the kiosk's grammar keeps plain "check out" sure.
    """
    tokens = words_of(text)
    carriers = sorted(lexicon.slot_carriers, key=len, reverse=True)
    out: list[Match] = []
    for cut in range(len(tokens) - 1, 0, -1):
        head, tail = " ".join(tokens[:cut]), tokens[cut:]
        values = [
            _without_trailing(tail[len(c) :], lexicon.trailing_fillers)
            for c in carriers
            if tuple(tail[: len(c)]) == c and len(tail) > len(c)
        ]
        if not values:
            continue
        heads = [m for m in rank(head, model, limit=3) if not any(slot.unresolved for slot in m.slots.values())]
        if not heads and (rewritten := rewrite(head, lexicon)):
            heads = [m for m in rank(rewritten, model, limit=3) if not any(s.unresolved for s in m.slots.values())]
        for found in heads:
            spec = model.intents[found.intent]
            alone = {name for sample in spec.samples if len(names := sample_slots(sample)) == 1 for name in names}
            for name in sorted(alone - set(found.slots)):
                slot_type = spec.slots[name]
                if slot_type in CATALOG_TYPES or slot_type.startswith("AMAZON."):
                    continue
                for value in values:
                    if (resolved := resolve_value(model, slot_type, value)) is not None:
                        slot = Slot(name=name, value=" ".join(value), resolved_id=resolved)
                        out.append(replace(found, slots={**found.slots, name: slot}))
                        break
        if out:
            return out
    return []


def _confirmation(
    hypothesis: Hypothesis, text: str, context: Context, model: InteractionModel, lexicon: Lexicon
) -> Reading | None:
    """A yes or no that says more ("yes please call me", "no i'm fine thanks"), when a yes or no was asked.

    The words after it must be understood and ask for no other change: "no, add milk" is a new command, not an
    answer, and "yes dear, one minute" was said to someone else.
    """
    if context.expecting != "yes_no":
        return None
    said = [word for word in words_of(text) if word not in lexicon.hesitations]
    for intent, kind in (("AMAZON.YesIntent", "yes"), ("AMAZON.NoIntent", "no")):
        rest, found = _strip_phrase(said, lexicon.confirmations[kind])
        if not found:  # "oh yes please ...", but "okay" itself is a yes
            rest, found = _strip_phrase(_without_leading(said, lexicon.leading_fillers), lexicon.confirmations[kind])
        if not found:
            continue
        rest = _without_leading(rest, (*lexicon.leading_fillers, *lexicon.trailing_fillers))  # "yes please, ..."
        others = rank(" ".join(rest), model, limit=1) if rest else []
        if rest and not others:
            return None  # "yes dear, one minute" is said to someone else
        if others and changes_shop(others[0].intent) and others[0].intent != intent:
            return None
        return Reading(
            intent=intent,
            slots={},
            score=round(0.97 * hypothesis.confidence, 3),
            how="rewritten",
            confident=_sure_hearing(hypothesis),
            said=kind,
            heard=hypothesis.text,
        )
    return None


def _without_leading(words: list[str], phrases: Sequence[tuple[str, ...]]) -> list[str]:
    """The words with every leading phrase of `phrases` dropped, even when nothing is left."""
    ordered = sorted(phrases, key=len, reverse=True)
    while words:
        phrase = next((p for p in ordered if tuple(words[: len(p)]) == p), None)
        if phrase is None:
            break
        words = words[len(phrase) :]
    return words


def _without_trailing(words: list[str], phrases: Sequence[tuple[str, ...]]) -> list[str]:
    """The words without polite filler at the end ("express thanks" is "express"), never emptied."""
    ordered = sorted(phrases, key=len, reverse=True)
    while True:
        phrase = next((p for p in ordered if len(words) > len(p) and tuple(words[-len(p) :]) == p), None)
        if phrase is None:
            return words
        words = words[: -len(phrase)]


def _unexplained(found: Match) -> int:
    """Words of a reading no slot value explains."""
    return sum(len((slot.value or "").split()) for slot in found.slots.values() if slot.unresolved)


def _context_bonus(reading: Reading, context: Context) -> float:
    """Readings that answer the open question, or count in the list just read, rank first."""
    wanted = answers(context.expecting)
    if reading.intent in wanted:
        return 0.1
    if "ordinal" in reading.values and context.list_kind:
        return 0.05
    return 0.0


def recognize(
    heard: str | Sequence[Any],
    context: Context | Mapping[str, Any] | None = None,
    *,
    model: InteractionModel | None = None,
    locale: str = "en-US",
    search: Search | None = None,
    limit: int = 5,
) -> list[Reading]:
    """Ranked readings of typed text or an n-best list, best first; [] when nothing is for the shop.

    `search` (`Shop.search`) names an unresolved product as the conversation will; without it such a
    product stays as heard (the handler searches). Later hypotheses count less than earlier ones.
    """
    model = model or load_model(locale)
    lexicon = load_lexicon(model.locale)
    if not isinstance(context, Context):
        context = Context.from_conversation(context)
    hypotheses = [h for h in _hypotheses(heard) if h.text.strip()]
    best_per: dict[tuple[str, tuple[tuple[str, str | None], ...]], tuple[float, Reading]] = {}
    firsts: list[tuple[Hypothesis, Reading | None]] = []
    for position, hypothesis in enumerate(hypotheses):
        readings = _readings_of(hypothesis, context, model, lexicon, search)
        if hypothesis.posterior < hypotheses[0].posterior:  # a less likely transcript: ask before changing the shop
            readings = [replace(r, confident=False) if r.changes_shop else r for r in readings]
        firsts.append((hypothesis, max(readings, key=lambda r: r.score) if readings else None))
        for reading in readings:
            rank_score = (
                reading.score
                + _context_bonus(reading, context)
                - 0.02 * position
                + 0.01 * reading.confident
                + POSTERIOR_WEIGHT * math.log(max(hypothesis.posterior, 1e-6))
            )
            if _key(reading) not in best_per or rank_score > best_per[_key(reading)][0]:
                best_per[_key(reading)] = (rank_score, reading)
    ordered = [reading for _score, reading in sorted(best_per.values(), key=lambda pair: pair[0], reverse=True)]
    if len(hypotheses) > 1 and ordered:
        ordered[0] = _weighed(ordered[0], firsts, context, model, lexicon, search)
    return ordered[:limit]


def _key(reading: Reading) -> tuple[str, tuple[tuple[str, str | None], ...]]:
    """What a reading would do: its intent and slot values (two transcripts may read the same)."""
    return reading.intent, tuple(sorted((k, v.resolved_id or v.value) for k, v in reading.slots.items()))


def _weighed(
    top: Reading,
    firsts: list[tuple[Hypothesis, Reading | None]],
    context: Context,
    model: InteractionModel,
    lexicon: Lexicon,
    search: Search | None,
) -> Reading:
    """The top reading, weighed against the rest of the n-best list.

    Transcripts that read the same add up their share ("check out" and "checkout" are one command), which
    can make an unsure top transcript sure enough; a likely transcript that reads as something else, even
    as a guess, makes a confident, shop-changing reading doubtful.
    """
    head, head_reading = firsts[0]
    if head_reading is None or _key(head_reading) != _key(top):
        return top
    if not top.confident:
        same = [h for h, r in firsts[1:] if r is not None and _key(r) == _key(top) and h.posterior < head.posterior]
        agree = head.posterior + sum(h.posterior for h in same)  # a re-spelling of the head (equal share) is itself
        if agree > head.confidence:
            again = [r for r in _readings_of(replace(head, confidence=agree), context, model, lexicon, search)
                     if _key(r) == _key(top)]  # fmt: skip
            if again and again[0].confident:
                top = again[0]
    if top.confident and top.changes_shop:
        rivals = [
            h
            for h, r in firsts[1:]
            if h.posterior >= RIVAL_POSTERIOR and r is not None and _key(r) != _key(top) and _possible(r, context)
        ]
        if rivals:
            top = replace(top, confident=False)
    return top


def _possible(reading: Reading, context: Context) -> bool:
    """Whether a reading could be meant here: "the third one" after a list of one names nothing."""
    ordinal = reading.slots.get("ordinal")
    if ordinal is None or not context.list_size or not (ordinal.resolved_id or "").isdigit():
        return True
    return int(ordinal.resolved_id or 0) <= context.list_size


def best(
    heard: str | Sequence[Any],
    context: Context | Mapping[str, Any] | None = None,
    *,
    model: InteractionModel | None = None,
    search: Search | None = None,
) -> Reading | None:
    """The top reading, or None (the caller's FallbackIntent)."""
    found = recognize(heard, context, model=model, search=search, limit=1)
    return found[0] if found else None
