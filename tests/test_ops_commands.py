"""`voiceshop webhooks` and `voiceshop callbacks` on DynamoDB Local, with a webhook receiver on 127.0.0.1."""

import json

import pytest

from catalog.webhooks import SIGNATURE_HEADER, verify
from intents.conversation import respond
from intents.request import IntentRequest
from tests.conftest import add_product, fresh_shop, random_ref
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


def _everything_naming(shop, text):
    """Every item of the test's own table holding `text` anywhere (a scan: this table is the test's alone)."""
    client = shop.repository.tables.connection.client
    pages = client.get_paginator("scan").paginate(TableName=shop.settings.table)
    return [item for page in pages for item in page["Items"] if text in json.dumps(item)]


def _customer_with_everything(shop, customer):
    """A customer with a profile (code, address, kiosk number), a cart, a code change, orders, a return,
    a quote not placed (three quotes in all) and a call-back request."""
    product = add_product(shop, stock=20, name="Rolled Oats")
    shop.set_delivery_profile(customer, address="12 Elm Street")
    shop.set_purchase_code(customer, "4821")
    shop.customer_number(customer)
    delivered = None
    for _ in range(2):
        shop.add_to_cart(customer, product.sku, 1)
        delivered = shop.place(shop.quote(customer).quote_id, confirmed=True, purchase_code="4821")
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        shop.advance(delivered.order_id, status)
    shop.start_return(customer, delivered.order_id)
    shop.stage_purchase_code(customer, "1234")
    shop.add_to_cart(customer, product.sku, 2)
    shop.quote(customer)
    context: dict = {}
    for intent in ("AMAZON.FallbackIntent", "TalkToPersonIntent", "AMAZON.YesIntent"):
        reply = respond(IntentRequest(intent=intent, customer_id=customer, context=context), shop)
        context = dict(reply.context)
    return delivered


def test_forget_leaves_nothing_under_the_customer_id_but_anonymised_orders(ops_shop, capsys, customer, monkeypatch):
    import io

    other = random_ref("neighbour")
    delivered = _customer_with_everything(ops_shop, customer)
    ops_shop.add_to_cart(other, add_product(ops_shop).sku, 1)
    kept_order = ops_shop.place(ops_shop.quote(other).quote_id, confirmed=True)
    assert _everything_naming(ops_shop, customer)

    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    code, _, err = run(capsys, "customers", "forget", customer)
    assert code == 2 and "nothing changed" in err and "12 Elm Street" not in err
    assert ops_shop.customer(customer).address == "12 Elm Street"

    monkeypatch.setattr("sys.stdin", io.StringIO("forget\n"))
    code, out, _ = run(capsys, "customers", "forget", customer, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["deleted"] == {
        "profile": 1, "cart": 1, "code_change": 1, "order_number_guards": 2, "return_number_guards": 1,
        "customer_number": 1, "quotes": 3, "callbacks": 1,
    }  # fmt: skip
    assert report["anonymised"] == {"orders": 2, "returns": 1, "events": 7}
    assert "12 Elm Street" not in out and "4821" not in out

    assert _everything_naming(ops_shop, customer) == []
    assert _everything_naming(ops_shop, "12 Elm Street") == []
    tombstone = report["tombstone"]
    kept = ops_shop.repository.get_order(delivered.order_id)
    assert kept.customer_id == tombstone and kept.total == delivered.total and kept.delivery.destination == ""
    assert len(ops_shop.orders(tombstone).orders) == 2  # the books still add up
    assert ops_shop.fulfilment_items.get_return(f"r-{delivered.order_id}").customer_id == tombstone
    assert ops_shop.repository.get_customer(customer) is None
    assert ops_shop.repository.get_order(kept_order.order_id).customer_id == other  # nobody else is touched

    code, out, _ = run(capsys, "customers", "forget", customer, "--yes")
    assert code == 0 and "Nothing to forget" in out
    code, out, _ = run(capsys, "customers", "forget", customer)
    assert code == 0 and "Nothing to forget" in out  # nothing to ask about either


def test_forget_without_a_terminal_or_yes_changes_nothing(ops_shop, capsys, customer):
    ops_shop.set_delivery_profile(customer, address="12 Elm Street")
    code, _, err = run(capsys, "customers", "forget", customer)  # pytest's stdin cannot be read
    assert code == 2 and "--yes" in err
    assert ops_shop.customer(customer).address == "12 Elm Street"
