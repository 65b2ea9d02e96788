"""Unanswered searches on DynamoDB Local: counted in memory, written in batches, never personal."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from catalog.model import utcnow
from catalog.unanswered import ASKEDBACK, FLUSH_KEYS, KEEP_DAYS, NOMATCH, SearchTally, report_words
from tests.conftest import fresh_shop, random_ref
from tests.faultproxy import FaultProxy


@pytest.fixture
def shop(base_settings):
    return fresh_shop(base_settings)


def raw_items(shop) -> list[dict]:
    """Every item of the test's table, as DynamoDB holds it (a test may scan; the shop never does)."""
    client = boto3.client(
        "dynamodb", endpoint_url=shop.settings.endpoint, region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
    )  # fmt: skip
    return client.scan(TableName=shop.settings.table)["Items"]


def rows(shop, days: int = 7) -> dict[tuple[str, str, str], int]:
    return {(r.query, r.channel, r.outcome): r.count for r in shop.unanswered_searches(days)}


def test_the_search_normaliser_makes_one_entry_of_differently_written_words():
    assert report_words("Creamy  Peanut-Butter") == report_words("creamy peanut butter") == "creamy peanut butter"


@pytest.mark.parametrize(
    "said",
    ["my code is 4271", "four two seven one", "call me on 555-0134", "five five five oh one three four", "1 2 3 4"],
)
def test_a_query_that_holds_a_code_or_a_phone_number_is_not_counted(said):
    assert report_words(said) is None


@pytest.mark.parametrize("said", ["2% milk", "four ninety nine cheese", "twenty four pack of water"])
def test_short_numbers_are_words_of_a_search(said):
    assert report_words(said) is not None


def test_counts_add_up_across_two_recordings_and_two_flushes(shop):
    shop.record_unanswered_search("Creamy  Peanut-Butter", "alexa", NOMATCH)
    shop.record_unanswered_search("creamy peanut butter", "alexa", NOMATCH)
    assert shop.flush_unanswered_searches() == 1
    shop.record_unanswered_search("creamy peanut butter", "alexa", NOMATCH)
    shop.record_unanswered_search("creamy peanut butter", "kiosk", NOMATCH)
    shop.record_unanswered_search("creamy peanut butter", "kiosk", ASKEDBACK)
    shop.flush_unanswered_searches()
    assert rows(shop) == {
        ("creamy peanut butter", "alexa", NOMATCH): 3,
        ("creamy peanut butter", "kiosk", NOMATCH): 1,
        ("creamy peanut butter", "kiosk", ASKEDBACK): 1,
    }


