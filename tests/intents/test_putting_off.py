"""Putting off the order at "Shall I place the order?" reads as no, never as a yes (issue 12, safety kept).

"not yet" was read as a guessed yes; "hold on" and "wait a minute" were not read at all.
"""

import pytest

from intents.recognizer import best

CHECKOUT_OPEN = {"pending": {"kind": "checkout", "quote_id": "q"}}


@pytest.mark.parametrize("text", ["not yet", "um not yet", "hold on", "wait a minute please", "no not yet"])
def test_putting_off_the_order_is_a_sure_no(text):
    found = best(text, CHECKOUT_OPEN)
    assert found is not None and found.intent == "AMAZON.NoIntent" and found.confident


@pytest.mark.parametrize("text", ["yes", "yes go ahead", "place it"])
def test_agreeing_is_still_a_yes(text):
    found = best(text, CHECKOUT_OPEN)
    assert found is not None and found.intent == "AMAZON.YesIntent"
