"""The one reading of a spoken quantity: a whole number, or a clear "how many?" (issue 11).

Alexa's AMAZON.NUMBER sends digits ("2", "-2", "2.5") and "?" when it is unsure; the kiosk's matcher
sends words ("minus two", "a million"). `catalog.text.parse_number` reads number words for search, where
punctuation is noise, so it folds "-1" into 1 and has no reading for "2.5" or "NaN"; the handlers took
that None for "no quantity said" and added 1. Here a quantity is either absent (nothing was said), a
whole number of any sign or size (the shop's own rule then refuses 0, negatives and too many, naming its
limits), or unreadable, which raises `UnreadableQuantity`: the customer is asked again, nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.errors import VoiceshopError
from catalog.text import normalize, parse_number
from intents.lexicon import load_lexicon

__all__ = ["UnreadableQuantity", "parse_quantity"]

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
