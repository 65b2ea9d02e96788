"""Text in, intent and slots out: the facts the kiosk and the simulator rely on."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from catalog.importer import read_catalog
from catalog.text import normalize, parse_number, tokenize
from intents.language import SlotType, available_locales, load_model
from intents.lexicon import load_lexicon
from intents.matching import approximate, expand_samples, match
from tests.conftest import DEMO_CATALOG

EN = load_model("en-US")
PRODUCTS = read_catalog(DEMO_CATALOG).products
SKU_BY_PHRASE = {normalize(p): product.sku for product in PRODUCTS for p in (product.name, *product.synonyms)}
OWNERS: dict[str, set[str]] = {}
for _product in PRODUCTS:
    for _phrase in (_product.name, *_product.synonyms):
        OWNERS.setdefault(" ".join(tokenize(_phrase)), set()).add(_product.sku)
SHARED = {key for key, skus in OWNERS.items() if len(skus) > 1}
"""Phrases naming two products ("muffins", "pepper"): they resolve to neither, so search asks which."""
NUMBERS = {"two": "2", "a dozen": "12", "twenty one": "21", "3": "3"}
BUILTIN_IDS = {
    **NUMBERS,
    "one two three four five six": "123456",
    "first": "1",
    "second": "2",
    "third": "3",
    "last": "-1",
    "four two seven one": "4271",
    "forty two seventy one": "4271",
}
EXAMPLES = {
    "PRODUCT": sorted({p for product in PRODUCTS for p in (product.name, *product.synonyms)}),
    "CATEGORY": sorted({product.category for product in PRODUCTS}),
    "AMAZON.NUMBER": list(NUMBERS),
    "customer_number": ["one two three four five six"],
}


SPANISH_NUMBERS = {"dos": "2", "una docena": "12", "veintiuno": "21", "treinta y dos": "32", "3": "3"}
SPANISH_BUILTIN_IDS = {
    **SPANISH_NUMBERS,
    "uno dos tres cuatro cinco seis": "123456",
    "primero": "1",
    "segundo": "2",
    "tercero": "3",
    "último": "-1",
    "cuatro dos siete uno": "4271",
    "cuarenta y dos setenta y uno": "4271",
}
SPANISH_EXAMPLES = {
    **EXAMPLES,
    "AMAZON.NUMBER": list(SPANISH_NUMBERS),
    "customer_number": ["uno dos tres cuatro cinco seis"],
}
"""es-US says its numbers in Spanish; products keep the catalog's English names (also in its PRODUCT type)."""


