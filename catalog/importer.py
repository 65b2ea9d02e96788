"""Read catalog files (the demo JSON, or CSV with the same columns) into validated rows.

A bad row is reported with its line number and skipped; the rest still imports, because one typo in
a 10,000-row supplier file should not block the other 9,999. A row carries only the fields the file
gives (a missing column, key, empty cell or null means "leave it as it is"), so a file of prices never
blanks a brand. Values DynamoDB would refuse are refused here, where the line number is still known.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from catalog.model import Product, ProductFields
from catalog.policy import policy_sections

REQUIRED = ("sku",)
COLUMNS = ("sku", "name", "brand", "category", "size", "price", "currency", "stock", "synonyms")
MAX_DIGITS = 38
"""DynamoDB stores numbers of at most 38 significant digits."""
MAX_SKU = 100
MAX_TEXT = 500
MAX_SYNONYMS = 100
"""With MAX_TEXT, keeps the largest product item far below DynamoDB's 400 KB item limit."""
_JSON_SPACE = " \t\r\n"


@dataclass(frozen=True)
class CatalogRow:
    """One valid row and the line of the file it starts on."""

    line: int
    fields: ProductFields


@dataclass(frozen=True)
class ParsedCatalog:
    """Rows that passed validation, and one message per refused row."""

    rows: list[CatalogRow]
    errors: list[str]
    policy: dict[str, Any] = field(default_factory=dict)
    """The file's "delivery", "returns" and "warranty" sections, already checked (see `catalog/policy.py`)."""

    @property
    def products(self) -> list[Product]:
        """The whole products the rows describe (rows without a name or price are updates only)."""
        return [product for row in self.rows if (product := row.fields.as_product()) is not None]


