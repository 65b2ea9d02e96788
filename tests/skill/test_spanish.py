"""es-US end to end on the Alexa channel: Spanish into the simulator, Spanish replies, the shop on DynamoDB Local."""

from __future__ import annotations

import json
import re

import pytest

from skill.simulator import Simulator
from tests.skill.conftest import simulated_device


@pytest.fixture
def alexa_es(skill, tmp_path) -> Simulator:
    """A simulated US Spanish device for a new customer."""
    return simulated_device(skill, tmp_path / "simulator", "ES", locale="es-US")


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def test_launch_search_add_review_check_out_and_track_in_spanish(alexa_es, demo_shop):
    assert "Bienvenido a Mercado de la Esquina" in say(alexa_es, "abre mercado de la esquina")
    found = say(alexa_es, "busca leche")
    assert "Encontré" in found and "Milk" in found
    added = alexa_es.say("añade dos del segundo")
    assert added.request["request"]["intent"]["name"] == "AddToCartIntent"
    assert "Añadí 2" in added.speech and "dólares" not in added.speech  # Alexa reads "$4.99" in Spanish
    cart = demo_shop.cart(alexa_es.customer)
    assert [line.quantity for line in cart.lines] == [2]
    sku = cart.lines[0].sku
    stock = demo_shop.product(sku).stock
    assert "Tu carrito tiene 2 artículos" in say(alexa_es, "qué hay en mi carrito")
    summary = say(alexa_es, "pagar")
    assert "Tu pedido:" in summary and "¿Hago el pedido?" in summary
    assert demo_shop.orders(alexa_es.customer).orders == ()
    placed = say(alexa_es, "sí")
    assert "Tu pedido está hecho" in placed and "al recibirlo" in placed
    order = demo_shop.latest_order(alexa_es.customer)
    assert [(line.sku, line.quantity) for line in order.lines] == [(sku, 2)]
    assert demo_shop.product(sku).stock == stock - 2
    assert not demo_shop.cart(alexa_es.customer).lines
    status = say(alexa_es, "dónde está mi pedido")
    assert status.startswith("El pedido") and order.order_number.split()[1] in status and "está recibido" in status
    assert "Gracias por comprar" in say(alexa_es, "adiós")


def test_a_purchase_code_is_asked_for_and_checked_in_spanish(alexa_es, demo_shop):
    demo_shop.set_purchase_code(alexa_es.customer, "4271")
    say(alexa_es, "abre mercado de la esquina")
    assert "Añadí 1" in say(alexa_es, "añade plátanos orgánicos")
    say(alexa_es, "pagar")
    assert "código de compra de cuatro dígitos" in say(alexa_es, "sí")
    assert "no coincide" in say(alexa_es, "mi código es uno uno uno uno")
    assert demo_shop.orders(alexa_es.customer).orders == ()
    assert "Tu pedido está hecho" in say(alexa_es, "mi código es cuatro dos siete uno")
    assert len(demo_shop.orders(alexa_es.customer).orders) == 1


def test_no_at_the_confirmation_orders_nothing(alexa_es, demo_shop):
    say(alexa_es, "añade plátanos orgánicos")
    say(alexa_es, "pagar")
    assert "no hice el pedido" in say(alexa_es, "no")
    assert demo_shop.orders(alexa_es.customer).orders == ()
    assert len(demo_shop.cart(alexa_es.customer).lines) == 1


@pytest.mark.parametrize(
    ("said", "count"),
    [("añade dos leche de avena", 2), ("añade un par de leche de avena", 2), ("agrega doce leche de avena", 12),
     ("añade una leche de avena", 1)],
)  # fmt: skip
def test_spanish_number_words_are_quantities(alexa_es, demo_shop, said, count):
    turn = alexa_es.say(said)
    assert turn.request["request"]["intent"]["slots"]["quantity"]["value"] == str(count)
    assert [line.quantity for line in demo_shop.cart(alexa_es.customer).lines] == [count]


def test_spanish_product_words_find_the_english_catalog(alexa_es):
    assert "Banana" in say(alexa_es, "busca plátanos")
    assert "Oat Milk" in say(alexa_es, "busca leche de avena")


def test_help_and_stop_answer_in_spanish(alexa_es):
    assert say(alexa_es, "ayuda").startswith("Puedes decir")
    stop = alexa_es.say("para")
    assert stop.ended and "Hasta luego" in stop.speech


