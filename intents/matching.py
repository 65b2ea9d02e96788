"""Match typed or recognised text back to an intent and its slots, against the model's own samples.

This is what hassil's `recognize` does for Home Assistant, on the ASK JSON instead of a second template
set (STYLE.md section 2): the kiosk's Vosk grammar only constrains words, so every transcript is matched
again here, and the simulator and tests type text straight in. Each sample compiles once per model into
literal words and slot captures; an utterance is tried against every sample whose literal words it
contains, and every way of splitting the remaining words into the slots is scored:

1. words no slot value explains (an unresolved PRODUCT capture) count against a reading, so "add two
   percent milk" reads as one product rather than two of an unknown "percent milk";
2. then more literal words, fewer stripped filler words (so "alexa speaker" stays one product), shorter
   custom captures (so numbers take "a dozen", not just "a"), fewer slots, and finally model order.

`approximate` is the recogniser's second chance: a word-level edit distance to every sample (slots as
spans that must resolve), for transcripts one or two words off, always returned as a guess.

Built-in numeric slots must parse or the reading is dropped; the catalog's slot types (PRODUCT, CATEGORY)
resolve like Alexa's entity resolution (ER_SUCCESS_MATCH sets `resolved_id`; no match keeps the raw words
for search to handle), and every other custom type is a closed list: words it does not name are no value,
so "tell me about delivery options" is not a policy called "delivery options".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import cycle, islice, pairwise
from typing import NamedTuple

import jellyfish
from rapidfuzz import fuzz

from catalog.text import digits_for_number_words, normalize, numbers_for, parse_number, stem
from intents.language import CATALOG_TYPES, InteractionModel, fill_sample, sample_slots
from intents.lexicon import Lexicon, load_lexicon
from intents.request import Slot

__all__ = ["Match", "approximate", "catalog_words", "expand_samples", "match", "rank", "resolve_value", "words_of"]

_LEXICON = load_lexicon()
ORDINALS: dict[str, int] = _LEXICON.ordinals
CONTRACTIONS: dict[str, tuple[str, ...]] = _LEXICON.contractions
"""Typed text spells these both ways ("what's", "what is"); both sides of a match expand them alike."""


def words_of(text: str) -> list[str]:
    """The words a sample or an utterance is matched on: normalised, contractions expanded."""
    out: list[str] = []
    for word in normalize(text).replace("$", " ").split():
        out += CONTRACTIONS.get(word, (word,))
    return out


LEADING_FILLERS: tuple[tuple[str, ...], ...] = _LEXICON.leading_fillers
TRAILING_FILLERS: tuple[tuple[str, ...], ...] = _LEXICON.trailing_fillers
ARTICLES = frozenset({"the", "a", "an", "some", "any"})
DEFAULT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.NUMBER": ("two", "a dozen", "fifteen"),
    "AMAZON.Ordinal": ("first", "second", "third", "last"),
    "AMAZON.FOUR_DIGIT_NUMBER": ("four two seven one", "forty two seventy one"),
}
MAX_WORDS = 40
"""No command is longer (the longest sample with a long product name is about 20 words): a pasted page
of text is no command, and matching it word by word against every sample kept the kiosk busy a minute."""
_SUFFIXED_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
_SPLIT_ORDINAL = re.compile(r"\b(\d+) (st|nd|rd|th)\b")
_DECIMAL = re.compile(r"\d*[.,/]\d+")


@dataclass(frozen=True)
class Match:
    """The intent a text means, its slots as a channel would send them, and how fully the sample explains it."""

    intent: str
    slots: dict[str, Slot]
    score: float
    """1.0 when every word is a literal of the sample or a recognised slot value; less for unresolved words."""
    sample: str = ""
    """The sample utterance that matched, for logs and tests."""
    skipped: tuple[str, ...] = ()
    """Heard words an approximate reading found no place for (always empty for an exact match)."""

    @property
    def said(self) -> str:
        """The sample with its slots as heard: what to read back when asking "Did you say ...?" of a guess."""
        return fill_sample(self.sample, {name: slot.value or "" for name, slot in self.slots.items()})


@dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    parts: tuple[tuple[bool, str], ...]
    """(is_slot, word or slot name) in order."""
    literals: frozenset[str]
    literal_count: int
    slot_types: dict[str, str]
    order: int
    stems: tuple[str, ...] = ()
    """`stem` of each part's word (a slot's name stemmed too, never used), so alignment need not stem them again."""
    filled_types: frozenset[str] = frozenset()
    """The slot types of the slots this sample holds (`slot_types` names every slot of its intent)."""


@dataclass(frozen=True)
class _Compiled:
    samples: tuple[_Sample, ...]
    lookup: dict[str, dict[str, str]]
    """Per custom type: folded phrase to value id."""
    leading: tuple[tuple[str, ...], ...]
    """Filler to strip at the start, with the model's own "ask <invocation name> to"."""
    lexicon: Lexicon
    """The model's language: its number words, ordinals, fillers and articles."""
    by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Sample positions by each sample's rarest literal: a sample can match only if that word was heard."""
    unkeyed: tuple[int, ...] = ()
    """Positions of the samples without literals ("{product}"), tried on every utterance."""
    by_literal: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Sample positions by every literal word they hold: the samples an approximate reading may align."""
    approximations: dict[tuple[str, frozenset[str] | None, int], Match | None] = field(default_factory=dict)
    """`approximate`'s answers for this model, by text, intents allowed and evidence asked (`APPROXIMATIONS_KEPT`)."""

    def heard_samples(self, present: set[str]) -> Iterator[_Sample]:
        """The samples whose rarest literal is among the words, in model order (ties rank as before).

        An index instead of a scan of every sample per utterance: the scan was most of a match's time
        (~0.3 ms of samples a call, 68 s for the test that matches all 223k filled samples).
        """
        positions = set(self.unkeyed)
        for word in present:
            positions.update(self.by_key.get(word, ()))
        return (self.samples[at] for at in sorted(positions))


