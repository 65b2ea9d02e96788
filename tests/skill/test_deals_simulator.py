"""Promotions through the Alexa simulator (issue 14 item 4): "any deals today" is a list the shopper can act
on, "is oat milk on sale" says the deal, and the checkout read-back says what is saved.

Promotions are shop-wide, so these tests run on a demo catalog of their own with the demo promotions.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from alexa_envelopes import SKILL_ID

from catalog.deals import DEMO_PROMOTIONS, read_promotions
from skill import lambda_function
from tests.conftest import fresh_shop
from tests.skill.conftest import simulated_device

OAT_MILK, WIPES, YOGURT = "SKU-DAI-0035", "SKU-HOU-0158", "SKU-DAI-0044"


@pytest.fixture
def shop(base_settings, demo_products):
    """The demo catalog and the demo promotions on a table of this test's own."""
    shop = fresh_shop(base_settings, products=demo_products)
    assert shop.import_promotions(read_promotions(DEMO_PROMOTIONS)).stored
    lambda_function.configure(shop, skill_id=SKILL_ID)
    yield shop
    lambda_function.configure(None)


@pytest.fixture
def alexa(shop, tmp_path):
    return simulated_device(lambda_function, tmp_path / "simulator", "D")


def test_any_deals_today_is_a_numbered_list_and_the_second_one_can_be_added(alexa, shop):
    turn = alexa.say("any deals today")
    assert turn.request["request"]["intent"]["name"] == "DealsIntent"
    assert turn.speech.startswith("4 products are on sale today. 1: Clorox Bleach, $4.49, $1.00 off each.")
    assert "3: Oatly Oat Milk, $4.99, 10% off." in turn.speech and "Say next for more." in turn.speech
    assert "Added 1 Clorox Disinfecting Wipes" in alexa.say("add the second one").speech
    assert [line.sku for line in shop.cart(alexa.customer).lines] == [WIPES]
    assert "4: Quaker Rolled Oats, $5.49, buy 2, get 1 free." in alexa.say("what's on sale").speech + alexa.say(
        "next"
    ).speech


def test_is_oat_milk_on_sale_says_the_deal_and_its_last_day_and_add_it_follows(alexa, shop):
    speech = alexa.say("is oat milk on sale").speech
    assert speech.startswith("Oatly Oat Milk is on sale: 10% off until 2027-12-31.")  # a say-as date for Alexa
    alexa.say("add it")
    assert [line.sku for line in shop.cart(alexa.customer).lines] == [OAT_MILK]


def test_a_product_without_a_deal_is_named_and_said_not_to_be_on_sale(alexa):
    assert alexa.say("is greek yogurt on sale").speech.startswith("Fage Greek Yogurt Plain isn't on sale right now.")


def test_offers_on_cleaning_supplies_are_the_household_deals_only(alexa):
    speech = alexa.say("any offers on cleaning supplies").speech
    assert speech.startswith("2 products in household are on sale today.")
    assert "Bleach" in speech and "Wipes" in speech and "Oat" not in speech


def test_words_naming_several_products_hear_the_deals_among_them_not_one_products(alexa):
    assert alexa.say("any deals on cheese").speech.startswith("Nothing in cheese is on sale right now.")


def test_is_it_on_sale_asks_about_the_product_in_focus(alexa):
    alexa.say("find greek yogurt")
    assert "isn't on sale right now" in alexa.say("is it on sale").speech
    alexa.say("find oat milk")
    assert "Oatly Oat Milk is on sale: 10% off" in alexa.say("is it on sale").speech


def test_the_checkout_read_back_says_what_is_saved_and_the_order_keeps_it(alexa, shop):
    shop.add_to_cart(alexa.customer, OAT_MILK, 2)  # 10% of 9.98 is 0.998: 1.00
    shop.add_to_cart(alexa.customer, WIPES, 2)  # 1.00 off each: 2.00
    speech = alexa.say("check out").speech
    assert "With 10% off Oatly oat milk and a dollar off Clorox, you save $3.00." in speech
    assert "The total is $18.96" in speech  # 21.96 less 3.00, pickup free
    alexa.say("yes")
    (order,) = shop.orders(alexa.customer).orders
    assert order.savings == Decimal("3.00") and order.total == Decimal("18.96")
    shop.import_promotions([], replace_all=True)  # ops end every promotion: the order keeps what it saved
    speech = alexa.say("what was in my last order").speech
    assert "You saved $3.00 with 10% off Oatly oat milk and a dollar off Clorox. The total was $18.96." in speech


def test_a_reorder_is_read_back_with_todays_savings(alexa, shop):
    shop.add_to_cart(alexa.customer, OAT_MILK, 1)
    shop.place(shop.quote(alexa.customer).quote_id, confirmed=True)
    speech = alexa.say("buy my last order again").speech
    assert "at today's prices" in speech and "With 10% off Oatly oat milk, you save $0.50." in speech


def test_without_a_deal_in_the_cart_the_read_back_says_nothing_of_saving(alexa, shop):
    shop.add_to_cart(alexa.customer, YOGURT, 1)
    assert "save" not in alexa.say("check out").speech