def examples_for(locale: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Slot examples and the ids they must resolve to, in the locale's language."""
    return (SPANISH_EXAMPLES, SPANISH_BUILTIN_IDS) if locale.startswith("es-") else (EXAMPLES, BUILTIN_IDS)


def expected_id(model, slot_type: str, value: str) -> str | None:
    """What a filled-in example must resolve to, taken from the catalog or the model, not the matcher."""
    builtin = examples_for(model.locale)[1]
    if value in builtin:
        return builtin[value]
    if slot_type == "PRODUCT":
        return None if " ".join(tokenize(value)) in SHARED else SKU_BY_PHRASE[normalize(value)]
    if slot_type == "CATEGORY":
        return value
    return next(v.id for v in model.types[slot_type].values if value in v.phrases)


def quantity_ambiguity(values: dict[str, str], got, want) -> bool:
    """The one documented ambiguity: a product phrase opening with a quantity ("dozen eggs") after a quantity.

    "add three dozen eggs" may be three of the dozen-egg product or thirty-six eggs; either reading must
    still be the right intent and the right product.
    """
    first = values.get("product", "").split()[:1]
    if not first or parse_number(first[0]) is None or got is None:
        return False
    return got[0] == want[0] and got[1].get("product") == want[1].get("product")


def _reads_alike(locale: str, other: str) -> bool:
    """Whether two locales have the same samples, slot types and words, so the matcher reads them alike."""
    a, b = load_model(locale), load_model(other)
    same_words = replace(load_lexicon(locale), locale=other) == load_lexicon(other)
    return (a.invocation_name, a.intents, a.types) == (b.invocation_name, b.intents, b.types) and same_words


def distinct_locales() -> list[str]:
    """One locale for each distinct model: en-AU, en-CA and en-IN only extend en-US (their files add nothing),
    so filling and matching every sample again for each would repeat en-US's run word for word. A locale that
    adds a sample or a word (en-GB's trolley, es-US) gets its own run."""
    chosen: list[str] = []
    for locale in sorted(available_locales(), key=lambda name: name != "en-US"):  # the base first
        if not any(_reads_alike(locale, other) for other in chosen):
            chosen.append(locale)
    return chosen


def test_the_locales_the_all_samples_test_leaves_out_read_like_one_it_runs():
    runs = distinct_locales()
    assert {"en-US", "en-GB", "es-US"} <= set(runs)
    for locale in set(available_locales()) - set(runs):
        assert any(_reads_alike(locale, run) for run in runs), locale


@pytest.mark.parametrize("locale", distinct_locales())
def test_every_sample_filled_from_the_demo_catalog_matches_its_own_intent_and_slots(locale):
    model = load_model(locale)
    failures = []
    for intent, text, values in expand_samples(model, examples_for(locale)[0]):
        found = match(text, model)
        got = (found.intent, {n: s.resolved_id for n, s in found.slots.items()}) if found else None
        want = (intent, {n: expected_id(model, model.slot_type(intent, n), v) for n, v in values.items()})
        if got != want and not quantity_ambiguity(values, got, want):
            failures.append(f"{text!r}: wanted {want}, got {got}")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:40])


def test_a_dozen_is_a_quantity_of_twelve_and_eggs_resolve_to_the_eggs_sku():
    found = match("add a dozen eggs", EN)
    assert found.intent == "AddToCartIntent"
    assert found.slots["quantity"].resolved_id == "12"
    assert found.slots["product"].resolved_id == SKU_BY_PHRASE["eggs"]


def test_the_second_one_is_ordinal_two():
    found = match("add the second one", EN)
    assert (found.intent, found.slots["ordinal"].resolved_id) == ("AddToCartIntent", "2")


def test_a_typed_ordinal_keeps_its_suffix_and_resolves_to_its_number():
    ordinal = match("add the 2nd one", EN).slots["ordinal"]
    assert (ordinal.value, ordinal.resolved_id) == ("2nd", "2")


def test_the_last_one_is_ordinal_minus_one():
    assert match("remove the last one", EN).slots["ordinal"].resolved_id == "-1"


def test_a_container_word_is_not_part_of_the_product():
    found = match("add two bottles of olive oil", EN)
    assert found.slots["quantity"].resolved_id == "2"
    assert found.slots["product"].resolved_id == SKU_BY_PHRASE["olive oil"]


def test_a_single_container_is_one_of_the_product():
    found = match("add a can of chickpeas", EN)
    assert (found.intent, found.slots["product"].resolved_id) == ("AddToCartIntent", SKU_BY_PHRASE["chickpeas"])


def test_a_couple_of_is_a_quantity_of_two():
    assert match("add a couple of bananas", EN).slots["quantity"].resolved_id == "2"


def test_a_code_spoken_digit_by_digit_is_four_digits():
    found = match("my code is four two seven one", EN)
    assert (found.intent, found.slots["code"].resolved_id) == ("ProvideCodeIntent", "4271")


def test_a_code_spoken_in_pairs_is_four_digits():
    assert match("my code is forty two seventy one", EN).slots["code"].resolved_id == "4271"


def test_an_order_number_is_four_digits_and_a_word():
    found = match("where is order four eight two one maple", EN)
    assert found.intent == "OrderStatusIntent"
    assert found.slots["order_digits"].resolved_id == "4821"
    assert found.slots["order_word"].resolved_id == "maple"


def test_yes_please_is_yes():
    assert match("yes please", EN).intent == "AMAZON.YesIntent"


