"""Finding products and filling the cart: search, details, add, remove, set quantity, review, clear.

Products are named by entity resolution (a sku) when the channel resolved one, by position in the list
just read ("the second one"), by "it" (the product in focus), or else by searching the spoken words.
"""

from __future__ import annotations

from dataclasses import replace

from catalog.errors import NotInCart, UnknownProduct
from catalog.model import Product
from catalog.search import SearchResult
from intents.dialog import PAGE_SIZE, Dialog, ordinal_from, quantity_from
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat, money, plain, size_words

RESULT_LIMIT = 9
LIST_LIMIT = 30
"""How many search results "next" can page through; the count said is honest up to here ("more than 30")."""


def _query_text(request: IntentRequest) -> str | None:
    """Rebuild what was asked from the slots, so the search sees the price cap and category too."""
    parts = [request.slot_value("product") or "", request.slot_value("category") or ""]
    price = request.slot_value("price")
    text = " ".join(p for p in parts if p)
    if price and text:
        text = f"{text} under {price} dollars"
    return text or None


def render_results(dialog: Dialog, intro: Spoken | None = None) -> Reply:
    """Read the current page of search results, three at a time."""
    listing = dialog.listing or {"ids": [], "start": 0}
    start = int(listing.get("start") or 0)
    skus = [str(s) for s in listing["ids"]]
    products = dialog.shop.repository.get_products(skus[start : start + PAGE_SIZE])
    lines = []
    for offset, sku in enumerate(skus[start : start + PAGE_SIZE], start=start + 1):  # numbered on across pages
        product = products.get(sku)
        if product is None:
            continue
        note = "" if product.in_stock else dialog.say("out_of_stock_note").text
        lines.append(
            dialog.say(
                "result_line",
                position=offset,
                product=dialog.label(product),
                price=dialog.price(product),
                stock_note=note,
            )
        )
    more = dialog.say("more_results") if start + PAGE_SIZE < len(skus) else plain("")
    hint = dialog.say("results_hint") if start == 0 else plain("")
    first_on_page = products.get(skus[start]) if start < len(skus) else None
    dialog.set_focus(first_on_page.sku if first_on_page else None)
    page = [products[sku] for sku in skus[start : start + PAGE_SIZE] if sku in products]
    dialog.show("results", intro.text if intro else "", [(dialog.label(p).text, dialog.price(p).text) for p in page])
    return dialog.reply(concat(intro or plain(""), *lines, more, hint), reprompt=dialog.say("help_results"))


def handle_search(request: IntentRequest, shop: object) -> Reply:
    """Search and read the first three results (or say plainly that the shop doesn't sell it)."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    query = _query_text(request)
    if query is None:
        return dialog.reply(dialog.say("which_product"))
    result = dialog.shop.search(query, limit=LIST_LIMIT + 1)  # one more than is listed tells "more than" apart
    dialog.clear_pending()
    if not result.hits:
        spoken_query = result.text or query
        if result.price_cap is not None:
            message = dialog.say("search_none_cap", query=spoken_query, cap=money(result.price_cap))
        else:
            message = dialog.say("search_none", query=spoken_query)
        return dialog.reply(message, events=("search_no_result",))
    found = len(result.hits)
    skus = [hit.product.sku for hit in result.hits[:LIST_LIMIT]]
    dialog.set_list("results", skus)
    if len(skus) == 1:
        product = result.hits[0].product
        dialog.set_focus(product.sku)
        return dialog.reply(dialog.say("search_found_one", details=_details_sentence(dialog, product)))
    query_words = result.text or query
    if found <= PAGE_SIZE:
        return render_results(dialog, dialog.say("search_found", count=found, query=query_words))
    key = "search_found_more_than" if found > LIST_LIMIT else "search_found_first"
    return render_results(dialog, dialog.say(key, count=min(found, LIST_LIMIT), query=query_words, shown=PAGE_SIZE))


def _details_sentence(dialog: Dialog, product: Product) -> Spoken:
    detail = ", ".join(part for part in (product.size, dialog.price(product).ssml) if part)
    dialog.show("product", dialog.label(product).text, [(product.brand or product.category, detail)])
    if product.stock <= 0:
        stock = dialog.say("out_of_stock")
    elif product.stock <= 5:
        stock = dialog.say("few_left", count=product.stock)
    else:
        stock = dialog.say("in_stock")
    return dialog.say(
        "details",
        product=dialog.label(product),
        size=size_words(product.size) if product.size else "one size",
        price=dialog.price(product),
        stock=stock,
    )


def resolve_product(dialog: Dialog, *, search_fallback: bool = True) -> Product | Reply:
    """The product the customer means, or a reply asking them to say which (did you mean A or B?)."""
    request = dialog.request
    position = ordinal_from(request)
    if position is not None:
        sku = dialog.from_list(position)
        if sku is None:
            return dialog.reply(dialog.say("no_such_position", position=position))
        return dialog.shop.catalog_product(sku)
    resolved = dialog.product_slot()
    if resolved is not None:
        return resolved
    spoken = request.slot_value("product")
    if spoken is None:
        if dialog.focus:
            return dialog.shop.catalog_product(dialog.focus)
        return dialog.reply(dialog.say("which_product"))
    if not search_fallback:
        raise UnknownProduct(spoken)
    result = dialog.shop.search(spoken, limit=RESULT_LIMIT)
    return _pick(dialog, result, spoken)


def _pick(dialog: Dialog, result: SearchResult, spoken: str) -> Product | Reply:
    """The best hit, unless two are too close to call: then ask."""
    if result.clear_choice is not None:
        return result.clear_choice
    if not result.hits:
        raise UnknownProduct(spoken)
    first, second = result.hits[0].product, result.hits[1].product  # not a clear choice: two too close to call
    dialog.set_list("choice", [first.sku, second.sku])
    quantity = quantity_from(dialog.request)
    dialog.set_pending("choose", intent=dialog.request.intent, quantity=quantity)
    return dialog.ask(dialog.say("did_you_mean", first=dialog.label(first), second=dialog.label(second)), "help_choose")


def handle_product_details(request: IntentRequest, shop: object) -> Reply:
    """Price, size and stock of the product meant."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    named = resolve_product(dialog)
    if isinstance(named, Reply):
        return named
    product = dialog.shop.product(named.sku)  # live stock for "is it in stock"
    dialog.set_focus(product.sku)
    return dialog.reply(_details_sentence(dialog, product))


