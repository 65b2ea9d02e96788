"""Whole conversations typed into the simulator: text -> model match -> real envelope -> lambda_handler."""

from __future__ import annotations

import json

import pytest
from alexa_envelopes import SKILL_ID

from skill.simulator import Simulator, speech_text
from tests.conftest import random_ref
from tests.skill.conftest import simulated_device


def say(alexa: Simulator, text: str) -> str:
    return alexa.say(text).speech


def test_search_add_the_second_check_out_track_and_cancel(alexa, demo_shop):
    assert "2:" in say(alexa, "find milk")
    second = alexa.say("add the second one")
    assert second.request["request"]["intent"]["slots"]["ordinal"]["value"] == "2"
    assert "Added 1" in second.speech
    sku = demo_shop.cart(alexa.customer).lines[0].sku
    stock = demo_shop.product(sku).stock
    assert "1 item" in say(alexa, "what's in my cart")
    assert "Shall I place the order" in say(alexa, "check out")
    assert "order is placed" in say(alexa, "yes")
    order = demo_shop.latest_order(alexa.customer)
    assert demo_shop.product(sku).stock == stock - 1
    assert order.order_number.split()[1] in say(alexa, "where is my order")
    assert "cancel order" in say(alexa, "cancel my last order")
    assert "cancelled" in say(alexa, "yes")
    assert demo_shop.product(sku).stock == stock
    assert demo_shop.latest_order(alexa.customer).status.value == "cancelled"


def test_a_purchase_code_is_asked_for_and_checked(alexa, demo_shop):
    demo_shop.set_purchase_code(alexa.customer, "4271")
    say(alexa, "add organic bananas")
    say(alexa, "check out")
    assert "purchase code" in say(alexa, "yes")
    assert "didn't match" in say(alexa, "my code is one one one one")
    assert demo_shop.orders(alexa.customer).orders == ()
    assert "order is placed" in say(alexa, "my code is four two seven one")
    assert len(demo_shop.orders(alexa.customer).orders) == 1


def test_no_at_confirmation_leaves_no_order(alexa, demo_shop):
    say(alexa, "add organic bananas")
    say(alexa, "check out")
    say(alexa, "no")
    assert demo_shop.orders(alexa.customer).orders == ()
    assert len(demo_shop.cart(alexa.customer).lines) == 1


def test_out_of_stock_bananas_offer_an_alternative(alexa, demo_shop):
    turn = alexa.say("add bananas")
    resolution = turn.request["request"]["intent"]["slots"]["product"]["resolutions"]["resolutionsPerAuthority"][0]
    assert resolution["values"][0]["value"]["id"] == "SKU-PRO-0001"
    assert "out of stock" in turn.speech and "instead" in turn.speech
    say(alexa, "yes")
    assert [line.sku for line in demo_shop.cart(alexa.customer).lines] not in ([], ["SKU-PRO-0001"])


def test_opening_the_skill_is_a_launch_request(alexa):
    turn = alexa.say("open corner market")
    assert turn.request["request"]["type"] == "LaunchRequest"
    assert turn.request["session"]["new"] is True
    assert "Welcome" in turn.speech


def test_the_session_carries_on_between_calls_until_the_skill_ends_it(alexa):
    first = alexa.say("find milk")
    second = alexa.say("next")
    assert second.request["session"]["new"] is False
    assert second.request["session"]["sessionId"] == first.request["session"]["sessionId"]
    assert json.loads(alexa.state_file.read_text())["attributes"]
    assert alexa.say("stop").ended
    assert not alexa.state_file.exists()
    assert alexa.say("what's in my cart").request["session"]["new"] is True


def test_a_new_session_forgets_the_last_results(alexa, demo_shop):
    say(alexa, "find milk")
    turn = alexa.say("add the second one", new_session=True)
    assert turn.request["session"]["attributes"] == {}
    assert demo_shop.cart(alexa.customer).lines == []


def test_gibberish_is_the_fallback_intent(alexa):
    turn = alexa.say("purple monkey dishwasher sings")
    assert turn.request["request"]["intent"]["name"] == "AMAZON.FallbackIntent"
    assert not turn.ended


def test_speech_is_shown_without_ssml():
    ssml = (
        '<speak>Order <say-as interpret-as="digits">6107</say-as> walnut, '
        'by <say-as interpret-as="date">20261125</say-as>.</speak>'
    )
    assert speech_text(ssml) == "Order 6107 walnut, by 2026-11-25."


