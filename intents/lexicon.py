"""A locale's language knowledge (`intents/languages/<locale>.json`) as typed data, read once.

Fillers, number words, ordinals, homophones, verbs, units, confirmations and order words used to sit in
a dozen module-level tables; now the matcher, the recognizer, the prompts and the kiosk's grammar read
this one file per locale (as home-assistant/intents keeps `_common.yaml` per language). It holds words,
never sentences: what people can say stays in `models/<locale>.json`. `catalog/lexicon.py` reads the
number words from the same file by path, because `catalog` imports nothing from `intents`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from catalog.text import normalize

__all__ = ["LANGUAGES_DIR", "Lexicon", "load_lexicon"]

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
DEFAULT_LOCALE = "en-US"


def _phrases(raw: list[str], contractions: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Phrases as word tuples, spelled the way `matching.words_of` spells an utterance."""
    out: list[tuple[str, ...]] = []
    for phrase in raw:
        words: list[str] = []
        for word in normalize(phrase).split():
            words += contractions.get(word, (word,))
        out.append(tuple(words))
    return tuple(out)


@dataclass(frozen=True)
class Lexicon:
    """One locale's words, folded like utterances are (lower case, no apostrophes, contractions expanded)."""

    locale: str
    contractions: dict[str, tuple[str, ...]]
    leading_fillers: tuple[tuple[str, ...], ...]
    trailing_fillers: tuple[tuple[str, ...], ...]
    slot_fillers: tuple[tuple[str, ...], ...]
    hesitations: frozenset[str]
    """Sounds that mean nothing wherever they fall ("how much is, um, express")."""
    """Words before a product that name no product ("anything by clorox", "some cheerios")."""
    homophones: dict[str, int]
    """Words a recognizer hears for small numbers: numbers only in speech, and only in a quantity position."""
    digit_homophones: dict[str, str]
    negative: frozenset[str]
    vague: tuple[tuple[str, ...], ...]
    """Quantities that are no number ("a few"): asked about, never guessed."""
    read_back: frozenset[str]
    units: dict[str, int]
    """Pack words and how many items they are ("a dozen" is 12)."""
    relative: dict[str, str]
    """"one more" adds, "one less" removes."""
    ordinals: dict[str, int]
    verbs: dict[str, tuple[tuple[str, ...], ...]]
    places: tuple[tuple[str, ...], ...]
    confirmations: dict[str, tuple[tuple[str, ...], ...]]
    latest_order_words: tuple[tuple[str, ...], ...]
    joiners: tuple[tuple[str, ...], ...]
    slot_carriers: tuple[tuple[str, ...], ...]
    """Words that hang a closed slot's value on the end of a command ("check out *with* express")."""


def _parse(locale: str, data: dict[str, Any]) -> Lexicon:
    contractions = {k: tuple(v) for k, v in data["contractions"].items()}
    numbers = data["numbers"]

    def phrases(raw: list[str]) -> tuple[tuple[str, ...], ...]:
        return _phrases(raw, contractions)

    return Lexicon(
        locale=locale,
        contractions=contractions,
        leading_fillers=phrases(data["fillers"]["leading"]),
        trailing_fillers=phrases(data["fillers"]["trailing"]),
        slot_fillers=phrases(data["fillers"]["slot_leading"]),
        hesitations=frozenset(data["fillers"].get("hesitations", [])),
        homophones=dict(numbers["homophones"]),
        digit_homophones=dict(numbers["digit_homophones"]),
        negative=frozenset(numbers["negative"]),
        vague=phrases(numbers["vague"]),
        read_back=frozenset(" ".join(p) for p in phrases(numbers["read_back"])),
        units={" ".join(p): n for p, n in zip(phrases(list(data["units"])), data["units"].values(), strict=True)},
        relative=dict(data["relative"]),
        ordinals=dict(data["ordinals"]),
        verbs={k: phrases(v) for k, v in data["verbs"].items()},
        places=phrases(data["places"]),
        confirmations={k: phrases(v) for k, v in data["confirmations"].items()},
        latest_order_words=phrases(data["order_words"]["latest"]),
        joiners=phrases(data["joiners"]),
        slot_carriers=phrases(data.get("slot_carriers", [])),
    )


@cache
def load_lexicon(locale: str = DEFAULT_LOCALE) -> Lexicon:
    """A locale's words, falling back to en-US for a locale without its own file yet."""
    path = LANGUAGES_DIR / f"{locale}.json"
    if not path.exists():
        path = LANGUAGES_DIR / f"{DEFAULT_LOCALE}.json"
    return _parse(locale, json.loads(path.read_text(encoding="utf-8")))
