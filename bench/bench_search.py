"""Search quality on the held-out sets beside two baselines, and speed at 1k, 10k and 100k products.

Run from the checkout root:  PYTHONPATH=$PWD .venv/bin/python bench/bench_search.py  [--sizes ...] [--queries N]

One run prints one table:
- top-1 per kind of query on the held-out files (bench/heldout_blind/heldout_search.jsonl, search_v2.jsonl,
  search_vosk.jsonl) over the demo catalog, for this search, BM25 and rapidfuzz (bench/baselines.py). A
  row counts as right when the first hit is one of its skus; a `not_sold` row when nothing is found.
  "asked" is the share of answerable rows whose first hit is below the confidence the conversation acts
  on (it says "Did you mean ...?"). Only aggregates are printed: never a held-out row (`--dev` measures
  bench/dev_search.jsonl instead, the set tuning is allowed on, and may print its misses).
- per catalog size: index build seconds (wall and CPU), index RSS (MB), p50/p95 ms per query (wall) and p95
  CPU ms, for the search and BM25. The load average is printed first: on a shared machine wall times
  include waiting for a CPU, and the CPU columns are the ones that compare across runs.

To measure an older checkout, point PYTHONPATH at it (`git archive <commit> | tar -x -C /tmp/old`).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baselines import BM25, Fuzzy
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


try:  # the conversation's threshold for "Did you mean ...?" (an older checkout has none)
    from intents.shopping import CONFIDENT as ASK_BELOW
except ImportError:
    ASK_BELOW = None

ROOT = Path(__file__).resolve().parents[1]
DEMO_CATALOG = ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
HELDOUT = [
    ROOT / "bench" / "heldout_blind" / name for name in ("heldout_search.jsonl", "search_v2.jsonl", "search_vosk.jsonl")
]
DEV = [ROOT / "bench" / "dev_search.jsonl"]


def load_demo_products() -> list[Product]:
    """The demo catalog the held-out sets were written against."""
    data = json.loads(DEMO_CATALOG.read_text())
    return [
        Product(
            sku=item["sku"], name=item["name"], brand=item["brand"], category=item["category"],
            size=item["size"], price=Decimal(str(item["price"])),
            currency=item.get("currency", data.get("currency", "USD")), stock=int(item["stock"]),
            synonyms=tuple(item.get("synonyms", ())),
        )
        for item in data["products"]
    ]  # fmt: skip


def load_rows(paths: list[Path]) -> list[dict[str, object]]:
    """Every row of the given JSONL files, with the file's name kept for the per-kind table."""
    rows = []
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                row["file"] = path.stem
                rows.append(row)
    return rows


def _top(system: object, query: str) -> tuple[str | None, bool, float | None]:
    """The first sku a system finds, whether the search would ask about it ("Did you mean?"), its confidence."""
    if isinstance(system, SearchIndex):
        result = system.search(query, limit=5)
        if not result.hits:
            return None, False, None
        hit = result.hits[0]
        confidence = getattr(hit, "confidence", None)
        asked = confidence is not None and ASK_BELOW is not None and confidence < ASK_BELOW
        return hit.product.sku, asked, confidence
    found = system.search(query, limit=5)  # type: ignore[attr-defined]
    return (found[0].sku if found else None), False, None


