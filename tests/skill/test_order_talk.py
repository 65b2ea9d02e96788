"""Talk of an order is read as the order intent it means, never as a product for the cart (issue 12).

"buy the same stuff again" opens with an add verb and "cancel the order i just placed" with a removal
verb, but no product is called "the same stuff" or "order": each phrasing gets the same answer as the
model's own sentence for that intent, and the cart is left alone.
"""

from __future__ import annotations

import pytest

from skill.simulator import Simulator

KINDS = {
    "repeat my last order": [
        "buy the same stuff again",
        "get me my usual order",
    ],
    "where is my order": ["when will my groceries arrive", "what day will my stuff be delivered"],
    "list my orders": ["show me all my orders"],
    "what was in my last order": ["remind me what i bought last week", "remind me what i ordered"],
    "start a return": ["i need to send back my order", "i'd like a refund"],
}
CASES = [(canonical, text) for canonical, texts in KINDS.items() for text in texts]


def answer(alexa: Simulator, text: str) -> str:
    return alexa.say(text, new_session=True).speech


@pytest.mark.parametrize(("canonical", "text"), CASES)
def test_order_talk_gets_the_order_answer_and_leaves_the_cart(alexa, demo_shop, canonical, text):
    expected = answer(alexa, canonical)
    assert answer(alexa, text) == expected
    assert demo_shop.cart(alexa.customer).lines == []


def test_a_product_after_an_add_verb_is_still_added(alexa, demo_shop):
    assert "Added 1" in answer(alexa, "buy oat milk")
    assert [line.name for line in demo_shop.cart(alexa.customer).lines] == ["Oat Milk"]


@pytest.mark.parametrize(
    "text",
    ["order the same thing as last time", "grab the same things again", "please cancel the order i just placed"],
)
def test_order_talk_read_only_as_a_guess_never_touches_the_cart(alexa, demo_shop, text):
    heard = answer(alexa, text)
    assert "Added" not in heard and "Removed" not in heard and "doesn't sell" not in heard
    assert demo_shop.cart(alexa.customer).lines == []
