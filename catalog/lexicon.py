"""The words search reads from the same per-locale language file the conversation reads.

`catalog` imports nothing from `intents`, so this reads `intents/languages/<locale>.json` by path:
one file holds a locale's number words and fillers for search, quantities and the kiosk's grammar alike.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGE_FILE", "number_words", "search_fillers"]

LANGUAGE_FILE = Path(__file__).resolve().parents[1] / "intents" / "languages" / "en-US.json"


@cache
def _language() -> dict[str, Any]:
    """The whole language file, read once."""
    return dict(json.loads(LANGUAGE_FILE.read_text(encoding="utf-8")))


def number_words() -> dict[str, Any]:
    """The `numbers` section: units, tens, scales, idioms, homophones (each word to its value)."""
    return dict(_language()["numbers"])


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
