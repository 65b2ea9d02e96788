"""Generate the catalog-driven slot types (PRODUCT, CATEGORY) of an interaction model from products.

Alexa resolves a spoken product to its sku only when the model lists that product, and the kiosk's
grammar can only hear words the model contains, so both types are written from the catalog rather than
by hand. Values are made acceptable to Alexa (letters, digits, spaces, apostrophes and periods only),
and a phrase that names two products is left out of both: resolving it to either would hide a real
ambiguity that search turns into "did you mean A or B?".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from catalog.model import Product
from catalog.search import CATEGORY_PHRASES
from catalog.text import normalize, stem, tokenize
from intents.language import base_locale, load_model, model_path
from intents.lexicon import Lexicon, load_lexicon

__all__ = ["alexa_phrase", "generate_types", "spoken_number", "write_model"]

CATALOG_TYPES = ("PRODUCT", "CATEGORY")
_REFUSED = re.compile(r"[^A-Za-z0-9' .]+")
_REFUSED_SPANISH = re.compile(r"[^A-Za-z0-9áéíóúüñÁÉÍÓÚÜÑ' .]+")
_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_ACRONYM = re.compile(r"\b[A-Z]{2,4}\b")
"""A word in capitals, as catalogs write acronyms ("LED", "USB", "AAA"); "7UP" and "Size 3" are not."""
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def alexa_phrase(text: str, accents: bool = False) -> str:
    """Rewrite catalog text into what Alexa accepts in a slot value ("2% Milk" -> "2 percent Milk").

    `accents` keeps Spanish letters ("plátanos"), which es-US slot values may carry and its recognizer hears.
    """
    if accents:
        kept = _REFUSED_SPANISH.sub(" ", text.replace("&", " y "))
        return " ".join(kept.split()).strip(" .")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = folded.replace("%", " percent ").replace("&", " and ").replace("+", " plus ")
    folded = _REFUSED.sub(" ", folded)
    return " ".join(folded.split()).strip(" .")


def _key(phrase: str) -> str:
    """Phrases that resolve alike (case, punctuation, plurals, number words) share a key."""
    return " ".join(tokenize(phrase))


def spoken_number(number: int) -> str:
    """A whole number below a million in words ("85" -> "eighty five"), as a recogniser writes it."""
    if number < 20:
        return _UNITS[number]
    if number < 100:
        tens, rest = divmod(number, 10)
        return _TENS[tens] + (f" {_UNITS[rest]}" if rest else "")
    for size, word in ((1000, "thousand"), (100, "hundred")):
        if number >= size:
            high, rest = divmod(number, size)
            return f"{spoken_number(high)} {word}" + (f" {spoken_number(rest)}" if rest else "")
    raise AssertionError(number)


def _spelled(phrase: str) -> str | None:
    """Digits as words ("Size 3" -> "size three"): the kiosk's recogniser writes only words; None if no digits."""
    words = normalize(phrase).split()
    if not any(word.isdigit() for word in words):
        return None
    return " ".join(spoken_number(int(w)) if w.isdigit() and int(w) < 1_000_000 else w for w in words)


def _lettered(phrase: str) -> str | None:
    """Capitalised acronyms letter by letter ("LED Bulbs" -> "L. E. D. Bulbs"); None if there are none.

    People and speech synthesizers say "LED" as three letters, while a recognizer's lexicon may know
    "led" only as the verb: the kiosk's grammar then had no way to hear the letters. "L. E. D." is how
    the interaction model spells letters, and it folds to "l e d" wherever text is matched.
    """
    lettered = _ACRONYM.sub(lambda found: " ".join(f"{letter}." for letter in found.group(0)), phrase)
    return lettered if lettered != phrase else None


def _value(value_id: str, value: str, synonyms: Iterable[str]) -> dict[str, Any]:
    """One slot value in ASK JSON, synonyms deduplicated (ignoring case and punctuation) and spelled out."""
    seen = {normalize(value)}
    kept: list[str] = []
    for synonym in (value, *synonyms):
        lettered = _lettered(synonym)
        for form in (synonym, _spelled(synonym), lettered, lettered and _spelled(lettered)):
            if form and normalize(form) not in seen:
                seen.add(normalize(form))
                kept.append(form)
    name: dict[str, Any] = {"value": value}
    if kept:
        name["synonyms"] = kept
    return {"id": value_id, "name": name}


def _product_phrases(product: Product) -> list[str]:
    """The name, then the catalog's synonyms, then "brand name" as people say it ("Horizon Whole Milk")."""
    name = alexa_phrase(product.name)
    phrases = [name, *(alexa_phrase(s) for s in product.synonyms)]
    brand = alexa_phrase(product.brand)
    if brand and not normalize(name).startswith(normalize(brand)):
        phrases.append(f"{brand} {name}")
    return [phrase for phrase in phrases if phrase]