def _blank(value: Any) -> bool:
    """Whether a value means "not given": absent, null, an empty cell or text, or an empty list."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == []


def _text(row: dict[str, Any], name: str, limit: int = MAX_TEXT) -> str | None:
    """A text field, stripped; None when absent or blank."""
    value = row.get(name)
    if _blank(value):
        return None
    if isinstance(value, dict | list | bool):
        raise ValueError(f"{name} must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(f"{name} is {len(text)} characters long (at most {limit})")
    return text


def _price(raw: Any) -> Decimal | None:
    """A positive amount with at most 2 decimals ("$4.99" is fine)."""
    if _blank(raw):
        return None
    try:
        price = Decimal(str(raw).strip().lstrip("$"))
    except InvalidOperation as error:
        raise ValueError(f"price {raw!r} is not a number") from error
    if isinstance(raw, bool) or not price.is_finite() or price <= 0 or int(price.as_tuple().exponent) < -2:
        raise ValueError(f"price {raw!r} must be a positive amount with at most 2 decimals")
    if price.adjusted() + 3 > MAX_DIGITS:  # whole digits and the 2 decimals sums may need
        raise ValueError(f"price {raw!r} has more than {MAX_DIGITS} digits")
    return price.quantize(Decimal(1)) if int(price.as_tuple().exponent) > 0 else price  # "1E+1" is 10


def _stock(raw: Any) -> int | None:
    """A whole, non-negative count DynamoDB can store."""
    if _blank(raw):
        return None
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation as error:
        raise ValueError(f"stock {raw!r} is not a whole number") from error
    if isinstance(raw, bool) or not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"stock {raw!r} is not a whole number")
    stock = int(number)
    if stock < 0:
        raise ValueError(f"stock {stock} is negative")
    if len(str(stock)) > MAX_DIGITS:
        raise ValueError(f"stock {raw!r} has more than {MAX_DIGITS} digits (DynamoDB's limit)")
    return stock


def _synonyms(raw: Any) -> tuple[str, ...] | None:
    """A list (JSON) or '|'-separated text (CSV) of other names."""
    if _blank(raw):
        return None
    parts = raw.split("|") if isinstance(raw, str) else raw
    if not isinstance(parts, list) or any(isinstance(part, dict | list) for part in parts):
        raise ValueError("synonyms must be a list (JSON) or '|'-separated text (CSV)")
    synonyms = tuple(s for s in (str(part).strip() for part in parts) if s)
    if len(synonyms) > MAX_SYNONYMS:
        raise ValueError(f"{len(synonyms)} synonyms (at most {MAX_SYNONYMS})")
    if any(len(s) > MAX_TEXT for s in synonyms):
        raise ValueError(f"a synonym is longer than {MAX_TEXT} characters")
    return synonyms or None


def fields_from_row(row: dict[str, Any], default_currency: str | None = None) -> ProductFields:
    """Validate one row; raises ValueError with a reason a person can act on."""
    sku = _text(row, "sku", MAX_SKU)
    if sku is None:
        raise ValueError("missing sku")
    currency = _text(row, "currency", 3) or default_currency
    if currency is not None and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise ValueError(f"currency {currency!r} is not a three-letter code")
    category = _text(row, "category")
    return ProductFields(
        sku=sku,
        name=_text(row, "name"),
        brand=_text(row, "brand"),
        category=None if category is None else category.lower(),
        size=_text(row, "size"),
        price=_price(row.get("price")),
        currency=None if currency is None else currency.upper(),
        stock=_stock(row.get("stock")),
        synonyms=_synonyms(row.get("synonyms")),
    )


def _parse_rows(rows: list[tuple[int, Any]], default_currency: str | None) -> ParsedCatalog:
    found: dict[str, CatalogRow] = {}
    errors: list[str] = []
    for line, row in rows:
        if not isinstance(row, dict):
            errors.append(f"line {line}: not an object with product fields")
            continue
        try:
            fields = fields_from_row(row, default_currency)
        except ValueError as error:
            errors.append(f"line {line}: {error}")
            continue
        if fields.sku in found:
            errors.append(f"line {line}: duplicate sku {fields.sku} (line {found[fields.sku].line} is ignored)")
        found[fields.sku] = CatalogRow(line, fields)
    return ParsedCatalog(list(found.values()), errors)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in _JSON_SPACE:
        position += 1
    return position


def _products_position(text: str, decoder: json.JSONDecoder) -> int:
    """Where the top-level value holding the products starts: the list itself, or the object's "products".

    Walks the top level member by member rather than searching the text for '"products"', which also
    matches a product named "products" or a "products" key nested in another member. The last top-level
    "products" wins, as in `json.loads`.
    """
    position = _skip_space(text, 0)
    if text[position] == "[":
        return position
    found = -1
    position = _skip_space(text, position + 1)  # after "{"
    while text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _skip_space(text, _skip_space(text, position) + 1)  # past ":"
        if key == "products":
            found = position
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return found


def _json_rows(text: str) -> tuple[list[tuple[int, Any]], str | None]:
    """Rows of a JSON list, or of an object's "products" list, with the line each row starts on."""
    data = json.loads(text, parse_float=Decimal)
    currency = None
    if isinstance(data, dict):
        currency = None if _blank(data.get("currency")) else str(data["currency"]).strip()
        data = data.get("products")
    if not isinstance(data, list):
        raise ValueError("expected a list of products or an object with a 'products' list")
    decoder = json.JSONDecoder()
    position = _skip_space(text, _products_position(text, decoder) + 1)  # after "["
    line, counted = 1, 0
    starts: list[int] = []
    for _ in data:
        line += text.count("\n", counted, position)
        counted = position
        starts.append(line)
        _, position = decoder.raw_decode(text, position)
        position = _skip_space(text, position)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return list(zip(starts, data, strict=True)), currency


def read_catalog(path: Path) -> ParsedCatalog:
    """Parse a .json or .csv catalog file; a file that can't be read at all raises ValueError."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        columns = [name.strip() for name in reader.fieldnames or ()]
        reader.fieldnames = columns
        unknown = set(columns) - set(COLUMNS)
        if not set(REQUIRED) <= set(columns):
            raise ValueError(f"CSV header must include {', '.join(REQUIRED)}; columns are {', '.join(COLUMNS)}")
        parsed = _parse_rows([(reader.line_num, row) for row in reader], None)
        if unknown:
            parsed.errors.insert(0, f"line 1: ignored unknown columns {', '.join(sorted(unknown))}")
        return parsed
    try:
        document = json.loads(text)
        policy = policy_sections(document) if isinstance(document, dict) else {}
        if policy and "products" not in document:
            return ParsedCatalog([], [], policy)  # a file of policy sections only
        rows, currency = _json_rows(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (line {error.lineno}: {error.msg})") from error
    return replace(_parse_rows(rows, currency), policy=policy)
