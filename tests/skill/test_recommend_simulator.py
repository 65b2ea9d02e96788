"""Recommendations through the Alexa simulator, from orders really placed (issue 14: a daily rotation
was presented as "best sellers" and ignored history)."""

from __future__ import annotations

import pytest
from alexa_envelopes import SKILL_ID

from skill import lambda_function
from skill.simulator import Simulator
from tests.conftest import fresh_shop, random_ref

SPAGHETTI, MARINARA, PARMESAN, CHIPS, SALSA = (
    "SKU-PAN-0078", "SKU-PAN-0080", "SKU-DAI-0042", "SKU-SNA-0109", "SKU-SNA-0110",
)  # fmt: skip


@pytest.fixture
def shop(base_settings, demo_products):
    """The demo catalog on a table of this test's own, so its sales figures are only its own orders."""
    shop = fresh_shop(base_settings, products=demo_products)
    lambda_function.configure(shop, skill_id=SKILL_ID)
    yield shop
    lambda_function.configure(None)


@pytest.fixture
def alexa(shop, tmp_path):
    return Simulator(
        customer=f"amzn1.ask.account.{random_ref('R')}",
        state_dir=tmp_path / "simulator",
        skill_id=SKILL_ID,
        handler=lambda_function.lambda_handler,
    )


def buy(shop, customer, *skus, quantity=1):
    for sku in skus:
        shop.add_to_cart(customer, sku, quantity)
    return shop.place(shop.quote(customer).quote_id, confirmed=True)


def test_what_goes_with_spaghetti_is_what_shoppers_bought_with_it_and_can_be_added(alexa, shop):
    buy(shop, random_ref("c"), SPAGHETTI, MARINARA, PARMESAN)
    buy(shop, random_ref("c"), SPAGHETTI, MARINARA)
    turn = alexa.say("what goes with spaghetti")
    assert turn.request["request"]["intent"]["name"] == "RecommendIntent"
    assert "People who bought Barilla Spaghetti also got" in turn.speech
    assert turn.speech.index("Marinara") < turn.speech.index("Parmesan")
    assert "Added 1" in alexa.say("add the second one").speech
    assert [line.sku for line in shop.cart(alexa.customer).lines] == [PARMESAN]


def test_what_people_buy_with_tortilla_chips_falls_back_to_its_category(alexa, shop):
    buy(shop, random_ref("c"), SALSA, quantity=3)
    speech = alexa.say("what do people buy with tortilla chips").speech
    assert "Nobody has bought Tostitos Tortilla Chips with anything yet" in speech
    assert "Popular in snacks" in speech and "Salsa" in speech


def test_a_regular_hears_what_they_often_buy_then_what_goes_with_their_cart(alexa, shop):
    oat_milk = shop.search("oat milk").hits[0].product.sku
    buy(shop, random_ref("c"), SPAGHETTI, MARINARA)
    buy(shop, alexa.customer, oat_milk)
    buy(shop, alexa.customer, oat_milk, CHIPS)
    shop.add_to_cart(alexa.customer, SPAGHETTI, 1)
    speech = alexa.say("what do you recommend").speech
    assert speech.startswith("You often buy 1:") and "Oat" in speech
    assert "People who bought what's in your cart also got 2:" in speech and "Marinara" in speech
    assert "Tortilla" not in speech  # bought once is not "often"
    alexa.say("add the second one")
    assert {line.sku for line in shop.cart(alexa.customer).lines} == {SPAGHETTI, MARINARA}


def test_a_new_shopper_hears_real_popularity_and_never_best_sellers_without_sales(alexa, shop):
    nothing_sold = alexa.say("what are your best sellers").speech
    assert "Nothing has sold yet" in nothing_sold
    assert "best seller" not in nothing_sold.lower() and "popular right now" not in nothing_sold.lower()
    buy(shop, random_ref("c"), SALSA, quantity=4)
    buy(shop, random_ref("c"), CHIPS, quantity=2)
    speech = alexa.say("what's popular").speech
    assert speech.startswith("Popular right now: 1: Tostitos Salsa")
    assert speech.index("Salsa") < speech.index("Tortilla Chips")


def test_a_category_without_sales_is_offered_without_being_called_popular(alexa, shop):
    speech = alexa.say("what's popular in bakery").speech
    assert "Nothing in bakery has sold yet" in speech and "1:" in speech


def test_something_the_shop_does_not_sell_is_said_plainly_and_changes_nothing(alexa, shop):
    speech = alexa.say("what goes with red wine").speech
    assert "doesn't sell red wine" in speech
    assert shop.cart(alexa.customer).lines == []


def test_words_that_name_no_category_are_ranked_among_what_a_search_finds(alexa, shop):
    assert match_of("recommend some cheese") == ("RecommendIntent", {"category": "cheese"})
    cheeses = [hit.product for hit in shop.search("cheese", limit=9).hits]
    buy(shop, random_ref("c"), cheeses[-1].sku, quantity=2)
    speech = alexa.say("recommend some cheese").speech
    assert speech.startswith(f"Popular in cheese right now: 1: {cheeses[-1].brand} {cheeses[-1].name}")
    assert "household" in alexa.say("any suggestions for cleaning stuff").speech


def match_of(text):
    from intents.language import load_model
    from intents.matching import match

    found = match(text, load_model("en-US"))
    return found.intent, {name: slot.value for name, slot in found.slots.items()}
