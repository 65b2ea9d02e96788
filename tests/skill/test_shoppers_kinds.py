"""How shoppers really talk, kind by kind, typed into the simulator: what they hear and what the cart holds.

Each kind is tried with several phrasings (issue 12's own and others of the same kind), so a sample that
matches one sentence is no pass: verbs, fillers, number words and units come from the language file.
"""

from __future__ import annotations

import pytest

from skill.simulator import Simulator


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def cart(shop, alexa: Simulator) -> dict[str, int]:
    return {line.name: line.quantity for line in shop.cart(alexa.customer).lines}


@pytest.mark.parametrize(
    "text",
    [
        "i want to get some cheerios",
        "i need to pick up the cheerios",
        "i'd love to try cheerios",
        "add cheerios too",
        "add the cheerios for my daughter",
        "i'd like to buy cheerios",
    ],
)
def test_to_too_and_for_outside_a_quantity_are_words(alexa, demo_shop, text):
    assert "Added 1 General Mills Cheerios" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Cheerios": 1}


@pytest.mark.parametrize("text", ["i want to my cheerios", "add to cheerios", "add for cheerios"])
def test_to_where_a_count_would_be_is_asked_how_many(alexa, demo_shop, text):
    assert "how many General Mills Cheerios" in say(alexa, text)
    assert cart(demo_shop, alexa) == {}
    assert "Added 3" in say(alexa, "three")
    assert cart(demo_shop, alexa) == {"Cheerios": 3}


@pytest.mark.parametrize(
    "text", ["add a few avocados", "add several avocados", "add two and a half avocados", "add 2.5 avocados"]
)
def test_a_vague_or_broken_quantity_is_asked_and_the_answer_adds(alexa, demo_shop, text):
    heard = say(alexa, text)
    assert "didn't catch how many Mission Hass Avocados" in heard and "Added" not in heard
    assert cart(demo_shop, alexa) == {}
    assert "Added 2 Mission Hass Avocados" in say(alexa, "two")
    assert cart(demo_shop, alexa) == {"Hass Avocados": 2}


def test_a_couple_is_read_back_as_two(alexa, demo_shop):
    assert "Added 2 Coca-Cola" in say(alexa, "add a couple of cokes")
    assert cart(demo_shop, alexa) == {"Coca-Cola": 2}


@pytest.mark.parametrize(
    ("text", "packs", "count"),
    [("add a dozen eggs", "1 pack", 12), ("add twelve eggs", "1 pack", 12), ("add 24 eggs", "2 packs", 24)],
)
def test_a_count_that_is_whole_packs_is_asked_before_anything_is_added(alexa, demo_shop, text, packs, count):
    heard = say(alexa, text)
    assert "come 12 to a pack" in heard and f"add {packs}, {count} in all" in heard
    assert cart(demo_shop, alexa) == {}
    say(alexa, "yes")
    assert cart(demo_shop, alexa) == {"Large Brown Eggs": count // 12}


def test_no_to_the_pack_reading_asks_how_many_packs(alexa, demo_shop):
    assert "come 12 to a pack" in say(alexa, "add 12 cokes")
    assert "How many packs" in say(alexa, "no")
    assert cart(demo_shop, alexa) == {}
    say(alexa, "twelve")
    assert cart(demo_shop, alexa) == {"Coca-Cola": 12}


def test_a_count_below_the_pack_size_is_that_many_packs(alexa, demo_shop):
    assert "Added 2 Mission Hass Avocados" in say(alexa, "add two avocados")  # sold 4 to a pack
    assert cart(demo_shop, alexa) == {"Hass Avocados": 2}


@pytest.mark.parametrize(
    "text",
    ["remove one greek yogurt", "take one greek yogurt out", "one less greek yogurt", "remove 1 greek yogurt"],
)
def test_removing_one_takes_one(alexa, demo_shop, text):
    say(alexa, "add 3 greek yogurt")
    assert "2 left" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Greek Yogurt Plain": 2}


@pytest.mark.parametrize(
    "text", ["add one more avocado", "add another avocado", "add an extra avocado", "add one more avocado please"]
)
def test_one_more_adds_one_to_the_line(alexa, demo_shop, text):
    say(alexa, "add avocado")
    assert "Your cart now has 2 items" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Hass Avocados": 2}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("buy oat milk", 1),
        ("purchase oat milk", 1),
        ("get me some oat milk", 1),
        ("grab me an oat milk", 1),
        ("throw in an oat milk", 1),
        ("i'd love to get oat milk", 1),
        ("put an oat milk in my trolley", 1),
        ("order two oat milk", 2),
        ("put two oat milks in my basket", 2),
        ("i'll take two oat milks", 2),
        ("pick up two oat milks", 2),
    ],
)
def test_add_verbs_of_every_kind_add(alexa, demo_shop, text, count):
    assert f"Added {count} Oatly Oat Milk" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Oat Milk": count}


