"""es-US, the one non-English locale: its words are read by the same code as English, and nothing is missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from catalog.text import parse_number
from intents.dialog import load_prompts
from intents.language import load_model
from intents.lexicon import available_languages, load_lexicon
from intents.matching import match
from intents.quantity import UnreadableQuantity, parse_quantity
from intents.speech import day, money

SPANISH = "es-US"


def test_every_english_prompt_has_a_spanish_one():
    assert set(load_prompts("en-US")) - set(load_prompts(SPANISH)) == set()


def test_spanish_prompts_fill_the_same_fields_as_the_english_ones():
    import string

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    english, spanish = load_prompts("en-US"), load_prompts(SPANISH)
    assert {key for key in english if fields(english[key]) != fields(spanish[key])} == set()


def test_spanish_prompts_are_spanish_not_inherited():
    assert load_prompts(SPANISH)["welcome"] != load_prompts("en-US")["welcome"]
    assert load_prompts(SPANISH)["anything_else"] == "¿Qué más te gustaría?"


def test_the_spanish_model_has_every_intent_the_english_one_has():
    # compared with the intents present in en-US, so an intent added there needs Spanish samples here
    assert set(load_model("en-US").intents) - set(load_model(SPANISH).intents) == set()


def test_the_spanish_model_is_its_own_base_with_a_spanish_invocation_name():
    model = load_model(SPANISH)
    assert model.invocation_name == "mercado de la esquina"
    assert "busca {product}" in model.intents["SearchIntent"].samples


def test_every_language_file_has_the_sections_english_has():
    import json

    from intents.lexicon import LANGUAGES_DIR

    english = json.loads((LANGUAGES_DIR / "en-US.json").read_text())
    for locale in available_languages():
        data = json.loads((LANGUAGES_DIR / f"{locale}.json").read_text())
        assert set(english) - set(data) == set(), locale
        assert set(english["numbers"]) - set(data["numbers"]) == set(), locale


@pytest.mark.parametrize(
    ("words", "number"),
    [("dos", 2), ("un par", 2), ("un par de", 2), ("una", 1), ("doce", 12), ("dieciséis", 16), ("veinte", 20),
     ("veintidós", 22), ("treinta", 30), ("treinta y dos", 32), ("cien", 100), ("ciento cinco", 105),
     ("doscientos treinta y dos", 232), ("dos mil", 2000), ("una docena", 12), ("media docena", 6)],
)  # fmt: skip
def test_spanish_number_words(words, number):
    assert parse_number(words, SPANISH) == number
    assert parse_quantity(words, SPANISH) == number


def test_spanish_minus_and_millions_are_numbers_the_shop_refuses_not_unreadable():
    assert parse_quantity("menos dos", SPANISH) == -2
    assert parse_quantity("un millón", SPANISH) == 1_000_000


def test_a_spanish_word_that_is_no_number_is_unreadable():
    with pytest.raises(UnreadableQuantity):
        parse_quantity("leche", SPANISH)


def test_english_number_words_are_not_spanish_ones():
    assert parse_number("dos") is None and parse_number("two", SPANISH) is None


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [("añade dos", "AddToCartIntent", {"quantity": "2"}),
     ("añade un par de leche de avena", "AddToCartIntent", {"quantity": "2"}),
     ("añade el segundo", "AddToCartIntent", {"ordinal": "2"}),
     ("dime más del primero", "ProductDetailsIntent", {"ordinal": "1"}),
     ("quita el último", "RemoveFromCartIntent", {"ordinal": "-1"}),
     ("añade unos cuantos plátanos", "AddToCartIntent", {"quantity": "?"}),
     ("mi código es cuatro dos siete uno", "ProvideCodeIntent", {"code": "4271"}),
     ("sí", "AMAZON.YesIntent", {}), ("claro", "AMAZON.YesIntent", {}), ("vale", "AMAZON.YesIntent", {}),
     ("no", "AMAZON.NoIntent", {})],
)  # fmt: skip
def test_spanish_utterances_read_as_alexa_would(said, intent, slots):
    found = match(said, load_model(SPANISH))
    assert found is not None and found.intent == intent
    assert {name: found.slots[name].resolved_id for name in slots} == slots


def test_spanish_fillers_are_stripped():
    found = match("oye por favor busca leche", load_model(SPANISH))
    assert found is not None and found.intent == "SearchIntent" and found.slots["product"].value == "leche"


@pytest.mark.parametrize(
    ("said", "searched"),
    [("leche", "milk"), ("plátanos", "bananas"), ("leche de avena", "oat milk"), ("los huevos", "eggs"),
     ("cheerios", "cheerios"), ("lácteos por menos de cinco dólares", "dairy under 5 dollars")],
)  # fmt: skip
def test_spanish_shopping_words_become_the_catalogs_english(said, searched):
    assert load_lexicon(SPANISH).catalog_query(said) == searched


def test_english_queries_are_searched_as_said():
    assert load_lexicon("en-US").catalog_query("oat milk under five dollars") == "oat milk under five dollars"


def test_spanish_search_finds_english_products(demo_shop):
    found = demo_shop.search(load_lexicon(SPANISH).catalog_query("plátanos orgánicos"), 3)
    assert found.hits[0].product.name == "Organic Bananas"


def test_money_is_worded_in_spanish_and_alexa_reads_the_symbol():
    spoken = money(Decimal("1.50"), "USD", SPANISH)
    assert (spoken.text, spoken.ssml) == ("1 dólar con 50 centavos", "$1.50")
    assert money(Decimal("4"), "USD", SPANISH).text == "4 dólares"
    assert money(Decimal("0.01"), "EUR", SPANISH).text == "1 céntimo"


def test_dates_are_said_day_first_in_spanish():
    assert day(date(2026, 12, 3), load_prompts(SPANISH)["date"], SPANISH).text == "jueves 3 de diciembre"


def test_the_spanish_product_type_names_translated_products_in_spanish():
    products = {value.id: value for value in load_model(SPANISH).types["PRODUCT"].values}
    oat = next(value for value in products.values() if "Oat Milk" in value.phrases)
    assert oat.value == "leche de avena"
    categories = {value.id: value for value in load_model(SPANISH).types["CATEGORY"].values}
    assert categories["dairy"].value == "lácteos" and "dairy" in categories["dairy"].synonyms


@pytest.mark.parametrize(
    ("said", "quantity", "product"),
    [("ponme leche de avena en el carrito", None, "leche de avena"),
     ("mete dos plátanos orgánicos al carrito", "2", "platanos organicos"),
     ("cómprame leche de avena para mi carrito", None, "leche de avena")],
)  # fmt: skip
def test_spanish_verbs_and_places_are_rewritten_into_the_models_words(said, quantity, product):
    from intents.recognizer import recognize

    top = recognize(said, model=load_model(SPANISH))[0]
    assert (top.intent, top.how) == ("AddToCartIntent", "rewritten")
    assert top.slots["product"].value == product and top.slots["product"].resolved_id is not None
    assert (top.slots["quantity"].resolved_id if "quantity" in top.slots else None) == quantity


@pytest.mark.parametrize("said", ["añade lo mismo que la última vez", "quita el pedido que hice ayer"])
def test_talk_about_an_order_in_spanish_is_never_a_cart_change(said):
    """The language file's order words keep "el pedido" from being read as a product to add or remove."""
    from intents.recognizer import recognize

    readings = recognize(said, model=load_model(SPANISH))
    assert not any(r.intent in ("AddToCartIntent", "RemoveFromCartIntent") for r in readings)