def test_no_thanks_is_no():
    assert match("no thanks", EN).intent == "AMAZON.NoIntent"


def test_never_mind_is_cancel_not_a_cancelled_order():
    assert match("never mind", EN).intent == "AMAZON.CancelIntent"


def test_a_six_digit_customer_number_spoken_digit_by_digit():
    found = match("i am customer one two three four five six", EN)
    assert (found.intent, found.slots["customer_number"].resolved_id) == ("IdentifyCustomerIntent", "123456")


def test_gibberish_matches_nothing():
    assert match("blorf zing wumble", EN) is None


def test_a_product_the_shop_does_not_sell_is_searched_for_unresolved():
    found = match("find lawn mower", EN)
    assert found.intent == "SearchIntent"
    assert (found.slots["product"].value, found.slots["product"].resolved_id) == ("lawn mower", None)


def test_a_number_slot_that_does_not_parse_is_not_a_match():
    assert match("my code is purple", EN) is None


def test_a_product_name_with_a_number_word_is_one_product_not_a_quantity():
    found = match("add two percent milk", EN)
    assert "quantity" not in found.slots
    assert found.slots["product"].resolved_id == SKU_BY_PHRASE["two percent milk"]


def test_a_phrase_naming_two_products_resolves_to_neither():
    found = match("find muffins", EN)
    assert (found.slots["product"].value, found.slots["product"].resolved_id) == ("muffins", None)


def test_plurals_resolve_to_the_same_product():
    assert match("find honeycrisp apple", EN).slots["product"].resolved_id == SKU_BY_PHRASE["honeycrisp apples"]


def test_a_category_resolves_to_its_name():
    found = match("show me snacks", EN)
    assert (found.intent, found.slots["category"].resolved_id) == ("SearchIntent", "snacks")


def test_polite_filler_at_either_end_is_ignored():
    found = match("alexa could you add a dozen eggs please", EN)
    assert (found.intent, found.slots["quantity"].resolved_id) == ("AddToCartIntent", "12")


def test_a_page_of_text_is_no_command():
    assert match("find milk " * 300, EN) is None
    assert approximate("find milk " * 300, EN) is None


def test_a_filler_that_is_the_whole_answer_is_kept():
    """Okay is a yes; "okay please" must not be stripped down to a bare "please"."""
    assert match("okay please", EN).intent == "AMAZON.YesIntent"


def test_a_contraction_matches_its_spelled_out_sample():
    assert match("what is the status of my order", EN).intent == "OrderStatusIntent"


def test_a_spelled_out_phrase_matches_its_contracted_sample():
    found = match("what's the price of bananas", EN)
    assert (found.intent, found.slots["product"].resolved_id) == ("ProductDetailsIntent", SKU_BY_PHRASE["bananas"])


def test_asking_the_skill_by_its_invocation_name_is_ignored():
    assert match("alexa ask corner market to add milk", EN).slots["product"].resolved_id == SKU_BY_PHRASE["milk"]


def test_an_ordinal_is_preferred_over_an_unknown_product():
    found = match("how much is the second one", EN)
    assert (found.intent, set(found.slots), found.slots["ordinal"].resolved_id) == (
        "ProductDetailsIntent",
        {"ordinal"},
        "2",
    )


def test_a_wish_with_a_quantity_adds_to_the_cart():
    found = match("i'd like two bananas", EN)
    assert (found.intent, found.slots["quantity"].resolved_id) == ("AddToCartIntent", "2")


def test_typed_digits_read_as_numbers():
    assert match("add 3 bananas", EN).slots["quantity"].resolved_id == "3"


def test_punctuation_and_case_from_typed_text_do_not_matter():
    assert match("What's in my cart?", EN).intent == "ReviewCartIntent"


def test_matching_can_be_limited_to_the_intents_a_question_expects():
    assert match("two", EN, intents={"AddToCartIntent", "AMAZON.YesIntent"}) is None


def test_expand_samples_uses_every_example_value_once_per_sample():
    texts = [text for intent, text, _ in expand_samples(EN, {"product": ["milk", "eggs"]}) if intent == "SearchIntent"]
    assert {"find milk", "find eggs"} <= set(texts)


