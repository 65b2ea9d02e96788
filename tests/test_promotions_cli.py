"""`voiceshop promotions import|list` on DynamoDB Local: a good file is stored, a bad one names every bad row
and changes nothing, and what is stored is listed (text for people, `--json` for scripts)."""

import json

import pytest

from catalog.deals import DEMO_PROMOTIONS
from tests.conftest import fresh_shop

OAT_MILK, OATS = "SKU-DAI-0035", "SKU-PAN-0084"
HEADER = "id,title,kind,target,applies_to,starts,ends,value,buy,free,currency\n"


@pytest.fixture
def ops_shop(base_settings, demo_products, monkeypatch):
    """The demo catalog on a table of this test's own: promotions are shop-wide, so no other test sees them."""
    shop = fresh_shop(base_settings)
    shop.import_products(demo_products)
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    return shop


def run(capsys, *argv):
    from voiceshop.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_file_imports_and_is_listed_as_running(ops_shop, capsys):
    code, out, _ = run(capsys, "promotions", "import", str(DEMO_PROMOTIONS))
    assert code == 0 and "Imported 3 promotions (3 new, 0 updated)" in out
    code, out, _ = run(capsys, "promotions", "list")
    assert code == 0 and "oat-milk-10" in out and "10% off" in out and "running" in out
    code, out, _ = run(capsys, "promotions", "list", "--json")
    listed = {row["id"]: row for row in json.loads(out)}
    assert set(listed) == {"oat-milk-10", "clorox-1-off", "oats-3-for-2"}
    assert listed["clorox-1-off"]["value"] == "1.00" and listed["oats-3-for-2"]["buy"] == 2
    assert all(row["running"] for row in listed.values())


def test_a_csv_file_is_read_with_its_header_and_the_deal_lands_in_the_quote(ops_shop, capsys, tmp_path, customer):
    path = tmp_path / "promotions.csv"
    path.write_text(
        HEADER
        + f"milk-15,15% off oat milk,percent,product,{OAT_MILK},2026-01-01,2027-12-31,15,,,\n"
        + f"oats-b1g1,oats buy 1 get 1,bxgy,product,{OATS},2026-01-01,2027-12-31,,1,1,\n"
    )
    code, out, _ = run(capsys, "promotions", "import", str(path), "--json")
    assert code == 0 and json.loads(out)["created"] == 2
    ops_shop.add_to_cart(customer, OAT_MILK, 2)
    assert str(ops_shop.quote(customer).savings) == "1.50"  # 15% of 2 x 4.99 = 1.497


def test_a_bad_file_names_every_bad_row_exits_2_and_changes_nothing(ops_shop, capsys, tmp_path):
    run(capsys, "promotions", "import", str(DEMO_PROMOTIONS))
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + f"fine,fine,percent,product,{OAT_MILK},2026-01-01,2027-12-31,5,,,\n"
        + "typo,typo,percent,product,SKU-NOPE,2026-01-01,2027-12-31,5,,,\n"
        + f"huge,huge,percent,product,{OAT_MILK},2026-01-01,2027-12-31,150,,,\n"
        + "late,late,amount,brand,Clorox,2027-02-01,2027-01-01,1,,,\n"
    )
    code, out, err = run(capsys, "promotions", "import", str(path), "--replace-all")
    assert code == 2 and "Imported" not in out
    assert "promotion 2: no product has sku 'SKU-NOPE'" in err
    assert "promotion 3: value '150' must be more than 0 and at most 100" in err
    assert "promotion 4: ends 2027-01-01 is before starts 2027-02-01" in err
    assert "promotion 1" not in err and "Nothing imported: 3 of 4 rows refused" in err
    assert {p.promotion_id for p in ops_shop.promotions()} == {"oat-milk-10", "clorox-1-off", "oats-3-for-2"}


def test_an_unreadable_file_is_explained_and_changes_nothing(ops_shop, capsys, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"promotions": [')
    code, _, err = run(capsys, "promotions", "import", str(broken))
    assert code == 2 and "not valid JSON" in err
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b,c\n1,2,3\n")
    code, _, err = run(capsys, "promotions", "import", str(headless))
    assert code == 2 and "no id or kind column" in err
    assert ops_shop.promotions() == () and not ops_shop.promotions_imported()


def test_if_empty_loads_the_demo_once_and_never_over_ops_own(ops_shop, capsys, tmp_path):
    own = tmp_path / "own.json"
    row = {"id": "own", "title": "own", "kind": "amount", "target": "category", "applies_to": "dairy"}
    own.write_text(json.dumps([row | {"starts": "2026-01-01", "ends": "2026-01-02", "value": 1}]))
    assert run(capsys, "promotions", "import", str(own), "--replace-all")[0] == 0
    code, out, _ = run(capsys, "promotions", "import", "--if-empty", str(DEMO_PROMOTIONS))
    assert code == 0 and "already imported" in out
    assert [p.promotion_id for p in ops_shop.promotions()] == ["own"]
    assert run(capsys, "promotions", "import", str(DEMO_PROMOTIONS), "--replace-all")[0] == 0
    assert "own" not in {p.promotion_id for p in ops_shop.promotions()}, "--replace-all ends what the file lacks"
