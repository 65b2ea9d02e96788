"""Real Alexa envelopes through `lambda_handler`, the shop checked on DynamoDB Local."""

from __future__ import annotations

import io
import json
import logging

import pytest
from alexa_envelopes import (
    OTHER_SKILL_ID,
    LambdaContext,
    envelope,
    intent_request,
    launch_request,
    slot,
)

from skill.envelope import RequestRefused
from tests.conftest import add_product, random_ref


def user() -> str:
    return f"amzn1.ask.account.{random_ref('A')}"


class Device:
    """One Alexa session: sends envelopes and carries session attributes back like Alexa does."""

    def __init__(self, skill, user_id: str, person: str | None = None):
        self.skill, self.user, self.person, self.attributes, self.new = skill, user_id, person, {}, True

    def __call__(self, request: dict) -> dict:
        sent = envelope(request, self.user, attributes=self.attributes, person=self.person, new=self.new)
        reply = self.skill.lambda_handler(sent, LambdaContext())
        self.attributes, self.new = reply.get("sessionAttributes") or {}, False
        return reply


def speech(reply: dict) -> str:
    return reply["response"]["outputSpeech"]["ssml"]


def test_launch_welcomes_and_keeps_listening(skill):
    reply = Device(skill, user())(launch_request())
    assert "Welcome" in speech(reply)
    assert reply["response"]["shouldEndSession"] is False
    assert reply["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_a_resolved_product_slot_adds_that_sku(skill, demo_shop):
    device = Device(skill, user())
    reply = device(
        intent_request(
            "AddToCartIntent",
            slot("product", "organic bananas", ("Organic Bananas", "SKU-PRO-0002")),
            slot("quantity", "2", slot_type="AMAZON.NUMBER"),
            slot("ordinal"),
        )
    )
    assert "Added 2" in speech(reply)
    assert [(line.sku, line.quantity) for line in demo_shop.cart(device.user).lines] == [("SKU-PRO-0002", 2)]


def test_the_cart_is_in_the_shop_not_in_session_attributes(skill, demo_shop):
    device = Device(skill, user())
    device(intent_request("AddToCartIntent", slot("product", "gala apples", ("Gala Apples", "SKU-PRO-0003"))))
    assert "SKU-PRO-0003" not in json.dumps(device.attributes.get("cart", {}))
    assert "Gala" in speech(Device(skill, device.user)(intent_request("ReviewCartIntent")))


def test_an_unresolved_product_is_searched_by_its_words(skill):
    reply = Device(skill, user())(intent_request("SearchIntent", slot("product", "gala apples")))
    assert "Gala Apples" in speech(reply)


def checkout(skill, demo_shop) -> tuple[Device, str]:
    product = add_product(demo_shop, stock=5)
    device = Device(skill, user())
    device(intent_request("AddToCartIntent", slot("product", "test item", (product.name, product.sku))))
    assert "Shall I" in speech(device(intent_request("CheckOutIntent"))) or device.attributes.get("pending")
    return device, product.sku


def test_yes_at_checkout_places_one_order(skill, demo_shop):
    device, sku = checkout(skill, demo_shop)
    device(intent_request("AMAZON.YesIntent"))
    orders = demo_shop.orders(device.user).orders
    assert len(orders) == 1 and orders[0].lines[0].sku == sku
    assert demo_shop.product(sku).stock == 4


def test_no_at_checkout_places_nothing(skill, demo_shop):
    device, sku = checkout(skill, demo_shop)
    device(intent_request("AMAZON.NoIntent"))
    assert demo_shop.orders(device.user).orders == ()
    assert demo_shop.product(sku).stock == 5


def test_session_ended_says_nothing(skill):
    request = {
        "type": "SessionEndedRequest",
        "requestId": "amzn1.echo-api.request.ended",
        "timestamp": "2025-06-01T12:00:00Z",
        "locale": "en-US",
        "reason": "USER_INITIATED",
    }
    reply = skill.lambda_handler(envelope(request, user()), LambdaContext())
    assert "outputSpeech" not in reply["response"]


def test_another_skills_request_is_refused_and_changes_nothing(skill, demo_shop):
    customer = user()
    add = intent_request("AddToCartIntent", slot("product", "organic bananas", ("Organic Bananas", "SKU-PRO-0002")))
    before = demo_shop.product("SKU-PRO-0002").stock
    with pytest.raises(RequestRefused):
        skill.lambda_handler(envelope(add, customer, skill_id=OTHER_SKILL_ID), LambdaContext())
    with pytest.raises(RequestRefused):
        skill.handle_envelope(envelope(add, customer, skill_id=OTHER_SKILL_ID))
    assert demo_shop.cart(customer).lines == []
    assert demo_shop.product("SKU-PRO-0002").stock == before


def test_a_session_from_another_skill_is_refused(skill, demo_shop):
    sent = envelope(launch_request(), user())
    sent["session"]["application"]["applicationId"] = OTHER_SKILL_ID
    with pytest.raises(RequestRefused):
        skill.lambda_handler(sent, LambdaContext())


def unmodelled_request(kind: str = "Alexa.Future.SomethingNew") -> dict:
    """A request type ask-sdk-model has no class for, as Alexa adds them."""
    return {"type": kind, "requestId": "r", "timestamp": "2025-06-01T12:00:00Z", "locale": "en-US"}


def test_a_request_type_the_sdk_does_not_model_gets_an_empty_response(skill, demo_shop):
    customer = user()
    reply = skill.lambda_handler(envelope(unmodelled_request(), customer), LambdaContext())
    assert reply == {"version": "1.0", "response": {}}
    assert skill.handle_envelope(envelope(unmodelled_request(), customer)) == {"version": "1.0", "response": {}}
    assert demo_shop.cart(customer).lines == []


def test_an_unmodelled_request_type_for_another_skill_is_still_refused(skill):
    with pytest.raises(RequestRefused):
        skill.lambda_handler(envelope(unmodelled_request(), user(), skill_id=OTHER_SKILL_ID), LambdaContext())


def test_an_english_locale_other_than_en_us_is_answered_in_its_own_words(skill):
    request = launch_request()
    request["locale"] = "en-GB"
    assert "Welcome" in speech(Device(skill, user())(request))


def test_a_locale_without_a_model_gets_one_spoken_sentence_and_the_session_ends(skill):
    request = intent_request("SearchIntent", slot("product", "milch"))
    request["locale"] = "de-DE"
    reply = Device(skill, user())(request)
    assert "doesn't speak your language" in speech(reply)
    assert reply["response"]["shouldEndSession"] is True


def test_the_person_speaking_is_the_customer_when_alexa_knows_them(skill, demo_shop):
    account, person = user(), f"amzn1.ask.person.{random_ref('P')}"
    device = Device(skill, account, person=person)
    device(intent_request("AddToCartIntent", slot("product", "gala apples", ("Gala Apples", "SKU-PRO-0003"))))
    assert [line.sku for line in demo_shop.cart(person).lines] == ["SKU-PRO-0003"]
    assert demo_shop.cart(account).lines == []


def test_an_intent_the_conversation_does_not_know_gets_the_fallback(skill):
    reply = Device(skill, user())(intent_request("AMAZON.ShuffleOnIntent"))
    assert "didn't" in speech(reply) or "sorry" in speech(reply).lower()
    assert reply["response"]["shouldEndSession"] is False


def test_stop_ends_the_session_and_clears_attributes(skill):
    device = Device(skill, user())
    device(intent_request("SearchIntent", slot("product", "milk")))
    reply = device(intent_request("AMAZON.StopIntent"))
    assert reply["response"]["shouldEndSession"] is True
    assert not reply.get("sessionAttributes")


def test_a_crash_is_an_apology_without_internals(skill, monkeypatch):
    def broken(request, shop):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr("skill.handlers.respond", broken)
    reply = Device(skill, user())(intent_request("ReviewCartIntent"))
    assert "Sorry" in speech(reply) and "secret" not in json.dumps(reply)


@pytest.fixture
def skill_logs(skill):
    """Everything the skill logs, formatted as Powertools writes it to CloudWatch."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(skill.logger.registered_formatter)
    target = logging.getLogger(skill.logger.name)
    target.addHandler(handler)
    yield stream
    target.removeHandler(handler)


def test_logs_name_the_intent_but_no_person_slot_value_or_speech(skill, skill_logs, monkeypatch):
    monkeypatch.delenv("VOICESHOP_LOG_SALT", raising=False)
    account, person = user(), f"amzn1.ask.person.{random_ref('P')}"
    reply = Device(skill, account, person=person)(
        intent_request("IdentifyCustomerIntent", slot("customer_number", "482913", slot_type="AMAZON.NUMBER"))
    )
    logged = skill_logs.getvalue()
    assert "IdentifyCustomerIntent" in logged and "en-US" in logged
    for secret in (account, person, "482913", "48291", reply["response"]["outputSpeech"]["ssml"][7:40]):
        assert secret not in logged
    assert json.loads(logged.splitlines()[0])["customer"]


def test_an_unmodelled_request_type_is_logged_by_its_type(skill, skill_logs):
    skill.lambda_handler(envelope(unmodelled_request("Alexa.Future.Ping"), user()), LambdaContext())
    assert "unhandled request type" in skill_logs.getvalue() and "Alexa.Future.Ping" in skill_logs.getvalue()


def test_crash_logs_carry_the_type_only(skill, skill_logs, monkeypatch):
    def broken(request, shop):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr("skill.handlers.respond", broken)
    Device(skill, user())(intent_request("ReviewCartIntent"))
    assert "RuntimeError" in skill_logs.getvalue() and "secret" not in skill_logs.getvalue()


def test_a_placed_order_is_counted_as_a_metric(skill, demo_shop, capsys):
    device, _ = checkout(skill, demo_shop)
    capsys.readouterr()
    device(intent_request("AMAZON.YesIntent"))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(blob.get("OrdersPlaced") == [1.0] or blob.get("OrdersPlaced") == 1.0 for blob in emitted)


def test_a_search_with_no_result_is_counted(skill, capsys):
    capsys.readouterr()
    skill.handle_envelope(envelope(intent_request("SearchIntent", slot("product", "lawn mower")), user()))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any("SearchesWithNoResult" in blob for blob in emitted)
