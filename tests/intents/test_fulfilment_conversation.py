"""Issue 14 items 1-3 through the conversation: order contents, delivery, returns and warranty."""

from decimal import Decimal

import pytest

from catalog.errors import IllegalReturnTransition
from catalog.returns import ReturnStatus
from tests.conftest import add_product
from tests.intents.test_conversation import Talk


@pytest.fixture
def talk(demo_shop, customer):
    return Talk(demo_shop, customer)


def place(talk, product, quantity=1, **checkout_slots):
    talk("AddToCartIntent", product=(product.name, product.sku), quantity=str(quantity))
    talk("CheckOutIntent", **checkout_slots)
    assert "order is placed" in talk("AMAZON.YesIntent")
    return talk.shop.latest_order(talk.customer)


def deliver(shop, order):
    for status in ("preparing", "shipped", "out_for_delivery", "delivered"):
        order = shop.advance(order.order_id, status)
    return order


def order_slots(order):
    digits, word = order.order_number.split()
    return {"order_digits": (digits, digits), "order_word": (word, word)}


# --- 1. order contents and the right order ---------------------------------------------------------
def test_what_was_in_my_last_order_reads_every_line_and_the_total(talk, demo_shop):
    product = add_product(demo_shop, price="3.25", name="Crunchy Granola")
    order = place(talk, product, 2)
    speech = talk("OrderContentsIntent")
    assert "2 Crunchy Granola" in speech and "6 dollars and 50 cents" in speech
    assert " ".join(order.order_number.split()[0]) in speech


def test_an_order_is_read_by_its_spoken_number(talk, demo_shop):
    first = place(talk, add_product(demo_shop, name="Rye Crackers"))
    place(talk, add_product(demo_shop, name="Oat Biscuits"))
    speech = talk("OrderContentsIntent", **order_slots(first))
    assert "Rye Crackers" in speech and "Oat Biscuits" not in speech


def test_status_skips_a_cancelled_order_unless_asked(talk, demo_shop):
    kept = place(talk, add_product(demo_shop))
    dropped = place(talk, add_product(demo_shop))
    demo_shop.cancel(talk.customer, dropped.order_id)
    speech = talk("OrderStatusIntent")
    assert kept.order_number.split()[1] in speech and "cancelled" not in speech
    asked = talk("OrderStatusIntent", order_filter=("cancelled", "cancelled"))
    assert dropped.order_number.split()[1] in asked and "cancelled" in asked


def test_reorder_a_named_order(talk, demo_shop):
    first_product = add_product(demo_shop, name="Named Tea")
    first = place(talk, first_product)
    place(talk, add_product(demo_shop, name="Other Coffee"))
    speech = talk("ReorderIntent", **order_slots(first))
    assert "Named Tea" in speech and "Other Coffee" not in speech and "Shall I place it" in speech
    assert "order is placed" in talk("AMAZON.YesIntent")
    assert demo_shop.latest_order(talk.customer).lines[0].sku == first_product.sku


# --- 2. delivery -----------------------------------------------------------------------------------
def test_without_an_address_checkout_is_for_pickup_and_names_the_place(talk, demo_shop):
    product = add_product(demo_shop, price="2.50")
    talk("AddToCartIntent", product=(product.name, product.sku))
    summary = talk("CheckOutIntent")
    assert "Pickup at Corner Market, 12 Main Street, free" in summary and "2 dollars and 50 cents" in summary
    refused = talk("ChooseDeliveryIntent", delivery=("express", "express"))
    assert "don't have a delivery address" in refused and "pickup" in refused  # express needs an address
    assert "order is placed" not in talk("AMAZON.YesIntent")  # the refusal dropped the question
    assert demo_shop.orders(talk.customer).orders == ()


def test_the_address_set_by_ops_is_read_back_and_kept_on_the_order(talk, demo_shop):
    demo_shop.set_delivery_profile(talk.customer, address="12 Elm Street")
    product = add_product(demo_shop, price="2.50")
    talk("AddToCartIntent", product=(product.name, product.sku))
    summary = talk("CheckOutIntent")
    assert "Standard delivery to 12 Elm Street, 4 dollars and 99 cents" in summary
    assert "7 dollars and 49 cents" in summary
    express = talk("ChooseDeliveryIntent", delivery=("express", "express"))
    assert "Express delivery to 12 Elm Street, 9 dollars and 99 cents" in express and "12 dollars and 49" in express
    placed = talk("AMAZON.YesIntent")
    assert "12 Elm Street" in placed
    order = demo_shop.latest_order(talk.customer)
    assert (order.delivery.option, order.delivery.price, order.delivery.destination) == (
        "express", Decimal("9.99"), "12 Elm Street"
    )  # fmt: skip
    assert order.total == Decimal("12.49")
    demo_shop.set_delivery_profile(talk.customer, address="99 New Road")
    assert demo_shop.order(talk.customer, order.order_id).delivery.destination == "12 Elm Street"  # a snapshot


