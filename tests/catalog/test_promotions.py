"""Promotion arithmetic as business rules: rounding, dates, buy-X-get-Y with quantities, which one wins."""

from datetime import date
from decimal import Decimal

from catalog.model import CartLine, Product
from catalog.promotions import Promotion, PromotionKind, Target, best_discount, discounts_for

OAT = Product("SKU-OAT", "Oat Milk", "Oatly", "dairy", "64 oz", Decimal("4.99"), "USD", 10)
DAY = date(2026, 12, 3)


def promo(pid="p1", kind=PromotionKind.PERCENT, target=Target.PRODUCT, value="SKU-OAT", **kw):
    fields = {"starts": date(2026, 12, 1), "ends": date(2026, 12, 7), "value": Decimal("10")} | kw
    return Promotion(pid, f"{pid} deal", kind, target, value, **fields)


def line(quantity):
    return CartLine(OAT.sku, OAT.name, OAT.price, quantity)


def test_percent_off_rounds_half_up_to_the_cent_once_per_line():
    assert promo(value="SKU-OAT").discount(OAT, 1) == Decimal("0.50")  # 0.499 -> 0.50
    assert promo(value="SKU-OAT").discount(OAT, 3) == Decimal("1.50")  # 1.497 -> 1.50, not 3 x 0.50


def test_amount_off_is_per_unit_and_never_more_than_the_price():
    off = Promotion("a", "a", PromotionKind.AMOUNT, Target.PRODUCT, "SKU-OAT", DAY, DAY, Decimal("1.25"))
    assert off.discount(OAT, 2) == Decimal("2.50")
    huge = Promotion("b", "b", PromotionKind.AMOUNT, Target.PRODUCT, "SKU-OAT", DAY, DAY, Decimal("9"))
    assert huge.discount(OAT, 2) == Decimal("9.98")


def test_amount_off_in_another_currency_takes_nothing_off():
    euros = Promotion("e", "e", PromotionKind.AMOUNT, Target.PRODUCT, "SKU-OAT", DAY, DAY, Decimal("1"), currency="EUR")
    assert euros.discount(OAT, 1) == 0


def test_buy_two_get_one_counts_only_whole_groups():
    bxgy = Promotion("x", "x", PromotionKind.BUY_X_GET_Y, Target.PRODUCT, "SKU-OAT", DAY, DAY, buy=2, free=1)
    assert [bxgy.discount(OAT, n) for n in (1, 2, 3, 5, 6)] == [0, 0, Decimal("4.99"), Decimal("4.99"), Decimal("9.98")]


def test_dates_are_inclusive_at_both_ends():
    p = promo()
    assert p.active_on(date(2026, 12, 1)) and p.active_on(date(2026, 12, 7))
    assert not p.active_on(date(2026, 11, 30)) and not p.active_on(date(2026, 12, 8))
    assert best_discount(line(1), OAT, [p], date(2026, 12, 8)) is None


def test_brand_and_category_targets_ignore_case():
    assert promo(target=Target.BRAND, value="oatly").applies_to(OAT)
    assert promo(target=Target.CATEGORY, value="Dairy").applies_to(OAT)
    assert not promo(target=Target.CATEGORY, value="pantry").applies_to(OAT)


def test_the_single_best_promotion_wins_and_they_never_stack():
    ten = promo("ten", target=Target.BRAND, value="Oatly")
    bxgy = Promotion("bxgy", "3 for 2", PromotionKind.BUY_X_GET_Y, Target.PRODUCT, "SKU-OAT", DAY, DAY, buy=2, free=1)
    assert best_discount(line(2), OAT, [ten, bxgy], DAY).promotion_id == "ten"  # 1.00 beats nothing
    won = best_discount(line(3), OAT, [ten, bxgy], DAY)
    assert (won.promotion_id, won.amount) == ("bxgy", Decimal("4.99"))  # 4.99 beats 1.50; not 6.49


def test_a_tie_goes_to_the_promotion_ending_first():
    late = promo("late", ends=date(2026, 12, 20))
    soon = promo("soon", ends=date(2026, 12, 5))
    assert best_discount(line(1), OAT, [late, soon], DAY).promotion_id == "soon"


def test_discounts_for_lists_only_lines_a_promotion_applies_to():
    other = Product("SKU-X", "Bread", "Baker", "bakery", "", Decimal("3"), "USD", 5)
    found = discounts_for([(line(1), OAT), (CartLine("SKU-X", "Bread", Decimal("3"), 1), other)], [promo()], DAY)
    assert [(d.sku, d.amount) for d in found] == [("SKU-OAT", Decimal("0.50"))]
