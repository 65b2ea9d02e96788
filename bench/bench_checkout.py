"""Quote + place latency against a real DynamoDB Local (started here, in a temp folder).

Usage: python bench/bench_checkout.py [--orders 200]
Prints p50/p95 for quote, place and quote+place; target: place p95 under 60 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from decimal import Decimal

from catalog.model import Product
from catalog.scratch import scratch_shop


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    """Start DynamoDB Local, warm up, then time checkouts of one to three lines."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    products = [
        Product(f"B-{i}", f"Bench Item {i}", "Bench", "pantry", "1 each", Decimal("1.99"), "USD", 100_000)
        for i in range(20)
    ]
    with scratch_shop(products) as (_, shop):
        quotes, places, totals = [], [], []
        for n in range(args.orders + 20):
            customer = f"bench-{n}"
            for line in range(1 + n % 3):
                shop.add_to_cart(customer, products[(n + line) % 20].sku, 1 + line)
            start = time.perf_counter()
            quote = shop.quote(customer)
            middle = time.perf_counter()
            shop.place(quote.quote_id, confirmed=True)
            end = time.perf_counter()
            if n >= 20:  # warm-up excluded
                quotes.append(middle - start)
                places.append(end - middle)
                totals.append(end - start)
    print(f"{'operation':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for name, values in (("quote", quotes), ("place", places), ("quote+place", totals)):
        print(
            f"{name:<14}{len(values):>6}{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
            f"{statistics.mean(values) * 1000:>9.1f}"
        )


if __name__ == "__main__":
    main()
