"""The number words search reads, from the same per-locale language file the conversation reads.

`catalog` imports nothing from `intents`, so this reads `intents/languages/<locale>.json` by path:
one file holds a locale's number words for search, quantities and the kiosk's grammar alike. Words are
folded as `catalog.text.normalize` folds an utterance (lower case, accents dropped), so "dieciséis" in
the file meets "dieciseis" as heard.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGES_DIR", "LANGUAGE_FILE", "number_words"]

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
def number_words(locale: str = "en-US") -> dict[str, Any]:
    """The `numbers` section: units, tens, scales, idioms, homophones (each word to its value), folded.

    A locale without its own language file reads en-US's, as `intents.lexicon.load_lexicon` does.
    """
    path = LANGUAGES_DIR / f"{locale}.json"
    if not path.is_file():
        path = LANGUAGE_FILE
    return dict(_folded(json.loads(path.read_text(encoding="utf-8"))["numbers"]))
