"""The conversation counts what it could not answer, on the channel it was asked on, and nothing about who asked."""

import pytest

from catalog.unanswered import ASKEDBACK, NOMATCH, searches_pk
from intents.conversation import respond
from intents.request import IntentRequest, Slot
from tests.conftest import add_product, fresh_shop, random_ref


@pytest.fixture
def shop(base_settings):
    shop = fresh_shop(base_settings)
    add_product(shop, name="Fizzwell Lime Soda")
    add_product(shop, name="Fizzwell Lemon Soda")
    return shop


def say(shop, customer, intent, channel, **slots):
    request = IntentRequest(
        intent=intent,
        customer_id=customer,
        slots={name: Slot(name, value) for name, value in slots.items()},
        channel=channel,
    )
    return respond(request, shop)


def counted(shop):
    shop.flush_unanswered_searches()
    return {(r.query, r.channel, r.outcome): r.count for r in shop.unanswered_searches(1)}


@pytest.mark.parametrize("channel", ["alexa", "kiosk"])
def test_a_search_that_finds_nothing_is_counted_on_its_channel(shop, channel):
    reply = say(shop, random_ref("cust"), "SearchIntent", channel, product="Dragon-Fruit")
    assert "search_no_result" in reply.events
    assert counted(shop) == {("dragon fruit", channel, NOMATCH): 1}


def test_adding_something_the_shop_does_not_sell_is_counted_too(shop):
    say(shop, random_ref("cust"), "AddToCartIntent", "kiosk", product="dragon fruit", quantity="2")
    assert counted(shop) == {("dragon fruit", "kiosk", NOMATCH): 1}


def test_a_product_asked_back_is_counted_as_asked_back(shop):
    reply = say(shop, random_ref("cust"), "ProductDetailsIntent", "alexa", product="fizzwell soda")
    assert reply.speech.startswith("Did you mean")
    assert counted(shop) == {("fizzwell soda", "alexa", ASKEDBACK): 1}


def test_a_search_that_finds_something_is_not_counted(shop):
    say(shop, random_ref("cust"), "SearchIntent", "alexa", product="lime soda")
    assert counted(shop) == {}


def test_the_count_names_no_customer(shop):
    customer = random_ref("cust")
    say(shop, customer, "SearchIntent", "alexa", product="dragon fruit")
    shop.flush_unanswered_searches()
    [row] = shop.unanswered_searches(1)
    tables = shop.repository.tables
    items = list(tables.query_rows(tables.search_count, searches_pk(row.day)))  # the stored items, whole
    assert len(items) == 1
    assert customer not in repr(items) and customer not in repr(row)
