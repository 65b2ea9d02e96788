"""A doubtful reading that would change the shop is asked back by the conversation, on any channel.

`intents.doubt.respond_heard` is what a channel calls with what it heard and how sure it was; these run
on DynamoDB Local, as the Alexa skill and the kiosk both would.
"""

from __future__ import annotations

import json

from intents.doubt import respond_heard
from intents.language import load_model
from intents.matching import match
from intents.recognizer import best
from intents.request import IntentRequest
from intents.traits import expecting
from intents.walk_up import ask_before_leaving, bring_cart

MODEL = load_model("en-US")


class Heard:
    """A channel's side of a conversation: what it heard, and whether it heard it clearly."""

    def __init__(self, shop, customer, channel="alexa"):
        self.shop, self.customer, self.channel, self.context = shop, customer, channel, {}

    def __call__(self, text, confident=True):
        found = match(text, MODEL)
        assert found is not None, text
        request = IntentRequest(found.intent, self.customer, found.slots, context=self.context, channel=self.channel)
        reply = respond_heard(request, self.shop, confident=confident, said=found.said)
        self.context = dict(reply.context)
        return reply

    def cart(self):
        return [(line.sku, line.quantity) for line in self.shop.cart(self.customer).lines]


def test_a_doubtful_change_is_asked_back_and_only_a_yes_acts_on_it(demo_shop, customer):
    say = Heard(demo_shop, customer)
    asked = say("add two penne pasta", confident=False)
    assert asked.speech == "Did you say: add two penne pasta?" and "did_you_say" in asked.events
    assert say.cart() == [] and expecting(say.context) == "yes_no"
    assert "say it again" in say("no").speech
    assert say.cart() == [] and expecting(say.context) is None

    say("add two penne pasta", confident=False)
    assert say("yes").speech.startswith("Added 2")
    assert [quantity for _sku, quantity in say.cart()] == [2]


def test_a_doubtful_question_never_needs_asking(demo_shop, customer):
    say = Heard(demo_shop, customer)
    assert "did_you_say" not in say("what's in my cart", confident=False).events


def test_a_question_only_guessed_from_its_words_is_asked_back_and_a_yes_answers_it(demo_shop, customer):
    reading = best("has the order for my mother gone out yet")
    assert reading is not None and reading.intent == "OrderStatusIntent" and reading.guessed
    request = IntentRequest(reading.intent, customer, reading.slots, context={}, channel="kiosk")
    asked = respond_heard(request, demo_shop, confident=False, said=reading.said, guessed=True)
    assert asked.speech.startswith("Did you say:") and expecting(asked.context) == "yes_no"
    say = Heard(demo_shop, customer, channel="kiosk")
    say.context = dict(asked.context)
    assert "did_you_say" not in say("yes").events and expecting(say.context) is None


def test_another_command_moves_on_so_a_later_yes_confirms_nothing(demo_shop, customer):
    say = Heard(demo_shop, customer)
    say("add two penne pasta", confident=False)
    say("find skim milk")
    assert "nothing" in say("yes").speech.lower()
    assert say.cart() == []


def test_an_unsure_yes_is_asked_once_more_and_a_second_one_counts(demo_shop, customer):
    say = Heard(demo_shop, customer)
    say("add two penne pasta", confident=False)
    assert "say yes or no" in say("yes", confident=False).speech.lower()
    assert say.cart() == []
    say("yes", confident=False)
    assert len(say.cart()) == 1


def test_an_unsure_yes_to_a_checkout_is_asked_about_and_the_checkout_stays_open(demo_shop, customer):
    say = Heard(demo_shop, customer)
    say("add two penne pasta")
    say("check out")
    assert say("yes", confident=False).speech == "Did you say: yes?"
    assert demo_shop.orders(customer).orders == ()
    say("no")
    assert expecting(say.context) == "yes_no"  # the checkout question is open again
    say("yes", confident=False)
    placed = say("yes")
    assert "order_placed" in placed.events and len(demo_shop.orders(customer).orders) == 1


def test_an_unclear_purchase_code_is_asked_again_and_never_kept(demo_shop, customer):
    demo_shop.set_purchase_code(customer, "4271")
    say = Heard(demo_shop, customer)
    say("add two penne pasta")
    say("check out")
    say("yes")
    assert expecting(say.context) == "code"
    again = say("4 2 7 1", confident=False)
    assert "again" in again.speech and "4" not in again.speech and "4271" not in json.dumps(say.context)
    assert expecting(say.context) == "code" and demo_shop.orders(customer).orders == ()
    assert "order_placed" in say("4 2 7 1").events


def test_a_walk_up_shopper_leaving_with_a_cart_is_asked_and_no_keeps_it(demo_shop, customer):
    say = Heard(demo_shop, customer, channel="kiosk")
    say("add two penne pasta")
    request = IntentRequest("AMAZON.StopIntent", customer, context=say.context, channel="kiosk")
    asked = ask_before_leaving(request, demo_shop)
    assert asked is not None and "2 items" in asked.speech and not asked.end_session
    say.context = dict(asked.context)
    assert "as it was" in say("no").speech and len(say.cart()) == 1
    again = ask_before_leaving(request, demo_shop)
    say.context = dict(again.context)
    assert say("yes").end_session


def test_what_a_walk_up_shopper_chose_comes_along_at_sign_in(demo_shop, customer):
    walk_up = f"{customer}-walkup"
    Heard(demo_shop, walk_up, channel="kiosk")("add two penne pasta")
    said = bring_cart(IntentRequest("AMAZON.YesIntent", customer, channel="kiosk"), demo_shop, walk_up, customer)
    assert said is not None and "2 items you chose" in said.text
    assert [line.quantity for line in demo_shop.cart(customer).lines] == [2] and not demo_shop.cart(walk_up).lines
