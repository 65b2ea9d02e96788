"""The shop's fulfilment policy: delivery options, return windows and warranties, in one document.

It travels with the catalog (optional "delivery", "returns" and "warranty" sections of a catalog JSON
file) and is stored in the table as one item, so the Lambda and the kiosk read the same terms; a shop
that never imported any gets the defaults shipped in `catalog/data/shop_policy.json`, section by section.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from catalog.delivery import DeliveryPolicy, parse_delivery
from catalog.errors import UnknownDeliveryOption
from catalog.returns import ReturnPolicy, WarrantyPolicy, parse_returns, parse_warranty

DEFAULT_POLICY = Path(__file__).resolve().parent / "data" / "shop_policy.json"
SECTIONS = ("delivery", "returns", "warranty")


@dataclass(frozen=True)
class ShopPolicy:
    """Everything after the sale that a shop configures."""

    delivery: DeliveryPolicy
    returns: ReturnPolicy
    warranty: WarrantyPolicy


@cache
def default_sections() -> dict[str, Any]:
    """The shipped defaults, read once."""
    return dict(json.loads(DEFAULT_POLICY.read_text(encoding="utf-8")))


def policy_sections(document: Mapping[str, Any]) -> dict[str, Any]:
    """The policy sections a catalog file gives (checked now, so a bad one is refused before anything lands)."""
    found = {name: document[name] for name in SECTIONS if isinstance(document.get(name), dict)}
    try:
        build_policy(found)
    except (TypeError, AttributeError, KeyError, UnknownDeliveryOption) as error:
        raise ValueError(f"the policy sections are not valid ({error!r})") from error
    return found


def build_policy(sections: Mapping[str, Any]) -> ShopPolicy:
    """A policy from stored sections, each missing one taken from the defaults; ValueError if one is bad."""
    merged = {**default_sections(), **sections}
    return ShopPolicy(
        parse_delivery(merged["delivery"]), parse_returns(merged["returns"]), parse_warranty(merged["warranty"])
    )
