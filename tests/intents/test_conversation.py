"""The conversation, channel-free: IntentRequest in, Reply out, the shop's state checked on DynamoDB Local."""

import pytest

from catalog.errors import StoreUnavailable
from intents.conversation import respond
from intents.request import IntentRequest, Slot
from tests.conftest import add_product


class Talk:
    """A customer talking to the shop, turn by turn, carrying the context like a channel does."""

    def __init__(self, shop, customer):
        self.shop, self.customer, self.context, self.last = shop, customer, {}, None

    def __call__(self, intent, **slots):
        request = IntentRequest(
            intent=intent,
            customer_id=self.customer,
            slots={
                name: Slot(name, *value) if isinstance(value, tuple) else Slot(name, value)
                for name, value in slots.items()
            },
            context=self.context,
        )
        self.last = respond(request, self.shop)
        self.context = dict(self.last.context)
        return self.last.speech


@pytest.fixture
def talk(demo_shop, customer):
    return Talk(demo_shop, customer)


def test_search_reads_three_results_and_next_reads_more(talk):
    first = talk("SearchIntent", category="snacks")
    assert "1:" in first and "3:" in first and "4:" not in first
    second = talk("AMAZON.NextIntent")
    assert "4:" in second and "1:" not in second  # numbering goes on, so "the fourth one" is the one heard as 4


def test_help_after_a_search_offers_only_what_that_list_allows(talk):
    talk("SearchIntent", category="snacks")
    assert "next" in talk("AMAZON.HelpIntent")
    assert talk("SearchIntent", product="kerrygold butter").startswith("I found one match")
    help_now = talk("AMAZON.HelpIntent")
    assert "second" not in help_now and "next" not in help_now and "add it" in help_now


def test_search_for_something_the_shop_does_not_sell_says_so(talk):
    speech = talk("SearchIntent", product="lawn mower")
    assert "couldn't find" in speech
    assert talk.last.events == ("search_no_result",)


def test_add_the_second_one_after_a_search(talk, demo_shop):
    talk("SearchIntent", product="milk")
    second_sku = talk.context["list"]["ids"][1]
    speech = talk("AddToCartIntent", quantity="2", ordinal=("second", "2"))
    assert speech.startswith("Added 2")
    assert [(line.sku, line.quantity) for line in demo_shop.cart(talk.customer).lines] == [(second_sku, 2)]


def test_add_it_adds_the_product_in_focus(talk, demo_shop):
    talk("SearchIntent", product="gala apples")
    talk("AddToCartIntent")
    assert demo_shop.cart(talk.customer).lines[0].sku == "SKU-PRO-0003"


def test_prices_are_spoken_in_words_and_ssml_keeps_dollars(talk):
    talk("ProductDetailsIntent", product=("gala apples", "SKU-PRO-0003"))
    assert "4 dollars and 29 cents" in talk.last.speech
    assert "$4.29" in talk.last.ssml


def test_checkout_reads_the_total_and_no_leaves_no_order(talk, demo_shop):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity="2")
    summary = talk("CheckOutIntent")
    assert "2 Organic Bananas" in summary and "3 dollars and 98 cents" in summary
    assert "not placed" in talk("AMAZON.NoIntent").replace("haven't placed", "not placed")
    assert demo_shop.orders(talk.customer).orders == ()
    assert len(demo_shop.cart(talk.customer).lines) == 1


def test_yes_places_the_order_and_says_its_number(talk, demo_shop):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    speech = talk("AMAZON.YesIntent")
    order = demo_shop.latest_order(talk.customer)
    digits, word = order.order_number.split()
    assert " ".join(digits) + " " + word in speech
    assert talk.last.events == ("order_placed",)


def test_my_orders_are_listed_with_their_codes(talk, demo_shop):
    assert "any orders" in talk("ListOrdersIntent")
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    talk("AMAZON.YesIntent")
    digits, word = demo_shop.latest_order(talk.customer).order_number.split()
    speech = talk("ListOrdersIntent")
    assert speech.startswith("You have 1 recent order.") and " ".join(digits) + " " + word in speech


def test_setting_a_quantity_to_zero_takes_the_product_out(talk, demo_shop):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity="3")
    speech = talk("SetQuantityIntent", product=("organic bananas", "SKU-PRO-0002"), quantity="0")
    assert "removed" in speech.lower() and demo_shop.cart(talk.customer).lines == []


def test_a_stray_yes_buys_nothing(talk, demo_shop):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    assert "nothing to confirm" in talk("AMAZON.YesIntent")
    assert demo_shop.orders(talk.customer).orders == ()


def test_moving_on_drops_the_checkout_question(talk, demo_shop):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    talk("SearchIntent", product="milk")
    talk("AMAZON.YesIntent")
    assert demo_shop.orders(talk.customer).orders == ()