@pytest.mark.parametrize(
    "text",
    [
        "take the coke out",
        "pull the coke out of my cart",
        "get the coke out of my basket",
        "get rid of the coke",
        "leave the coke out",
        "take away the coke",
    ],
)
def test_removal_verbs_of_every_kind_remove(alexa, demo_shop, text):
    say(alexa, "add coke")
    say(alexa, "add oat milk")
    assert "Removed Coca-Cola" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Oat Milk": 1}


@pytest.mark.parametrize(
    ("text", "count"),
    [("make the coke three", 3), ("make the coke 4", 4), ("make it two", 2), ("make the cokes five", 5)],
)
def test_make_with_a_count_sets_the_line(alexa, demo_shop, text, count):
    say(alexa, "add coke")
    say(alexa, "add oat milk")
    say(alexa, text)  # "it" is the line added last
    lines = cart(demo_shop, alexa)
    assert lines["Oat Milk" if "it" in text.split() else "Coca-Cola"] == count


@pytest.mark.parametrize("text", ["make the coke to", "make me a sandwich", "make the coke for"])
def test_make_without_a_plain_count_changes_nothing(alexa, demo_shop, text):
    say(alexa, "add coke")
    say(alexa, text)
    assert cart(demo_shop, alexa) == {"Coca-Cola": 1}


@pytest.mark.parametrize(
    "text",
    [
        "delete my whole cart",
        "throw it all out",
        "get rid of everything in my basket",
        "empty my entire trolley",
        "remove all the items from my cart",
    ],
)
def test_removing_everything_asks_then_empties(alexa, demo_shop, text):
    say(alexa, "add coke")
    say(alexa, "add oat milk")
    assert "empty your cart of 2 items" in say(alexa, text)
    assert len(cart(demo_shop, alexa)) == 2
    say(alexa, "yes")
    assert cart(demo_shop, alexa) == {}


@pytest.mark.parametrize(
    "text", ["let's check out", "i'd like to pay", "i'm ready to pay", "let's finish up", "i want to check out"]
)
def test_checkout_phrasings_ask_before_ordering(alexa, demo_shop, text):
    say(alexa, "add coke")
    assert "Shall I place the order" in say(alexa, text)
    assert demo_shop.orders(alexa.customer).orders == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("are bananas in stock", "Bananas"),
        ("is the oat milk available", "Oat Milk"),
        ("price of coke", "Coca-Cola"),
        ("cost of oat milk", "Oat Milk"),
        ("what does greek yogurt cost", "Greek Yogurt"),
        ("how much are the avocados", "Avocados"),
        ("tell me about oat milk", "Oat Milk"),
    ],
)
def test_price_and_stock_questions_are_answered(alexa, demo_shop, text, named):
    heard = say(alexa, text)
    assert named in heard and "costs $" in heard and "stock" in heard
    assert cart(demo_shop, alexa) == {}


def test_order_questions_of_every_kind_are_answered(alexa, demo_shop):
    say(alexa, "add oat milk")
    say(alexa, "check out")
    say(alexa, "yes")
    number = demo_shop.latest_order(alexa.customer).order_number.split()[1]
    for text in ("track my most recent order", "where's my latest order", "when does it get here"):
        assert number in say(alexa, text), text
    for text in ("what was in my last order", "what did i order last time"):
        assert "Oat Milk" in say(alexa, text), text


