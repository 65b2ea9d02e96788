"""How shoppers really talk, kind by kind, typed into the kiosk (`voiceshop kiosk --text`): what they hear
and what the cart holds. The same kinds are tried through the simulator in tests/skill/test_shoppers_kinds.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from local_voice.kiosk import Kiosk, create_kiosk
from local_voice.model_store import ensure_model
from local_voice.understanding import Understander
from local_voice.voice import SilentVoice
from tests.conftest import fresh_shop, random_ref


@pytest.fixture(scope="module")
def understander(demo_products) -> Understander:
    """One Vosk model load for the whole module (typed text never reaches it, but the kiosk owns one)."""
    model_path: Path = ensure_model(Settings.from_env().data_dir)
    return Understander.build(model_path, load_model("en-US"), demo_products, mode="grammar")


@pytest.fixture(scope="module")
def shop(base_settings, demo_products):
    """A demo catalog of this module's own, so what is bought here never changes stock other tests rely on."""
    shop = fresh_shop(base_settings, products=demo_products)
    return shop


@pytest.fixture
def kiosk(shop, understander) -> Kiosk:
    return create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"))


def type_in(kiosk: Kiosk, text: str) -> str:
    """Type a line; a "Did you say ...?" is answered yes, as a shopper would."""
    turn = kiosk.handle_text(text)
    if turn.doubtful:
        turn = kiosk.handle_text("yes")
    return turn.reply


def cart(kiosk: Kiosk) -> dict[str, int]:
    return {line.name: line.quantity for line in kiosk.shop.cart(kiosk.customer_id).lines}


@pytest.mark.parametrize(("text", "cartons"), [("add a dozen eggs", 1), ("add two dozen eggs", 2)])
def test_a_dozen_of_eggs_sold_by_the_dozen_is_cartons(kiosk, text, cartons):
    assert f"Added {cartons} Vital Farms Large Brown Eggs" in type_in(kiosk, text)
    assert cart(kiosk) == {"Large Brown Eggs": cartons}


@pytest.mark.parametrize(("text", "asked"), [("add twelve eggs", "add 1 pack, 12 in all"), ("add 12 cokes", "1 pack")])
def test_a_count_and_a_pack_size_that_disagree_are_asked(kiosk, text, asked):
    assert asked in type_in(kiosk, text)
    assert cart(kiosk) == {}
    type_in(kiosk, "yes")
    assert list(cart(kiosk).values()) == [1]


def test_half_a_dozen_of_a_dozen_pack_asks_how_many_packs(kiosk):
    assert "How many packs" in type_in(kiosk, "add half a dozen eggs")
    assert cart(kiosk) == {}


@pytest.mark.parametrize("text", ["add a few avocados", "add 2.5 avocados", "add two and a half avocados"])
def test_a_vague_or_broken_quantity_is_asked_and_the_answer_adds(kiosk, text):
    heard = type_in(kiosk, text)
    assert "didn't catch how many Mission Hass Avocados" in heard
    assert cart(kiosk) == {}
    assert "Added 3 Mission Hass Avocados" in type_in(kiosk, "three")
    assert cart(kiosk) == {"Hass Avocados": 3}


@pytest.mark.parametrize("text", ["remove one greek yogurt", "take one greek yogurt out", "one less greek yogurt"])
def test_removing_one_takes_one(kiosk, text):
    type_in(kiosk, "add 3 greek yogurt")
    assert "2 left" in type_in(kiosk, text)
    assert cart(kiosk) == {"Greek Yogurt Plain": 2}


@pytest.mark.parametrize("text", ["add one more avocado", "add another avocado", "add two more avocados"])
def test_more_adds_to_the_line(kiosk, text):
    type_in(kiosk, "add avocado")
    type_in(kiosk, text)
    assert cart(kiosk)["Hass Avocados"] in (2, 3)


@pytest.mark.parametrize(
    "text",
    [
        "i want to get some cheerios",
        "i want to get the cheerios",
        "add cheerios to my basket",
        "buy cheerios",
        "order cheerios",
    ],
)
def test_to_outside_a_quantity_is_a_word(kiosk, text):
    assert "Added 1 General Mills Cheerios" in type_in(kiosk, text)
    assert cart(kiosk) == {"Cheerios": 1}


@pytest.mark.parametrize("text", ["delete my whole cart", "empty my basket", "remove everything from my cart"])
def test_removing_everything_asks_then_empties(kiosk, text):
    type_in(kiosk, "add coke")
    type_in(kiosk, "add oat milk")
    assert "empty your cart of 2 items" in type_in(kiosk, text)
    assert len(cart(kiosk)) == 2
    type_in(kiosk, "yes")
    assert cart(kiosk) == {}


@pytest.mark.parametrize("text", ["let's check out", "i'd like to pay", "i'm ready to pay"])
def test_checkout_phrasings_ask_before_ordering(kiosk, text):
    type_in(kiosk, "add coke")
    assert "Shall I place the order" in type_in(kiosk, text)
    assert kiosk.shop.orders(kiosk.customer_id).orders == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("are bananas in stock", "Bananas"),
        ("price of coke", "Coca-Cola"),
        ("cost of oat milk", "Oat Milk"),
        ("how much are the avocados", "Avocados"),
        ("tell me about oat milk", "Oat Milk"),
    ],
)
def test_price_and_stock_questions_are_answered(kiosk, text, named):
    heard = type_in(kiosk, text)
    assert named in heard and "costs" in heard and "stock" in heard


def test_order_and_cart_questions_are_answered(kiosk):
    type_in(kiosk, "add oat milk")
    assert "Your cart has 1 item" in type_in(kiosk, "tell me what's in my basket right now")
    type_in(kiosk, "check out")
    type_in(kiosk, "yes")
    word = kiosk.shop.latest_order(kiosk.customer_id).order_number.split()[1]
    for text in ("track my most recent order", "where's my latest order"):
        assert word in type_in(kiosk, text), text
    assert "Oat Milk" in type_in(kiosk, "what was in my last order")


@pytest.mark.parametrize("text", ["can i send something back", "can i bring something back"])
def test_return_questions_tell_the_returns_policy(kiosk, text):
    assert "return items within 30 days" in type_in(kiosk, text)


def test_two_products_in_one_sentence_are_both_added(kiosk):
    heard = type_in(kiosk, "add 2 cheerios and a loaf of sourdough")
    assert heard.count("Added") == 2
    assert cart(kiosk) == {"Cheerios": 2, "Sourdough Bread": 1}


@pytest.mark.parametrize("text", ["louder", "speak up", "i can't hear you"])
def test_louder_at_full_volume_says_so_and_offers_slower(kiosk, text):
    heard = type_in(kiosk, text)
    assert "as loud as I can" in heard and "slower" in heard