def test_purchase_code_is_asked_and_a_wrong_one_refused(talk, demo_shop):
    demo_shop.set_purchase_code(talk.customer, "4271")
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    assert "purchase code" in talk("AMAZON.YesIntent")
    assert "didn't match" in talk("ProvideCodeIntent", code="1111")
    assert demo_shop.orders(talk.customer).orders == ()
    assert "order is placed" in talk("ProvideCodeIntent", code="4271")


def test_out_of_stock_offers_an_alternative_and_yes_adds_it(talk, demo_shop):
    speech = talk("AddToCartIntent", product=("bananas", "SKU-PRO-0001"))
    assert "out of stock" in speech and "instead" in speech
    talk("AMAZON.YesIntent")
    assert demo_shop.cart(talk.customer).lines[0].sku != "SKU-PRO-0001"


def test_impossible_quantity_is_explained_and_changes_nothing(talk, demo_shop):
    assert "between 1 and 20" in talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity="200")
    assert demo_shop.cart(talk.customer).lines == []


def test_order_status_and_cancel_with_confirmation(talk, demo_shop):
    product = add_product(demo_shop, stock=4)
    talk("AddToCartIntent", product=("x", product.sku), quantity="3")
    talk("CheckOutIntent")
    talk("AMAZON.YesIntent")
    assert "received" in talk("OrderStatusIntent")
    assert "cancel order" in talk("CancelOrderIntent")
    assert "cancelled" in talk("AMAZON.YesIntent")
    assert demo_shop.product(product.sku).stock == 4


def test_reorder_reads_todays_prices_and_needs_a_yes(talk, demo_shop):
    product = add_product(demo_shop, stock=10)
    talk("AddToCartIntent", product=("x", product.sku))
    talk("CheckOutIntent")
    talk("AMAZON.YesIntent")
    assert "Shall I place it" in talk("ReorderIntent")
    talk("AMAZON.YesIntent")
    assert len(demo_shop.orders(talk.customer).orders) == 2


def test_repeat_says_the_last_reply_again(talk):
    first = talk("ReviewCartIntent")
    assert talk("AMAZON.RepeatIntent") == first


def test_help_while_confirming_says_yes_or_no(talk):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    assert "yes or no" in talk("AMAZON.HelpIntent")


def test_stop_ends_the_session(talk):
    talk("SearchIntent", product="milk")
    talk("AMAZON.StopIntent")
    assert talk.last.end_session
    assert talk.context == {}


def test_store_down_is_an_apology_not_a_crash(talk, monkeypatch, demo_shop):
    def down(*args, **kwargs):
        raise StoreUnavailable("test")

    monkeypatch.setattr(demo_shop.repository, "get_cart", down)
    assert "having trouble" in talk("ReviewCartIntent")
    assert talk.last.events == ("error",)


def test_a_kiosk_shopper_signs_in_with_customer_number_and_code(demo_shop, customer):
    demo_shop.set_purchase_code(customer, "4271")
    alexa = Talk(demo_shop, customer)
    alexa("CustomerNumberIntent")
    number = demo_shop.customer_number(customer)
    assert " ".join(number) in alexa.last.speech

    kiosk = Talk(demo_shop, "kiosk-anonymous")
    request_channel = IntentRequest  # the kiosk marks its requests with channel="kiosk"
    kiosk.context = {}
    reply = respond(
        request_channel(
            "IdentifyCustomerIntent",
            "kiosk-anonymous",
            {"customer_number": Slot("customer_number", number)},
            channel="kiosk",
        ),
        demo_shop,
    )
    assert "purchase code" in reply.speech
    wrong = respond(
        IntentRequest(
            "ProvideCodeIntent",
            "kiosk-anonymous",
            {"code": Slot("code", "1111")},
            context=reply.context,
            channel="kiosk",
        ),
        demo_shop,
    )
    assert "customer_id" not in wrong.context
    right = respond(
        IntentRequest(
            "ProvideCodeIntent",
            "kiosk-anonymous",
            {"code": Slot("code", "4271")},
            context=wrong.context,
            channel="kiosk",
        ),
        demo_shop,
    )
    assert right.context["customer_id"] == customer
    assert right.events == ("signed_in",)


def test_sign_in_is_not_offered_on_alexa(talk):
    assert "already signed in" in talk("IdentifyCustomerIntent", customer_number="123456")


def test_asking_to_speak_slower_keeps_the_checkout_question_open(demo_shop, customer):
    talk = Talk(demo_shop, customer)
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    talk("SpeakSlowerIntent")
    talk("AMAZON.YesIntent")
    assert len(demo_shop.orders(customer).orders) == 1


