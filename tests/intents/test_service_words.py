"""How the recognizer reads the service intents in shoppers' words, one kind of phrasing per test."""

import pytest

from intents.recognizer import Context, best, recognize

CHECKOUT_OPEN = {"pending": {"kind": "checkout", "quote_id": "q"}}
CALLBACK_OFFERED = {"pending": {"kind": "callback", "reason": "frustration"}}


def read(text, context=None):
    found = best(text, context)
    return (found.intent, {name: slot.resolved_id for name, slot in found.slots.items()}) if found else None


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("check out with next day delivery", "express"),
        ("place my order using click and collect", "pickup"),
        ("i'm ready to pay and i'll collect in store", "pickup"),
        ("complete my order with regular shipping thanks", "standard"),
    ],
)
def test_an_option_hung_on_the_end_of_check_out_is_its_delivery_slot(text, option):
    assert read(text) == ("CheckOutIntent", {"delivery": option})


def test_a_product_is_never_carried_on_the_end_of_check_out():
    found = best("check out with oat milk")
    assert found is None or "delivery" not in found.slots


def test_a_closed_slot_must_name_one_of_its_values():
    assert read("tell me about opening times") == ("StorePolicyIntent", {"policy": "hours"})
    found = best("tell me about your dog")
    assert found is None or found.intent != "StorePolicyIntent"


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("when do you close", "hours"),
        ("can you tell me what time you open on sunday", "hours"),
        ("do you take cards", "payment"),
        ("how many days do i have to return something", "returns"),
    ],
)
def test_opening_times_cards_and_returns_are_policies(text, policy):
    assert read(text) == ("StorePolicyIntent", {"policy": policy})


def test_a_delivery_choice_is_acted_on_unasked_only_as_an_answer_to_the_read_back():
    assert best("i'll pick it up", CHECKOUT_OPEN).needs_confirming is False
    assert best("i'll pick it up").needs_confirming is True


def test_the_call_back_offer_waits_for_a_yes_or_no():
    assert Context.from_conversation(CALLBACK_OFFERED).expecting == "yes_no"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes please call me", "AMAZON.YesIntent"),
        ("oh yes please that would be lovely", "AMAZON.YesIntent"),
        ("no i'm fine thanks", "AMAZON.NoIntent"),
        ("no don't bother", "AMAZON.NoIntent"),
    ],
)
def test_a_yes_or_no_that_says_more_answers_the_offer(text, intent):
    assert read(text, CALLBACK_OFFERED) == (intent, {})


def test_a_no_followed_by_a_new_command_is_the_command_and_a_yes_to_someone_else_is_nothing():
    found = best("no add oat milk", CHECKOUT_OPEN)
    assert found is not None and found.intent == "AddToCartIntent"
    found = best("yes dear one minute", CALLBACK_OFFERED)
    assert found is None or found.intent != "AMAZON.YesIntent"


@pytest.mark.parametrize(
    "text",
    ["put me through to a human", "can i talk to a member of staff", "you're not helping", "this is so annoying"],
)
def test_people_and_frustration_ask_for_a_person(text):
    found = best(text)
    assert found is not None and found.intent == "TalkToPersonIntent" and not found.changes_shop


def test_a_question_inside_a_longer_sentence_is_read_as_a_guess():
    found = best("my daughter normally does all this for me but how much is delivery")
    assert found is not None and found.intent == "DeliveryOptionsIntent" and found.how == "approximate"


@pytest.mark.parametrize(
    "text",
    [
        "my return flight is at six",
        "the delivery guy at work was late again",
        "we should pick up the kids at three",
        "i told my sister to check out the new bakery with me",
        "no dear i was talking to the cat",
    ],
)
def test_shop_words_said_to_someone_else_change_nothing(text):
    for context in (None, CHECKOUT_OPEN, CALLBACK_OFFERED):
        for reading in recognize(text, context):
            assert not (reading.changes_shop and reading.confident), (text, context, reading.intent)
