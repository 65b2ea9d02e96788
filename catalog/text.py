"""Generic English text handling for spoken queries: normalising, number words, plural stemming.

Speech recognisers hand us lower-case, unpunctuated words ("two percent milk"), while the catalog is
written ("2% Reduced Fat Milk"). Both sides go through the same `tokenize` so they meet in the middle.
Nothing here knows any product: it is language knowledge only, reused by the conversation layer for
quantities (`parse_number`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from catalog.lexicon import number_words

__all__ = ["NumberWords", "digits_for_number_words", "normalize", "numbers_for", "parse_number", "stem", "tokenize"]

@dataclass(frozen=True)
class NumberWords:
    """One locale's cardinal words (folded), as `parse_number` reads them."""

    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    homophones: dict[str, int]
    idioms: dict[str, int]
    joiner: str
    """The word between tens and units that says nothing ("one hundred and five", "treinta y dos")."""

    @property
    def words(self) -> frozenset[str]:
        """Every word that is part of a cardinal."""
        return frozenset(self.units) | frozenset(self.tens) | frozenset(self.scales)


@cache
def numbers_for(locale: str = "en-US") -> NumberWords:
    """A locale's number words from its language file (en-US's for a locale without one)."""
    raw = number_words(locale)
    return NumberWords(
        units=dict(raw["units"]),
        tens=dict(raw["tens"]),
        scales=dict(raw["scales"]),
        homophones=dict(raw["homophones"]),
        idioms=dict(raw["idioms"]),
        joiner=str(raw.get("joiner", "and")),
    )


_ENGLISH = numbers_for()
UNITS: dict[str, int] = _ENGLISH.units
TENS: dict[str, int] = _ENGLISH.tens
SCALES: dict[str, int] = _ENGLISH.scales
HOMOPHONES: dict[str, int] = _ENGLISH.homophones
"""Recognisers often hear "to"/"too"/"for" for small numbers; only a whole-utterance quantity reads them."""
IDIOMS: dict[str, int] = _ENGLISH.idioms
NUMBER_WORDS = _ENGLISH.words
_NON_WORD = re.compile(r"[^a-z0-9%$.\s]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NO_STEM_ENDINGS = ("ss", "us", "is", "ous", "ics")


def normalize(text: str) -> str:
    """Fold accents, case and punctuation so written catalog text and spoken words compare equal."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = folded.replace("&", " and ").replace("'", "").replace("%", " percent ")
    folded = _NON_WORD.sub(" ", folded)
    folded = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", folded)  # keep decimal points, drop full stops
    folded = folded.replace("$", " $ ")
    folded = _LETTER_DIGIT.sub(" ", folded)
    return " ".join(folded.split())


def stem(word: str) -> str:
    """Reduce a plural to its singular, so "berries", "tomatoes" and "towels" meet their singulars."""
    if len(word) <= 3 or not word.isalpha() or word.endswith(_NO_STEM_ENDINGS):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def _value_of(words: list[str], numbers: NumberWords = _ENGLISH) -> int | None:
    """Read a run of cardinal words ("twenty one", "one hundred and five"); None if it is not one."""
    total, current, seen = 0, 0, False
    for word in words:
        if word == numbers.joiner and seen:
            continue
        if word.isdigit():
            if seen:
                return None
            current, seen = int(word), True
        elif word in numbers.units:
            rest = current % 100
            if rest and not (rest >= 20 and rest % 10 == 0):
                return None
            current += numbers.units[word]
            seen = True
        elif word in numbers.tens:
            if current % 100:
                return None
            current += numbers.tens[word]
            seen = True
        elif word in numbers.scales and seen:
            current = max(current, 1) * numbers.scales[word]
            if numbers.scales[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current if seen else None


def parse_number(words: str, locale: str = "en-US") -> int | None:
    """Read a spoken quantity ("two", "a dozen", "twenty one", "3"; es-US "dos", "un par"); None if no number."""
    numbers = numbers_for(locale)
    text = " ".join(normalize(words).split())
    if not text:
        return None
    if text in numbers.idioms:
        return numbers.idioms[text]
    tokens = text.split()
    if len(tokens) == 1 and tokens[0] in numbers.homophones:
        return numbers.homophones[tokens[0]]
    dozen = next((word for word, value in numbers.idioms.items() if value == 12 and " " not in word), "dozen")
    if tokens[-1] == dozen and len(tokens) > 1:
        count = _value_of(tokens[:-1], numbers)
        return None if count is None else count * 12
    if tokens[0] in ("a", "an") and len(tokens) > 1 and tokens[1] in numbers.scales:
        tokens = ["one", *tokens[1:]]
    return _value_of(tokens, numbers)


def digits_for_number_words(tokens: list[str], locale: str = "en-US") -> list[str]:
    """Replace each run of cardinal words with its digits, so "two percent" meets "2%"."""
    numbers = numbers_for(locale)
    words = numbers.words
    out: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] not in words:
            out.append(tokens[index])
            index += 1
            continue
        end = index
        while end < len(tokens) and (
            tokens[end] in words
            or (tokens[end] == numbers.joiner and end + 1 < len(tokens) and tokens[end + 1] in words and end > index)
        ):
            end += 1
        run = tokens[index:end]
        value = _value_of(run, numbers)
        if value is None:  # "four ninety nine": split into the longest runs that read as numbers
            sizes = [size for size in range(1, len(run) + 1) if _value_of(run[:size], numbers) is not None]
            if not sizes:  # "hundred" with no number before it is just a word
                out.append(tokens[index])
                index += 1
                continue
            end = index + max(sizes)
            value = _value_of(tokens[index:end], numbers)
        out.append(str(value))
        index = end
    return out


def tokenize(text: str) -> list[str]:
    """Normalised, number-folded, singular words: the unit both the index and the queries use."""
    words = digits_for_number_words(normalize(text).replace("$", " ").split())
    return [stem(word) for word in words]