def test_a_code_that_is_not_four_digits_is_asked_again_without_counting_a_wrong_try(demo_shop, customer):
    demo_shop.set_purchase_code(customer, "4271")
    talk = Talk(demo_shop, customer)
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"))
    talk("CheckOutIntent")
    talk("AMAZON.YesIntent")
    assert "four digits" in talk("ProvideCodeIntent", code="0")
    assert demo_shop.customer(customer).failed_code_attempts == 0
    assert "order is placed" in talk("ProvideCodeIntent", code="4271")


@pytest.mark.parametrize("heard", ["2.5", "NaN", "?", "two and a half"])
def test_an_unreadable_quantity_is_asked_again_and_changes_nothing(talk, demo_shop, heard):
    speech = talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity=heard)
    assert "didn't catch how many" in speech and "whole number from 1 to 20" in speech
    assert demo_shop.cart(talk.customer).lines == []


@pytest.mark.parametrize("heard", ["-1", "-2", "minus two", "a million", "0"])
def test_a_quantity_out_of_range_is_refused_and_changes_nothing(talk, demo_shop, heard):
    speech = talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity=heard)
    assert "between 1 and 20" in speech and "Added" not in speech
    assert demo_shop.cart(talk.customer).lines == []


@pytest.mark.parametrize(("heard", "says"), [("2.5", "didn't catch how many"), ("minus two", "between 1 and 20")])
def test_setting_an_unreadable_or_negative_quantity_keeps_the_line(talk, demo_shop, heard, says):
    talk("AddToCartIntent", product=("organic bananas", "SKU-PRO-0002"), quantity="3")
    assert says in talk("SetQuantityIntent", product=("organic bananas", "SKU-PRO-0002"), quantity=heard)
    assert [line.quantity for line in demo_shop.cart(talk.customer).lines] == [3]


def leaked(text, *codes):
    """The codes found in some text, as digits, spaced digits or digit words ("6391", "6 3 9 1", "six ...")."""
    import re

    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    found = []
    for code in codes:
        for form in (code, " ".join(code), " ".join(words[int(digit)] for digit in code)):
            if re.search(rf"(?<![\w-]){form}(?![\w-])", text):
                found.append(code)
    return found


def test_changing_the_code_keeps_no_code_in_the_context_or_logs(talk, demo_shop, caplog):
    import json

    from catalog.purchase_code import code_matches

    caplog.set_level("DEBUG")
    demo_shop.set_purchase_code(talk.customer, "4271")
    seen = []
    assert "again" in talk("SetPurchaseCodeIntent", code=("6 3 9 1", "6391"))
    seen.append(json.dumps(talk.context))
    assert "current code" in talk("ProvideCodeIntent", code="6391")
    seen.append(json.dumps(talk.context))
    assert "didn't match" in talk("ProvideCodeIntent", code="1111")  # a wrong current code may be said again
    seen.append(json.dumps(talk.context))
    assert "is set" in talk("ProvideCodeIntent", code="4271")
    seen.append(json.dumps(talk.context))
    logged = " ".join(json.dumps(vars(record), default=str) for record in caplog.records)
    assert leaked(" ".join(seen) + logged, "6391", "4271", "1111") == []
    assert code_matches("6391", demo_shop.customer(talk.customer).code_hash)
    assert not demo_shop.staged_code_matches(talk.customer, "6391")  # nothing left waiting


def test_a_different_second_saying_changes_nothing(talk, demo_shop):
    from catalog.purchase_code import code_matches

    demo_shop.set_purchase_code(talk.customer, "4271")
    talk("SetPurchaseCodeIntent", code="6391")
    assert "not the same" in talk("ProvideCodeIntent", code="6392")
    assert "wasn't expecting a code" in talk("ProvideCodeIntent", code="4271")
    assert code_matches("4271", demo_shop.customer(talk.customer).code_hash)


def test_a_first_code_is_asked_twice_then_set(talk, demo_shop):
    from catalog.purchase_code import code_matches

    assert "What four digit code" in talk("SetPurchaseCodeIntent")
    assert "again" in talk("ProvideCodeIntent", code="6391")
    assert "pending" not in talk.context or set(talk.context["pending"]) == {"kind"}
    assert "is set" in talk("ProvideCodeIntent", code="6391")
    assert code_matches("6391", demo_shop.customer(talk.customer).code_hash)


def test_a_staged_code_expires(talk, demo_shop, monkeypatch):
    from datetime import timedelta

    import catalog.code_change
    from catalog.model import utcnow
    from catalog.purchase_code import code_matches

    demo_shop.set_purchase_code(talk.customer, "4271")
    talk("SetPurchaseCodeIntent", code="6391")
    talk("ProvideCodeIntent", code="6391")
    later = utcnow() + timedelta(minutes=catalog.code_change.STAGED_CODE_MINUTES + 1)
    monkeypatch.setattr(catalog.code_change, "utcnow", lambda: later)
    assert "took too long" in talk("ProvideCodeIntent", code="4271")
    assert code_matches("4271", demo_shop.customer(talk.customer).code_hash)
