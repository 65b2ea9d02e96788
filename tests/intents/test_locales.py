"""English locales share one base: en-GB, en-CA, en-AU and en-IN say only what differs from en-US."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from intents.dialog import load_prompts
from intents.language import available_locales
from intents.speech import day, money

ENGLISH = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"]


def test_the_five_english_locales_have_models():
    assert set(ENGLISH) <= set(available_locales())


@pytest.mark.parametrize("locale", ENGLISH)
def test_every_english_locale_has_every_prompt_of_the_base(locale):
    assert set(load_prompts("en-US")) <= set(load_prompts(locale))


def test_a_locale_file_holds_only_its_differences_and_inherits_the_rest():
    assert load_prompts("en-GB")["welcome"] == load_prompts("en-US")["welcome"]
    assert load_prompts("en-GB")["date"] != load_prompts("en-US")["date"]


@pytest.mark.parametrize(
    ("locale", "spoken"),
    [("en-US", "Wednesday, November 25"), ("en-CA", "Wednesday, November 25"), ("en-GB", "Wednesday 25 November"),
     ("en-AU", "Wednesday 25 November"), ("en-IN", "Wednesday 25 November")],
)  # fmt: skip
def test_dates_follow_the_locale(locale, spoken):
    assert day(date(2026, 11, 25), load_prompts(locale)["date"]).text == spoken


@pytest.mark.parametrize(
    ("currency", "text", "ssml"),
    [("USD", "4 dollars and 99 cents", "$4.99"), ("GBP", "4 pounds and 99 pence", "£4.99"),
     ("INR", "1 rupee and 1 paisa", "₹1.01"), ("EUR", "2 euros", "€2.00"), ("XYZ", "2.00 XYZ", "2.00 XYZ")],
)  # fmt: skip
def test_money_is_worded_from_the_catalogs_currency(currency, text, ssml):
    amount = Decimal("1.01") if currency == "INR" else Decimal("2") if currency in {"EUR", "XYZ"} else Decimal("4.99")
    assert (money(amount, currency).text, money(amount, currency).ssml) == (text, ssml)


def test_a_locale_without_a_model_still_gets_english_prompts():
    assert load_prompts("de-DE") == load_prompts("en-US")
