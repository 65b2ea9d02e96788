"""The one reading of a spoken quantity: a whole number, or a clear "how many?" (issue 11).

Alexa's AMAZON.NUMBER sends digits ("2", "-2", "2.5") and "?" when it is unsure; the kiosk's matcher
sends words ("minus two", "a million"). `catalog.text.parse_number` reads number words for search, where
punctuation is noise, so it folds "-1" into 1 and has no reading for "2.5" or "NaN"; the handlers took
that None for "no quantity said" and added 1. Here a quantity is either absent (nothing was said), a
whole number of any sign or size (the shop's own rule then refuses 0, negatives and too many, naming its
limits), or unreadable, which raises `UnreadableQuantity`: the customer is asked again, nothing changes.

A product sold in packs ("dozen", "12 pack cans", "bunch of 6") has a `pack_size`: a count that is a whole
number of packs ("twelve eggs" of eggs sold by the dozen) may mean items or packs, and the handlers ask;
a pack word said with the count ("a dozen eggs", `unit_in`) means items, so it is read as packs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.errors import VoiceshopError
from catalog.text import normalize, parse_number
from intents.lexicon import Lexicon, load_lexicon

__all__ = ["UnreadableQuantity", "pack_size", "parse_quantity", "unit_in"]

_SIGNED_DIGITS = re.compile(r"[+-]?\d+")
_FOLDED = re.compile(r"[+\-.]")


@dataclass
class UnreadableQuantity(VoiceshopError):
    """Words were heard for a quantity but are no whole number ("2.5", "NaN", "?")."""

    heard: str


def parse_quantity(heard: str, locale: str = "en-US") -> int:
    """Read a quantity slot's value as a whole number; raise `UnreadableQuantity` when it is none.

    Words are read in the locale's language ("dos", "un par" in es-US); Alexa itself sends digits.
    """
    text = " ".join(heard.lower().replace(",", "").split())
    if _SIGNED_DIGITS.fullmatch(text):
        return int(text)
    lexicon = load_lexicon(locale)
    words = [word for word in (normalize(w) if not _FOLDED.search(w) else w for w in text.split()) if word]
    sign = 1
    if words and words[0] in lexicon.negative:
        sign, words = -1, words[1:]
    number: int | None = None
    if _FOLDED.search(" ".join(words)):
        pass  # a sign or decimal point left among words: `parse_number` would fold it away
    elif words and words[-1] in lexicon.large_scales:
        count = parse_number(" ".join(words[:-1]), locale) if len(words) > 1 else 1
        number = None if count is None else count * lexicon.large_scales[words[-1]]
    elif words:
        number = parse_number(" ".join(words), locale)
    if number is None:
        raise UnreadableQuantity(heard)
    return sign * number


def _count_word(word: str) -> int | None:
    """One word of a size as a whole number ("12", "six"), else None."""
    if word.isdigit():
        return int(word)
    number = parse_number(word) if word not in ("a", "an") else None
    return number if number is not None and number > 1 else None


def pack_size(size: str | None, lexicon: Lexicon | None = None) -> int | None:
    """How many items one unit of a product holds, read from its size ("dozen" 12, "4 pack" 4); None for one."""
    if not size:
        return None
    lexicon = lexicon or load_lexicon()
    words = normalize(size).split()
    unit = unit_in(size, lexicon)
    if unit is not None:
        return unit
    for at, word in enumerate(words):
        count = _count_word(word)
        if count is None:
            continue
        if at + 1 < len(words) and words[at + 1] in lexicon.pack_words:
            return count
        if any(tuple(words[max(0, at - len(c)) : at]) == c for c in lexicon.pack_containers):
            return count
    return None


def unit_in(heard: str | None, lexicon: Lexicon | None = None) -> int | None:
    """The pack word a quantity was said with ("a dozen", "two dozen": 12), None for a plain count."""
    if not heard:
        return None
    lexicon = lexicon or load_lexicon()
    text = f" {' '.join(normalize(heard).split())} "
    found = [(len(phrase), count) for phrase, count in lexicon.units.items() if f" {phrase} " in text]
    return max(found)[1] if found else None
