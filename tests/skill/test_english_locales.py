"""The five English locales on Alexa: one language base, dates in the locale's order, money in the catalog's money."""

from __future__ import annotations

import pytest

from tests.skill.conftest import simulated_device

MONTH_FIRST = {"en-US", "en-CA"}


@pytest.mark.parametrize("locale", ["en-US", "en-CA", "en-GB", "en-AU", "en-IN"])
def test_each_english_locale_places_an_order_and_says_the_date_its_own_way(skill, tmp_path, demo_shop, locale):
    device = simulated_device(skill, tmp_path / locale, locale.replace("-", ""), locale=locale)
    stocked = max(demo_shop.search("milk").hits, key=lambda hit: hit.product.stock).product  # a shared table
    added = device.say(f"add {stocked.name.lower()} to my cart")
    assert added.request["request"]["locale"] == locale and "Added 1" in added.speech
    assert "Shall I place the order" in device.say("check out").speech
    placed = device.say("yes").response["response"]
    expected = demo_shop.latest_order(device.customer).expected_delivery
    assert f'<say-as interpret-as="date">{expected:%Y%m%d}</say-as>' in placed["outputSpeech"]["ssml"]
    written = (
        f"{expected:%A}, {expected:%B} {expected.day}"
        if locale in MONTH_FIRST
        else f"{expected:%A} {expected.day} {expected:%B}"
    )
    assert written in placed["card"]["content"], placed["card"]["content"]
    assert "$" in placed["outputSpeech"]["ssml"] and "dollars" in placed["card"]["content"], "the catalog is in USD"
    assert "£" not in placed["outputSpeech"]["ssml"] and "₹" not in placed["outputSpeech"]["ssml"]