def quality(rows: list[dict[str, object]], show_misses: bool) -> None:
    """Print top-1 per kind for the search and both baselines, then no-match precision."""
    products = load_demo_products()
    systems = {
        "search": SearchIndex.build(products, version="demo"),
        "bm25": BM25(products),
        "rapidfuzz": Fuzzy(products),
    }
    kinds: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        kinds.setdefault(str(row["kind"]), []).append(row)
    print(f"{'kind':<12} {'rows':>5} {'search':>7} {'asked':>6} {'bm25':>6} {'fuzz':>6}")
    totals = {name: [0, 0] for name in systems}
    asked_total = 0
    bins = [[0, 0] for _ in range(10)]  # the search's first hits by confidence: [right, hits]
    for kind in sorted(kinds, key=lambda k: (k == "not_sold", k)):
        group = kinds[kind]
        right = dict.fromkeys(systems, 0)
        asked = 0
        for row in group:
            expected = set(row["sku_any"])  # type: ignore[arg-type]
            for name, system in systems.items():
                sku, was_asked, confidence = _top(system, str(row["query"]))
                ok = sku is None if not expected else sku in expected
                right[name] += ok
                if name == "search" and confidence is not None:
                    slot = min(9, int(confidence * 10))
                    bins[slot][0] += sku in expected
                    bins[slot][1] += 1
                if name == "search":
                    asked += bool(expected) and was_asked
                    if show_misses and not ok:
                        print(f"   miss [{kind}] {row['query']!r} -> {sku} (want {sorted(expected)[:3]})")
                if expected:
                    totals[name][0] += ok
                    totals[name][1] += 1
        asked_total += asked
        n = len(group)
        share = {name: 100 * right[name] / n for name in systems}
        label = "no-match" if kind == "not_sold" else kind
        print(
            f"{label:<12} {n:>5} {share['search']:>6.0f}% {100 * asked / n:>5.0f}% "
            f"{share['bm25']:>5.0f}% {share['rapidfuzz']:>5.0f}%"
        )
    n = totals["search"][1] or 1
    print(
        f"{'answerable':<12} {n:>5} {100 * totals['search'][0] / n:>6.0f}% {100 * asked_total / n:>5.0f}% "
        f"{100 * totals['bm25'][0] / n:>5.0f}% {100 * totals['rapidfuzz'][0] / n:>5.0f}%"
    )
    if any(count for _, count in bins):  # calibrated means: each bin's share right is near its confidence
        cells = [f"{slot / 10:.1f}+ {r / c:.2f} ({c})" for slot, (r, c) in enumerate(bins) if c]
        print("search confidence -> share right (first hits): " + ", ".join(cells))


def rss_bytes() -> int:
    """Resident memory now, from /proc (Linux), so the index's real footprint is seen."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def bench(size: int, query_count: int, system: str) -> tuple[float, float, float, float, float, float]:
    """Build one index (the search or BM25) and time the queries.

    Returns build seconds (wall, CPU), index RSS in MB, p50 and p95 ms (wall) and p95 ms (CPU): on a
    shared machine the CPU figures are the ones that compare across runs.
    """
    products = make_catalog(size)
    queries = make_queries(products, query_count)
    gc.collect()
    before = rss_bytes()
    started, started_cpu = time.perf_counter(), time.process_time()
    index: object = SearchIndex.build(products, version=str(size)) if system == "search" else BM25(products)
    build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    gc.collect()
    memory_mb = (rss_bytes() - before) / 2**20
    timings, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        index.search(query)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    cuts, cpu_cuts = statistics.quantiles(timings, n=100), statistics.quantiles(cpu, n=100)
    del index
    gc.collect()
    return build_seconds, build_cpu, memory_mb, cuts[49], cuts[94], cpu_cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--dev", action="store_true", help="measure the DEV set (and list its misses) instead")
    parser.add_argument("--no-speed", action="store_true", help="skip the catalog-size part")
    args = parser.parse_args()
    if args.dev:
        quality(load_rows(DEV), show_misses=True)
    else:
        quality(load_rows(HELDOUT), show_misses=False)
    if args.no_speed:
        return
    print()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times include waiting for a CPU)")
    print(
        f"{'system':<7} {'products':>9} {'build s':>8} {'cpu s':>6} {'index MB':>9} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'cpu p95':>8}"
    )
    for size in args.sizes:
        for system in ("search", "bm25"):
            build, build_cpu, memory, p50, p95, cpu95 = bench(size, args.queries, system)
            print(
                f"{system:<7} {size:>9} {build:>8.2f} {build_cpu:>6.2f} {memory:>9.1f} "
                f"{p50:>7.2f} {p95:>7.2f} {cpu95:>8.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
