"""Match typed or recognised text back to an intent and its slots, against the model's own samples.

This is what hassil's `recognize` does for Home Assistant, on the ASK JSON instead of a second template
set (STYLE.md section 2): the kiosk's Vosk grammar only constrains words, so every transcript is matched
again here, and the simulator and tests type text straight in. Each sample compiles once per model into
literal words and slot captures; an utterance is tried against every sample whose literal words it
contains, and every way of splitting the remaining words into the slots is scored:

1. words no slot value explains (an unresolved PRODUCT capture) count against a reading, so "add two
   percent milk" reads as one product rather than two of an unknown "percent milk";
2. then more literal words, shorter custom captures (so numbers take "a dozen", not just "a"), fewer
   slots, fewer stripped filler words, and finally model order.

Built-in numeric slots must parse or the reading is dropped; custom slots resolve like Alexa's entity
resolution (ER_SUCCESS_MATCH sets `resolved_id`; no match keeps the raw words for search to handle).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import cycle, islice

from catalog.text import digits_for_number_words, normalize, parse_number, stem
from intents.language import InteractionModel, sample_slots
from intents.request import Slot

__all__ = ["Match", "expand_samples", "match", "rank", "words_of"]

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1, "final": -1,
}  # fmt: skip
CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "whats": ("what", "is"), "wheres": ("where", "is"), "thats": ("that", "is"),
    "im": ("i", "am"), "ill": ("i", "will"), "id": ("i", "would"), "dont": ("do", "not"),
    "doesnt": ("does", "not"), "cant": ("can", "not"), "cannot": ("can", "not"), "hows": ("how", "is"),
}  # fmt: skip
"""Typed text spells these both ways ("what's", "what is"); both sides of a match expand them alike."""


def words_of(text: str) -> list[str]:
    """The words a sample or an utterance is matched on: normalised, contractions expanded."""
    out: list[str] = []
    for word in normalize(text).replace("$", " ").split():
        out += CONTRACTIONS.get(word, (word,))
    return out


LEADING_FILLERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(words_of(phrase))
    for phrase in (
        "alexa", "please", "um", "uh", "er", "erm", "hmm", "can you", "could you", "would you", "will you",
        "i'd like to", "i would like to", "i'd like", "hey",
    )
)  # fmt: skip
TRAILING_FILLERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(words_of(phrase)) for phrase in ("please", "thank you", "thanks", "alexa", "um", "uh")
)
ARTICLES = frozenset({"the", "a", "an", "some", "any"})
DEFAULT_EXAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.NUMBER": ("two", "a dozen", "fifteen"),
    "AMAZON.Ordinal": ("first", "second", "third", "last"),
    "AMAZON.FOUR_DIGIT_NUMBER": ("four two seven one", "forty two seventy one"),
}
_SUFFIXED_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
_SPLIT_ORDINAL = re.compile(r"\b(\d+) (st|nd|rd|th)\b")


@dataclass(frozen=True)
class Match:
    """The intent a text means, its slots as a channel would send them, and how fully the sample explains it."""

    intent: str
    slots: dict[str, Slot]
    score: float
    """1.0 when every word is a literal of the sample or a recognised slot value; less for unresolved words."""
    sample: str = ""
    """The sample utterance that matched, for logs and tests."""


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


@dataclass(frozen=True)
class _Compiled:
    samples: tuple[_Sample, ...]
    lookup: dict[str, dict[str, str]]
    """Per custom type: folded phrase to value id."""
    leading: tuple[tuple[str, ...], ...]
    """Filler to strip at the start, with the model's own "ask <invocation name> to"."""


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
    return _Sample(intent, sample, tuple(parts), frozenset(literals), len(literals), slot_types, order)


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
    invocation = tuple(words_of(model.invocation_name))
    leading = (("ask", *invocation, "to"), ("tell", *invocation, "to"), ("ask", *invocation), *LEADING_FILLERS)
    compiled = _Compiled(tuple(samples), lookup, leading)
    _CACHE[id(model)] = (model, compiled)
    return compiled


def _digit_string(words: list[str]) -> str | None:
    """Read digits spoken one or two at a time ("four two seven one", "forty two seventy one")."""
    words = ["0" if word in ("oh", "o", "zero") else word for word in words]
    folded = digits_for_number_words(words)
    return "".join(folded) if folded and all(word.isdigit() for word in folded) else None