def test_a_spanish_number_beyond_the_limit_is_read_and_refused_in_spanish(alexa_es, demo_shop):
    turn = alexa_es.say("añade veintidós leche de avena")
    assert turn.request["request"]["intent"]["slots"]["quantity"]["value"] == "22"
    assert turn.speech.startswith("Perdón, puedo añadir entre 1 y")
    assert not demo_shop.cart(alexa_es.customer).lines


def test_dates_in_the_card_are_spanish(alexa_es):
    alexa_es.say("añade plátanos orgánicos")
    card = alexa_es.say("pagar").response["response"]["card"]["content"]
    assert " de " in card.split("a más tardar el ")[1] and "Para recoger en" in card


@pytest.fixture
def echo_show_es(skill, tmp_path) -> Simulator:
    """A simulated US Spanish Echo Show: it advertises Alexa.Presentation.APL."""
    return simulated_device(skill, tmp_path / "show", "ESSHOW", locale="es-US", apl=True)


def screen(turn) -> dict:
    """The turn's one RenderDocument directive's screen."""
    directives = turn.response["response"].get("directives") or []
    assert [d["type"] for d in directives] == ["Alexa.Presentation.APL.RenderDocument"]
    return directives[0]["datasources"]["payload"]["screen"]


def ssml(turn) -> str:
    return turn.response["response"]["outputSpeech"]["ssml"]


ENGLISH = re.compile(r'<lang xml:lang="en-US">([^<]*)</lang>')


def test_an_echo_show_in_spanish_shows_results_product_cart_and_checkout(echo_show_es, alexa_es):
    results = echo_show_es.say("busca leche")
    shown = screen(results)
    assert shown["kind"] == "results" and shown["title"].startswith("Encontré") and len(shown["lines"]) == 3
    assert all(line["title"] in results.speech and line["detail"].startswith("$") for line in shown["lines"])
    product = screen(echo_show_es.say("háblame del primero"))
    assert product["kind"] == "product" and product["title"] == shown["lines"][0]["title"]
    assert not echo_show_es.say("añade el primero").response["response"].get("directives")
    cart = screen(echo_show_es.say("qué hay en mi carrito"))
    assert cart["kind"] == "cart" and cart["title"] == "1 artículo" and cart["footer"].startswith("$")
    checkout = echo_show_es.say("pagar")
    summary = screen(checkout)
    assert (
        summary["kind"] == "checkout"
        and summary["title"] == "Mercado de la Esquina"
        and "¿Hago el pedido?" in checkout.speech
    )
    assert summary["footer"] == cart["footer"] and [line["title"] for line in summary["lines"]] == [
        cart["lines"][0]["title"]
    ]
    everything = json.dumps([shown, product, cart, summary], ensure_ascii=False)
    assert "<" not in everything and "dólares" not in everything, "plain text: no SSML, no money in words"
    assert alexa_es.say("busca leche").speech == results.speech, "the voice says the same with or without a screen"
    assert not alexa_es.say("qué hay en mi carrito").response["response"].get("directives")


def test_english_product_names_are_marked_for_alexa_to_read_in_english(alexa_es, skill, tmp_path, demo_shop):
    found = alexa_es.say("busca leche")
    names = ENGLISH.findall(ssml(found))
    assert len(names) == 3 and all(name in found.speech for name in names)
    assert ssml(found).startswith("<speak>Encontré") and "Encontré" not in " ".join(names), "Spanish stays Spanish"
    assert "leche" not in " ".join(names), "what the shopper said is not marked"
    added = alexa_es.say("añade el primero")
    assert ENGLISH.findall(ssml(added)) == [names[0]]
    line_name = demo_shop.cart(alexa_es.customer).lines[0].name
    assert ENGLISH.findall(ssml(alexa_es.say("qué hay en mi carrito"))) == [line_name]
    assert ENGLISH.findall(ssml(alexa_es.say("pagar"))) == [line_name]
    card = alexa_es.say("qué hay en mi carrito").response["response"]["card"]["content"]
    assert line_name in card and "<" not in card
    english = simulated_device(skill, tmp_path / "en", "EN")
    assert "<lang" not in ssml(english.say("find milk")), "an English locale reads its own catalog as it is"
