"""`voiceshop report searches` on DynamoDB Local: what shoppers asked for and did not get, per channel and day."""

import io
import json

import pytest

from catalog.model import utcnow
from catalog.unanswered import NOMATCH
from skill import lambda_function
from tests.conftest import add_product, fresh_shop, random_ref


@pytest.fixture
def ops_shop(base_settings, monkeypatch, tmp_path):
    shop = fresh_shop(base_settings)
    add_product(shop, name="Creamy Peanut Butter")
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.setenv("VOICESHOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VOICESHOP_SKILL_ID", raising=False)
    lambda_function.configure(None)  # `voiceshop say` makes its shop from the environment above
    yield shop
    lambda_function.configure(None)


def run(capsys, *argv):
    from voiceshop.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys, *options):
    code, out, err = run(capsys, "report", "searches", "--json", *options)
    assert code == 0, err
    return json.loads(out)


def test_an_alexa_search_for_something_not_sold_is_reported_with_its_channel_and_no_customer(ops_shop, capsys):
    customer = f"amzn1.ask.account.{random_ref('S')}"
    code, out, _ = run(capsys, "say", "--customer", customer, "find dragon fruit")
    assert code == 0 and "dragon fruit" in out.lower()
    code, out, _ = run(capsys, "say", "--customer", customer, "find Dragon-Fruit")
    assert code == 0
    code, out, _ = run(capsys, "report", "searches")
    assert code == 0
    assert "dragon fruit" in out and "alexa" in out and customer not in out
    rows = report(capsys)
    today = utcnow().date().isoformat()
    assert rows == [{"day": today, "outcome": NOMATCH, "channel": "alexa", "query": "dragon fruit", "count": 2}]
    assert customer not in json.dumps(rows)


def test_a_text_kiosk_search_for_something_not_sold_is_reported_as_kiosk(ops_shop, capsys, monkeypatch):
    customer = random_ref("kiosk")
    monkeypatch.setattr("sys.stdin", io.StringIO("find dragon fruit\nfind creamy peanut butter\n"))
    code, out, _ = run(capsys, "kiosk", "--text", "--mute", "--customer", customer)
    assert code == 0 and "Creamy Peanut Butter" in out  # found: not reported
    [row] = report(capsys)
    assert (row["query"], row["channel"], row["outcome"], row["count"]) == ("dragon fruit", "kiosk", NOMATCH, 1)
    assert customer not in json.dumps(row)


def test_a_code_said_as_a_search_is_in_no_report(ops_shop, capsys, monkeypatch):
    customer = random_ref("kiosk")
    monkeypatch.setattr("sys.stdin", io.StringIO("find four two seven one\nfind quince paste\n"))
    assert run(capsys, "kiosk", "--text", "--mute", "--customer", customer)[0] == 0
    _, out, _ = run(capsys, "report", "searches")
    assert "quince paste" in out
    for said in ("4271", "4 2 7 1", "four two seven one", customer):
        assert said not in out


def test_the_table_lists_the_most_asked_first_and_json_has_one_object_per_day_channel_and_words(ops_shop, capsys):
    for query, times in (("yuzu", 1), ("saffron", 3)):
        for _ in range(times):
            ops_shop.record_unanswered_search(query, "kiosk", NOMATCH)
    ops_shop.record_unanswered_search("saffron", "alexa", NOMATCH)
    ops_shop.flush_unanswered_searches()
    code, out, _ = run(capsys, "report", "searches", "--days", "1")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["count", "day", "channel", "outcome", "words"]
    assert [line.split()[0] for line in lines[1:]] == ["3", "1", "1"] and "saffron" in lines[1]
    rows = report(capsys, "--days", "1")
    assert {tuple(sorted(r)) for r in rows} == {("channel", "count", "day", "outcome", "query")}
    assert {(r["query"], r["channel"], r["count"]) for r in rows} == {
        ("saffron", "kiosk", 3), ("saffron", "alexa", 1), ("yuzu", "kiosk", 1)
    }  # fmt: skip


def test_an_empty_report_says_so(ops_shop, capsys):
    code, out, _ = run(capsys, "report", "searches")
    assert code == 0 and out.strip() == "No unanswered searches in the last 7 days."
    assert report(capsys) == []


@pytest.mark.parametrize("days", ["0", "91", "week"])
def test_days_out_of_range_is_a_usage_error(ops_shop, capsys, days):
    with pytest.raises(SystemExit) as exited:
        run(capsys, "report", "searches", "--days", days)
    assert exited.value.code == 2
    assert "--days" in capsys.readouterr().err
