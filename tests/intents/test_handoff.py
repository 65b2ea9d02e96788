"""A human when needed, on both channels: the offer after three misses or on frustration, and what a yes records."""

import json

import pytest

from catalog.callbacks import CallbackDesk
from intents.conversation import respond
from intents.request import IntentRequest, Slot
from tests.conftest import add_product

CHANNELS = ("alexa", "kiosk")


class Talk:
    """A customer on one channel, carrying the context between turns like that channel does."""

    def __init__(self, shop, customer, channel):
        self.shop, self.customer, self.channel, self.context, self.last = shop, customer, channel, {}, None

    def __call__(self, intent, heard=None, **slots):
        request = IntentRequest(
            intent=intent,
            customer_id=self.customer,
            slots={name: Slot(name, *v) if isinstance(v, tuple) else Slot(name, v) for name, v in slots.items()},
            context=self.context,
            channel=self.channel,
            heard=heard if self.channel == "kiosk" else None,  # Alexa never sends the words
        )
        self.last = respond(request, self.shop)
        self.context = dict(self.last.context)
        return self.last.speech


def _open_for(shop, customer):
    return [c for c in CallbackDesk(shop.repository).open_requests(limit=500) if c.customer_id == customer]


@pytest.fixture(params=CHANNELS)
def talk(request, empty_shop, customer):
    return Talk(empty_shop, customer, request.param)


def test_two_misunderstandings_are_only_apologies_and_the_third_offers_a_person(talk):
    assert "didn't catch" in talk("AMAZON.FallbackIntent", heard="blorp the snorp")
    assert "didn't catch" in talk("AMAZON.FallbackIntent", heard="flibber")
    third = talk("AMAZON.FallbackIntent", heard="grommet")
    assert "not getting this right" in third
    assert "handoff_offered" in talk.last.events
    if talk.channel == "kiosk":
        assert "member of staff" in third and "service desk" in third
    else:
        assert "call you back" in third and "service desk" not in third


def test_an_understood_turn_ends_the_row_of_misunderstandings(talk):
    talk("AMAZON.FallbackIntent")
    talk("AMAZON.FallbackIntent")
    talk("ReviewCartIntent")
    assert "not getting this right" not in talk("AMAZON.FallbackIntent")
    assert "not getting this right" not in talk("AMAZON.FallbackIntent")
    assert "not getting this right" in talk("AMAZON.FallbackIntent")


def test_asked_back_turns_count_like_fallbacks(talk):
    talk("AddToCartIntent")  # "add it" with nothing in focus: which product?
    assert "asked_back" in talk.last.events
    talk("AMAZON.HelpIntent")  # asking for help while stuck neither counts nor breaks the row
    talk("AddToCartIntent")
    assert "not getting this right" in talk("AMAZON.FallbackIntent")


@pytest.mark.parametrize("words", ["this is useless", "agent", "talk to a person"])
def test_words_of_frustration_offer_a_person_at_once(empty_shop, customer, words):
    from intents.language import load_model
    from intents.matching import match

    assert match(words, load_model("en-US")).intent == "TalkToPersonIntent"
    talk = Talk(empty_shop, customer, "alexa")
    assert talk("TalkToPersonIntent").startswith("Of course. Would you like someone from Corner Market to call")


def test_yes_records_a_call_back_with_the_last_turns_the_cart_and_the_customer(talk, empty_shop, customer):
    product = add_product(empty_shop, name="Oat Milk Barista")
    talk("AddToCartIntent", heard="add two oat milk barista", product=("oat milk barista", product.sku), quantity="2")
    talk("AMAZON.FallbackIntent", heard="the blue one")
    talk("TalkToPersonIntent", heard="talk to a person")
    talk("AMAZON.YesIntent")
    assert "callback_requested" in talk.last.events
    [callback] = _open_for(empty_shop, customer)
    assert callback.channel == talk.channel and callback.reason == "frustration"
    assert [(line.sku, line.quantity) for line in callback.cart] == [(product.sku, 2)]
    if talk.channel == "kiosk":
        assert callback.utterances == ("add two oat milk barista", "the blue one", "talk to a person")
        assert "service desk" in talk.last.speech
    else:
        assert callback.utterances == (
            "AddToCartIntent (product=oat milk barista, quantity=2)",
            "(not understood)",
            "TalkToPersonIntent",
        )
    assert talk.context["heard"] == ["AMAZON.YesIntent"]  # what went to ops is not kept


def test_no_records_nothing_and_carries_on(talk, empty_shop, customer):
    talk("TalkToPersonIntent")
    assert "no call back" in talk("AMAZON.NoIntent")
    assert _open_for(empty_shop, customer) == []


def test_a_purchase_code_is_never_recorded(talk, empty_shop, customer):
    empty_shop.set_purchase_code(customer, "4271")
    product = add_product(empty_shop)
    talk("AddToCartIntent", product=("test item", product.sku))
    talk("CheckOutIntent")
    talk("AMAZON.YesIntent")  # the code is asked for
    talk("AMAZON.FallbackIntent", heard="four two seven won")  # a garbled code is still a code
    talk("ProvideCodeIntent", heard="one one one one", code="1111")
    talk("TalkToPersonIntent", heard="agent")
    talk("AMAZON.YesIntent")
    [callback] = _open_for(empty_shop, customer)
    recorded = json.dumps(callback.utterances)
    assert "1111" not in recorded and "one one" not in recorded and "seven" not in recorded
    assert "4271" not in json.dumps(talk.context)
    assert callback.utterances[-3:-1] == ("(a purchase code turn: not recorded)",) * 2


def test_only_the_last_few_turns_are_kept_in_the_context(talk):
    for _ in range(8):
        talk("ReviewCartIntent")
    assert len(talk.context["heard"]) == 5


def test_ops_close_a_call_back_once(empty_shop, customer):
    talk = Talk(empty_shop, customer, "alexa")
    talk("TalkToPersonIntent")
    talk("AMAZON.YesIntent")
    [callback] = _open_for(empty_shop, customer)
    desk = CallbackDesk(empty_shop.repository)
    assert desk.done(callback.callback_id, note="called, all sorted").state == "done"
    assert desk.done(callback.callback_id) is None
    assert _open_for(empty_shop, customer) == []
