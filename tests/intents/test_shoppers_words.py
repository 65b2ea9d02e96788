"""Typed sentences as shoppers say them, through the matcher and the conversation, on DynamoDB Local."""

from intents.conversation import respond
from intents.language import load_model
from intents.matching import match
from intents.request import IntentRequest

MODEL = load_model("en-US")


class Shopper:
    """Types sentences into the shop the way the simulator does: matched, then answered, context carried."""

    def __init__(self, shop, customer):
        self.shop, self.customer, self.context = shop, customer, {}

    def __call__(self, text):
        found = match(text, MODEL)
        assert found is not None, f"not understood: {text!r}"
        reply = respond(IntentRequest(found.intent, self.customer, found.slots, context=self.context), self.shop)
        self.context = reply.context
        return reply.speech

    def cart(self):
        return {line.name: line.quantity for line in self.shop.cart(self.customer).lines}


def test_remove_one_takes_one_and_says_how_many_are_left(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    say("add 3 greek yogurt")
    assert "2 left" in say("remove one greek yogurt")
    assert list(say.cart().values()) == [2]
    say("remove the greek yogurt")
    assert say.cart() == {}


def test_two_products_in_one_sentence_are_both_added(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    say("add 2 cheerios and a loaf of sourdough")
    cart = say.cart()
    assert sorted(cart.values()) == [1, 2] and any("Cheerios" in name for name in cart)
    assert any("Sourdough" in name for name in cart)


def test_a_long_list_says_how_many_were_found_and_numbers_on_across_pages(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    first = say("find snacks")
    found = demo_shop.search("snacks", limit=40).hits
    assert len(found) > 3
    assert f"I found {min(len(found), 30)} results" in first or "more than 30" in first
    assert "Here are the first 3" in first
    assert "4:" in say("next")


def test_a_misheard_product_is_asked_about_and_yes_shows_it(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    assert say("find creamy be a burger") == "Did you mean Jif Creamy Peanut Butter?"
    shown = say("yes")
    assert shown.startswith("I found one match") and "Creamy Peanut Butter" in shown
    assert "out of stock" in shown  # the one-item result says what adding it would meet
    assert say.cart() == {}


def test_no_to_did_you_mean_says_what_was_looked_for_and_that_nothing_matched(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    assert say("find creamy be a burger").startswith("Did you mean")
    assert say("no") == "Sorry, I looked for creamy be burger and nothing matched."
    assert say("yes").startswith("There's nothing to confirm")  # the question is closed; a late yes does nothing


def test_yes_to_did_you_mean_gives_a_result_that_can_be_added(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    assert say("find hanging out cheerios") == "Did you mean General Mills Honey Nut Cheerios?"
    say("yes")
    assert say("add it").startswith("Added 1")
    assert say.cart() == {"Honey Nut Cheerios": 1}


def test_fillers_and_a_price_cap_are_read_as_the_shopper_meant(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    assert "Bleach" in say("do you sell anything by clorox") or "Disinfecting Wipes" in say.context["last"]["text"]
    listed = say("any cheap snacks under five bucks")
    assert "I found" in listed and "Here are the first 3" in listed
    skus = say.context["list"]["ids"]
    assert all(demo_shop.catalog_product(sku).price <= 5 for sku in skus)
    assert {demo_shop.catalog_product(sku).category for sku in skus} == {"snacks"}


def test_find_milk_lists_milk_and_the_fourth_one_works_after_next(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    first = say("find milk")
    assert "Here are the first 3" in first and "Dog Treats" not in first
    skus = say.context["list"]["ids"]
    assert all("Milk" in demo_shop.catalog_product(sku).name for sku in skus)
    assert "4:" in say("next")
    assert demo_shop.catalog_product(skus[3]).name in say("tell me about the fourth one")


def test_soda_lists_soft_drinks_not_baking_soda(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    listed = say("find soda")
    assert "Baking Soda" not in listed and ("7UP" in listed or "Coca-Cola" in listed)


def test_fruit_starts_with_fruit(demo_shop, customer):
    say = Shopper(demo_shop, customer)
    say("find fruit")
    first = demo_shop.catalog_product(say.context["list"]["ids"][0])
    assert first.sku.startswith("SKU-PRO") and "Cucumber" not in first.name
