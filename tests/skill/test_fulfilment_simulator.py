"""Issue 14 items 1-3 typed into the Alexa simulator: text -> model match -> envelope -> lambda_handler."""

from __future__ import annotations

from catalog.returns import ReturnStatus
from skill.simulator import Simulator


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def test_delivery_choice_contents_return_and_warranty_by_voice(alexa, demo_shop):
    demo_shop.set_delivery_profile(alexa.customer, address="12 Elm Street")
    assert "Express: $9.99" in say(alexa, "how much is delivery")
    say(alexa, "add two bluetooth speakers")
    assert "Standard delivery to 12 Elm Street" in say(alexa, "check out")
    assert "Pickup at Corner Market" in say(alexa, "make it pickup")
    assert "ready for pickup at Corner Market" in say(alexa, "yes")
    order = demo_shop.latest_order(alexa.customer)
    assert order.delivery.option == "pickup"
    assert "2 Bluetooth Speaker" in say(alexa, "what was in my last order")
    assert "can't be returned yet" in say(alexa, "start a return")
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        demo_shop.advance(order.order_id, status)
    stock = demo_shop.product(order.lines[0].sku).stock
    assert "Shall I start the return" in say(alexa, "i want to return my order")
    assert "return number is" in say(alexa, "yes")
    record = demo_shop.latest_return(alexa.customer)
    demo_shop.advance_return(record.return_id, ReturnStatus.RECEIVED)
    assert demo_shop.product(order.lines[0].sku).stock == stock + 2
    assert "received" in say(alexa, "where is my return")
    assert "1 year from JBL" in say(alexa, "what is the warranty on bluetooth speaker")


def test_has_my_order_shipped_skips_the_cancelled_one(alexa, demo_shop):
    say(alexa, "add organic bananas")
    say(alexa, "check out")
    say(alexa, "yes")
    kept = demo_shop.latest_order(alexa.customer)
    say(alexa, "add gala apples")
    say(alexa, "check out")
    say(alexa, "yes")
    say(alexa, "cancel my last order")
    assert "cancelled" in say(alexa, "yes")
    speech = say(alexa, "has my order shipped")
    assert kept.order_number.split()[1] in speech and "cancelled" not in speech