def add_product(dialog: Dialog, product: Product, quantity: int) -> Reply:
    """Add to the cart and say the new cart size and total."""
    cart = dialog.shop.add_to_cart(dialog.request.customer_id, product.sku, quantity)
    dialog.set_focus(product.sku)
    dialog.clear_pending()
    return dialog.reply(
        dialog.say(
            "added",
            quantity=quantity,
            product=dialog.label(product),
            items=dialog.count("item", cart.item_count),
            total=money(cart.total, cart.currency or "USD"),
        )
    )


def handle_add_to_cart(request: IntentRequest, shop: object) -> Reply:
    """Add the product meant ("add two of those", "add the second one", "add oat milk")."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    pending = dialog.pending
    quantity = quantity_from(request)  # an unreadable one is asked about before any product is looked up
    product = resolve_product(dialog)
    if isinstance(product, Reply):
        return product
    if quantity is None and pending and pending.get("kind") == "choose":
        quantity = pending.get("quantity")
    reply = add_product(dialog, product, quantity if quantity is not None else 1)
    second = request.slots.get("product_two")
    if second is None or not (second.value or second.resolved_id):
        return reply
    # "add 2 cheerios and a loaf of sourdough": the second product is added (or asked about) in its own
    # right, never dropped; its words are a request of their own, with what the first turn left behind.
    slots = {"product": replace(second, name="product")}
    if (count := request.slots.get("quantity_two")) is not None:
        slots["quantity"] = replace(count, name="quantity")
    then = handle_add_to_cart(replace(request, slots=slots, context=reply.context), shop)
    return replace(then, speech=f"{reply.speech} {then.speech}", ssml=_joined_ssml(reply.ssml, then.ssml))


def _joined_ssml(first: str, second: str) -> str:
    """Two replies' SSML as one `<speak>` document."""
    inner = [part.removeprefix("<speak>").removesuffix("</speak>") for part in (first, second)]
    return f"<speak>{inner[0]} {inner[1]}</speak>"


def _cart_product(dialog: Dialog) -> Product | Reply:
    """A product named for a cart change, preferring what is in the cart when the words are unsure."""
    request = dialog.request
    spoken = request.slot_value("product")
    if spoken and not request.slot_id("product"):
        cart = dialog.shop.cart(request.customer_id)
        result = dialog.shop.search(spoken, limit=RESULT_LIMIT)
        in_cart = [hit for hit in result.hits if cart.line_for(hit.product.sku)]
        if in_cart:
            return in_cart[0].product
    if ordinal_from(request) is not None and dialog.listing and dialog.listing.get("kind") == "cart":
        sku = dialog.from_list(ordinal_from(request) or 0, "cart")
        if sku:
            return dialog.shop.catalog_product(sku)
    return resolve_product(dialog)


