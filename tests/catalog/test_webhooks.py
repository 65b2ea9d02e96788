"""Signed webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries, dead letters, once only."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from catalog.model import utcnow
from catalog.outbox import DEAD, DELIVERED, Outbox
from catalog.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    Deliverer,
    SignatureError,
    WebhookConfig,
    sign,
    verify,
)
from tests.conftest import add_product, random_ref
from tests.webhook_receiver import Receiver, receiving

SECRET = "whsec_test_" + "x" * 24


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with receiving() as running:
        yield running


class Clock:
    """A settable clock, so backoff is tested without waiting."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def _place_orders(shop, count: int) -> None:
    product = add_product(shop, stock=50)
    for _ in range(count):
        customer = random_ref("cust")
        shop.add_to_cart(customer, product.sku, 1)
        shop.place(shop.quote(customer).quote_id, confirmed=True)


def _config(url: str, **overrides) -> WebhookConfig:
    return WebhookConfig(url=url, secret=SECRET, timeout_seconds=2.0, backoff_seconds=30.0, **overrides)


def test_a_signature_verifies_and_a_tampered_body_or_other_secret_does_not():
    body = b'{"id":"evt_1"}'
    header = sign(SECRET, body, timestamp=1_700_000_000)
    assert verify(body, header, SECRET, now=1_700_000_010) == 1_700_000_000
    for bad_body, secret in ((b'{"id":"evt_2"}', SECRET), (body, "another-secret")):
        with pytest.raises(SignatureError):
            verify(bad_body, header, secret, now=1_700_000_010)
    with pytest.raises(SignatureError):
        verify(body, header, SECRET, now=1_700_000_000 + 301)  # a replay after the tolerance
    with pytest.raises(SignatureError):
        verify(body, None, SECRET)


def test_a_rotated_secret_still_verifies_while_both_signatures_are_sent():
    body = b"{}"
    old, new = sign("old", body, 1_700_000_000), sign("new", body, 1_700_000_000)
    header = f"{old},v1={new.split('v1=')[1]}"
    assert verify(body, header, "new", now=1_700_000_000)


def test_webhooks_are_signed_retried_after_a_500_and_never_sent_twice(empty_shop, receiver):
    state, url = receiver
    _place_orders(empty_shop, 2)
    state.statuses = [500]
    clock = Clock()
    deliverer = Deliverer(Outbox(empty_shop.repository), _config(url), clock=clock)

    first = deliverer.deliver_due()
    assert sorted(outcome.result for outcome in first) == ["delivered", "retry"]
    assert deliverer.deliver_due() == []  # the failed one waits out its backoff
    clock.now += timedelta(seconds=31)
    assert [outcome.result for outcome in deliverer.deliver_due()] == ["delivered"]
    last_sent = clock.now.timestamp()
    clock.now += timedelta(days=1)
    assert deliverer.deliver_due() == []

    ids = state.event_ids()
    assert len(ids) == 3 and len(set(ids)) == 2  # one event was sent twice: once refused with 500, once taken
    for headers, body in state.received:
        assert verify(body, headers[SIGNATURE_HEADER], SECRET, now=last_sent)
        assert json.loads(body)["id"] == headers[EVENT_ID_HEADER]
    outbox = Outbox(empty_shop.repository)
    assert {outbox.get(event_id).state for event_id in ids} == {DELIVERED}


def test_two_deliverers_racing_send_each_event_exactly_once(empty_shop, receiver):
    state, url = receiver
    state.delay = 0.02
    _place_orders(empty_shop, 6)
    deliverers = [Deliverer(Outbox(empty_shop.repository), _config(url)) for _ in range(2)]
    start = threading.Barrier(len(deliverers))
    outcomes: list[list] = []

    def run(deliverer: Deliverer) -> None:
        start.wait(timeout=10)
        outcomes.append(deliverer.deliver_due())

    threads = [threading.Thread(target=run, args=(d,)) for d in deliverers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(state.event_ids()) == Counter({event_id: 1 for event_id in set(state.event_ids())})
    assert len(state.event_ids()) == 6
    results = Counter(outcome.result for run_outcomes in outcomes for outcome in run_outcomes)
    assert results["delivered"] == 6


def test_after_the_last_try_an_event_is_dead_lettered_and_can_be_requeued(empty_shop, receiver):
    state, url = receiver
    _place_orders(empty_shop, 1)
    state.statuses = [500, 503, 500]
    clock = Clock()
    outbox = Outbox(empty_shop.repository)
    deliverer = Deliverer(outbox, _config(url, max_attempts=3), clock=clock)
    results = []
    for _ in range(5):  # bounded: more rounds than tries
        results += [outcome.result for outcome in deliverer.deliver_due()]
        clock.now += timedelta(hours=2)
    assert results == ["retry", "retry", "dead"]
    [dead] = outbox.in_state(DEAD)
    assert dead.attempts == 3 and dead.last_error == "HTTP 500"
    assert outbox.requeue(dead.event_id, clock.now)
    assert [outcome.result for outcome in deliverer.deliver_due()] == ["delivered"]


def test_an_unreachable_receiver_is_a_retry_not_a_crash(empty_shop):
    _place_orders(empty_shop, 1)
    deliverer = Deliverer(Outbox(empty_shop.repository), _config("http://127.0.0.1:9/hooks"))
    [outcome] = deliverer.deliver_due()
    assert outcome.result == "retry"
