"""The number words search reads, from the same per-locale language file the conversation reads.

`catalog` imports nothing from `intents`, so this reads `intents/languages/<locale>.json` by path:
one file holds a locale's number words for search, quantities and the kiosk's grammar alike.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGUAGE_FILE", "number_words"]

LANGUAGE_FILE = Path(__file__).resolve().parents[1] / "intents" / "languages" / "en-US.json"


@cache
def number_words() -> dict[str, Any]:
    """The `numbers` section: units, tens, scales, idioms, homophones (each word to its value)."""
    return dict(json.loads(LANGUAGE_FILE.read_text(encoding="utf-8"))["numbers"])
