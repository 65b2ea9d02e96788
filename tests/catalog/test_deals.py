"""Promotions in the shop on DynamoDB Local: an import is all or nothing, quotes pay the best deal, orders keep it."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.deals import shop_today
from tests.conftest import add_product

TODAY = shop_today()


def row(pid, applies_to, kind="percent", target="product", value="10", days=(-1, 1), **extra):
    """A promotion row as ops write it, running from `days[0]` to `days[1]` days around today."""
    starts, ends = (TODAY + timedelta(days=d) for d in days)
    fields = {"id": pid, "title": f"{pid} deal", "kind": kind, "target": target, "applies_to": applies_to}
    fields |= {"starts": starts.isoformat(), "ends": ends.isoformat(), "value": value}
    return fields | extra


def test_a_quote_takes_the_best_promotion_off_each_line_and_the_order_keeps_it(empty_shop, customer):
    milk = add_product(empty_shop, price="4.99")
    soap = add_product(empty_shop, price="2.50")
    report = empty_shop.import_promotions([row("milk-10", milk.sku), row("soap-1", soap.sku, kind="amount", value="1")])
    assert report.stored and report.created == 2
    empty_shop.add_to_cart(customer, milk.sku, 3)
    empty_shop.add_to_cart(customer, soap.sku, 2)
    quote = empty_shop.quote(customer)
    assert quote.subtotal == Decimal("19.97")
    assert quote.savings == Decimal("3.50")  # 10% of 14.97 is 1.497 -> 1.50, and 1.00 off each soap
    assert quote.total == quote.subtotal - Decimal("3.50") + quote.delivery.price
    empty_shop.import_promotions([], replace_all=True)  # ops end every promotion after the read-back
    order = empty_shop.place(quote.quote_id, confirmed=True)
    assert order.total == quote.total, "the order charges what was read back"
    assert {d.promotion_id for d in empty_shop.order(customer, order.order_number).discounts} == {"milk-10", "soap-1"}


def test_buy_two_get_one_free_counts_whole_groups_in_the_quote(empty_shop, customer):
    chips = add_product(empty_shop, price="3.00")
    empty_shop.import_promotions([row("chips-3for2", chips.sku, kind="bxgy", value=None, buy=2, free=1)])
    empty_shop.add_to_cart(customer, chips.sku, 7)
    assert empty_shop.quote(customer).savings == Decimal("6.00")  # two whole groups of three


def test_promotions_run_from_their_first_to_their_last_day_and_not_after(empty_shop, customer):
    first = add_product(empty_shop, price="10.00")
    last = add_product(empty_shop, price="10.00")
    over = add_product(empty_shop, price="10.00")
    soon = add_product(empty_shop, price="10.00")
    empty_shop.import_promotions(
        [
            row("starts-today", first.sku, days=(0, 3)),
            row("ends-today", last.sku, days=(-3, 0)),
            row("ended", over.sku, days=(-3, -1)),
            row("not-yet", soon.sku, days=(1, 3)),
        ]
    )
    for product in (first, last, over, soon):
        empty_shop.add_to_cart(customer, product.sku, 1)
    taken = {d.promotion_id for d in empty_shop.quote(customer).discounts}
    assert taken == {"starts-today", "ends-today"}


def test_brand_and_category_promotions_apply_to_every_product_they_name(empty_shop, customer):
    item = add_product(empty_shop, price="5.00")  # brand Testco, category pantry
    brand, category = row("brand", "testco", target="brand", value="20"), row("cat", "Pantry", target="category")
    empty_shop.import_promotions([brand, category])
    empty_shop.add_to_cart(customer, item.sku, 1)
    (discount,) = empty_shop.quote(customer).discounts
    assert (discount.promotion_id, discount.amount) == ("brand", Decimal("1.00")), "the bigger saving wins, never both"


def test_one_bad_row_refuses_the_whole_file_and_says_why(empty_shop):
    milk = add_product(empty_shop)
    empty_shop.import_promotions([row("keep", milk.sku)])
    report = empty_shop.import_promotions(
        [
            row("fine", milk.sku),
            row("typo", "SKU-NOPE"),
            row("too-much", milk.sku, value="150"),
            row("backwards", milk.sku, days=(2, 1)),
            row("nobrand", "Acme", target="brand"),
            {"id": "x", "title": "x", "kind": "half price"},
        ]
    )
    assert not report.stored
    text = "\n".join(report.errors)
    for reason in ("sku 'SKU-NOPE'", "at most 100", "before starts", "brand 'Acme'", "kind 'half price'"):
        assert reason in text
    assert [p.promotion_id for p in empty_shop.promotions()] == ["keep"], "nothing changed"


def test_reimport_updates_by_id_and_keeps_the_others_unless_replacing(empty_shop):
    milk = add_product(empty_shop)
    empty_shop.import_promotions([row("a", milk.sku), row("b", milk.sku)])
    report = empty_shop.import_promotions([row("a", milk.sku, value="25")])
    assert (report.created, report.updated, report.kept) == (0, 1, 1)
    assert {p.promotion_id: p.value for p in empty_shop.promotions()} == {"a": Decimal("25"), "b": Decimal("10")}
    empty_shop.import_promotions([row("c", milk.sku)], replace_all=True)
    assert [p.promotion_id for p in empty_shop.promotions()] == ["c"]


def test_deals_list_what_runs_today_on_products_in_stock(empty_shop):
    milk = add_product(empty_shop, price="4.00")
    gone = add_product(empty_shop, stock=0)
    empty_shop.import_promotions([row("milk", milk.sku), row("gone", gone.sku), row("later", milk.sku, days=(2, 4))])
    listed = [(d.promotion.promotion_id, [p.sku for p in d.products]) for d in empty_shop.deals()]
    assert listed == [("milk", [milk.sku])]
    assert empty_shop.deal_for(milk).promotion_id == "milk"
    assert empty_shop.deal_for(gone).promotion_id == "gone"  # asked about by name, it is still on sale


@pytest.mark.parametrize("kind", ["percent", "amount"])
def test_a_promotion_never_makes_a_line_cost_less_than_nothing(empty_shop, customer, kind):
    cheap = add_product(empty_shop, price="0.99")
    empty_shop.import_promotions([row("big", cheap.sku, kind=kind, value="100" if kind == "percent" else "5")])
    empty_shop.add_to_cart(customer, cheap.sku, 2)
    quote = empty_shop.quote(customer)
    assert quote.savings == Decimal("1.98") and quote.subtotal - quote.savings == 0


def test_each_product_on_sale_is_listed_once_with_its_best_deal_ending_soonest_first(empty_shop):
    milk = add_product(empty_shop, price="4.00", name="Milk")
    soap = add_product(empty_shop, price="2.00", name="Soap")
    empty_shop.import_promotions(
        [
            row("pantry-5", "pantry", target="category", value="5", days=(-1, 9)),  # both products
            row("milk-25", milk.sku, value="25", days=(-1, 5)),
        ]
    )
    listed = [(product.sku, promotion.promotion_id) for product, promotion in empty_shop.on_sale()]
    assert listed == [(milk.sku, "milk-25"), (soap.sku, "pantry-5")], "milk once, with the bigger saving"