def test_concurrent_writers_lose_no_count(base_settings):
    """Eight processes' worth of shops, each flushing the same words at once: every count arrives."""
    table = random_ref("vs-test")
    shops = [fresh_shop(base_settings, table=table) for _ in range(8)]
    start = threading.Barrier(len(shops))

    def shopper(shop) -> None:
        start.wait()
        for round_ in range(5):
            shop.record_unanswered_search("dragon fruit", "alexa", NOMATCH)
            shop.record_unanswered_search(f"star fruit {round_ % 2}", "kiosk", NOMATCH)
            shop.flush_unanswered_searches()

    threads = [threading.Thread(target=shopper, args=(s,)) for s in shops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rows(shops[0]) == {
        ("dragon fruit", "alexa", NOMATCH): 40,
        ("star fruit 0", "kiosk", NOMATCH): 24,
        ("star fruit 1", "kiosk", NOMATCH): 16,
    }


def test_threads_sharing_one_shop_lose_no_count(shop):
    def shopper() -> None:
        for _ in range(30):
            shop.record_unanswered_search("quince paste", "alexa", NOMATCH)

    threads = [threading.Thread(target=shopper) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shop.flush_unanswered_searches()
    assert rows(shop) == {("quince paste", "alexa", NOMATCH): 180}


def test_a_warm_process_writes_nothing_per_search_only_a_batch_when_one_is_due(base_settings, dynamodb_local):
    proxy = FaultProxy(dynamodb_local.port)
    try:
        shop = fresh_shop(replace(base_settings, endpoint=proxy.endpoint))
        now = [0.0]
        shop.search_tally = SearchTally(shop.repository, clock=lambda: now[0])
        proxy.seen.clear()
        for query in ("saffron", "saffron", "truffle oil", "yuzu"):
            shop.record_unanswered_search(query, "alexa", NOMATCH)
            shop.flush_unanswered_searches_if_due()
        assert proxy.seen == []  # four unanswered turns, not one write
        now[0] = 59.0
        shop.flush_unanswered_searches_if_due()
        assert proxy.seen == []
        now[0] = 60.0
        shop.flush_unanswered_searches_if_due()
        assert proxy.seen == ["TransactWriteItems", *["UpdateItem"] * 3]  # three searches, one round trip
        proxy.seen.clear()
        for number in range(FLUSH_KEYS):
            shop.record_unanswered_search(f"rare spice {number}", "kiosk", NOMATCH)
        assert proxy.seen == ["TransactWriteItems", *["UpdateItem"] * FLUSH_KEYS]  # the twentieth fills a batch
        assert shop.search_tally.pending == 0
    finally:
        proxy.close()
    assert rows(shop)[("saffron", "alexa", NOMATCH)] == 2


def test_counts_kept_while_the_store_refuses_are_written_when_it_is_back(base_settings, dynamodb_local):
    proxy = FaultProxy(dynamodb_local.port)
    try:
        shop = fresh_shop(replace(base_settings, endpoint=proxy.endpoint))
        shop.record_unanswered_search("saffron", "alexa", NOMATCH)
        shop.record_unanswered_search("yuzu", "alexa", NOMATCH)
        with proxy.fault("TransactWriteItems", "throttle"):
            shop.search_tally.flush(quietly=True)  # a turn never fails for the tally
        assert shop.search_tally.pending == 2
        shop.record_unanswered_search("yuzu", "alexa", NOMATCH)
        shop.flush_unanswered_searches()
    finally:
        proxy.close()
    assert rows(shop) == {("saffron", "alexa", NOMATCH): 1, ("yuzu", "alexa", NOMATCH): 2}


def test_nothing_stored_or_reported_holds_the_code_said(shop):
    code = "4271"
    shop.record_unanswered_search(f"my code is {code}", "alexa", NOMATCH)
    shop.record_unanswered_search("four two seven one", "kiosk", NOMATCH)
    shop.record_unanswered_search("oat milk", "alexa", NOMATCH)
    shop.flush_unanswered_searches()
    stored = repr(raw_items(shop))
    reported = repr(shop.unanswered_searches())
    for text in (stored, reported):
        assert code not in text and "4 2 7 1" not in text and "code" not in text
    assert rows(shop) == {("oat milk", "alexa", NOMATCH): 1}


def test_each_count_expires_ninety_days_after_its_day(shop):
    shop.record_unanswered_search("kombucha", "alexa", NOMATCH)
    shop.flush_unanswered_searches()
    [item] = raw_items(shop)
    today = utcnow().date()
    assert item["pk"]["S"] == f"SEARCHES#{today.isoformat()}"
    assert item["sk"]["S"] == "nomatch#alexa#kombucha"
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    assert int(item["ttl"]["N"]) == int((midnight + timedelta(days=KEEP_DAYS)).timestamp())


def test_the_report_covers_the_days_asked_for_and_no_more(shop):
    today = utcnow()
    shop.search_tally.record("kombucha", "alexa", NOMATCH, at=today)
    shop.search_tally.record("kombucha", "alexa", NOMATCH, at=today - timedelta(days=6))
    shop.search_tally.record("kombucha", "alexa", NOMATCH, at=today - timedelta(days=7))
    shop.flush_unanswered_searches()
    assert [r.day for r in shop.unanswered_searches(7)] == [today.date(), (today - timedelta(days=6)).date()]
    assert len(shop.unanswered_searches(8)) == 3
    assert len(shop.unanswered_searches(1)) == 1
    with pytest.raises(ValueError, match="1 to 90"):
        shop.unanswered_searches(0)


def test_the_report_lists_the_most_asked_first(shop):
    for query, times in (("yuzu", 1), ("saffron", 3), ("truffle oil", 2)):
        for _ in range(times):
            shop.record_unanswered_search(query, "alexa", NOMATCH)
    shop.flush_unanswered_searches()
    assert [(r.query, r.count) for r in shop.unanswered_searches()] == [("saffron", 3), ("truffle oil", 2), ("yuzu", 1)]


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="nomatch, askedback"):
        SearchTally(None).record("yuzu", "alexa", "maybe")  # type: ignore[arg-type]
