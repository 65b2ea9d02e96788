"""The per-turn toolkit every intent handler uses: prompts, context, paging and reply building.

Context is a plain JSON-safe dict carried by the channel between turns (Alexa session attributes, the
kiosk's memory). Keys: `list` (what "next" pages through), `focus` (the product "it" means),
`pending` (what a yes/no or a code answers), `last` (what "repeat" says again).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from catalog.errors import UnknownProduct
from catalog.model import Product
from catalog.search import SearchResult
from catalog.services import Shop
from catalog.text import normalize
from intents.language import UnknownLocale, base_locale
from intents.lexicon import load_lexicon
from intents.quantity import parse_quantity
from intents.request import IntentRequest, Reply, Screen, ScreenLine
from intents.speech import Spoken, compose, day, in_language, join, money, plain

PROMPTS_DIR = Path(str(files("intents").joinpath("prompts")))
PAGE_SIZE = 3
DEFAULT_LOCALE = "en-US"
ASKS_AGAIN = frozenset({
    "fallback", "which_product", "no_such_position", "quantity_unreadable", "code_invalid", "code_not_expected",
    "sign_in_unknown",
})  # fmt: skip
"""Prompts that ask the shopper to say it again: a reply using one carries the `asked_back` event, which
`intents.handoff` counts as a misunderstanding (three in a row and a person is offered)."""


@cache
def load_prompts(locale: str) -> dict[str, str]:
    """Prompt templates for a locale: its base locale's (the model's `extends`), overlaid with its own file.

    So `prompts/en-GB.json` holds only what British English says differently. A locale without a model
    gets en-US's prompts (channels check the locale first and apologise; this keeps a stray one speaking).
    """
    try:
        base = base_locale(locale)
    except UnknownLocale:
        return load_prompts(DEFAULT_LOCALE) if locale != DEFAULT_LOCALE else {}
    prompts = dict(load_prompts(base)) if base else {}
    path = PROMPTS_DIR / f"{locale}.json"
    if path.exists():
        prompts.update(json.loads(path.read_text(encoding="utf-8")))
    return prompts


def available_prompt_locales() -> list[str]:
    """Locales with their own prompt file."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.json"))