def handle_remove_from_cart(request: IntentRequest, shop: object) -> Reply:
    """Take a product out of the cart."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    units = quantity_from(request)  # "remove one greek yogurt" takes one; "remove the greek yogurt" takes the line
    product = _cart_product(dialog)
    if isinstance(product, Reply):
        return product
    try:
        if units is None:
            dialog.shop.remove_from_cart(request.customer_id, product.sku)
            return dialog.reply(dialog.say("removed", product=dialog.label(product)))
        cart = dialog.shop.remove_units(request.customer_id, product.sku, units)
    except NotInCart:
        return dialog.reply(dialog.say("not_in_cart", product=dialog.label(product)))
    left = cart.line_for(product.sku)
    if left is None:
        return dialog.reply(dialog.say("removed", product=dialog.label(product)))
    return dialog.reply(
        dialog.say("removed_some", units=units, product=dialog.label(product), left=left.quantity)
    )


def handle_set_quantity(request: IntentRequest, shop: object) -> Reply:
    """Change how many of a cart line."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    quantity = quantity_from(request)
    product = _cart_product(dialog)
    if isinstance(product, Reply):
        return product
    if quantity is None:
        return dialog.reply(dialog.say("how_many_max", maximum=dialog.shop.settings.max_quantity))
    if quantity == 0:  # "make that zero" means take the line out, not "I can add between 1 and 20"
        slots = {name: slot for name, slot in request.slots.items() if name != "quantity"}
        return handle_remove_from_cart(replace(request, slots=slots), shop)
    try:
        dialog.shop.set_quantity(request.customer_id, product.sku, quantity)
    except NotInCart:
        return dialog.reply(dialog.say("not_in_cart", product=dialog.label(product)))
    dialog.set_focus(product.sku)
    return dialog.reply(dialog.say("quantity_set", quantity=quantity, product=dialog.label(product)))


def render_cart(dialog: Dialog) -> Reply:
    """Read the cart three lines at a time, with the total first."""
    cart = dialog.shop.cart(dialog.request.customer_id)
    if not cart.lines:
        return dialog.reply(dialog.say("cart_empty"))
    listing = dialog.listing
    start = int(listing.get("start") or 0) if listing and listing.get("kind") == "cart" else 0
    if not (listing and listing.get("kind") == "cart"):
        dialog.set_list("cart", [line.sku for line in cart.lines])
    currency = cart.currency or "USD"
    dialog.show(
        "cart",
        dialog.count("item", cart.item_count).text,
        [(line.name, f"{line.quantity} × {money(line.line_total, currency).ssml}") for line in cart.lines],
        money(cart.total, currency).ssml,
    )
    lines = [
        dialog.say("cart_line", quantity=line.quantity, product=line.name, total=money(line.line_total, currency))
        for line in cart.lines[start : start + PAGE_SIZE]
    ]
    intro = dialog.say("cart_intro", items=dialog.count("item", cart.item_count), total=money(cart.total, currency))
    more = dialog.say("more_results") if start + PAGE_SIZE < len(cart.lines) else plain("")
    return dialog.reply(concat(intro if start == 0 else plain(""), *lines, more))


def handle_review_cart(request: IntentRequest, shop: object) -> Reply:
    """What's in my cart."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    dialog.context.pop("list", None)
    return render_cart(dialog)


def handle_clear_cart(request: IntentRequest, shop: object) -> Reply:
    """Empty the cart, after a yes."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    cart = dialog.shop.cart(request.customer_id)
    if not cart.lines:
        return dialog.reply(dialog.say("cart_empty"))
    dialog.set_pending("clear_cart")
    return dialog.ask(dialog.say("confirm_clear", items=dialog.count("item", cart.item_count)), "help_confirm")


def confirm_clear_cart(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """Yes to "empty your cart?"."""
    dialog.shop.clear_cart(dialog.request.customer_id)
    dialog.clear_pending()
    return dialog.reply(dialog.say("cleared"))


def decline_clear_cart(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """No to "empty your cart?"."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("clear_declined"))


def confirm_add(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """Yes to an offered alternative ("would you like organic bananas instead?")."""
    product = dialog.shop.catalog_product(str(pending["sku"]))
    return add_product(dialog, product, int(str(pending.get("quantity") or 1)))


def decline_add(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """No to an offered alternative."""
    dialog.clear_pending()
    return dialog.reply(dialog.say("anything_else"))


def handle_store_policy(request: IntentRequest, shop: object) -> Reply:
    """Returns, delivery, hours, payment."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    policy = (request.slot_id("policy") or request.slot_value("policy") or "").lower()
    aliases = {
        "return": "returns",
        "refund": "returns",
        "refunds": "returns",
        "shipping": "delivery",
        "opening hours": "hours",
        "open": "hours",
        "pay": "payment",
        "paying": "payment",
    }
    policy = aliases.get(policy, policy)
    key = f"policy_{policy}"
    from intents.dialog import load_prompts
    from intents.returns import POLICY_ANSWERS

    if policy in POLICY_ANSWERS:  # answered from the shop's configured terms
        return POLICY_ANSWERS[policy](dialog)

    if key not in load_prompts(request.locale):
        return dialog.reply(dialog.say("policy_unknown"))
    return dialog.reply(dialog.say(key))