def test_voiceshop_say_prints_the_speech_and_json(demo_shop, monkeypatch, tmp_path, capsys):
    from skill import lambda_function
    from voiceshop.cli import main

    settings = demo_shop.settings
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", settings.table)
    monkeypatch.setenv("VOICESHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VOICESHOP_SKILL_ID", raising=False)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
    lambda_function.configure(None)
    customer = random_ref("cli")
    try:
        assert main(["say", "find milk", "--customer", customer]) == 0
        assert "Horizon" in capsys.readouterr().out
        assert main(["say", "next", "--customer", customer, "--json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed["request"]["session"]["new"] is False
        assert printed["request"]["context"]["System"]["application"]["applicationId"] == lambda_function.LOCAL_SKILL_ID
        assert printed["response"]["response"]["outputSpeech"]["type"] == "SSML"
        assert list((tmp_path / "simulator").glob("*.json"))
    finally:
        lambda_function.configure(None)


@pytest.fixture
def echo_show(skill, tmp_path):
    """A simulated device with a screen: it advertises Alexa.Presentation.APL."""
    return simulated_device(skill, tmp_path / "show", "SHOW", apl=True)


def screen(turn) -> dict:
    """The one RenderDocument directive of a turn, checked for the shape Alexa requires."""
    directives = turn.response["response"].get("directives") or []
    assert [d["type"] for d in directives] == ["Alexa.Presentation.APL.RenderDocument"]
    directive = directives[0]
    assert directive["document"]["type"] == "APL" and directive["token"]
    return directive["datasources"]["payload"]["screen"]


def test_a_screen_shows_results_product_cart_and_checkout_beside_complete_speech(echo_show, alexa):
    results = echo_show.say("find milk")
    shown = screen(results)
    assert shown["kind"] == "results" and len(shown["lines"]) == 3
    assert all(line["title"] in results.speech and line["detail"] for line in shown["lines"])
    product = screen(echo_show.say("tell me about the first one"))
    assert product["kind"] == "product" and product["title"] in results.speech
    echo_show.say("add the first one")
    cart = screen(echo_show.say("what's in my cart"))
    assert cart["kind"] == "cart" and len(cart["lines"]) == 1 and cart["footer"].startswith("$")
    checkout = echo_show.say("check out")
    assert screen(checkout)["kind"] == "checkout" and "Shall I place the order" in checkout.speech
    speaker = alexa.say("find milk")
    assert speaker.speech == results.speech, "the voice says the same with or without a screen"


def test_a_device_without_apl_gets_no_directive(alexa):
    alexa.say("find milk")
    alexa.say("add the first one")
    for text in ["what's in my cart", "check out"]:
        assert not alexa.say(text).response["response"].get("directives")


def test_en_gb_shops_with_a_trolley_and_hears_the_date_day_first(skill, tmp_path, demo_shop):
    british = Simulator(
        customer=f"amzn1.ask.account.{random_ref('GB')}",
        state_dir=tmp_path / "gb",
        skill_id=SKILL_ID,
        handler=skill.lambda_handler,
        locale="en-GB",
    )
    added = british.say("add gala apples to my trolley")
    assert added.request["request"]["locale"] == "en-GB" and "Added 1" in added.speech
    assert "Shall I place the order" in say(british, "check out")
    placed = british.say("yes").response["response"]["outputSpeech"]["ssml"]
    expected = demo_shop.latest_order(british.customer).expected_delivery
    assert f'<say-as interpret-as="date">{expected:%Y%m%d}</say-as>' in placed


def test_voiceshop_say_refuses_a_locale_without_a_model_in_one_line(capsys):
    from voiceshop.cli import main

    assert main(["say", "find milk", "--locale", "de-DE"]) == 2
    err = capsys.readouterr().err
    assert "de-DE" in err and "en-GB" in err and "Traceback" not in err


def test_a_code_change_leaves_no_code_in_session_attributes_logs_or_say_json(
    alexa, demo_shop, skill, tmp_path, monkeypatch, capsys, caplog
):
    import logging

    from tests.intents.test_conversation import leaked
    from voiceshop.cli import main

    caplog.set_level("DEBUG")
    powertools = logging.getLogger(skill.logger.name)  # Powertools logs to stdout and does not propagate
    powertools.addHandler(caplog.handler)
    monkeypatch.setattr(powertools, "level", logging.DEBUG)
    demo_shop.set_purchase_code(alexa.customer, "4271")
    monkeypatch.setenv("VOICESHOP_DATA_DIR", str(tmp_path))  # `voiceshop say` keeps its session under here
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    printed = []
    for text in ["change my purchase code to six three nine one", "6 3 9 1", "my code is four two seven one"]:
        assert main(["say", text, "--customer", alexa.customer, "--json"]) == 0
        out, err = capsys.readouterr()
        turn = json.loads(out)
        assert "****" in json.dumps(turn["request"]["request"]["intent"]["slots"])
        printed += [out, err, json.dumps(turn["response"].get("sessionAttributes") or {})]
    assert "is set" in speech_text(turn["response"]["response"]["outputSpeech"]["ssml"])
    state = list((tmp_path / "simulator").glob("*.json"))
    printed += [path.read_text() for path in state]
    powertools.removeHandler(caplog.handler)
    assert any(record.name == skill.logger.name for record in caplog.records)  # the skill's own lines too
    logged = " ".join(json.dumps(vars(record), default=str) for record in caplog.records)  # with their extras
    assert leaked(" ".join(printed) + logged, "6391", "4271") == []
    from catalog.purchase_code import code_matches

    assert code_matches("6391", demo_shop.customer(alexa.customer).code_hash)


def test_sign_in_digits_never_reach_session_attributes(alexa):
    turn = alexa.say("i am customer 1 2 3 4 5 6")
    assert "123456" not in json.dumps(turn.response.get("sessionAttributes") or {}).replace(" ", "")
