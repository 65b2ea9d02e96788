"""Every locale's interaction model: what Alexa would refuse, and what the conversation cannot answer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from catalog.importer import read_catalog
from intents.language import (
    BUILTIN_SLOT_TYPES,
    MODELS_DIR,
    UnknownLocale,
    available_locales,
    check_model,
    load_model,
    resolved_model_json,
    sample_slots,
)
from intents.matching import match
from intents.model_generator import alexa_phrase, generate_types, write_model
from intents.registry import HANDLERS
from tests.conftest import DEMO_CATALOG, fresh_shop

LOCALES = available_locales()
NOT_INTENTS = {"LaunchRequest", "SessionEndedRequest"}
PRODUCTS = read_catalog(DEMO_CATALOG).products


def test_there_is_at_least_one_locale():
    assert "en-US" in LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_every_slot_a_sample_uses_is_declared_with_a_known_type(locale):
    model = load_model(locale)
    for intent in model.intents.values():
        for sample in intent.samples:
            for slot in sample_slots(sample):
                assert slot in intent.slots, (intent.name, sample)
                assert intent.slots[slot] in BUILTIN_SLOT_TYPES | set(model.types), (intent.name, slot)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_custom_intent_has_at_least_eight_samples(locale):
    short = {i.name: len(i.samples) for i in load_model(locale).intents.values() if not i.is_builtin}
    assert {name: count for name, count in short.items() if count < 8} == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_no_sample_belongs_to_two_intents(locale):
    owners: dict[str, set[str]] = {}
    for intent in load_model(locale).intents.values():
        for sample in intent.samples:
            owners.setdefault(sample.lower(), set()).add(intent.name)
    assert {sample: names for sample, names in owners.items() if len(names) > 1} == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_is_lower_case_words(locale):
    assert re.fullmatch(r"[a-z]+( [a-z]+)+", load_model(locale).invocation_name)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_intent_in_the_model_has_a_handler(locale):
    assert set(load_model(locale).intents) - set(HANDLERS) == set()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_handled_intent_is_in_the_model(locale):
    assert set(HANDLERS) - NOT_INTENTS - set(load_model(locale).intents) == set()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_policy_sample_names_the_policy(locale):
    samples = load_model(locale).intents["StorePolicyIntent"].samples
    assert [sample for sample in samples if "{policy}" not in sample] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_model_check_finds_nothing_alexa_would_refuse(locale):
    assert check_model(load_model(locale), handled=HANDLERS) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_product_and_category_types_are_generated_from_the_demo_catalog(locale):
    model_types = resolved_model_json(locale)["interactionModel"]["languageModel"]  # inherited from its base
    committed = [t for t in model_types["types"] if t["name"] in ("PRODUCT", "CATEGORY")]
    assert committed == list(generate_types(PRODUCTS, locale).values())


def test_a_locale_that_extends_another_inherits_its_intents_and_adds_its_own_samples():
    british, american = load_model("en-GB"), load_model("en-US")
    assert set(british.intents) == set(american.intents) and british.types == american.types
    assert "add {product} to my trolley" in british.intents["AddToCartIntent"].samples
    assert "add {product} to my trolley" not in american.intents["AddToCartIntent"].samples


def test_an_unknown_locale_is_a_typed_refusal_naming_the_known_ones():
    with pytest.raises(UnknownLocale) as refused:
        load_model("xx-XX")
    assert "en-US" in refused.value.known


def test_generating_types_for_a_locale_that_extends_writes_its_base(tmp_path: Path):
    shutil.copy(MODELS_DIR / "en-US.json", tmp_path / "en-US.json")
    shutil.copy(MODELS_DIR / "en-GB.json", tmp_path / "en-GB.json")
    write_model("en-GB", PRODUCTS[:10], models_dir=tmp_path)
    assert json.loads((tmp_path / "en-GB.json").read_text()) == json.loads((MODELS_DIR / "en-GB.json").read_text())
    assert len(load_model("en-GB", tmp_path).types["PRODUCT"].values) == 10


def test_a_percent_sign_is_spelled_for_alexa():
    assert alexa_phrase("2% Reduced Fat Milk") == "2 percent Reduced Fat Milk"


def test_hyphens_ampersands_and_accents_become_words_alexa_accepts():
    assert alexa_phrase("Ben & Jerry's Häagen-Dazs") == "Ben and Jerry's Haagen Dazs"


def test_a_product_is_also_known_by_brand_and_name():
    milk = next(v for v in generate_types(PRODUCTS)["PRODUCT"]["values"] if v["name"]["value"] == "Whole Milk")
    assert "Horizon Whole Milk" in milk["name"]["synonyms"]


def test_digits_in_a_product_name_are_also_spelled_out_for_the_kiosk():
    diapers = next(v for v in generate_types(PRODUCTS)["PRODUCT"]["values"] if v["name"]["value"] == "Diapers Size 3")
    assert "diapers size three" in diapers["name"]["synonyms"]


def test_an_acronym_can_also_be_said_letter_by_letter():
    values = generate_types(PRODUCTS)["PRODUCT"]["values"]
    bulbs = next(v for v in values if v["name"]["value"] == "Light Bulbs LED 60W")
    assert "light bulbs l e d sixty w" in bulbs["name"]["synonyms"]
    assert match("add light bulbs l e d sixty w", load_model("en-US")).slots["product"].resolved_id == bulbs["id"]


def test_a_phrase_naming_two_products_is_left_out_of_both():
    phrases = [
        phrase.lower()
        for value in generate_types(PRODUCTS)["PRODUCT"]["values"]
        for phrase in (value["name"]["value"], *value["name"].get("synonyms", ()))
    ]
    assert "muffins" not in phrases and "muffin" not in phrases


def test_categories_carry_their_singular_forms():
    snacks = next(v for v in generate_types(PRODUCTS)["CATEGORY"]["values"] if v["id"] == "snacks")
    assert "snack" in snacks["name"]["synonyms"]


def test_writing_the_model_twice_changes_nothing_the_second_time(tmp_path: Path):
    shutil.copy(MODELS_DIR / "en-US.json", tmp_path / "en-US.json")
    write_model("en-US", PRODUCTS[:10], models_dir=tmp_path)
    assert write_model("en-US", PRODUCTS[:10], models_dir=tmp_path) is False


def test_writing_the_model_keeps_the_intents_and_other_types(tmp_path: Path):
    shutil.copy(MODELS_DIR / "en-US.json", tmp_path / "en-US.json")
    write_model("en-US", PRODUCTS[:10], models_dir=tmp_path)
    written = load_model("en-US", tmp_path)
    assert written.intents == load_model("en-US").intents
    assert written.types["POLICY"] == load_model("en-US").types["POLICY"]
    assert len(written.types["PRODUCT"].values) == 10


def test_voiceshop_model_check_exits_zero_on_the_committed_models(capsys):
    from voiceshop.cli import main

    assert main(["model", "check"]) == 0
    assert "en-US: ok" in capsys.readouterr().out


def test_generating_from_a_table_holding_the_demo_catalog_gives_the_committed_model(
    base_settings, monkeypatch, tmp_path
):
    from voiceshop.cli import main

    shop = fresh_shop(base_settings)
    shop.import_products(PRODUCTS)
    shutil.copy(MODELS_DIR / "en-US.json", tmp_path / "en-US.json")
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", shop.settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    assert main(["model", "generate", "--models-dir", str(tmp_path), "--json"]) == 0
    assert (tmp_path / "en-US.json").read_text() == (MODELS_DIR / "en-US.json").read_text()
