"""Answering "what do you recommend", "what goes with spaghetti" and "what's popular in snacks".

The order of answers (the shop decides what each rests on; see `catalog.recommend`):
1. A product named: what was bought with it, else with its category, else its category's best sellers.
2. A category named: its best sellers; with nothing sold, what it has, never called popular.
3. Otherwise, for this shopper: what they often buy, then what goes with their cart; else the shop's
   best sellers ("Popular right now"); else an honest "nothing has sold yet".

Every answer names what it rests on, and the products are numbered and kept as the list, so "add the
second one" and "tell me about the first one" work as they do after a search.
"""

from __future__ import annotations

from catalog.errors import UnknownProduct
from catalog.model import Product
from catalog.recommend import Basis, Suggestion
from intents.dialog import Dialog
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat

LIMIT = 3
"""One page: "the third one" is the last one heard."""
SEARCH_LIMIT = 9
"""How many search hits words that name no category are ranked among."""

_PRODUCT_KEYS = {
    Basis.BOUGHT_WITH: "recommend_bought_with",
    Basis.CATEGORY_AFFINITY: "recommend_category_affinity",
    Basis.POPULAR_IN_CATEGORY: "recommend_product_popular_in_category",
    Basis.IN_CATEGORY: "recommend_product_in_category",
}
_KEYS = {
    Basis.BUY_AGAIN: "recommend_buy_again",
    Basis.WITH_CART: "recommend_with_cart",
    Basis.POPULAR: "recommend_popular",
    Basis.POPULAR_IN_CATEGORY: "recommend_popular_in_category",
    Basis.IN_CATEGORY: "recommend_in_category",
}


def _named_product(dialog: Dialog) -> Product | None:
    """The product asked about ("what goes with spaghetti"): resolved by the channel, else the best search hit."""
    resolved = dialog.product_slot()
    if resolved is not None:
        return resolved
    spoken = dialog.request.slot_value("product")
    if spoken is None:
        return None
    result = dialog.search(spoken, limit=1)
    if not result.hits:
        raise UnknownProduct(spoken)
    return result.clear_choice or result.hits[0].product


def _category(dialog: Dialog) -> tuple[str, Suggestion] | None:
    """The category named and its suggestion: its best sellers, or those among what search found instead."""
    asked = dialog.category_slot(SEARCH_LIMIT)
    if asked is None:
        return None
    named, category, found = asked
    if category is None:
        return named, dialog.shop.popular_among(found, limit=LIMIT)
    return category, dialog.shop.popular(category, limit=LIMIT)


def handle_recommend(request: IntentRequest, shop: object) -> Reply:
    """Suggest a few products, each answer saying what it rests on."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    product = _named_product(dialog)
    if product is not None:
        suggestion = dialog.shop.goes_with(product.sku, limit=LIMIT)
        key = _PRODUCT_KEYS[suggestion.basis]
        category = dialog.category_name(product.category)
        return _render(dialog, [(suggestion, key)], product=dialog.label(product), category=category)
    asked = _category(dialog)
    if asked is not None:
        category, suggestion = asked
        if not suggestion.products:
            return dialog.reply(dialog.say("recommend_none_category", category=dialog.category_name(category)))
        return _render(dialog, [(suggestion, _KEYS[suggestion.basis])], category=dialog.category_name(category))
    found = dialog.shop.suggestions(request.customer_id, limit=LIMIT)
    return _render(dialog, [(suggestion, _KEYS[suggestion.basis]) for suggestion in found])


def _render(dialog: Dialog, parts: list[tuple[Suggestion, str]], **fields: object) -> Reply:
    """Say each group in its own words, numbered on across groups, and keep them as the list."""
    picks = [product for suggestion, _ in parts for product in suggestion.products]
    if not picks:
        return dialog.reply(dialog.say("recommend_none"))
    dialog.clear_pending()
    dialog.set_list("results", [p.sku for p in picks])
    dialog.set_focus(picks[0].sku)
    sentences: list[Spoken] = []
    position = 0
    for suggestion, key in parts:
        lines = []
        for product in suggestion.products:
            position += 1
            lines.append(
                dialog.say(
                    "recommend_line", position=position, product=dialog.label(product), price=dialog.price(product)
                )
            )
        sentences.append(dialog.say(key, products=dialog.join(lines), **fields))
    dialog.show("results", sentences[0].text, [(dialog.label(p).text, dialog.shown_price(p)) for p in picks])
    return dialog.reply(concat(*sentences, dialog.say("recommend_hint")), reprompt=dialog.say("help_results_page"))
