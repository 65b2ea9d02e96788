"""The words search reads from the same per-locale language file the conversation reads.

`catalog` imports nothing from `intents`, so this reads `intents/languages/<locale>.json` by path:
one file holds a locale's number words and fillers for search, quantities and the kiosk's grammar alike.
Words are folded as `catalog.text.normalize` folds an utterance (lower case, accents dropped), so
"dieciséis" in the file meets "dieciseis" as heard.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGES_DIR", "LANGUAGE_FILE", "number_words", "search_fillers", "search_words"]

LANGUAGES_DIR = Path(__file__).resolve().parents[1] / "intents" / "languages"
LANGUAGE_FILE = LANGUAGES_DIR / "en-US.json"


def _fold(word: str) -> str:
    """Lower case without accents, as utterances are compared."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _folded(value: Any) -> Any:
    """A section with every word key folded (values kept)."""
    if isinstance(value, dict):
        return {_fold(key): _folded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fold(item) if isinstance(item, str) else item for item in value]
    return _fold(value) if isinstance(value, str) else value


@cache
def _language(locale: str = "en-US") -> dict[str, Any]:
    """A locale's whole language file, read once; a locale without its own reads en-US's.

    The same fallback as `intents.lexicon.load_lexicon`, so search and the conversation agree.
    """
    path = LANGUAGES_DIR / f"{locale}.json"
    if not path.is_file():
        path = LANGUAGE_FILE
    return dict(json.loads(path.read_text(encoding="utf-8")))


def number_words(locale: str = "en-US") -> dict[str, Any]:
    """The `numbers` section: units, tens, scales, idioms, homophones (each word to its value), folded."""
    return dict(_folded(_language(locale)["numbers"]))


def search_fillers() -> dict[str, tuple[str, ...]]:
    """Phrases that name no product: `leading` (said before a query), `trailing`, `vague` (said anywhere).

    `leading` joins the conversation's leading and slot fillers with the search's own ("do you carry",
    "got any", "anything by"), so "do you sell anything by clorox" searches for "clorox".
    """
    fillers = _language()["fillers"]
    leading = (*fillers["leading"], *fillers["slot_leading"], *fillers.get("search_leading", ()))
    return {
        "leading": tuple(leading),
        "trailing": tuple(fillers["trailing"]),
        "vague": tuple(fillers.get("search_vague", ())),
    }


def search_words() -> dict[str, Any]:
    """The `search` section: stopwords, soft words, equivalents, category phrases and kinds, price and topic words.

    These are the locale's words, not the catalog's: they hold for any grocery catalog, so they live with
    the fillers and number words rather than in the search code. Category kind aliases ("veggies") are
    resolved here to their kind's head words, so search sees one table.
    """
    section = _language()["search"]
    kinds = {kind: tuple(words) for kind, words in section["category_kinds"].items()}
    kinds |= {alias: kinds[kind] for alias, kind in section["category_kind_aliases"].items()}
    return {
        "stopwords": tuple(section["stopwords"]),
        "soft_words": tuple(section["soft_words"]),
        "equivalents": {word: tuple(others) for word, others in section["equivalents"].items()},
        "category_phrases": {name: tuple(phrases) for name, phrases in section["category_phrases"].items()},
        "category_kinds": kinds,
        "price_triggers": tuple(tuple(phrase.split()) for phrase in section["price_triggers"]),
        "currency_words": frozenset(section["currency_words"]),
        "cent_words": frozenset(section["cent_words"]),
        "light_words": tuple(_language()["light_words"]) + tuple(section["chatter_joins"]),
        "head_joins": tuple(section["head_joins"]),
        "topic_words": tuple(section.get("topic_words", ())),
    }