def _sample_index(samples: Sequence[_Sample]) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Each sample under its rarest literal (a word in few samples prunes most), and those with none."""
    counts = Counter(word for sample in samples for word in sample.literals)
    by_key: dict[str, list[int]] = {}
    unkeyed: list[int] = []
    for at, sample in enumerate(samples):
        if not sample.literals:
            unkeyed.append(at)
            continue
        key = min(sorted(sample.literals), key=lambda word: counts[word])
        by_key.setdefault(key, []).append(at)
    return {word: tuple(ats) for word, ats in by_key.items()}, tuple(unkeyed)


_CACHE: dict[int, tuple[InteractionModel, _Compiled]] = {}


def _fold(words: str) -> str:
    """The key entity resolution compares: normalised, contractions expanded, numbers as digits, plurals folded."""
    return " ".join(stem(word) for word in digits_for_number_words(words_of(words)))


def _compile_sample(intent: str, sample: str, slot_types: dict[str, str], order: int) -> _Sample:
    parts: list[tuple[bool, str]] = []
    for chunk in re.split(r"(\{[A-Za-z0-9_]+\})", sample):
        if chunk.startswith("{") and chunk.endswith("}"):
            parts.append((True, chunk[1:-1]))
        else:
            parts += [(False, word) for word in words_of(chunk)]
    literals = [word for is_slot, word in parts if not is_slot]
    stems = tuple(stem(word) for _is_slot, word in parts)
    filled = frozenset(slot_types[word] for is_slot, word in parts if is_slot)
    return _Sample(intent, sample, tuple(parts), frozenset(literals), len(literals), slot_types, order, stems, filled)


def _compile(model: InteractionModel) -> _Compiled:
    """Samples as word patterns and custom types as lookup tables, built once per model object."""
    cached = _CACHE.get(id(model))
    if cached is not None and cached[0] is model:
        return cached[1]
    samples = []
    for intent in model.intents.values():
        for sample in intent.samples:
            samples.append(_compile_sample(intent.name, sample, intent.slots, len(samples)))
    lookup: dict[str, dict[str, str]] = {}
    for slot_type in model.types.values():
        table: dict[str, str] = {}
        for value in slot_type.values:  # values first, so a value beats another value's synonym
            table.setdefault(_fold(value.value), value.id)
        for value in slot_type.values:
            for synonym in value.synonyms:
                table.setdefault(_fold(synonym), value.id)
        lookup[slot_type.name] = table
    lexicon = load_lexicon(model.locale)
    invocation = tuple(words_of(model.invocation_name))
    asks = [tuple(words_of(verb)) for verb in lexicon.launch_ask]
    leading = (
        *((*ask, *invocation, "to") for ask in asks),
        ("tell", *invocation, "to"),
        *((*ask, *invocation) for ask in asks),
        *lexicon.leading_fillers,
    )
    by_key, unkeyed = _sample_index(samples)
    by_literal: dict[str, list[int]] = {}
    for at, compiled_sample in enumerate(samples):
        for word in compiled_sample.literals:
            by_literal.setdefault(word, []).append(at)
    literal_index = {word: tuple(ats) for word, ats in by_literal.items()}
    compiled = _Compiled(tuple(samples), lookup, leading, lexicon, by_key, unkeyed, literal_index)
    _CACHE[id(model)] = (model, compiled)
    return compiled


def _digit_string(words: list[str], lexicon: Lexicon = _LEXICON) -> str | None:
    """Read digits spoken one or two at a time ("four two seven one", "forty two seventy one")."""
    zeros = ("oh", "o", *(word for word, value in numbers_for(lexicon.locale).units.items() if value == 0))
    words = ["0" if word in zeros else word for word in words]
    repeated: list[str] = []  # "three five double seven" is 3577
    for word in words:
        if repeated and repeated[-1] in lexicon.digit_repeats:
            repeated[-1:] = [word] * lexicon.digit_repeats[repeated[-1]]
        else:
            repeated.append(word)
    words = repeated
    folded = digits_for_number_words(words, lexicon.locale)
    return "".join(folded) if folded and all(word.isdigit() for word in folded) else None


def _spoken(words: list[str]) -> str:
    """The slot value as heard, with "2 nd" (split apart by `normalize`) written back as "2nd"."""
    return _SPLIT_ORDINAL.sub(r"\1\2", " ".join(words))


def _broken_number(words: list[str], lexicon: Lexicon = _LEXICON) -> bool:
    """Number words with a fraction or a decimal point in them, and nothing else ("two and a half")."""
    fraction = any(word in lexicon.fractions or _DECIMAL.fullmatch(word) for word in words)
    numberish = all(
        word in lexicon.fractions
        or _DECIMAL.fullmatch(word)
        or word.isdigit()
        or word in ("a", "an", "and")
        or parse_number(word, lexicon.locale) is not None
        for word in words
    )
    return fraction and numberish


def _parse_count(words: list[str], homophones: bool, lexicon: Lexicon = _LEXICON) -> str | None:
    """A quantity's resolved id: digits ("-2" for "minus two"), "?" for a vague or broken one, else None.

    "to", "too" and "for" are numbers only when `homophones` allows it (an approximate reading of speech,
    always asked back): typed "i want to get some cheerios" wants cheerios, not two of "get some cheerios".
    """
    if not homophones and len(words) == 1 and words[0] in lexicon.homophones:
        return None
    if tuple(words) in lexicon.vague:
        return "?"
    sign = ""
    if len(words) > 1 and words[0] in lexicon.negative:
        sign, words = "-", words[1:]
    number = parse_number(" ".join(words), lexicon.locale)
    if number is None and _broken_number(words, lexicon):
        return "?"  # "two and a half", "three point five", "2.5": a quantity, but no whole one: asked again
    if number is None:
        digits = _digit_string(words, lexicon)
        return None if digits is None else sign + digits
    return f"{sign}{number}"


def _parse_builtin(
    slot_type: str, words: list[str], homophones: bool = False, lexicon: Lexicon = _LEXICON
) -> str | None:
    """The resolved id of a built-in slot value, or None when the words are not one."""
    if slot_type == "AMAZON.Ordinal":
        text = "".join(words) if len(words) == 2 and words[0].isdigit() else " ".join(words)
        if text in lexicon.ordinals:
            return str(lexicon.ordinals[text])
        suffixed = _SUFFIXED_ORDINAL.match(text)
        return suffixed.group(1) if suffixed and int(suffixed.group(1)) > 0 else None
    if slot_type == "AMAZON.NUMBER":
        return _parse_count(words, homophones, lexicon)
    number = parse_number(" ".join(words), lexicon.locale) if words[0] not in ("a", "an") else None
    if number is not None and number >= 1000:
        return str(number)
    return _digit_string(words, lexicon)


def _resolve(compiled: _Compiled, slot_type: str, words: list[str]) -> str | None:
    """Entity resolution for a custom slot: the value id its words name, ignoring a leading article."""
    table = compiled.lookup.get(slot_type, {})
    found = table.get(_fold(" ".join(words)))
    if found is None and len(words) > 1 and (words[0],) in compiled.lexicon.articles:
        found = table.get(_fold(" ".join(words[1:])))
    return found


def resolve_value(model: InteractionModel, slot_type: str, words: Sequence[str]) -> str | None:
    """Entity resolution of words for a custom slot type (the id Alexa would send), None when none matches."""
    return _resolve(_compile(model), slot_type, list(words)) if words else None


_VOCABULARY: dict[int, tuple[InteractionModel, frozenset[str]]] = {}


def catalog_words(model: InteractionModel) -> frozenset[str]:
    """Every word the model's products and categories are named with (folded), short function words aside.

    A bare "chobani" or "cleaning supplies" is made of these; "pass the salt" and "good morning" are not.
    """
    cached = _VOCABULARY.get(id(model))
    if cached is not None and cached[0] is model:
        return cached[1]
    words: set[str] = set()
    for name in ("PRODUCT", "CATEGORY"):
        slot_type = model.types.get(name)
        for value in slot_type.values if slot_type else ():
            for phrase in value.phrases:
                words.update(stem(word) for word in words_of(phrase) if len(word) > 2 and not word.isdigit())
    vocabulary = frozenset(words - {stem(word) for word in LIGHT_WORDS})
    _VOCABULARY[id(model)] = (model, vocabulary)
    return vocabulary


def _splits(parts: tuple[tuple[bool, str], ...], tokens: list[str]) -> Iterator[list[tuple[str, int, int]]]:
    """Every way the tokens fit the sample: one (slot, start, end) per slot, each at least one word."""
    count = len(tokens)

    def walk(part: int, at: int, taken: list[tuple[str, int, int]]) -> Iterator[list[tuple[str, int, int]]]:
        if part == len(parts):
            if at == count:
                yield taken
            return
        is_slot, word = parts[part]
        if not is_slot:
            if at < count and tokens[at] == word:
                yield from walk(part + 1, at + 1, taken)
            return
        following = parts[part + 1] if part + 1 < len(parts) else None
        for end in range(at + 1, count - (len(parts) - part - 1) + 1):
            if following is not None and not following[0] and tokens[end] != following[1]:
                continue
            yield from walk(part + 1, end, [*taken, (word, at, end)])

    yield from walk(0, 0, [])


def _candidates(
    compiled: _Compiled, tokens: list[str], stripped: int, wanted: Collection[str] | None
) -> Iterator[tuple[tuple[float, ...], Match]]:
    """Every reading of the tokens, with its sort key (higher is better)."""
    present = set(tokens)
    for sample in compiled.heard_samples(present):
        if (wanted is not None and sample.intent not in wanted) or not sample.literals <= present:
            continue
        if len(sample.parts) > len(tokens):
            continue
        for split in _splits(sample.parts, tokens):
            slots: dict[str, Slot] = {}
            unexplained = custom_words = 0
            for name, start, end in split:
                words = tokens[start:end]
                slot_type = sample.slot_types[name]
                if slot_type.startswith("AMAZON."):
                    resolved = _parse_builtin(slot_type, words, lexicon=compiled.lexicon)
                    if resolved is None or (resolved == "?" and not name.startswith("quantity")):
                        break  # only a count is asked again; "under 2.50 dollars" stays words for search
                else:
                    resolved = _resolve(compiled, slot_type, words)
                    if resolved is None and slot_type not in CATALOG_TYPES and not _open_word(slot_type, words):
                        break  # "tell me about {policy}" is no reading of "tell me about delivery options"
                    custom_words += len(words)
                    unexplained += 0 if resolved is not None else len(words)
                slots[name] = Slot(name=name, value=_spoken(words), resolved_id=resolved)
            else:
                if unexplained and not sample.literals:
                    continue  # a bare "{product}" sample reads only a name the shop knows, not any sentence
                score = (len(tokens) - unexplained / 2) / len(tokens)
                key = (-unexplained, sample.literal_count, -stripped, -custom_words, -len(split), -sample.order)
                yield key, Match(sample.intent, slots, round(score, 3), sample.text)


OPEN_WORD_TYPES = frozenset({"ORDER_WORD"})
"""Closed types that still take one word they do not list: an order's word as the shopper remembers it
("order 4040 hill"), so the shop can say it has no such order instead of "Sorry, I didn't catch that"."""


def _open_word(slot_type: str, words: list[str]) -> bool:
    """One plain word for a type that takes words it does not list (`OPEN_WORD_TYPES`)."""
    return slot_type in OPEN_WORD_TYPES and len(words) == 1 and words[0].isalpha() and words[0] not in LIGHT_WORDS


def _variants(
    tokens: list[str], leading: Sequence[tuple[str, ...]], trailing: Sequence[tuple[str, ...]] = TRAILING_FILLERS
) -> Iterator[tuple[list[str], int]]:
    """The words as heard, without polite or hesitant filler at the end, and without it at either end.

    The end alone matters where a filler is the command itself: "okay please" is "okay" (yes), but
    stripping both ends would leave just "please". Every step on the way is a variant too, since a filler
    word can be the command's own last word: "not now please" is "not now", not "not".
    """
    yield tokens, 0
    seen = {(0, len(tokens))}
    for strip_leading in (False, True):
        start, end = 0, len(tokens)
        changed = True
        while changed:
            changed = False
            steps = []
            for filler in leading if strip_leading else ():
                if tuple(tokens[start : start + len(filler)]) == filler and start + len(filler) < end:
                    start, changed = start + len(filler), True
                    steps.append((start, end))
            for filler in trailing:
                if end - len(filler) > start and tuple(tokens[end - len(filler) : end]) == filler:
                    end, changed = end - len(filler), True
                    steps.append((start, end))
            for step in steps:
                if step not in seen:
                    seen.add(step)
                    yield tokens[step[0] : step[1]], len(tokens) - (step[1] - step[0])


def rank(text: str, model: InteractionModel, *, intents: Collection[str] | None = None, limit: int = 5) -> list[Match]:
    """The best readings of a text, best first, one per intent (for channels that weigh context)."""
    tokens = words_of(text)
    if not tokens or len(tokens) > MAX_WORDS:
        return []
    compiled = _compile(model)
    best: dict[str, tuple[tuple[float, ...], Match]] = {}
    for variant, stripped in _variants(tokens, compiled.leading, compiled.lexicon.trailing_fillers):
        for key, found in _candidates(compiled, variant, stripped, intents):
            if found.intent not in best or key > best[found.intent][0]:
                best[found.intent] = (key, found)
    ordered = sorted(best.values(), key=lambda pair: pair[0], reverse=True)
    return [found for _, found in ordered[:limit]]


def match(text: str, model: InteractionModel, *, intents: Collection[str] | None = None) -> Match | None:
    """The intent and slots a text means, or None when no sample fits (the caller's FallbackIntent)."""
    found = rank(text, model, intents=intents, limit=1)
    return found[0] if found else None


MAX_SLOT_WORDS = 8
"""The longest slot value an approximate reading tries (product names run to six or seven words)."""
MAX_COST = 4
"""The most an approximate reading may differ by, in half edits: two words (see `_near_enough`)."""
LIGHT_WORDS = frozenset({
    "a", "an", "the", "to", "it", "is", "are", "am", "be", "of", "for", "in", "on", "at", "and", "that", "this",
    "those", "them", "do", "does", "did", "have", "has", "my", "your", "by", "with", "from", "i", "you",
})  # fmt: skip
"""Short function words recognisers drop, add and swap for each other most: an edit on them costs half."""
ALIKE_RATIO = 60.0
"""rapidfuzz ratio (0..100) of two words, or of their Metaphone keys (`ALIKE_SOUND`), that makes them sound-alikes."""
ALIKE_SOUND = 67.0


class _Reading(NamedTuple):
    """An approximate reading's running totals; as a tuple it sorts by lower cost, then more evidence."""

    cost: int
    """Half edits: a word heard wrong, missed or extra costs 2, or 1 when it is a `LIGHT_WORDS` word."""
    against: int
    """Minus the evidence: every word the sample explains (its literals heard as such, resolved slot words)."""
    literals: int
    """The sample's own words heard as such (a plural for a singular counts)."""
    slots: tuple[tuple[str, int, int], ...]
    """(slot name, start, end) per slot filled, and ("", j, j + 1) per heard word the sample has no place for."""

    @property
    def evidence(self) -> int:
        """Every word the sample explains."""
        return -self.against


def _slot_reading(
    compiled: _Compiled, slot_type: str, words: list[str], cache: dict[tuple[str, str], str | None]
) -> str | None:
    """The resolved id of a slot value, cached per utterance: approximate readings try every span."""
    key = (slot_type, " ".join(words))
    if key not in cache:
        if slot_type.startswith("AMAZON."):
            cache[key] = _parse_builtin(slot_type, words, homophones=True, lexicon=compiled.lexicon)
        else:
            cache[key] = _resolve(compiled, slot_type, words)
    return cache[key]


def _align(
    compiled: _Compiled, sample: _Sample, tokens: list[str], cache: dict[tuple[str, str], str | None]
) -> _Reading | None:
    """The cheapest word alignment of the tokens to the sample (edit distance with slots as spans).

    A literal word heard as another word, missed, or an extra word heard costs an edit (`_weight`,
    `_swap_cost`); "checkout" heard for "check out" (or the reverse) costs none. A slot must take a span
    its type resolves (a number that parses, a catalog value by name or synonym): a reading with an
    unknown product is no reading here, since approximate matching exists to recover commands over things
    the shop knows. Plain tuples, not objects: this runs for hundreds of samples per utterance.
    """
    parts = sample.parts
    n, p = len(tokens), len(parts)
    stems = [stem(token) for token in tokens]
    light = compiled.lexicon.light_words or LIGHT_WORDS
    best: dict[tuple[int, int], _Reading] = {(0, 0): _Reading(0, 0, 0, ())}

    def offer(state: tuple[int, int], cost: int, explained: int, literals: int, slots: tuple) -> None:
        if cost > MAX_COST:
            return
        reading = _Reading(cost, -explained, literals, slots)
        held = best.get(state)
        if held is None or reading[:2] < held[:2]:
            best[state] = reading

    for i in range(p + 1):
        for j in range(n + 1):
            here = best.get((i, j))
            if here is None:
                continue
            cost, explained, literals, slots = here.cost, here.evidence, here.literals, here.slots
            if j < n:  # a word heard that the sample does not have
                offer((i, j + 1), cost + _weight(tokens[j], light), explained, literals, (*slots, ("", j, j + 1)))
            if i == p:
                continue
            is_slot, word = parts[i]
            if not is_slot:
                offer(
                    (i + 1, j), cost + _weight(word, light), explained, literals, slots
                )  # a word of the sample not heard
                if j < n:
                    if tokens[j] == word or stems[j] == sample.stems[i]:
                        offer((i + 1, j + 1), cost, explained + 1, literals + 1, slots)
                    else:
                        offer((i + 1, j + 1), cost + _swap_cost(word, tokens[j], light), explained, literals, slots)
                    if i + 1 < p and not parts[i + 1][0] and tokens[j] == word + parts[i + 1][1]:
                        offer((i + 2, j + 1), cost, explained + 2, literals + 2, slots)
                    if j + 1 < n and tokens[j] + tokens[j + 1] == word:
                        offer((i + 1, j + 2), cost, explained + 1, literals + 1, slots)
                continue
            for end in range(j + 1, min(n, j + MAX_SLOT_WORDS) + 1):
                if _slot_reading(compiled, sample.slot_types[word], tokens[j:end], cache) is not None:
                    offer((i + 1, end), cost, explained + end - j, literals, (*slots, (word, j, end)))
    return best.get((p, n))


def approximate(
    text: str, model: InteractionModel, *, intents: Collection[str] | None = None, min_evidence: int = 2
) -> Match | None:
    """The nearest sample to a text no sample fits exactly, when few enough words differ.

    For transcripts, not typed text: a recogniser that hears "i want to my diced tomatoes" or "what did in
    my cart" has mostly heard a command. A reading may differ by one word when at least two words agree
    (a sample's literal words or resolved slot values), by two when at least five do; more, or less
    evidence, is no reading at all, so speech meant for someone else stays unmatched. The score is below
    1.0, so a channel treats the result as a guess (the kiosk asks "Did you say ...?" before changing the
    shop). Ties go to the reading with more evidence, then to model order.
    """
    compiled = _compile(model)
    if _may_hold_a_secret(words_of(text), compiled.lexicon):
        return _approximate(compiled, text, intents, min_evidence)
    key = (text, None if intents is None else frozenset(intents), min_evidence)
    if key in compiled.approximations:
        return compiled.approximations[key]
    found = _approximate(compiled, text, intents, min_evidence)
    if len(compiled.approximations) >= APPROXIMATIONS_KEPT:
        del compiled.approximations[next(iter(compiled.approximations))]  # the oldest
    compiled.approximations[key] = found
    return found


def _may_hold_a_secret(tokens: list[str], lexicon: Lexicon) -> bool:
    """Whether a text says three or more digits or number words: a code, a customer or order number.

    Words heard for numbers ("for", "too") count too.

    Such a text is never kept among `approximate`'s answers: a shared kiosk's process outlives each shopper,
    and a spoken code must not stay in memory after its turn. A quantity ("two dozen eggs") is kept.
    """
    said = sum(
        len(t) if t.isdigit() else 1
        for t in tokens
        if t.isdigit() or t in lexicon.homophones or parse_number(t, lexicon.locale) is not None
    )
    return said >= 3


APPROXIMATIONS_KEPT = 256
"""How many of `approximate`'s answers each model keeps. A kiosk utterance reads the same words more than
once (its top transcript again when the n-best list is weighed, n-best alternatives that restore to the
same words), and each approximate reading costs milliseconds; the answers depend on the model (kept per
model, so a new catalog starts afresh), the text, the intents allowed and the evidence asked, nothing else."""


def _approximate(compiled: _Compiled, text: str, intents: Collection[str] | None, min_evidence: int) -> Match | None:
    """`approximate` itself, uncached."""
    tokens = words_of(text)
    if not tokens or len(tokens) > MAX_WORDS:
        return None
    light = compiled.lexicon.light_words or LIGHT_WORDS
    found: tuple[tuple[int, int, int], Match] | None = None
    cache: dict[tuple[str, str], str | None] = {}  # a slot reading depends on its words alone, not the variant
    for variant, _stripped in _variants(tokens, compiled.leading, compiled.lexicon.trailing_fillers):
        heard = {*variant, *map(stem, variant), *(a + b for a, b in pairwise(variant))}
        present = _heard_literals(compiled, heard)
        fillable = _fillable(compiled, variant, cache)
        for sample in _overlapping(compiled, present):
            if intents is not None and sample.intent not in intents:
                continue
            floor = _floor(sample, present, light)
            if floor > MAX_COST or (
                len(sample.parts) == sample.literal_count and abs(sample.literal_count - len(variant)) > MAX_COST + 1
            ):
                continue
            if not all(fillable(slot_type) for slot_type in sample.filled_types):
                continue  # a slot no span of the words fills: `_align` would find no reading
            reading = _align(compiled, sample, variant, cache)
            if reading is None or not _near_enough(reading, min_evidence):
                continue
            key = (reading.cost, -reading.evidence, sample.order)
            if found is None or key < found[0]:
                slots = {
                    name: Slot(
                        name=name,
                        value=_spoken(variant[start:end]),
                        resolved_id=_slot_reading(compiled, sample.slot_types[name], variant[start:end], cache),
                    )
                    for name, start, end in reading.slots
                    if name
                }
                skipped = tuple(variant[start] for name, start, _end in reading.slots if not name)
                score = round(reading.evidence / (reading.evidence + reading.cost / 2 + 1), 3)
                found = key, Match(sample.intent, slots, min(score, 0.99), sample.text, skipped)
    return found[1] if found else None


def _fillable(
    compiled: _Compiled, tokens: list[str], cache: dict[tuple[str, str], str | None]
) -> Callable[[str], bool]:
    """Whether some span of the tokens (as `_align` tries them) fills a slot of a type, decided once per type.

    A sample with a slot no span fills has no alignment, so it is not aligned: for a transcript naming no
    product, that is every sample with a product in it.
    """
    known: dict[str, bool] = {}

    def fillable(slot_type: str) -> bool:
        if slot_type not in known:
            known[slot_type] = any(
                _slot_reading(compiled, slot_type, tokens[start:end], cache) is not None
                for start in range(len(tokens))
                for end in range(start + 1, min(len(tokens), start + MAX_SLOT_WORDS) + 1)
            )
        return known[slot_type]

    return fillable


def _heard_literals(compiled: _Compiled, heard: set[str]) -> frozenset[str]:
    """The samples' literal words that were heard: as such, as a plural, or inside a heard compound.

    Decided once per word of the model's vocabulary rather than once per word of every sample: the
    per-sample test was half of an approximate reading's time, and most literals recur in many samples.
    """
    return frozenset(
        word
        for word in compiled.by_literal
        if word in heard or stem(word) in heard or any(word in token and word != token for token in heard)
    )


def _overlapping(compiled: _Compiled, present: frozenset[str]) -> Iterator[_Sample]:
    """The samples with at least one heard literal, in model order: no other sample is aligned at all.

    Most samples share no word with a transcript; the index (`_Compiled.by_literal`) skips them without
    a look, which keeps approximate matching within a few milliseconds.
    """
    positions: set[int] = set()
    for word in present:
        positions.update(compiled.by_literal[word])
    return (compiled.samples[at] for at in sorted(positions))


def _floor(sample: _Sample, present: frozenset[str], light: frozenset[str] = LIGHT_WORDS) -> int:
    """The least a sample's unheard literal words cost: more than `MAX_COST`, and it is not aligned."""
    return sum(_weight(word, light) for word in sample.literals if word not in present)


def _weight(word: str, light: frozenset[str] = LIGHT_WORDS) -> int:
    """What missing a word or hearing an extra one costs, in half edits (`light` words cost half)."""
    return 1 if word in light else 2


@lru_cache(maxsize=4096)
def _swap_cost(said: str, heard: str, light: frozenset[str] = LIGHT_WORDS) -> int:
    """What hearing one word as another costs, in half edits.

    Recognisers swap words that sound alike ("my"/"mike", "say"/"same", "pay"/"play"); a swap between
    words that do not ("next" for "previous", "drop" for "got") is more likely a different command than a
    mishearing, so it costs as much as a missed word plus an extra one.
    """
    if said in light and heard in light:
        return 1
    if said in light or heard in light or fuzz.ratio(said, heard) >= ALIKE_RATIO:
        return 2
    sounds = jellyfish.metaphone(said), jellyfish.metaphone(heard)
    return 2 if all(sounds) and fuzz.ratio(*sounds) >= ALIKE_SOUND else 4


def _near_enough(reading: _Reading, min_evidence: int = 2) -> bool:
    """One edit needs two words of evidence (or `min_evidence`), two edits five; never more than two.

    At least one of the sample's own words must be heard: a slot value alone ("pass the salt" as "find
    the salt") is a word the shop knows inside someone else's sentence, not a command.
    """
    if reading.literals < 1:
        return False
    return (reading.cost <= 2 and reading.evidence >= min_evidence) or (
        reading.cost <= MAX_COST and reading.evidence >= 5
    )


def _examples(
    model: InteractionModel, slot: str, slot_type: str, values_per_slot: Mapping[str, Sequence[str]] | None
) -> Sequence[str]:
    """Example values for a slot: the caller's (by slot name, then type), else the type's own phrases."""
    if values_per_slot is not None:
        for key in (slot, slot_type):
            if values_per_slot.get(key):
                return values_per_slot[key]
    examples = load_lexicon(model.locale).slot_examples
    if slot_type in examples:
        return examples[slot_type]
    if slot_type in DEFAULT_EXAMPLES:
        return DEFAULT_EXAMPLES[slot_type]
    known = model.types.get(slot_type)
    phrases = [phrase for value in known.values for phrase in value.phrases] if known else []
    return phrases or [slot.replace("_", " ")]


def expand_samples(
    model: InteractionModel, values_per_slot: Mapping[str, Sequence[str]] | None = None
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Every sample with its slots filled: (intent, text, slot values), each example value used at least once.

    A sample yields as many texts as its slot with the most examples has values, the other slots cycling
    through theirs, so every value appears without multiplying slot lists together.
    """
    for intent in model.intents.values():
        for sample in intent.samples:
            names = sample_slots(sample)
            if not names:
                yield intent.name, sample.lower(), {}
                continue
            pools = {name: _examples(model, name, intent.slots[name], values_per_slot) for name in names}
            rounds = max(len(pool) for pool in pools.values())
            streams = {name: islice(cycle(pool), rounds) for name, pool in pools.items()}
            for _ in range(rounds):
                values = {name: next(stream) for name, stream in streams.items()}
                yield intent.name, fill_sample(sample, values), values
