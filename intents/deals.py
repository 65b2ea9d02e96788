"""Answering "any deals today", "is oat milk on sale" and "any offers on cleaning supplies".

What is on sale is the shop's (`Shop.on_sale`, `Shop.deal_for`: promotions running today, each product
once with the promotion a checkout would take off it); this module only words it.

- A product named (or "it"): whether it is on sale and the deal ("Oatly Oat Milk is on sale: 10% off
  until Friday, December 31"), or that it isn't, naming it. It becomes "it", so "add it" follows.
- A category named (or words search reads as one, "cleaning supplies" is household): its products on
  sale. Words that name neither one product nor a category ("cheese") narrow the deals to what a search
  for them finds.
- Otherwise every product on sale, the deals ending soonest first.

A list is numbered and kept as the list (kind "deals"), so "add the second one", "tell me about the
first one" and "next" work as they do after a search; "next" reads the deals on, not bare prices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from catalog.deals import shop_today
from catalog.errors import UnknownProduct
from catalog.model import Product
from catalog.promotions import Promotion, PromotionKind
from intents.dialog import PAGE_SIZE, Dialog, load_prompts
from intents.recommend import SEARCH_LIMIT
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat, day, plain

LIST_KIND = "deals"
"""The context list kind: paged by `render_deals`, read by ordinals like search results."""
PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these"})
""""Is it on sale" fills the product slot with "it": the product in focus, not a search for "it"."""


def handle_deals(request: IntentRequest, shop: Any) -> Reply:
    """Say whether a product is on sale, or list what is (in a category, among what words find, or everywhere)."""
    dialog = Dialog(request, shop)
    asked = _product_or_group(dialog)
    if isinstance(asked, Product):
        return _product_answer(dialog, asked)
    on_sale = list(dialog.shop.on_sale())
    if asked is not None:
        name, keep = asked
        on_sale = [(item, promotion) for item, promotion in on_sale if keep(item)]
        if not on_sale:
            return dialog.reply(dialog.say("deals_none_in", category=name))
        intro = dialog.say("deals_in_one" if len(on_sale) == 1 else "deals_in_other", count=len(on_sale), category=name)
    else:
        if not on_sale:
            return dialog.reply(dialog.say("deals_none"))
        intro = dialog.count("deals_today", len(on_sale))
    dialog.clear_pending()
    dialog.set_list(LIST_KIND, [item.sku for item, _ in on_sale])
    return render_deals(dialog, intro, {item.sku: (item, promotion) for item, promotion in on_sale})


def _product_or_group(dialog: Dialog) -> Product | tuple[str, Callable[[Product], bool]] | None:
    """What the question is about: one product, a group of products (named, and which they are), or everything.

    A product the model resolved (or "it", the product in focus) is that product. Words it did not resolve
    are searched: one clear hit is that product, several ("any deals on cheese") are the group a search
    finds, none is something the shop doesn't sell.
    """
    resolved = dialog.product_slot()  # None too when resolved against an older catalog: the words are read
    if resolved is not None:
        return resolved
    spoken = (dialog.request.slot_value("product") or "").strip()
    if spoken.lower() in PRONOUNS:  # with nothing in focus: what is on sale
        return dialog.shop.catalog_product(dialog.focus) if dialog.focus else None
    if spoken:
        found = dialog.shop.search(spoken, limit=SEARCH_LIMIT)
        if not found.hits:
            raise UnknownProduct(spoken)
        if found.clear_choice is not None:
            return found.clear_choice
        return spoken, _among([hit.product.sku for hit in found.hits])
    return _category(dialog)


def render_deals(
    dialog: Dialog, intro: Spoken | None = None, known: Mapping[str, tuple[Product, Promotion]] | None = None
) -> Reply:
    """Read the current page of the deals list, numbered on across pages, each with its deal."""
    listing = dialog.listing or {"ids": [], "start": 0}
    start = int(listing.get("start") or 0)
    skus = [str(sku) for sku in listing["ids"]]
    if known is None:  # "next": today's deals again (a deal that just ended is read at its price alone)
        known = {item.sku: (item, promotion) for item, promotion in dialog.shop.on_sale()}
    page = skus[start : start + PAGE_SIZE]
    missing = [sku for sku in page if sku not in known]
    products = {sku: pair[0] for sku, pair in known.items()} | dialog.shop.repository.get_products(missing)
    lines, shown = [], []
    for position, sku in enumerate(page, start=start + 1):
        product = products.get(sku)
        if product is None:
            continue
        promotion = known[sku][1] if sku in known else None
        lines.append(_line(dialog, position, product, promotion))
        shown.append((dialog.label(product).text, _deal_words(dialog, product, promotion).text))
    more = start + PAGE_SIZE < len(skus)
    dialog.set_focus(page[0] if page else None)
    dialog.show("results", intro.text if intro else "", shown)
    hint = dialog.say("results_hint") if start == 0 else plain("")
    return dialog.reply(
        concat(intro or plain(""), *lines, dialog.say("more_results") if more else plain(""), hint),
        reprompt=dialog.say("help_results" if more else "help_results_page"),
    )


def _line(dialog: Dialog, position: int, product: Product, promotion: Promotion | None) -> Spoken:
    """"2: Clorox Bleach, $4.49, $1.00 off each." (a deal gone since the list was made: its price alone)."""
    fields = {"position": position, "product": dialog.label(product), "price": dialog.price(product)}
    if promotion is None:
        return dialog.say("result_line", stock_note="", **fields)
    return dialog.say("deal_line", deal=_deal_words(dialog, product, promotion), **fields)


def _deal_words(dialog: Dialog, product: Product, promotion: Promotion | None) -> Spoken:
    """What the promotion takes off, in the shopper's words: "10% off", "$1.00 off each", "buy 2, get 1 free"."""
    if promotion is None:
        return plain("")
    if promotion.kind is PromotionKind.PERCENT:
        return dialog.say("deal_percent", percent=f"{promotion.value.normalize():f}")
    if promotion.kind is PromotionKind.AMOUNT:
        return dialog.say("deal_amount", amount=dialog.money(min(promotion.value, product.price), product.currency))
    return dialog.say("deal_bxgy", buy=promotion.buy, free=promotion.free)