def test_check_out_with_pickup_by_name_and_a_profile_default(talk, demo_shop):
    demo_shop.set_delivery_profile(talk.customer, address="12 Elm Street", option="express")
    product = add_product(demo_shop)
    talk("AddToCartIntent", product=(product.name, product.sku))
    assert "Express delivery" in talk("CheckOutIntent")
    assert "Pickup at" in talk("CheckOutIntent", delivery=("pickup", "pickup"))


def test_delivery_options_are_told_with_price_date_and_cut_off(talk):
    speech = talk("DeliveryOptionsIntent")
    assert "Standard: 4 dollars and 99 cents" in speech and "order by 2 PM" in speech
    assert "Express: 9 dollars and 99 cents" in speech and "Pickup at Corner Market" in speech
    assert "Express" in talk("DeliveryOptionsIntent", delivery=("express", "express"))
    assert "Standard" in talk("StorePolicyIntent", policy=("delivery", "delivery"))


def test_an_option_the_shop_does_not_offer_is_refused_with_the_ones_it_does(talk):
    speech = talk("ChooseDeliveryIntent", delivery=("drone", None))
    assert "don't offer drone" in speech and "Standard" in speech


# --- 3. returns and warranty -----------------------------------------------------------------------
def test_a_delivered_order_is_returned_after_one_yes_and_restocked_once_on_receipt(talk, demo_shop):
    product = add_product(demo_shop, stock=10, price="24.00", name="Steel Kettle")
    order = deliver(demo_shop, place(talk, product, 2))
    assert demo_shop.product(product.sku).stock == 8
    question = talk("StartReturnIntent")
    assert "2 Steel Kettle" in question and "48 dollars" in question and "Shall I start the return" in question
    started = talk("AMAZON.YesIntent")
    assert "return number is" in started and talk.last.events == ("return_started",)
    record = demo_shop.latest_return(talk.customer)
    assert record.status is ReturnStatus.REQUESTED and record.order_id == order.order_id
    assert " ".join(record.return_number.split()[0]) in started
    assert "requested" in talk("ReturnStatusIntent")
    assert demo_shop.product(product.sku).stock == 8  # nothing back until it is received
    demo_shop.advance_return(record.return_id, "received")
    assert demo_shop.product(product.sku).stock == 10
    with pytest.raises(IllegalReturnTransition):  # a second receipt restocks nothing
        demo_shop.advance_return(record.return_id, "received")
    assert demo_shop.product(product.sku).stock == 10
    demo_shop.advance_return(record.return_id, "refunded")
    assert "refunded" in talk("ReturnStatusIntent")
    assert "already has a return" in talk("StartReturnIntent")


def test_no_keeps_the_order_and_records_no_return(talk, demo_shop):
    deliver(demo_shop, place(talk, add_product(demo_shop)))
    talk("StartReturnIntent")
    assert "no return" in talk("AMAZON.NoIntent")
    assert "don't have any returns" in talk("ReturnStatusIntent")


def test_an_order_on_its_way_cannot_be_returned_and_says_why(talk, demo_shop):
    place(talk, add_product(demo_shop))
    speech = talk("StartReturnIntent")
    assert "can't be returned yet" in speech and "once it's delivered" in speech


def test_out_of_the_window_the_return_is_refused_with_the_reason(talk, demo_shop):
    from datetime import timedelta

    from catalog.model import OrderStatus, utcnow

    order = place(talk, add_product(demo_shop, name="Old Pasta"))
    for status in ("preparing", "shipped", "out_for_delivery"):
        order = demo_shop.advance(order.order_id, status)
    long_ago = utcnow() - timedelta(days=40)  # delivered 40 days ago, as recorded by the order's own history
    with demo_shop._uow() as uow:
        uow.move_order(order, order.advanced_to(OrderStatus.DELIVERED, long_ago), long_ago)
        uow.commit()
    speech = talk("StartReturnIntent")
    assert "can't be returned" in speech and "return window of 30 days has closed" in speech
    assert demo_shop.latest_order(talk.customer).status is OrderStatus.DELIVERED
    assert "don't have any returns" in talk("ReturnStatusIntent")


def test_warranty_per_product_and_per_category(talk):
    speaker = talk("WarrantyIntent", product=("bluetooth speaker", "SKU-ELE-0215"))
    assert "1 year from JBL" in speaker
    assert "manufacturer" in talk("WarrantyIntent", product=("usb-c charging cable", "SKU-ELE-0211"))
    assert "no warranty beyond our 2 day return window" in talk("WarrantyIntent", product=("bananas", "SKU-PRO-0001"))
    assert "1 year from the manufacturer" in talk("WarrantyIntent", category=("electronics", "electronics"))
    assert "warranty" in talk("StorePolicyIntent", policy=("warranty", "warranty"))
    assert "within 30 days" in talk("StorePolicyIntent", policy=("returns", "returns"))
