"""Recommendation rules that need no storage: which products are the same kind as a sold-out one.

Same kind is stricter than same category: "pet" holds dog food and cat food, and a dog owner offered
cat food has been offered nothing. A product's kind is its shortest name (its name or a synonym, without
filler, size and quality words); an alternative must hold every word of one of those shortest names.
When nothing in the shop does, there is no alternative: "sold out" is more honest than the wrong kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.model import Product
from catalog.search import SOFT_WORDS, STOPWORDS
from catalog.text import tokenize


def _words(phrase: str) -> frozenset[str]:
    """The words of a name that say what it is (fillers and sizes dropped)."""
    return frozenset(t for t in tokenize(phrase) if t not in STOPWORDS and t not in SOFT_WORDS)


def kind_of(product: Product) -> tuple[frozenset[str], ...]:
    """The product's shortest names as word sets: what any alternative must also be called."""
    names = [words for words in map(_words, (product.name, *product.synonyms)) if words]
    shortest = min((len(words) for words in names), default=0)
    return tuple(dict.fromkeys(words for words in names if len(words) == shortest))


def same_kind_alternatives(product: Product, candidates: Iterable[Product], limit: int = 3) -> tuple[Product, ...]:
    """In-stock products of the same category and kind, the closest in price first."""
    kinds = kind_of(product)
    found = []
    for other in candidates:
        if other.sku == product.sku or not other.in_stock or other.category != product.category:
            continue
        vocabulary = frozenset().union(*map(_words, (other.name, *other.synonyms)))
        if any(kind <= vocabulary for kind in kinds):
            found.append(other)
    found.sort(key=lambda other: (abs(other.price - product.price), other.sku))
    return tuple(found[:limit])
