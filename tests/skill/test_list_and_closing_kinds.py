"""Kinds of phrasing typed into the simulator (issue 12): lists counted on, removals with their place,
counts only wanted, goodbyes and corrections, by what the shopper hears and what the cart holds."""

from __future__ import annotations

import pytest

from skill.simulator import Simulator


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def cart(shop, alexa: Simulator) -> dict[str, int]:
    return {line.name: line.quantity for line in shop.cart(alexa.customer).lines}


def listed(alexa: Simulator) -> list[str]:
    state = alexa._load() or {}
    return list(((state.get("attributes") or {}).get("list") or {}).get("ids") or [])


@pytest.mark.parametrize(("text", "position"), [("the fourth one please", 4), ("i'll have the second one", 2)])
def test_a_polite_choice_after_a_search_adds_that_result_counted_over_the_whole_list(alexa, demo_shop, text, position):
    assert "Here are the first 3" in say(alexa, "find milk")
    wanted = demo_shop.catalog_product(listed(alexa)[position - 1]).name
    assert "Added 1" in say(alexa, text)
    assert cart(demo_shop, alexa) == {wanted: 1}


@pytest.mark.parametrize("text", ["add the last one", "yeah put the last one in my basket"])
def test_the_last_one_after_a_search_is_the_last_result(alexa, demo_shop, text):
    say(alexa, "find milk")
    ids = listed(alexa)
    assert "Added 1" in say(alexa, text)
    assert cart(demo_shop, alexa) == {demo_shop.catalog_product(ids[-1]).name: 1}


def test_number_two_after_a_search_is_the_second_result(alexa, demo_shop):
    say(alexa, "find milk")
    second = demo_shop.catalog_product(listed(alexa)[1]).name
    assert "Added 1" in say(alexa, "add number two")
    assert cart(demo_shop, alexa) == {second: 1}


@pytest.mark.parametrize(
    "text", ["delete the oreos from my cart", "drop the oreos from my basket", "take the oreos off my list"]
)
def test_a_removal_with_its_place_removes_the_line(alexa, demo_shop, text):
    say(alexa, "add oreos")
    say(alexa, "add coke")
    assert "Removed" in say(alexa, text)
    assert cart(demo_shop, alexa) == {"Coca-Cola": 1}


def test_only_wanting_one_sets_the_line_to_one(alexa, demo_shop):
    first = say(alexa, "add 3 bags of baby carrots")
    assert list(cart(demo_shop, alexa).values()) == [3], first
    say(alexa, "i only want one bag of baby carrots")
    assert list(cart(demo_shop, alexa).values()) == [1]


@pytest.mark.parametrize("text", ["i'm done goodbye", "that's all thanks bye"])
def test_a_goodbye_after_a_closing_ends_without_ordering(alexa, demo_shop, text):
    say(alexa, "add coke")
    turn = alexa.say(text)
    assert turn.ended and "Shall I place the order" not in turn.speech
    assert demo_shop.orders(alexa.customer).orders == ()
    assert cart(demo_shop, alexa) == {"Coca-Cola": 1}


def test_no_wait_at_the_checkout_question_places_nothing(alexa, demo_shop):
    say(alexa, "add coke")
    assert "Shall I place the order" in say(alexa, "check out")
    say(alexa, "no wait")
    assert demo_shop.orders(alexa.customer).orders == ()


def test_a_category_said_as_stuff_lists_that_category(alexa, demo_shop):
    heard = say(alexa, "show me pet stuff")
    assert {demo_shop.catalog_product(sku).category for sku in listed(alexa)} == {"pet"}, heard


def test_a_self_correction_is_never_acted_on_as_first_said(alexa, demo_shop):
    say(alexa, "add three no make that two honeycrisp apples")
    assert 3 not in cart(demo_shop, alexa).values()