def test_a_match_takes_well_under_five_milliseconds():
    utterances = [text for _, text, _ in expand_samples(EN, EXAMPLES)][::50]
    match("warm up the compiled model", EN)
    started = time.perf_counter()
    for text in utterances:
        match(text, EN)
    assert (time.perf_counter() - started) / len(utterances) < 0.005


def test_spoken_zero_is_a_digit_in_codes_and_customer_numbers():
    model = load_model("en-US")
    assert match("my code is four zero two seven", model).slots["code"].resolved_id == "4027"
    heard = match("i am customer eight six zero three four one", model)
    assert heard.slots["customer_number"].resolved_id == "860341"


# --- approximate readings of misheard commands ---------------------------------------------------------


@pytest.mark.parametrize(
    ("heard", "intent", "slots"),
    [
        ("remove the bananas from by cart", "RemoveFromCartIntent", {"product": "SKU-PRO-0001"}),
        ("what is in the cart", "ReviewCartIntent", {}),
        ("place and order", "CheckOutIntent", {}),
        ("clear mike cart", "ClearCartIntent", {}),
        ("proceed to check out", "CheckOutIntent", {}),
        ("add three bag of bananas", "AddToCartIntent", {"product": "SKU-PRO-0001", "quantity": "3"}),
        ("where is the order", "OrderStatusIntent", {}),
    ],
)
def test_a_command_heard_one_word_wrong_is_read_as_the_nearest_sample(heard, intent, slots):
    exact = match(heard, EN)
    assert exact is None or exact.intent != intent or exact.score < 1.0  # no sample fits it as heard
    found = approximate(heard, EN)
    assert found is not None, heard
    assert found.intent == intent
    assert {name: slot.resolved_id for name, slot in found.slots.items()} == slots
    assert found.score < 1.0  # always a guess: a channel confirms it before changing the shop


@pytest.mark.parametrize(
    "heard",
    [
        "please pass the salt",
        "i need to call a taxi",
        "what a lovely day it is",
        "turn left at the next corner",
        "add lawn mower to my cart",
        "my cat is asleep on the sofa",
        "order a pizza for dinner tonight",
        "where are my car keys",
    ],
)
def test_speech_that_is_no_command_has_no_approximate_reading(heard):
    assert approximate(heard, EN) is None


def test_an_approximate_reading_reads_back_as_the_sample_with_what_was_heard_in_its_slots():
    found = approximate("remove the bananas from by cart", EN)
    assert found is not None and found.said == "remove the bananas from my cart"


def test_an_approximate_reading_kept_for_one_catalog_or_question_is_not_given_for_another():
    heard = "remove the bananas from by cart"
    assert approximate(heard, EN) is not None  # kept for this model now
    products = EN.types["PRODUCT"]
    no_bananas = SlotType(name=products.name, values=tuple(v for v in products.values if v.id != "SKU-PRO-0001"))
    without = replace(EN, types={**EN.types, "PRODUCT": no_bananas})
    assert approximate(heard, without) is None  # a catalog without bananas reads no bananas
    assert approximate(heard, EN, intents=("AMAZON.YesIntent", "AMAZON.NoIntent")) is None  # not for a yes/no
    again = approximate(heard, EN)
    assert again is not None and again.slots["product"].resolved_id == "SKU-PRO-0001"


def test_a_spoken_code_is_read_but_never_kept_among_the_approximate_answers():
    """A shared kiosk's process outlives each shopper: a code's words must not stay in memory after its turn."""
    from intents.matching import _compile

    kept = _compile(EN).approximations
    heard = "my code is for too seven one"  # a code heard with homophones, so no sample fits exactly
    found = approximate(heard, EN)
    assert found is not None and found.intent == "ProvideCodeIntent"
    assert not any(heard == key[0] for key in kept)
    approximate("add two dozen egg", EN)  # a quantity is no secret
    assert any(key[0] == "add two dozen egg" for key in kept)
