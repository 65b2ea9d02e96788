"""How the recognizer reads kinds of phrasing shoppers use (issue 12), several sentences of each kind.

Typed text, the recognizer alone: the intent and slots read, and whether the reading may be acted on
unasked (`confident`). A self-correction or a verb and a product both guessed is asked back, never acted on.
"""

from __future__ import annotations

import pytest

from catalog.importer import read_catalog
from catalog.search import SearchIndex
from intents.recognizer import Context, best, recognize
from tests.conftest import DEMO_CATALOG

RESULTS = Context(list_kind="results", list_size=6)
CART = Context(list_kind="cart", list_size=4)
CODE = Context(expecting="code")
YES_NO = Context(expecting="yes_no")


def read(text: str, context: Context | None = None) -> tuple[str, dict[str, str | None]] | None:
    found = best(text, context)
    return (found.intent, {name: slot.resolved_id for name, slot in found.slots.items()}) if found else None


@pytest.mark.parametrize(
    ("text", "context", "position"),
    [
        ("add the last one", RESULTS, "6"),
        ("yeah put the last one in my basket", RESULTS, "6"),
        ("delete the last one", CART, "4"),
        ("remove the final one", CART, "4"),
    ],
)
def test_the_last_one_is_the_last_position_of_the_list_just_read(text, context, position):
    found = best(text, context)
    assert found is not None and found.slots["ordinal"].resolved_id == position
    assert found.values["ordinal"] == int(position)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("the fourth one please", "4"),
        ("i'll have the second one", "2"),
        ("give me the third one", "3"),
        ("i'd like the first one", "1"),
        ("can i get the fifth one", "5"),
    ],
)
def test_a_polite_choice_from_a_list_adds_it(text, position):
    assert read(text, RESULTS) == ("AddToCartIntent", {"ordinal": position})


def test_the_bare_position_still_asks_about_it():
    assert read("the fourth one", RESULTS) == ("ProductDetailsIntent", {"ordinal": "4"})


@pytest.mark.parametrize(
    ("text", "context", "intent", "position"),
    [
        ("add number two", RESULTS, "AddToCartIntent", "2"),
        ("how much is number five", RESULTS, "ProductDetailsIntent", "5"),
        ("scratch number three", CART, "RemoveFromCartIntent", "3"),
        ("take that first one off the list", CART, "RemoveFromCartIntent", "1"),
    ],
)
def test_number_n_and_that_first_one_are_positions_while_a_list_is_open(text, context, intent, position):
    assert read(text, context) == (intent, {"ordinal": position})


def test_number_two_without_a_list_is_words_of_a_product():
    found = best("add number two pencils")
    assert found is not None and "ordinal" not in found.slots


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("delete the oreos from my cart", "SKU-SNA-0113"),
        ("drop the coke from my basket", "SKU-BEV-0124"),
        ("take the milk off my list", "SKU-DAI-0031"),
        ("take the bananas off", "SKU-PRO-0001"),
    ],
)
def test_a_removal_verb_with_its_place_removes_the_product(text, sku):
    found = best(text)
    assert found is not None and found.intent == "RemoveFromCartIntent" and found.confident
    assert found.slots["product"].resolved_id == sku


def test_a_count_taken_off_keeps_its_count():
    assert read("take two cans of black beans off please") == (
        "RemoveFromCartIntent",
        {"quantity": "2", "product": "SKU-PAN-0092"},
    )


@pytest.mark.parametrize(
    ("text", "count", "sku"),
    [
        ("i only want one bag of pretzels", "1", "SKU-SNA-0117"),
        ("i only need two cokes", "2", "SKU-BEV-0124"),
    ],
)
def test_only_wanting_a_count_of_a_product_sets_it(text, count, sku):
    assert read(text) == ("SetQuantityIntent", {"quantity": count, "product": sku})


def test_just_or_only_before_a_count_leave_the_count():
    assert read("remove just one of the yogurts")[1]["quantity"] == "1"  # type: ignore[index]