def until(dialog: Dialog, last_day: date) -> Spoken:
    """A promotion's last day as the locale says dates, with the year when it is not this one."""
    key = "date" if last_day.year == shop_today().year else "date_year"
    return day(last_day, load_prompts(dialog.request.locale)[key], dialog.request.locale)


def _product_answer(dialog: Dialog, product: Product) -> Reply:
    """Is it on sale: the deal and its last day, or a plain no naming the product. Either way it is "it"."""
    dialog.clear_pending()
    dialog.set_focus(product.sku)
    promotion = dialog.shop.deal_for(product)
    if promotion is None:
        return dialog.reply(dialog.say("not_on_sale", product=dialog.label(product)))
    spoken = dialog.say(
        "on_sale",
        product=dialog.label(product),
        deal=_deal_words(dialog, product, promotion),
        date=until(dialog, promotion.ends),
    )
    return dialog.reply(concat(spoken, dialog.say("on_sale_hint")))


def _category(dialog: Dialog) -> tuple[str, Callable[[Product], bool]] | None:
    """The category asked about and which products it covers (`Dialog.category_slot`)."""
    asked = dialog.category_slot(SEARCH_LIMIT)
    if asked is None:
        return None
    named, category, found = asked
    if category is None:
        return named, _among(found)
    return category, lambda product: product.category.lower() == category


def _among(skus: Sequence[str]) -> Callable[[Product], bool]:
    wanted = frozenset(skus)
    return lambda product: product.sku in wanted
