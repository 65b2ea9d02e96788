"""The service intents in shoppers' own words, typed into the Alexa simulator (text -> recognizer -> lambda_handler).

Each test is one kind of phrasing the recognizer reads: a delivery option named by a synonym or hung on the
end of "check out", a return asked after as a refund, a guarantee for a warranty, opening times and cards,
a person or plain frustration, a yes or no that says more after the call-back offer, and shop words said to
someone else, which change nothing.
"""

from __future__ import annotations

from catalog.callbacks import CallbackDesk
from catalog.returns import ReturnStatus
from skill.simulator import Simulator


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def _callbacks(shop, customer):
    return [c for c in CallbackDesk(shop.repository).open_requests(limit=500) if c.customer_id == customer]


def test_delivery_asked_in_own_words_names_each_option_or_the_one_meant(alexa):
    assert "Express: $9.99" in say(alexa, "how much do you charge for delivery")
    assert "Express: $9.99" in say(alexa, "could you tell me how much delivery is")
    only = say(alexa, "do you do click and collect")
    assert "Pickup at Corner Market" in only and "Express" not in only
    assert "Express: $9.99" in say(alexa, "um how much is uh next day delivery")


def test_check_out_with_an_option_named_at_the_end_and_changed_by_a_synonym(alexa, demo_shop):
    demo_shop.set_delivery_profile(alexa.customer, address="12 Elm Street")
    say(alexa, "add two bluetooth speakers")
    assert "Express delivery to 12 Elm Street" in say(alexa, "check out with next day delivery")
    assert "Pickup at Corner Market" in say(alexa, "actually i'll collect it in store")
    assert "Standard delivery to 12 Elm Street" in say(alexa, "regular delivery is fine")
    say(alexa, "yes")
    assert demo_shop.latest_order(alexa.customer).delivery.option == "standard"


def test_pay_and_make_it_pickup_reads_back_pickup(alexa, demo_shop):
    demo_shop.set_delivery_profile(alexa.customer, address="12 Elm Street")
    say(alexa, "add organic bananas")
    assert "Pickup at Corner Market" in say(alexa, "i'm ready to pay and make it pickup")


def test_a_refund_asked_after_is_the_return_status(alexa, demo_shop):
    say(alexa, "add two bluetooth speakers")
    say(alexa, "check out")
    say(alexa, "yes")
    order = demo_shop.latest_order(alexa.customer)
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        demo_shop.advance(order.order_id, status)
    say(alexa, "start a return")
    say(alexa, "yes")
    assert "requested" in say(alexa, "any news on my refund")
    demo_shop.advance_return(demo_shop.latest_return(alexa.customer).return_id, ReturnStatus.RECEIVED)
    assert "received" in say(alexa, "i was wondering if you got my return")
    assert "received" in say(alexa, "have i been refunded yet")


def test_a_guarantee_is_the_warranty_for_a_product_or_a_category(alexa):
    assert "1 year from JBL" in say(alexa, "does the bluetooth speaker come with a guarantee")
    assert "1 year from JBL" in say(alexa, "if the bluetooth speaker breaks am i covered")
    assert "Our electronics come with a warranty" in say(alexa, "do electronics have a warranty")


def test_opening_times_cards_and_returns_are_the_shop_policies(alexa):
    assert "any time" in say(alexa, "when do you close")
    assert "any time" in say(alexa, "are you open on sunday")
    assert "cash or card" in say(alexa, "do you take cards")
    assert "cash or card" in say(alexa, "i'd like to know if you take apple pay")
    assert "within 30 days" in say(alexa, "how many days do i have to return something")


def test_a_person_or_frustration_offers_a_call_back_and_a_yes_that_says_more_records_it(alexa, demo_shop):
    offer = "Would you like someone from Corner Market to call you back?"
    assert offer in say(alexa, "put me through to a human")
    assert "no call back" in say(alexa, "no i'm fine thanks")
    assert _callbacks(demo_shop, alexa.customer) == []
    assert offer in say(alexa, "oh for goodness sake this is useless")
    say(alexa, "yes please call me")
    assert len(_callbacks(demo_shop, alexa.customer)) == 1


def test_shop_words_said_to_someone_else_change_nothing(alexa, demo_shop):
    for text in ("my return flight is at six", "the delivery guy at work was late again", "i'll pick them up at three"):
        say(alexa, text)
    assert demo_shop.cart(alexa.customer).lines == []
    assert demo_shop.customer(alexa.customer).delivery_option == ""