@pytest.mark.parametrize("context", [None, YES_NO])
def test_no_wait_is_a_no_not_a_cancel(context):
    assert read("no wait", context) == ("AMAZON.NoIntent", {})


@pytest.mark.parametrize(
    "text", ["i'm done goodbye", "that's all thanks bye", "no thanks goodbye", "i'm all done, bye"]
)
def test_a_goodbye_after_a_closing_is_a_goodbye_not_a_checkout(text):
    for context in (None, YES_NO):
        found = best(text, context)
        assert found is not None and found.intent == "AMAZON.StopIntent", (text, context)


def test_a_goodbye_after_a_command_leaves_the_command():
    found = best("add milk and goodbye")
    assert found is not None and found.intent == "AddToCartIntent"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("show me pet stuff", "pet"),
        ("show me the snack aisle", "snacks"),
        ("show me frozen stuff", "frozen"),
        ("do you have any cleaning products", "household"),
    ],
)
def test_a_category_and_a_word_for_things_is_the_category(text, category):
    assert read(text) == ("SearchIntent", {"category": category})


def test_a_product_that_is_no_category_stays_a_product():
    assert read("find dog treats") == ("SearchIntent", {"product": "SKU-PET-0208"})


@pytest.mark.parametrize(
    ("text", "count", "sku"),
    [
        ("add three no make that two honeycrisp apples", "2", "SKU-PRO-0005"),
        ("add three apples i mean two", "2", "SKU-PRO-0003"),
    ],
)
def test_a_sentence_that_corrects_itself_is_read_as_the_correction_and_asked_back(text, count, sku):
    found = best(text)
    assert found is not None and found.intent == "AddToCartIntent" and not found.confident
    assert (found.slots["quantity"].resolved_id, found.slots["product"].resolved_id) == (count, sku)
    assert found.said == " ".join(found.said.split()) and found.slots["quantity"].value in found.said


def test_a_count_corrected_against_another_sets_the_quantity_and_is_asked_back():
    found = best("can you make the paper towels two instead of one")
    assert found is not None and found.intent == "SetQuantityIntent" and not found.confident
    assert found.slots["quantity"].resolved_id == "2" and found.slots["product"].resolved_id == "SKU-HOU-0148"


def test_make_that_with_nothing_said_before_it_is_no_correction():
    assert read("can you make that five") == ("SetQuantityIntent", {"quantity": "5"})


def test_an_order_word_the_shop_never_issued_is_read_so_the_shop_can_say_so():
    found = best("can i cancel order four oh four oh hill")
    assert found is not None and found.intent == "CancelOrderIntent" and not found.confident
    assert found.slots["order_digits"].resolved_id == "4040" and found.slots["order_word"].value == "hill"


def test_double_in_a_spoken_code_says_the_digit_twice():
    assert read("three five double seven", CODE) == ("ProvideCodeIntent", {"code": "3577"})


@pytest.mark.parametrize(
    ("text", "code"),
    [("set my code to four four two one", "4421"), ("update my secret code to one nine eight five", "1985")],
)
def test_setting_a_code_is_no_quantity_change(text, code):
    found = best(text)
    assert found is not None and found.intent == "SetPurchaseCodeIntent" and not found.confident
    assert found.slots["code"].resolved_id == code


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how's my return going", "ReturnStatusIntent"),
        ("did you get the stuff i sent back", "ReturnStatusIntent"),
        ("i don't want that order anymore call it off", "CancelOrderIntent"),
        ("read out my order history", "ListOrdersIntent"),
    ],
)
def test_a_sentence_no_sample_fits_reads_as_the_intent_its_rare_words_name(text, intent):
    found = best(text)
    assert found is not None and found.intent == intent
    assert not (found.changes_shop and found.confident)  # a guess: a shop-changing one is asked back


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("has the order for my mother gone out yet", "OrderStatusIntent"),
        ("i don't want that order anymore call it off", "CancelOrderIntent"),
    ],
)
def test_a_reading_from_rare_words_alone_is_asked_back_even_when_it_changes_nothing(text, intent):
    found = best(text)
    assert found is not None and found.intent == intent and found.guessed and found.needs_confirming