@pytest.mark.parametrize(
    "text",
    ["tell me what's in my basket right now", "show me what's in my trolley", "can you tell me what's in my cart"],
)
def test_cart_questions_read_the_cart(alexa, demo_shop, text):
    say(alexa, "add coke")
    assert "Your cart has 1 item" in say(alexa, text)


@pytest.mark.parametrize(
    "text", ["any suggestions for breakfast", "what goes with spaghetti", "what pairs well with salsa"]
)
def test_suggestion_questions_are_answered(alexa, text):
    heard = say(alexa, text)
    assert "didn't catch" not in heard and "1:" in heard


@pytest.mark.parametrize(
    "text", ["can i send something back", "can i bring something back", "how do i return something"]
)
def test_return_questions_tell_the_returns_policy(alexa, text):
    assert "return items within 30 days" in say(alexa, text)


@pytest.mark.parametrize(
    ("text", "heard"),
    [
        ("chobani", "Chobani Strawberry Yogurt"),
        ("oatly", "Oatly Oat Milk"),
        ("paper towels", "Bounty Paper Towels"),
        ("clorox", "2 results for clorox"),
        ("cleaning supplies", "results for cleaning supplies"),
    ],
)
def test_a_bare_product_brand_or_category_is_a_search(alexa, demo_shop, text, heard):
    assert heard in say(alexa, text)
    assert cart(demo_shop, alexa) == {}


@pytest.mark.parametrize("text", ["pass the salt", "good morning", "call my mom"])
def test_words_that_name_nothing_the_shop_sells_are_not_a_search(alexa, text):
    assert "didn't catch" in say(alexa, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add 2 cheerios and a loaf of sourdough", {"Cheerios": 2, "Sourdough Bread": 1}),
        ("add three cokes plus an oat milk", {"Coca-Cola": 3, "Oat Milk": 1}),
        ("put two cokes and an oat milk in my basket", {"Coca-Cola": 2, "Oat Milk": 1}),
        ("get me cheerios and greek yogurt", {"Cheerios": 1, "Greek Yogurt Plain": 1}),
    ],
)
def test_two_products_in_one_sentence_are_both_added(alexa, demo_shop, text, expected):
    heard = say(alexa, text)
    assert heard.count("Added") == 2
    assert cart(demo_shop, alexa) == expected


def test_a_pack_question_for_one_product_still_adds_the_other(alexa, demo_shop):
    heard = say(alexa, "add an oat milk and twelve eggs")
    assert "Added 1 Oatly Oat Milk" in heard and heard.rstrip().endswith("12 in all?")
    assert cart(demo_shop, alexa) == {"Oat Milk": 1}
    say(alexa, "yes")
    assert cart(demo_shop, alexa) == {"Oat Milk": 1, "Large Brown Eggs": 1}


@pytest.mark.parametrize(
    "text", ["scratch the coke", "forget the coke", "i don't need the coke anymore", "never mind the coke"]
)
def test_soft_removal_verbs_remove(alexa, demo_shop, text):
    say(alexa, "add coke")
    say(alexa, "add oat milk")
    assert "Removed Coca-Cola" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Oat Milk": 1}


def test_forget_it_changes_nothing(alexa, demo_shop):
    say(alexa, "add coke")
    assert "Removed" not in say(alexa, "forget it")
    assert cart(demo_shop, alexa) == {"Coca-Cola": 1}


@pytest.mark.parametrize("text", ["bump the coke up to four", "bring the cokes up to four", "make that four cokes"])
def test_a_new_count_for_a_line_sets_it(alexa, demo_shop, text):
    say(alexa, "add 2 cokes")
    say(alexa, text)
    assert cart(demo_shop, alexa) == {"Coca-Cola": 4}


@pytest.mark.parametrize("text", ["go ahead and place the order", "please go ahead and check out"])
def test_being_done_asks_before_ordering(alexa, demo_shop, text):
    say(alexa, "add coke")
    assert "Shall I place the order" in say(alexa, text)
    assert demo_shop.orders(alexa.customer).orders == ()


@pytest.mark.parametrize(
    "text", ["got any pasta", "i'm after some pasta", "what kind of pasta do you have", "do you guys have pasta"]
)
def test_search_phrasings_search(alexa, demo_shop, text):
    assert "Barilla" in say(alexa, text)
    assert cart(demo_shop, alexa) == {}