@dataclass
class Dialog:
    """One turn: the request, the shop, and the context being built for the next turn."""

    request: IntentRequest
    shop: Shop
    context: dict[str, Any] = field(init=False)
    said: set[str] = field(init=False, default_factory=set)
    """The prompt keys this turn used, so the reply can tell whether it asked the shopper to say it again."""
    screen: Screen | None = field(init=False, default=None)
    """What this turn's reply shows on a screen, set by `show`."""

    def __post_init__(self) -> None:
        """Start from a copy, so a handler that raises leaves the caller's context untouched."""
        self.context = json.loads(json.dumps(dict(self.request.context), default=str))

    def show(self, kind: str, title: str, lines: list[tuple[str, str]], footer: str = "") -> None:
        """Attach a screen to the reply about to be built (search results, a product, the cart, a summary)."""
        self.screen = Screen(kind, title, tuple(ScreenLine(t, d) for t, d in lines), footer)

    # --- words ----------------------------------------------------------------------------------
    def say(self, key: str, **fields: Any) -> Spoken:
        """A prompt from the locale's file, filled in; a `product` given as text is a catalog name."""
        self.said.add(key)
        if isinstance(fields.get("product"), str):
            fields["product"] = self.catalog_name(fields["product"])
        return compose(load_prompts(self.request.locale)[key], **fields)

    def count(self, key: str, number: int) -> Spoken:
        """Say "1 item" or "3 items" from the `<key>_one` / `<key>_other` prompts."""
        return self.say(f"{key}_one" if number == 1 else f"{key}_other", count=number)

    def label(self, product: Product) -> Spoken:
        """How a product is named aloud: brand first unless the name already carries it."""
        if product.brand and not product.name.lower().startswith(product.brand.lower()):
            return self.catalog_name(self.say("product_name", brand=product.brand, name=product.name))
        return self.catalog_name(product.name)

    def catalog_name(self, name: str | Spoken) -> Spoken:
        """A name as the catalog writes it, marked as the catalog's language where the locale speaks another."""
        spoken = plain(name) if isinstance(name, str) else name
        language = load_lexicon(self.request.locale).catalog_language
        return in_language(spoken, language) if language else spoken

    def product_slot(self, name: str = "product") -> Product | None:
        """The product the channel resolved the slot to, if it still is in the catalog.

        A resolution made against an older catalog names a sku that may be gone: then None, and the caller
        reads the slot's words instead.
        """
        sku = self.request.slot_id(name)
        if not sku:
            return None
        try:
            return self.shop.catalog_product(sku)
        except UnknownProduct:
            return None

    def price(self, product: Product) -> Spoken:
        """A product's price, spoken."""
        return self.money(product.price, product.currency)

    def shown_price(self, product: Product) -> str:
        """A price as a screen shows it ("$4.79"), as the cart and checkout screens do, not spelled out."""
        return self.price(product).ssml

    def money(self, amount: Decimal, currency: str = "USD") -> Spoken:
        """An amount in the catalog's currency, in the locale's words."""
        return money(amount, currency, self.request.locale)

    def join(self, parts: list[Spoken], conjunction: str = "and") -> Spoken:
        """A list as "a, b and c" ("a, b y c"), `conjunction` being "and" or "or" in the locale's words."""
        return join(parts, load_lexicon(self.request.locale).conjunctions[conjunction])

    def day(self, value: date) -> Spoken:
        """A date in the locale's order and words (the `date` prompt: en-US month first, en-GB day first)."""
        template = load_prompts(self.request.locale).get("date", "{weekday}, {month} {day}")
        return day(value, template, self.request.locale)

    def category_name(self, category: str) -> str:
        """A catalog category as the locale names it ("dairy" is "lácteos" in es-US), else as the catalog does."""
        names = load_lexicon(self.request.locale).categories.get(category)
        return names[0] if names else category

    def echo(self, said: str, searched: str) -> str:
        """What to repeat of a search: the catalog's reading of it, or what was said when that was translated."""
        return said if load_lexicon(self.request.locale).catalog_words else searched

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """The shop's search for what the shopper said, in the catalog's words (es-US "leche" finds milk)."""
        return self.shop.search(load_lexicon(self.request.locale).catalog_query(query), limit=limit)

    def category_slot(self, limit: int) -> tuple[str, str | None, list[str]] | None:
        """The category the shopper named: its words, the catalog category, or the skus search found instead.

        Words the model did not resolve are read by search: "cleaning stuff" is household; "cheese" names
        no category, so what a search for it finds stands in (category None); words that find nothing are
        something the shop doesn't sell (`UnknownProduct`). Deals and recommendations read it alike.
        """
        named = self.request.slot_id("category") or self.request.slot_value("category")
        if not named:
            return None
        if named.lower() in self.shop.search_cache.current().categories:
            return named, named.lower(), []
        found = self.search(named, limit=limit)
        if found.category is not None:
            return named, found.category, []
        if not found.hits:
            raise UnknownProduct(named)
        return named, None, [hit.product.sku for hit in found.hits]

    # --- context --------------------------------------------------------------------------------
    @property
    def pending(self) -> dict[str, Any] | None:
        """What the last question is waiting for (a yes/no, a code, a choice)."""
        value = self.context.get("pending")
        return value if isinstance(value, dict) else None

    def set_pending(self, kind: str, **data: Any) -> None:
        """Remember what the question just asked is about."""
        self.context["pending"] = {"kind": kind, **data}

    def clear_pending(self) -> None:
        """Forget any open question."""
        self.context.pop("pending", None)

    @property
    def focus(self) -> str | None:
        """The sku "it" refers to."""
        value = self.context.get("focus")
        return value if isinstance(value, str) else None

    def set_focus(self, sku: str | None) -> None:
        """Make a product what "it" refers to."""
        if sku:
            self.context["focus"] = sku

    def set_list(self, kind: str, ids: list[str], start: int = 0) -> None:
        """Remember a list so "next", "the second one" and "previous" work on it."""
        self.context["list"] = {"kind": kind, "ids": ids, "start": start}

    @property
    def listing(self) -> dict[str, Any] | None:
        """The list being paged through, if any."""
        value = self.context.get("list")
        if isinstance(value, dict) and isinstance(value.get("ids"), list):
            return value
        return None

    def from_list(self, position: int, kind: str | None = None) -> str | None:
        """The id at a 1-based position: on the current page ("the second one"), or counted on over the list."""
        listing = self.listing
        if listing is None or (kind is not None and listing.get("kind") != kind):
            return None
        start = int(listing.get("start") or 0)
        ids: list[str] = [str(i) for i in listing["ids"]]
        page = ids if listing.get("kind") == "choice" else ids[start : start + PAGE_SIZE]
        if position == -1:
            return ids[-1] if ids else None  # "the last one": the list's last, as the recognizer counts it
        if 1 <= position <= len(page):
            return page[position - 1]
        if PAGE_SIZE < position <= len(ids):
            return ids[position - 1]  # "the fourth one" after "I found 6" or "next": counted over the whole list
        return None

    # --- replies --------------------------------------------------------------------------------
    def reply(
        self,
        spoken: Spoken,
        *,
        reprompt: Spoken | None = None,
        end: bool = False,
        events: tuple[str, ...] = (),
        card_title: str | None = None,
    ) -> Reply:
        """Build the reply and remember it for "repeat"."""
        if reprompt is None and not end:
            reprompt = self.say("anything_else")
        self.context["last"] = {"text": spoken.text, "ssml": spoken.ssml}
        if self.said & ASKS_AGAIN and "asked_back" not in events:
            events = (*events, "asked_back")
        return Reply(
            speech=spoken.text,
            ssml=f"<speak>{spoken.ssml}</speak>",
            reprompt=None if end or reprompt is None else reprompt.text,
            card_title=card_title or load_prompts(self.request.locale)["store_name"],
            card_text=spoken.text,
            end_session=end,
            context={} if end else self.context,
            events=events,
            screen=self.screen,
        )

    def ask(self, spoken: Spoken, reprompt_key: str, events: tuple[str, ...] = ()) -> Reply:
        """A question with a specific reprompt (yes/no, code, choice)."""
        return self.reply(spoken, reprompt=self.say(reprompt_key), events=events)


def quantity_from(request: IntentRequest, name: str = "quantity") -> int | None:
    """A quantity slot as an int, None when none was said; unreadable words raise `UnreadableQuantity`.

    Every handler goes through here, so "2.5" or "?" is asked about again instead of becoming 1.
    """
    value = request.slot_id(name) or request.slot_value(name)
    return None if value is None else parse_quantity(value, request.locale)


def ordinal_from(request: IntentRequest) -> int | None:
    """Read "the second one" as 2 and "the last one" as -1."""
    raw = request.slot_id("ordinal") or request.slot_value("ordinal")
    if raw is None:
        return None
    words = load_lexicon(request.locale).ordinals  # "the sixth one" counts on across pages, as read
    raw = raw.lower().strip()
    if normalize(raw) in words:
        return words[normalize(raw)]
    digits = re.sub(r"(st|nd|rd|th)\.?$", "", raw)
    return int(digits) if digits.lstrip("-").isdigit() else None