@pytest.mark.parametrize(
    "text",
    ["that movie was really good", "what time does the game start", "turn off the tv", "i love this song"],
)
def test_words_for_someone_else_are_no_keyword_guess(text):
    assert [r for r in recognize(text) if r.changes_shop and r.confident] == []
    assert best(text) is None


def test_a_rewritten_verb_and_a_product_only_search_names_is_asked_back():
    search = SearchIndex.build(read_catalog(DEMO_CATALOG).products, "test").search
    found = best("so uh could you put the salted butter in", search=search)
    assert found is not None and found.intent == "AddToCartIntent" and found.slots["product"].resolved_id
    assert not found.confident


@pytest.mark.parametrize(
    ("text", "sku"),
    [("we're out of toilet paper", "SKU-HOU-0149"), ("we've run out of oat milk", "SKU-DAI-0035")],
)
def test_a_need_hinted_at_is_an_add_asked_back(text, sku):
    found = best(text)
    assert found is not None and found.intent == "AddToCartIntent" and not found.confident
    assert found.slots["product"].resolved_id == sku and found.said.startswith("add ")


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("pop two tins of tuna in my basket love", "SKU-PAN-0097"),
        ("put in a pack of aa batteries would you", "SKU-HOU-0168"),
        ("add apples to the cart too", "SKU-PRO-0003"),
    ],
)
def test_politeness_after_the_place_leaves_the_add(text, sku):
    found = best(text)
    assert found is not None and found.intent == "AddToCartIntent" and found.confident
    assert found.slots["product"].resolved_id == sku


@pytest.mark.parametrize("text", ["get rid of everything i've put in", "delete my whole cart"])
def test_removing_everything_said_any_way_empties_the_cart(text):
    assert read(text) == ("ClearCartIntent", {})


def test_never_mind_before_a_person_removes_nothing():
    assert all(r.intent != "RemoveFromCartIntent" for r in recognize("oh never mind i'll do it later"))


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("is the almond milk sweetened", "SKU-DAI-0034"),
        ("is the bluetooth speaker waterproof", "SKU-ELE-0215"),
        ("are the eggs free range", "SKU-DAI-0036"),
    ],
)
def test_a_question_about_what_a_product_is_asks_about_that_product(text, sku):
    assert read(text) == ("ProductDetailsIntent", {"product": sku})


@pytest.mark.parametrize("text", ["is the weather nice", "are the kids asleep"])
def test_the_same_question_about_no_product_reads_as_nothing(text):
    assert best(text) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("if the thermometer breaks is it guaranteed", "WarrantyIntent"),
        ("if my kettle stops working next month is it guaranteed", "WarrantyIntent"),
    ],
)
def test_a_reading_of_less_than_half_the_sentence_is_asked_back(text, intent):
    found = best(text)
    assert found is not None and found.intent == intent and found.needs_confirming


@pytest.mark.parametrize("text", ["how do i send back my last order", "how do i send back the order from tuesday"])
def test_an_unsure_reading_the_rare_words_point_away_from_is_asked_back(text):
    found = best(text)
    assert found is not None and found.needs_confirming  # the policy, or starting a return: asked


@pytest.mark.parametrize("text", ["what is your returns policy", "how much is delivery", "what's in my cart"])
def test_a_sure_question_is_answered_without_asking(text):
    found = best(text)
    assert found is not None and not found.guessed and not found.needs_confirming


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("does the jif peanut butter have salt in it", "SKU-PAN-0088"),
        ("is the jif peanut butter crunchy", "SKU-PAN-0088"),
    ],
)
def test_a_product_question_with_the_brand_before_a_short_name_asks_about_that_product(text, sku):
    found = best(text)
    assert found is not None and found.intent == "ProductDetailsIntent"
    assert found.slots["product"].resolved_id == sku


def test_a_word_that_is_no_part_of_the_products_name_is_not_dropped_to_name_it():
    assert best("is the organic milk fresh") is None
