"""Benchmark SearchIndex on synthetic catalogs of 1k, 10k and 100k products.

Run from the checkout root:  python3 bench/bench_search.py  [--sizes 1000 10000 100000] [--queries 300]
Prints products, index build seconds, index memory (RSS delta), and search p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.model import Product
from catalog.search import SearchIndex

CATEGORIES: dict[str, tuple[list[str], list[str]]] = {
    "produce": (
        ["apples", "bananas", "grapes", "tomatoes", "onions", "potatoes", "carrots", "lettuce", "peppers",
         "mushrooms", "avocados", "lemons", "limes", "strawberries", "blueberries", "spinach", "kale"],
        ["organic", "red", "green", "yellow", "baby", "sweet", "seedless", "fresh", "large", "mini"],
    ),
    "dairy": (
        ["milk", "yogurt", "butter", "cheese", "cream", "eggs", "kefir", "sour cream", "cottage cheese"],
        ["whole", "skim", "greek", "plain", "vanilla", "strawberry", "salted", "unsalted", "sharp",
         "shredded", "organic", "lactose free", "low fat"],
    ),
    "pantry": (
        ["pasta", "rice", "flour", "sugar", "oats", "cereal", "beans", "soup", "sauce", "olive oil",
         "peanut butter", "jam", "honey", "coffee", "tea", "crackers", "tuna", "salsa", "ketchup"],
        ["brown", "white", "whole grain", "organic", "spicy", "mild", "creamy", "crunchy", "classic",
         "italian", "jasmine", "instant", "low sodium", "dark roast", "green"],
    ),
    "snacks": (
        ["chips", "pretzels", "cookies", "popcorn", "nuts", "almonds", "granola bars", "gummy bears",
         "chocolate bar", "crackers", "trail mix", "jerky"],
        ["salted", "barbecue", "sour cream and onion", "dark", "milk", "honey roasted", "mixed",
         "cheddar", "sea salt", "peanut"],
    ),
    "beverages": (
        ["water", "sparkling water", "soda", "juice", "energy drink", "sports drink", "coffee pods",
         "iced tea", "lemonade", "kombucha", "cola"],
        ["lime", "lemon", "orange", "apple", "diet", "zero sugar", "ginger", "berry", "grape", "cherry"],
    ),
    "household": (
        ["paper towels", "toilet paper", "trash bags", "dish soap", "laundry detergent", "dishwasher pods",
         "sponges", "bleach", "wipes", "light bulbs", "batteries", "aluminum foil", "air freshener"],
        ["lavender", "lemon", "unscented", "heavy duty", "ultra", "mega", "double", "fresh", "eco",
         "original", "spring"],
    ),
    "personal care": (
        ["shampoo", "conditioner", "toothpaste", "toothbrush", "deodorant", "body wash", "lotion",
         "razors", "sunscreen", "lip balm", "mouthwash", "hand soap"],
        ["sensitive", "mint", "coconut", "aloe", "unscented", "men's", "kids", "whitening", "daily",
         "extra strength"],
    ),
    "electronics": (
        ["charging cable", "bluetooth speaker", "earbuds", "headphones", "power bank", "wall charger",
         "hdmi cable", "smart plug", "wireless mouse", "keyboard"],
        ["usb c", "wireless", "portable", "fast", "mini", "pro", "braided", "black", "white", "compact"],
    ),
}  # fmt: skip
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ve",
    "to",
    "su",
    "na",
    "be",
    "qui",
    "zor",
    "fel",
    "dan",
    "ri",
    "po",
    "tex",
    "vo",
    "lu",
    "ga",
    "mar",
    "sen",
]
SIZES = ["8 oz", "12 oz", "16 oz", "1 lb", "2 lb", "6 pack", "12 pack", "1 gallon", "24 count", "1 each"]
MISHEAR = {
    "yogurt": "yoga",
    "towels": "tower",
    "bluetooth": "blue tooth",
    "dishwasher": "dish washer",
    "toothpaste": "tooth paste",
    "strawberries": "straw berries",
    "earbuds": "ear buds",
    "popcorn": "pop corn",
    "headphones": "head phones",
    "mouthwash": "mouth wash",
}
NOT_SOLD = [
    "a lawn mower",
    "car tires",
    "concert tickets",
    "a washing machine",
    "garden hose",
    "winter jacket",
    "a flight to paris",
    "running shoes",
    "car insurance",
    "a new laptop",
]
PRICE_CAPS = ["under five dollars", "less than 3 dollars", "below ten bucks", "under twenty dollars"]


def make_brands(rng: random.Random, count: int) -> list[str]:
    """Pseudo brand names from syllables, so brands are many and mostly unlike real words."""
    brands = set()
    while len(brands) < count:
        brands.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title())
    return sorted(brands)


def make_catalog(size: int, seed: int = 7) -> list[Product]:
    """A catalog of `size` products with realistic-ish names and sparse synonyms."""
    rng = random.Random(seed)
    brands = make_brands(rng, max(20, size // 50))
    categories = list(CATEGORIES)
    products = []
    for number in range(size):
        category = rng.choice(categories)
        nouns, modifiers = CATEGORIES[category]
        noun = rng.choice(nouns)
        mods = rng.sample(modifiers, rng.randint(0, 2))
        name = " ".join([*mods, noun]).title()
        synonyms = (noun,) if rng.random() < 0.1 else ()
        products.append(
            Product(
                sku=f"SKU-{number:06d}",
                name=name,
                brand=rng.choice(brands),
                category=category,
                size=rng.choice(SIZES),
                price=Decimal(rng.randint(99, 4999)) / 100,
                currency="USD",
                stock=rng.choice([0, 3, 12, 40, 100]),
                synonyms=synonyms,
            )
        )
    return products


def make_queries(products: list[Product], count: int, seed: int = 11) -> list[str]:
    """Spoken-style queries: names, misheard words, brands, price caps, categories, things not sold."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        product = rng.choice(products)
        name = product.name.lower()
        kind = rng.random()
        if kind < 0.35:
            queries.append(name)
        elif kind < 0.55:
            words = [MISHEAR.get(word, word) for word in name.split()]
            queries.append(" ".join(words[-2:]))
        elif kind < 0.65:
            queries.append(product.brand.lower())
        elif kind < 0.75:
            queries.append(f"{name.split()[-1]} {rng.choice(PRICE_CAPS)}")
        elif kind < 0.85:
            queries.append(rng.choice(["snacks", "cleaning stuff", "something to drink", "fresh fruit"]))
        else:
            queries.append(rng.choice(NOT_SOLD))
    return queries


def rss_bytes() -> int:
    """Resident memory now, from /proc (Linux), so the index's real footprint is seen."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def bench(size: int, query_count: int) -> tuple[int, float, float, float, float]:
    """Build one index and time the queries; returns the row of the table."""
    products = make_catalog(size)
    queries = make_queries(products, query_count)
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    index = SearchIndex.build(products, version=str(size))
    build_seconds = time.perf_counter() - started
    gc.collect()
    memory_mb = (rss_bytes() - before) / 2**20
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return size, build_seconds, memory_mb, cuts[49], cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(f"{'products':>9} {'build s':>8} {'index MB':>9} {'p50 ms':>7} {'p95 ms':>7}")
    for size in args.sizes:
        products, build, memory, p50, p95 = bench(size, args.queries)
        print(f"{products:>9} {build:>8.2f} {memory:>9.1f} {p50:>7.2f} {p95:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
