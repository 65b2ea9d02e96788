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
