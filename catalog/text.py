"""Generic English text handling for spoken queries: normalising, number words, plural stemming.

Speech recognisers hand us lower-case, unpunctuated words ("two percent milk"), while the catalog is
written ("2% Reduced Fat Milk"). Both sides go through the same `tokenize` so they meet in the middle.
Nothing here knows any product: it is language knowledge only, reused by the conversation layer for
quantities (`parse_number`).
"""

from __future__ import annotations

import re
import unicodedata

from catalog.lexicon import number_words

__all__ = ["digits_for_number_words", "normalize", "parse_number", "stem", "tokenize"]

_NUMBERS = number_words()
UNITS: dict[str, int] = dict(_NUMBERS["units"])
TENS: dict[str, int] = dict(_NUMBERS["tens"])
SCALES: dict[str, int] = dict(_NUMBERS["scales"])
HOMOPHONES: dict[str, int] = dict(_NUMBERS["homophones"])
"""Recognisers often hear "to"/"too"/"for" for small numbers; only a whole-utterance quantity reads them."""
IDIOMS: dict[str, int] = dict(_NUMBERS["idioms"])
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES)
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


def _value_of(words: list[str]) -> int | None:
    """Read a run of cardinal words ("twenty one", "one hundred and five"); None if it is not one."""
    total, current, seen = 0, 0, False
    for word in words:
        if word == "and" and seen:
            continue
        if word.isdigit():
            if seen:
                return None
            current, seen = int(word), True
        elif word in UNITS:
            rest = current % 100
            if rest and not (rest >= 20 and rest % 10 == 0):
                return None
            current += UNITS[word]
            seen = True
        elif word in TENS:
            if current % 100:
                return None
            current += TENS[word]
            seen = True
        elif word in SCALES and seen:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current if seen else None


def parse_number(words: str) -> int | None:
    """Read a spoken quantity ("two", "a dozen", "twenty one", "3"); None when it is not a number."""
    text = " ".join(normalize(words).split())
    if not text:
        return None
    if text in IDIOMS:
        return IDIOMS[text]
    tokens = text.split()
    if len(tokens) == 1 and tokens[0] in HOMOPHONES:
        return HOMOPHONES[tokens[0]]
    if tokens[-1] == "dozen" and len(tokens) > 1:
        count = _value_of(tokens[:-1])
        return None if count is None else count * 12
    if tokens[0] in ("a", "an") and len(tokens) > 1 and tokens[1] in SCALES:
        tokens = ["one", *tokens[1:]]
    return _value_of(tokens)


def digits_for_number_words(tokens: list[str]) -> list[str]:
    """Replace each run of cardinal words with its digits, so "two percent" meets "2%"."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] not in NUMBER_WORDS:
            out.append(tokens[index])
            index += 1
            continue
        end = index
        while end < len(tokens) and (
            tokens[end] in NUMBER_WORDS
            or (tokens[end] == "and" and end + 1 < len(tokens) and tokens[end + 1] in NUMBER_WORDS and end > index)
        ):
            end += 1
        run = tokens[index:end]
        value = _value_of(run)
        if value is None:  # "four ninety nine": split into the longest runs that read as numbers
            sizes = [size for size in range(1, len(run) + 1) if _value_of(run[:size]) is not None]
            if not sizes:  # "hundred" with no number before it is just a word
                out.append(tokens[index])
                index += 1
                continue
            end = index + max(sizes)
            value = _value_of(tokens[index:end])
        out.append(str(value))
        index = end
    return out


def tokenize(text: str) -> list[str]:
    """Normalised, number-folded, singular words: the unit both the index and the queries use."""
    words = digits_for_number_words(normalize(text).replace("$", " ").split())
    return [stem(word) for word in words]
