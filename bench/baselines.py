"""Two baselines the search is measured beside: Okapi BM25 and rapidfuzz WRatio over product text.

A minimal BM25 is written here rather than adding rank-bm25 as a dependency: it is twenty lines, and
its postings-based scoring (only products sharing a query word are scored) keeps it fair on latency at
100k products, where rank-bm25's dense per-document loop would not be. Both baselines read the same
fields as the search (name, synonyms, brand, category) through the same `catalog.text.tokenize`, and
both return nothing when nothing scores, which is their only notion of "not sold".
"""

from __future__ import annotations

import math
from collections import Counter

from rapidfuzz import fuzz, process

from catalog.model import Product
from catalog.search import STOPWORDS
from catalog.text import tokenize

__all__ = ["BM25", "Fuzzy"]


def _document(product: Product) -> str:
    """The text a baseline sees for one product."""
    return " ".join([product.name, *product.synonyms, product.brand, product.category])


class BM25:
    """Okapi BM25 (k1 1.5, b 0.75) over postings; `search` returns the top skus, best first."""

    def __init__(self, products: list[Product], k1: float = 1.5, b: float = 0.75) -> None:
        self.products = products
        self.postings: dict[str, list[tuple[int, int]]] = {}
        lengths = []
        for pid, product in enumerate(products):
            terms = [term for term in tokenize(_document(product)) if term not in STOPWORDS]
            lengths.append(len(terms))
            for term, count in Counter(terms).items():
                self.postings.setdefault(term, []).append((pid, count))
        total = len(products) or 1
        average = sum(lengths) / total if lengths else 1.0
        self.idf = {t: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.norm = [k1 * (1 - b + b * length / average) for length in lengths]
        self.k1 = k1

    def search(self, query: str, limit: int = 5) -> list[Product]:
        """Products by BM25 score; empty when no query word is in the catalog."""
        scores: dict[int, float] = {}
        for term in {t for t in tokenize(query) if t not in STOPWORDS}:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for pid, count in self.postings[term]:
                scores[pid] = scores.get(pid, 0.0) + idf * count * (self.k1 + 1) / (count + self.norm[pid])
        best = sorted(scores, key=lambda pid: -scores[pid])[:limit]
        return [self.products[pid] for pid in best]


class Fuzzy:
    """rapidfuzz WRatio of the query against each product's text, cut off at 75 (below it: nothing)."""

    def __init__(self, products: list[Product], cutoff: float = 75.0) -> None:
        self.products = products
        self.choices = [_document(product).lower() for product in products]
        self.cutoff = cutoff

    def search(self, query: str, limit: int = 5) -> list[Product]:
        """Products whose text is closest to the query; empty when none reaches the cutoff."""
        found = process.extract(query.lower(), self.choices, scorer=fuzz.WRatio, score_cutoff=self.cutoff, limit=limit)
        return [self.products[index] for _, _, index in found]
