"""Finding products and filling the cart: search, details, add, remove, set quantity, review, clear.

Products are named by entity resolution (a sku) when the channel resolved one, by position in the list
just read ("the second one"), by "it" (the product in focus), or else by searching the spoken words.
"""

from __future__ import annotations

from dataclasses import replace

from catalog.errors import NotInCart, UnknownProduct
from catalog.model import Product
from catalog.search import SearchResult
from catalog.unanswered import ASKEDBACK, NOMATCH
from intents.dialog import PAGE_SIZE, Dialog, ordinal_from, quantity_from
from intents.quantity import UnreadableQuantity, pack_size, parse_quantity, unit_in
from intents.request import IntentRequest, Reply
from intents.speech import Spoken, concat, plain, size_words

CONFIDENT = 0.7
"""A first hit less sure than this (calibrated: right about this share of the time) is asked about:
"Did you mean creamy peanut butter?". The search only says how sure it is; asking is the conversation's."""
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
    dialog.show("results", intro.text if intro else "", [(dialog.label(p).text, dialog.shown_price(p)) for p in page])
    return dialog.reply(concat(intro or plain(""), *lines, more, hint), reprompt=dialog.say("help_results"))


def handle_search(request: IntentRequest, shop: object) -> Reply:
    """Search and read the first three results (or say plainly that the shop doesn't sell it)."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    query = _query_text(request)
    if query is None:
        return dialog.reply(dialog.say("which_product"))
    said = " ".join(v for v in (request.slot_value("product"), request.slot_value("category")) if v)
    result = dialog.search(query, limit=LIST_LIMIT + 1)  # one more than is listed tells "more than" apart
    dialog.clear_pending()
    if not result.hits:
        dialog.shop.record_unanswered_search(query, request.channel, NOMATCH)  # counted for ops, never the shopper
        spoken_query = dialog.echo(said, result.text or query)
        if result.price_cap is not None:
            message = dialog.say("search_none_cap", query=spoken_query, cap=dialog.money(result.price_cap))
        else:
            message = dialog.say("search_none", query=spoken_query)
        return dialog.reply(message, events=("search_no_result",))
    if result.hits[0].confidence < CONFIDENT:
        dialog.shop.record_unanswered_search(query, request.channel, ASKEDBACK)
        return _ask_did_you_mean(dialog, result.hits[0].product, result.text or query)
    found = len(result.hits)
    skus = [hit.product.sku for hit in result.hits[:LIST_LIMIT]]
    dialog.set_list("results", skus)
    if len(skus) == 1:
        product = result.hits[0].product
        dialog.set_focus(product.sku)
        return dialog.reply(dialog.say("search_found_one", details=_details_sentence(dialog, product)))
    query_words = dialog.echo(said, result.text or query)
    if found <= PAGE_SIZE:
        return render_results(dialog, dialog.say("search_found", count=found, query=query_words))
    key = "search_found_more_than" if found > LIST_LIMIT else "search_found_first"
    return render_results(dialog, dialog.say(key, count=min(found, LIST_LIMIT), query=query_words, shown=PAGE_SIZE))


def _ask_did_you_mean(dialog: Dialog, product: Product, looked_for: str) -> Reply:
    """Ask about an unsure hit, keeping what was looked for (words, not a customer) for a "no"."""
    dialog.context.pop("list", None)
    dialog.set_pending("did_you_mean", sku=product.sku, query=looked_for)
    return dialog.ask(dialog.say("search_did_you_mean", product=dialog.label(product)), "help_confirm")


def confirm_did_you_mean(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """Yes to "Did you mean ...?": show that product as a one-item result, ready for "add it"."""
    product = dialog.shop.catalog_product(str(pending["sku"]))
    dialog.clear_pending()
    dialog.set_list("results", [product.sku])
    dialog.set_focus(product.sku)
    return dialog.reply(dialog.say("search_found_one", details=_details_sentence(dialog, product)))


def decline_did_you_mean(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """No to "Did you mean ...?": say what was looked for and that nothing matched; nothing changes."""
    dialog.clear_pending()
    dialog.shop.record_unanswered_search(str(pending.get("query") or ""), dialog.request.channel, NOMATCH)
    return dialog.reply(
        dialog.say("search_declined", query=str(pending.get("query") or "")), events=("search_no_result",)
    )


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
    result = dialog.search(spoken, limit=RESULT_LIMIT)
    return _pick(dialog, result, spoken)


def _pick(dialog: Dialog, result: SearchResult, spoken: str) -> Product | Reply:
    """The best hit, unless two are too close to call: then ask."""
    if result.clear_choice is not None:
        return result.clear_choice
    if not result.hits:
        dialog.shop.record_unanswered_search(spoken, dialog.request.channel, NOMATCH)
        raise UnknownProduct(spoken)
    if result.hits[0].confidence < CONFIDENT:  # "add creamy be a burger": ask before it goes in a cart
        dialog.shop.record_unanswered_search(spoken, dialog.request.channel, ASKEDBACK)
        return _ask_did_you_mean(dialog, result.hits[0].product, result.text or spoken)
    first, second = result.hits[0].product, result.hits[1].product  # not a clear choice: two too close to call
    dialog.shop.record_unanswered_search(spoken, dialog.request.channel, ASKEDBACK)
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
            total=dialog.money(cart.total, cart.currency or "USD"),
        )
    )


def ask_how_many(dialog: Dialog, product: Product, *, packs: bool = False) -> Reply:
    """Ask how many of a product, the answer ("three") adding them: never a silent 1 for words unread."""
    dialog.set_focus(product.sku)
    dialog.set_pending("how_many", sku=product.sku)
    key = "how_many_packs" if packs else "how_many_of"
    size = pack_size(product.size) or 1
    spoken = dialog.say(key, product=dialog.label(product), size=size, maximum=dialog.shop.settings.max_quantity)
    return dialog.ask(spoken, "help_how_many")


def answer_how_many(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """A number said after "how many would you like?": that many of the product asked about."""
    request = dialog.request
    heard = request.slot_id("code") or request.slot_value("code") or ""
    try:
        quantity = parse_quantity(heard)
    except UnreadableQuantity:
        return dialog.ask(dialog.say("help_how_many"), "help_how_many")
    return add_product(dialog, dialog.shop.catalog_product(str(pending["sku"])), quantity)


def _packs_meant(dialog: Dialog, product: Product, quantity: int, heard: str | None) -> int | Reply:
    """The number of the product's own units meant, or a question when a count and its pack size disagree.

    "a dozen eggs" of eggs sold by the dozen is one carton; "twelve eggs", "12 cokes" of a 12 pack, or "a
    dozen bagels" of a 6 count could be items or packs, so the shopper is asked before anything is added.
    """
    size = pack_size(product.size)
    if size is None or size <= 1:
        return quantity
    unit = unit_in(heard)
    if unit == size and quantity % size == 0:
        return quantity // size
    if unit is None and (quantity < size or quantity % size):
        return quantity  # "two avocados" of a 4 count: two packs, as said
    if quantity % size:
        return ask_how_many(dialog, product, packs=True)
    packs = quantity // size
    dialog.set_focus(product.sku)
    dialog.set_pending("packs", sku=product.sku, quantity=packs)
    spoken = dialog.say(
        "pack_question", product=dialog.label(product), size=size, packs=dialog.count("pack", packs), count=quantity
    )
    return dialog.ask(spoken, "help_confirm")


def confirm_packs(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """Yes to "come 12 to a pack: shall I add 1 pack?"."""
    product = dialog.shop.catalog_product(str(pending["sku"]))
    return add_product(dialog, product, int(str(pending.get("quantity") or 1)))


def decline_packs(dialog: Dialog, pending: dict[str, object]) -> Reply:
    """No to the pack reading: ask how many packs, so the count said is never guessed either way."""
    return ask_how_many(dialog, dialog.shop.catalog_product(str(pending["sku"])), packs=True)


def _add_one(request: IntentRequest, shop: object) -> Reply:
    """Add one product line of an add request (its quantity read, its pack size respected)."""
    dialog = Dialog(request, shop)  # type: ignore[arg-type]
    pending = dialog.pending
    try:
        quantity = quantity_from(request)
    except UnreadableQuantity:
        # "add a few avocados", "add 2.5 avocados": the product is known, so ask how many of it
        named = resolve_product(dialog)
        return named if isinstance(named, Reply) else ask_how_many(dialog, named)
    product = resolve_product(dialog)
    if isinstance(product, Reply):
        return product
    if quantity is None and pending and pending.get("kind") == "choose":
        quantity = pending.get("quantity")
    if quantity is None:
        return add_product(dialog, product, 1)
    meant = _packs_meant(dialog, product, int(quantity), request.slot_value("quantity"))
    return meant if isinstance(meant, Reply) else add_product(dialog, product, meant)


def handle_add_to_cart(request: IntentRequest, shop: object) -> Reply:
    """Add the product meant ("add two of those", "add the second one", "add oat milk")."""
    reply = _add_one(request, shop)
    second = request.slots.get("product_two")
    if second is None or not (second.value or second.resolved_id):
        return reply
    # "add 2 cheerios and a loaf of sourdough": the second product is added (or asked about) in its own
    # right, never dropped; its words are a request of their own, with what the first turn left behind.
    slots = {"product": replace(second, name="product")}
    if (count := request.slots.get("quantity_two")) is not None:
        slots["quantity"] = replace(count, name="quantity")
    question = reply.context.get("pending")
    context = {k: v for k, v in reply.context.items() if k != "pending"}
    then = handle_add_to_cart(replace(request, slots=slots, context=context), shop)
    if question is None:
        return replace(then, speech=f"{reply.speech} {then.speech}", ssml=_joined_ssml(reply.ssml, then.ssml))
    # the first product asked a question ("how many?"): the second is added, then the question is asked last
    joined = {**then.context, "pending": question, "focus": reply.context.get("focus", then.context.get("focus"))}
    return replace(
        reply,
        speech=f"{then.speech} {reply.speech}",
        ssml=_joined_ssml(then.ssml, reply.ssml),
        context={k: v for k, v in joined.items() if v is not None},
    )


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
        result = dialog.search(spoken, limit=RESULT_LIMIT)
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
    return dialog.reply(dialog.say("removed_some", units=units, product=dialog.label(product), left=left.quantity))


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
        [(line.name, f"{line.quantity} × {dialog.money(line.line_total, currency).ssml}") for line in cart.lines],
        dialog.money(cart.total, currency).ssml,
    )
    lines = [
        dialog.say(
            "cart_line", quantity=line.quantity, product=line.name, total=dialog.money(line.line_total, currency)
        )
        for line in cart.lines[start : start + PAGE_SIZE]
    ]
    intro = dialog.say(
        "cart_intro", items=dialog.count("item", cart.item_count), total=dialog.money(cart.total, currency)
    )
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
