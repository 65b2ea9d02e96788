"""`voiceshop webhooks` and `voiceshop callbacks` on DynamoDB Local, with a webhook receiver on 127.0.0.1."""

import json

import pytest

from catalog.webhooks import SIGNATURE_HEADER, verify
from intents.conversation import respond
from intents.request import IntentRequest
from tests.conftest import add_product, fresh_shop
from tests.webhook_receiver import receiving

SECRET = "whsec_cli_test"


@pytest.fixture
def ops_shop(base_settings, monkeypatch):
    shop = fresh_shop(base_settings)
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.delenv("VOICESHOP_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("VOICESHOP_WEBHOOK_SECRET", raising=False)
    return shop


def run(capsys, *argv):
    from voiceshop.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_deliver_sends_signed_events_and_a_failure_shows_in_list_and_exit_1(ops_shop, capsys, customer, monkeypatch):
    ops_shop.add_to_cart(customer, add_product(ops_shop).sku, 1)
    ops_shop.place(ops_shop.quote(customer).quote_id, confirmed=True)
    code, _, err = run(capsys, "webhooks", "deliver")
    assert code == 2 and "VOICESHOP_WEBHOOK_URL" in err
    with receiving() as (state, url):
        monkeypatch.setenv("VOICESHOP_WEBHOOK_URL", url)
        monkeypatch.setenv("VOICESHOP_WEBHOOK_SECRET", SECRET)
        state.statuses = [500]
        code, out, _ = run(capsys, "webhooks", "deliver")
        assert code == 1 and "retry" in out and "HTTP 500" in out
        code, out, _ = run(capsys, "webhooks", "list", "--json")
        [pending] = json.loads(out)
        assert pending["attempts"] == 1 and pending["last_error"] == "HTTP 500"
        code, out, _ = run(capsys, "webhooks", "deliver")
        assert code == 0 and out.strip() == "Nothing due."  # backing off
    headers, body = state.received[0]
    assert verify(body, headers[SIGNATURE_HEADER], SECRET)
    code, out, _ = run(capsys, "webhooks", "dead")
    assert code == 0 and "No dead events." in out


def test_requeue_refuses_an_event_that_is_not_dead(ops_shop, capsys):
    code, _, err = run(capsys, "webhooks", "requeue", "evt_nothing")
    assert code == 2 and "not a dead event" in err


def test_callbacks_list_shows_what_ops_need_and_done_closes_it(ops_shop, capsys, customer):
    product = add_product(ops_shop, name="Rolled Oats")
    ops_shop.add_to_cart(customer, product.sku, 3)
    context: dict = {}
    for intent in ("AMAZON.FallbackIntent", "TalkToPersonIntent", "AMAZON.YesIntent"):
        reply = respond(IntentRequest(intent=intent, customer_id=customer, context=context), ops_shop)
        context = dict(reply.context)
    code, out, _ = run(capsys, "callbacks", "list")
    assert code == 0 and customer in out and "3 x Rolled Oats" in out and "(not understood)" in out
    code, out, _ = run(capsys, "callbacks", "list", "--json")
    [callback] = [c for c in json.loads(out) if c["customer_id"] == customer]
    code, out, _ = run(capsys, "callbacks", "done", callback["callback_id"], "--note", "called back")
    assert code == 0 and "done" in out
    code, _, err = run(capsys, "callbacks", "done", callback["callback_id"])
    assert code == 2 and "no open call-back" in err
    code, out, _ = run(capsys, "callbacks", "list")
    assert customer not in out
