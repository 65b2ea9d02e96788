"""Each intent's properties are declared once (`intents.traits`), and the declarations are true.

"Changes the shop" is checked against what really happens on DynamoDB Local: every intent is said by a
customer with a cart, a delivered order, an open order and a purchase code, its question (if it asks one)
is answered yes or with the code, and the write calls the shop's own botocore client made are counted.
"""

from __future__ import annotations

from typing import Any

import pytest

from intents.conversation import respond
from intents.language import load_model
from intents.matching import match
from intents.request import IntentRequest, Reply
from intents.traits import TRAITS, changes_shop, expecting
from tests.conftest import dynamodb_calls, random_ref

MODEL = load_model("en-US")
CODE = "4271"
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
SAID: dict[str, tuple[list[str], list[str]]] = {
    # intent: (said first, not counted; said and counted)
    "SearchIntent": ([], ["find skim milk"]),
    "ProductDetailsIntent": ([], ["tell me more about skim milk"]),
    "AddToCartIntent": ([], ["add two penne pasta"]),
    "RemoveFromCartIntent": ([], ["remove chunk light tuna"]),
    "SetQuantityIntent": ([], ["change chunk light tuna to 3"]),
    "ReviewCartIntent": ([], ["what's in my cart"]),
    "ClearCartIntent": ([], ["clear my cart", "yes"]),
    "CheckOutIntent": ([], ["check out"]),
    "ChooseDeliveryIntent": ([], ["use pickup"]),
    "DeliveryOptionsIntent": ([], ["how much is delivery"]),
    "OrderStatusIntent": ([], ["where is my order"]),
    "OrderContentsIntent": ([], ["what was in my last order"]),
    "ListOrdersIntent": ([], ["list my orders"]),
    "CancelOrderIntent": ([], ["cancel my order", "yes"]),
    "ReorderIntent": ([], ["buy my last order again", "yes", " ".join(CODE)]),
    "SetPurchaseCodeIntent": ([], ["set my purchase code to five five five five"]),
    "ProvideCodeIntent": (["check out", "yes"], [" ".join(CODE)]),
    "RecommendIntent": ([], ["what do you recommend"]),
    "DealsIntent": ([], ["any deals today"]),
    "StorePolicyIntent": ([], ["what is your return policy"]),
    "StartReturnIntent": ([], ["start a return", "yes"]),
    "ReturnStatusIntent": ([], ["where is my return"]),
    "WarrantyIntent": ([], ["what is the warranty on chunk light tuna"]),
    "CustomerNumberIntent": ([], ["what is my customer number"]),
    "IdentifyCustomerIntent": ([], ["i am customer {number}", "one two three four"]),
    "TalkToPersonIntent": ([], ["talk to a person"]),  # only offers; the yes (AMAZON.YesIntent) records the call-back
    "SpeakSlowerIntent": ([], ["slower"]),
    "SpeakFasterIntent": ([], ["faster"]),
    "SpeakLouderIntent": ([], ["louder"]),
    "SpeakSofterIntent": ([], ["softer"]),
    "AMAZON.YesIntent": (["clear my cart"], ["yes"]),
    "AMAZON.NoIntent": (["clear my cart"], ["no"]),
    "AMAZON.HelpIntent": ([], ["help"]),
    "AMAZON.StopIntent": ([], ["stop"]),
    "AMAZON.CancelIntent": ([], ["cancel"]),
    "AMAZON.RepeatIntent": (["what's in my cart"], ["repeat"]),
    "AMAZON.NextIntent": (["find milk"], ["next"]),
    "AMAZON.PreviousIntent": (["find milk", "next"], ["previous"]),
    "AMAZON.StartOverIntent": ([], ["start over"]),
    "AMAZON.NavigateHomeIntent": ([], ["main menu"]),
}


def model_intents() -> list[str]:
    """Every intent the interaction model declares."""
    return sorted(MODEL.intents)


class Customer:
    """A customer with a cart, a delivered order, an open order and a purchase code, typing to the kiosk."""

    def __init__(self, shop: Any) -> None:
        self.shop, self.id, self.context = shop, random_ref("traits"), {}
        self.number = ""
        for text in ("add chunk light tuna", "check out", "yes"):
            self.say(text)  # before the code exists: the order is placed at "yes"
        shop.set_purchase_code(self.id, CODE)
        delivered = shop.latest_order(self.id)
        for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
            shop.advance(delivered.order_id, status)
        for text in ("add chunk light tuna", "check out", "yes", " ".join(CODE), "add chunk light tuna"):
            self.say(text)
        self.context = {}
        assert len(shop.orders(self.id).orders) == 2 and shop.cart(self.id).lines

    def say(self, text: str) -> Reply:
        found = match(text.format(number=" ".join(self.number)), MODEL)
        assert found is not None, text
        request = IntentRequest(found.intent, self.id, found.slots, context=self.context, channel="kiosk")
        reply = respond(request, self.shop)
        self.context = dict(reply.context)
        return reply


def test_every_intent_of_the_model_declares_its_traits():
    assert [name for name in model_intents() if name not in TRAITS] == []


def test_an_intent_nobody_declared_counts_as_changing_the_shop():
    assert changes_shop("SomeNewIntent")


@pytest.mark.parametrize("intent", sorted(SAID))
def test_changes_the_shop_is_declared_exactly_when_it_writes(intent, demo_shop):
    shopper = Customer(demo_shop)
    if intent == "IdentifyCustomerIntent":
        other = Customer(demo_shop)
        shopper.number = demo_shop.customer_number(other.id)
    before, counted = SAID[intent]
    for text in before:
        shopper.say(text)
    with dynamodb_calls(demo_shop) as calls:
        replies = [shopper.say(text) for text in counted]
    writes = [operation for operation, _params in calls if operation in WRITES]
    assert match(counted[0].format(number="1 2 3 4 5 6"), MODEL).intent == intent
    assert bool(writes) == TRAITS[intent].changes_shop, (writes, [r.speech for r in replies])


@pytest.mark.parametrize("intent", sorted(SAID))
def test_what_an_intent_expects_is_what_its_reply_waits_for(intent, demo_shop):
    shopper = Customer(demo_shop)
    before, counted = SAID[intent]
    for text in before:
        shopper.say(text)
    shopper.number = "123456"
    shopper.say(counted[0])
    assert expecting(shopper.context) == TRAITS[intent].expects


def test_every_spoken_intent_is_probed():
    assert sorted(set(model_intents()) - set(SAID)) == ["AMAZON.FallbackIntent"]


def test_an_unclear_purchase_code_is_asked_again(demo_shop):
    shopper = Customer(demo_shop)
    shopper.say("check out")
    shopper.say("yes")
    assert expecting(shopper.context) == "code"
    reply = respond(IntentRequest("ProvideCodeIntent", shopper.id, context=shopper.context, channel="kiosk"), demo_shop)
    assert expecting(reply.context) == "code" and "asked_back" in reply.events
    assert len(demo_shop.orders(shopper.id).orders) == 2
