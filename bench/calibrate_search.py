"""Fit the search's confidence on the DEV set (bench/dev_search.jsonl), never on the held-out sets.

Run from the checkout root:  PYTHONPATH=$PWD .venv/bin/python bench/calibrate_search.py [--write]

For every DEV query the first hit's score (0..1), its tier ("words": found by its words; "sound":
found because it sounds like the query) and whether it was right (for a `not_sold` row any hit is
wrong) are collected with calibration switched off. Per tier, isotonic regression (pool adjacent
violators, blocks of fewer than 8 rows pooled, Laplace-smoothed) turns score into observed precision,
a non-decreasing step function; its blocks are
written as (score, precision) points into `CALIBRATION` in catalog/search.py with `--write`. The
script then prints the reliability table (confidence bins beside observed precision) and, for a
sweep of confidence floors, top-1 on answerable rows and no-match on not-sold rows.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import catalog.search as search_module
from bench.bench_search import DEV, load_demo_products, load_rows
from catalog.search import SearchIndex

SEARCH_FILE = Path(search_module.__file__)
MIN_BLOCK = 8


def collect(index: SearchIndex, rows: list[dict[str, object]]) -> list[tuple[float, str, bool, bool]]:
    """(score, tier, right, answerable) of each row's first hit; a row with no hit is left out."""
    out = []
    for row in rows:
        expected = set(row["sku_any"])  # type: ignore[arg-type]
        result = index.search(str(row["query"]), limit=5)
        if not result.hits:
            continue
        hit = result.hits[0]
        out.append((hit.confidence, hit.tier, hit.product.sku in expected, bool(expected)))
    return out


def isotonic(points: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    """Pool adjacent violators: (upper score of each block, its precision), non-decreasing."""
    blocks: list[list[float]] = []  # [sum right, count, max score]
    for score, right in sorted(points):
        blocks.append([float(right), 1.0, score])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            right_sum, count, top = blocks.pop()
            blocks[-1][0] += right_sum
            blocks[-1][1] += count
            blocks[-1][2] = top
    merged: list[list[float]] = []
    for block in blocks:  # a block of a few rows says little: pool it with the next until it holds enough
        if merged and merged[-1][1] < MIN_BLOCK:
            merged[-1] = [merged[-1][0] + block[0], merged[-1][1] + block[1], block[2]]
        else:
            merged.append(block)
    if len(merged) > 1 and merged[-1][1] < MIN_BLOCK:
        last = merged.pop()
        merged[-1] = [merged[-1][0] + last[0], merged[-1][1] + last[1], last[2]]
    # Laplace's rule, (right + 1) / (rows + 2): no block of a sample is ever certain either way
    return [(round(top, 3), round((right_sum + 1) / (count + 2), 3)) for right_sum, count, top in merged]


def _wrapped(points: tuple[tuple[float, float], ...]) -> str:
    """Points as a tuple literal, wrapped within the line limit as ruff format would."""
    lines = textwrap.wrap(", ".join(repr(point) for point in points), 100, break_on_hyphens=False)
    return "(\n" + "".join(f"        {line}\n" for line in lines).rstrip("\n") + ",\n    )"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the fitted CALIBRATION into catalog/search.py")
    args = parser.parse_args()
    rows = load_rows(DEV)
    products = load_demo_products()
    if args.write:
        floor, step = search_module.MIN_CONFIDENCE, search_module.calibrated
        search_module.calibrated = lambda evidence, tier: evidence  # collect the raw evidence, uncalibrated
        search_module.MIN_CONFIDENCE = 0.0
        samples = collect(SearchIndex.build(products), rows)
        search_module.calibrated = step
        table = {}
        for tier in ("words", "brand", "sound"):
            fitted = isotonic([(score, right) for score, t, right, _ in samples if t == tier])
            table[tier] = tuple([*fitted[:-1], (2.0, fitted[-1][1])]) if fitted else ((2.0, 0.0),)
        text = SEARCH_FILE.read_text()
        body = "".join(f'    "{tier}": {_wrapped(points)},\n' for tier, points in table.items())
        header = "CALIBRATION: dict[str, tuple[tuple[float, float], ...]] = {"
        text = re.sub(r"CALIBRATION: dict\[.*?\n}\n", lambda _: f"{header}\n{body}}}\n", text, flags=re.S)
        SEARCH_FILE.write_text(text)
        search_module.CALIBRATION, search_module.MIN_CONFIDENCE = table, floor
    index = SearchIndex.build(products)
    bins = [[0, 0] for _ in range(10)]
    answerable = sum(bool(row["sku_any"]) for row in rows)
    not_sold = len(rows) - answerable
    firsts = []
    for row in rows:
        expected = set(row["sku_any"])  # type: ignore[arg-type]
        result = search_module.SearchIndex.search(index, str(row["query"]), limit=5)
        hit = result.hits[0] if result.hits else None
        if hit is not None:
            right = hit.product.sku in expected
            slot = min(9, int(hit.confidence * 10))
            bins[slot][0] += right
            bins[slot][1] += 1
        firsts.append((hit, expected))
    print("confidence   hits  precision")
    for slot, (right, count) in enumerate(bins):
        if count:
            print(f"{slot / 10:.1f}-{(slot + 1) / 10:.1f}  {count:>6}  {right / count:>8.2f}")
    print("\nfloor  top-1 answerable  no-match")
    for floor in (0.0, 0.3, 0.4, 0.5, 0.55, 0.56, 0.58, 0.6, 0.7):
        top = sum(
            1
            for hit, expected in firsts
            if expected and hit and hit.confidence >= floor and hit.product.sku in expected
        )
        empty = sum(1 for hit, expected in firsts if not expected and (hit is None or hit.confidence < floor))
        print(f"{floor:>5.2f}  {100 * top / answerable:>15.1f}%  {100 * empty / max(1, not_sold):>7.1f}%")


if __name__ == "__main__":
    main()
