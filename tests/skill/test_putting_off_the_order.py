"""Putting off the order at "Shall I place the order?" is a no, never a yes (issue 12, safety kept).

"not yet" was read as a guessed yes; "hold on" and "wait a minute" were not read at all.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("text", ["not yet", "um not yet", "hold on", "wait a minute please", "no not yet"])
def test_putting_off_the_order_answers_as_no_does_and_places_nothing(alexa, demo_shop, text):
    alexa.say("add organic bananas")
    alexa.say("check out")
    heard = alexa.say(text).speech
    assert demo_shop.orders(alexa.customer).orders == ()
    assert len(demo_shop.cart(alexa.customer).lines) == 1
    alexa.say("add organic bananas", new_session=True)
    alexa.say("check out")
    assert alexa.say("no").speech == heard
