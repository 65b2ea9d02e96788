"""Read catalog files (the demo JSON, or CSV with the same columns) into validated products.

A bad row is reported with its line number and skipped; the rest still imports, because one typo in
a 10,000-row supplier file should not block the other 9,999.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from catalog.model import Product

REQUIRED = ("sku", "name", "price")
COLUMNS = ("sku", "name", "brand", "category", "size", "price", "currency", "stock", "synonyms")


@dataclass(frozen=True)
class ParsedCatalog:
    """Products that passed validation, and one message per refused row."""

    products: list[Product]
    errors: list[str]


def product_from_row(row: dict[str, Any], default_currency: str = "USD") -> Product:
    """Validate one row; raises ValueError with a reason a person can act on."""
    missing = [name for name in REQUIRED if not str(row.get(name) or "").strip()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    try:
        price = Decimal(str(row["price"]).strip().lstrip("$"))
    except InvalidOperation as error:
        raise ValueError(f"price {row['price']!r} is not a number") from error
    if not price.is_finite() or price < 0 or price.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"price {row['price']!r} must be a non-negative amount with at most 2 decimals")
    raw_stock = row.get("stock", 0)
    try:
        stock = int(str(raw_stock).strip() or 0)
    except ValueError as error:
        raise ValueError(f"stock {raw_stock!r} is not a whole number") from error
    if stock < 0:
        raise ValueError(f"stock {stock} is negative")
    synonyms = row.get("synonyms") or []
    if isinstance(synonyms, str):
        synonyms = [part.strip() for part in synonyms.split("|")]
    if not isinstance(synonyms, list):
        raise ValueError("synonyms must be a list (JSON) or '|'-separated text (CSV)")
    return Product(
        sku=str(row["sku"]).strip(),
        name=str(row["name"]).strip(),
        brand=str(row.get("brand") or "").strip(),
        category=str(row.get("category") or "").strip().lower(),
        size=str(row.get("size") or "").strip(),
        price=price,
        currency=str(row.get("currency") or default_currency).strip().upper(),
        stock=stock,
        synonyms=tuple(s for s in (str(x).strip() for x in synonyms) if s),
    )


def _parse_rows(rows: list[tuple[int, Any]], default_currency: str) -> ParsedCatalog:
    products: dict[str, Product] = {}
    errors: list[str] = []
    for line, row in rows:
        if not isinstance(row, dict):
            errors.append(f"line {line}: not an object with product fields")
            continue
        try:
            product = product_from_row(row, default_currency)
        except ValueError as error:
            errors.append(f"line {line}: {error}")
            continue
        if product.sku in products:
            errors.append(f"line {line}: duplicate sku {product.sku} (the later row wins)")
        products[product.sku] = product
    return ParsedCatalog(list(products.values()), errors)


def _json_rows(text: str) -> tuple[list[tuple[int, Any]], str]:
    """Rows of the demo format with the line each product object starts on."""
    data = json.loads(text)
    currency = "USD"
    if isinstance(data, dict):
        currency = str(data.get("currency") or currency)
        data = data.get("products")
    if not isinstance(data, list):
        raise ValueError("expected a list of products or an object with a 'products' list")
    decoder = json.JSONDecoder()
    starts: list[int] = []
    position = text.find('"products"')
    position = text.find("[", max(position, 0)) + 1
    for _ in data:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        starts.append(text.count("\n", 0, position) + 1)
        _, position = decoder.raw_decode(text, position)
    return list(zip(starts, data, strict=True)), currency


def read_catalog(path: Path) -> ParsedCatalog:
    """Parse a .json or .csv catalog file; a file that can't be read at all raises ValueError."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        unknown = set(reader.fieldnames or ()) - set(COLUMNS)
        if not set(REQUIRED) <= set(reader.fieldnames or ()):
            raise ValueError(f"CSV header must include {', '.join(REQUIRED)}; columns are {', '.join(COLUMNS)}")
        parsed = _parse_rows([(reader.line_num, row) for row in reader], "USD")
        if unknown:
            parsed.errors.insert(0, f"line 1: ignored unknown columns {', '.join(sorted(unknown))}")
        return parsed
    try:
        rows, currency = _json_rows(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (line {error.lineno}: {error.msg})") from error
    return _parse_rows(rows, currency)