def _translations(lexicon: Lexicon | None) -> dict[str, list[str]]:
    """The language's shopping phrases by the catalog phrase they translate (key form), as written."""
    out: dict[str, list[str]] = {}
    for said, catalog in (lexicon.catalog_phrases.items() if lexicon else ()):
        out.setdefault(_key(catalog), []).append(alexa_phrase(said, accents=True))
    return out


def _localised(phrases: list[str], translations: dict[str, list[str]]) -> list[str]:
    """A product's phrases in the locale's words first (a whole name translated), then the catalog's."""
    spoken = [said for phrase in phrases for said in translations.get(_key(phrase), ())]
    return list(dict.fromkeys([*spoken, *phrases]))


def _product_type(products: list[Product], lexicon: Lexicon | None = None) -> tuple[dict[str, Any], set[str]]:
    """PRODUCT values by sku, without phrases shared by two products; also every key it resolves.

    For a language the catalog is not written in, a product whose whole name the language file
    translates ("Oat Milk" <- "leche de avena") is named that way, its catalog names kept as synonyms.
    """
    translations = _translations(lexicon)
    catalog = {product.sku: _product_phrases(product) for product in products}
    phrases = {sku: _localised(listed, translations) for sku, listed in catalog.items()}
    owners = Counter(key for sku in phrases for key in {_key(phrase) for phrase in phrases[sku]})
    values = []
    for product in products:
        english = catalog[product.sku][0]
        own = [p for p in phrases[product.sku] if p not in catalog[product.sku] and owners[_key(p)] == 1]
        name = own[0] if own else english
        synonyms = [p for p in phrases[product.sku] if p != name and (p == english or owners[_key(p)] == 1)]
        values.append(_value(product.sku, name, synonyms))
    keys = {_key(phrase) for listed in phrases.values() for phrase in listed}
    return {"name": "PRODUCT", "values": values}, keys


def _category_phrases(category: str, product_keys: set[str]) -> list[str]:
    """Singular forms and the shop's generic words for a category, minus any that name a product."""
    singular = " ".join(stem(word) for word in category.split())
    generic = [p for p in CATEGORY_PHRASES.get(normalize(category), ()) if not p.startswith(("for ", "something "))]
    return [alexa_phrase(p) for p in (singular, *generic) if _key(p) not in product_keys]


def _category_value(category: str, product_keys: set[str], lexicon: Lexicon | None) -> dict[str, Any]:
    """One CATEGORY value: the catalog's name as id; in a language of its own, its own name first."""
    english = alexa_phrase(category)
    named = lexicon.categories.get(normalize(category), ()) if lexicon else ()
    own = [alexa_phrase(name, accents=True) for name in named if _key(name) not in product_keys]
    if not own:
        return _value(english, english, _category_phrases(category, product_keys))
    return _value(english, own[0], [*own[1:], english, *_category_phrases(category, product_keys)])


def generate_types(products: Iterable[Product], locale: str = "en-US") -> dict[str, dict[str, Any]]:
    """The PRODUCT and CATEGORY slot types (ASK JSON by type name), sorted so regenerating is idempotent.

    A locale whose language file translates catalog words (es-US) gets them as values and synonyms; the
    ids stay skus and the catalog's category names, so every locale resolves to the same shop.
    """
    lexicon = load_lexicon(locale)
    own = lexicon if lexicon.catalog_phrases or lexicon.categories else None
    ordered = sorted(products, key=lambda product: product.sku)
    product_type, product_keys = _product_type(ordered, own)
    categories = sorted({product.category for product in ordered if product.category})
    category_type = {
        "name": "CATEGORY",
        "values": [_category_value(category, product_keys, own) for category in categories],
    }
    return {"PRODUCT": product_type, "CATEGORY": category_type}


def write_model(locale: str, products: Iterable[Product], models_dir: Path | None = None) -> bool:
    """Replace PRODUCT and CATEGORY in `models/<locale>.json`, leaving the rest as it is; True if it changed.

    A locale that extends another (en-GB extends en-US) inherits its slot types, so they are written into
    the base's file, where every locale of that language reads them.
    """
    while (base := base_locale(locale, models_dir)) is not None:
        locale = base
    path = model_path(locale, models_dir)
    before = path.read_text(encoding="utf-8")
    data = json.loads(before)
    types: list[dict[str, Any]] = data["interactionModel"]["languageModel"].setdefault("types", [])
    for generated in generate_types(products, locale).values():
        position = next((i for i, t in enumerate(types) if t["name"] == generated["name"]), None)
        if position is None:
            types.append(generated)
        else:
            types[position] = generated
    after = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    load_model.cache_clear()
    return True