def _spoken(words: list[str]) -> str:
    """The slot value as heard, with "2 nd" (split apart by `normalize`) written back as "2nd"."""
    return _SPLIT_ORDINAL.sub(r"\1\2", " ".join(words))


def _parse_builtin(slot_type: str, words: list[str]) -> str | None:
    """The resolved id of a built-in slot value, or None when the words are not one."""
    if slot_type == "AMAZON.Ordinal":
        text = "".join(words) if len(words) == 2 and words[0].isdigit() else " ".join(words)
        if text in ORDINALS:
            return str(ORDINALS[text])
        suffixed = _SUFFIXED_ORDINAL.match(text)
        return suffixed.group(1) if suffixed and int(suffixed.group(1)) > 0 else None
    if slot_type == "AMAZON.NUMBER":
        number = parse_number(" ".join(words))
        return str(number) if number is not None else _digit_string(words)
    number = parse_number(" ".join(words)) if words[0] not in ("a", "an") else None
    if number is not None and number >= 1000:
        return str(number)
    return _digit_string(words)


def _resolve(compiled: _Compiled, slot_type: str, words: list[str]) -> str | None:
    """Entity resolution for a custom slot: the value id its words name, ignoring a leading article."""
    table = compiled.lookup.get(slot_type, {})
    found = table.get(_fold(" ".join(words)))
    if found is None and len(words) > 1 and words[0] in ARTICLES:
        found = table.get(_fold(" ".join(words[1:])))
    return found


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
    for sample in compiled.samples:
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
                    resolved = _parse_builtin(slot_type, words)
                    if resolved is None:
                        break
                else:
                    resolved = _resolve(compiled, slot_type, words)
                    custom_words += len(words)
                    unexplained += 0 if resolved is not None else len(words)
                slots[name] = Slot(name=name, value=_spoken(words), resolved_id=resolved)
            else:
                score = (len(tokens) - unexplained / 2) / len(tokens)
                key = (-unexplained, sample.literal_count, -custom_words, -len(split), -stripped, -sample.order)
                yield key, Match(sample.intent, slots, round(score, 3), sample.text)


def _variants(tokens: list[str], leading: Sequence[tuple[str, ...]]) -> Iterator[tuple[list[str], int]]:
    """The words as heard, and without polite or hesitant filler at either end."""
    yield tokens, 0
    start, end = 0, len(tokens)
    changed = True
    while changed:
        changed = False
        for filler in leading:
            if tuple(tokens[start : start + len(filler)]) == filler and start + len(filler) < end:
                start, changed = start + len(filler), True
        for filler in TRAILING_FILLERS:
            if end - len(filler) > start and tuple(tokens[end - len(filler) : end]) == filler:
                end, changed = end - len(filler), True
    if (start, end) != (0, len(tokens)):
        yield tokens[start:end], len(tokens) - (end - start)


def rank(text: str, model: InteractionModel, *, intents: Collection[str] | None = None, limit: int = 5) -> list[Match]:
    """The best readings of a text, best first, one per intent (for channels that weigh context)."""
    tokens = words_of(text)
    if not tokens:
        return []
    compiled = _compile(model)
    best: dict[str, tuple[tuple[float, ...], Match]] = {}
    for variant, stripped in _variants(tokens, compiled.leading):
        for key, found in _candidates(compiled, variant, stripped, intents):
            if found.intent not in best or key > best[found.intent][0]:
                best[found.intent] = (key, found)
    ordered = sorted(best.values(), key=lambda pair: pair[0], reverse=True)
    return [found for _, found in ordered[:limit]]


def match(text: str, model: InteractionModel, *, intents: Collection[str] | None = None) -> Match | None:
    """The intent and slots a text means, or None when no sample fits (the caller's FallbackIntent)."""
    found = rank(text, model, intents=intents, limit=1)
    return found[0] if found else None


def _examples(
    model: InteractionModel, slot: str, slot_type: str, values_per_slot: Mapping[str, Sequence[str]] | None
) -> Sequence[str]:
    """Example values for a slot: the caller's (by slot name, then type), else the type's own phrases."""
    if values_per_slot is not None:
        for key in (slot, slot_type):
            if values_per_slot.get(key):
                return values_per_slot[key]
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
                text = sample
                for name, value in values.items():
                    text = text.replace("{" + name + "}", value)
                yield intent.name, text.lower(), values
