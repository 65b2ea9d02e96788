"""Generic English text handling for spoken queries: normalising, number words, plural stemming.

Speech recognisers hand us lower-case, unpunctuated words ("two percent milk"), while the catalog is
written ("2% Reduced Fat Milk"). Both sides go through the same `tokenize` so they meet in the middle.
Nothing here knows any product: it is language knowledge only, reused by the conversation layer for
quantities (`parse_number`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["digits_for_number_words", "normalize", "parse_number", "stem", "tokenize"]

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000}
# Recognisers often hear "to"/"too"/"for" for small numbers; only whole-utterance quantities use these.
HOMOPHONES: dict[str, int] = {"to": 2, "too": 2, "for": 4, "won": 1}
IDIOMS: dict[str, int] = {
    "a": 1, "an": 1, "a single": 1, "single": 1, "a couple": 2, "a couple of": 2, "couple": 2,
    "couple of": 2, "a pair": 2, "a pair of": 2, "pair of": 2, "a dozen": 12, "dozen": 12,
    "half a dozen": 6, "half dozen": 6, "a half dozen": 6, "a hundred": 100, "a thousand": 1000,
}  # fmt: skip
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
