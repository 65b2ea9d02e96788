"""Which function answers which intent: the one table both channels dispatch through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from intents import (
    account,
    checkout,
    deals,
    delivery,
    handoff,
    orders,
    recommend,
    returns,
    session,
    shopping,
    voice_controls,
)
from intents.request import LAUNCH, IntentRequest, Reply

Handler = Callable[[IntentRequest, Any], Reply]

HANDLERS: dict[str, Handler] = {
    LAUNCH: session.handle_launch,
    "SearchIntent": shopping.handle_search,
    "ProductDetailsIntent": shopping.handle_product_details,
    "AddToCartIntent": shopping.handle_add_to_cart,
    "RemoveFromCartIntent": shopping.handle_remove_from_cart,
    "SetQuantityIntent": shopping.handle_set_quantity,
    "ReviewCartIntent": shopping.handle_review_cart,
    "ClearCartIntent": shopping.handle_clear_cart,
    "RecommendIntent": recommend.handle_recommend,
    "DealsIntent": deals.handle_deals,
    "StorePolicyIntent": shopping.handle_store_policy,
    "StartReturnIntent": returns.handle_start_return,
    "ReturnStatusIntent": returns.handle_return_status,
    "WarrantyIntent": returns.handle_warranty,
    "CheckOutIntent": checkout.handle_check_out,
    "ChooseDeliveryIntent": delivery.handle_choose_delivery,
    "DeliveryOptionsIntent": delivery.handle_delivery_options,
    "ReorderIntent": checkout.handle_reorder,
    "ProvideCodeIntent": checkout.handle_provide_code,
    "SetPurchaseCodeIntent": checkout.handle_set_purchase_code,
    "OrderStatusIntent": orders.handle_order_status,
    "OrderContentsIntent": orders.handle_order_contents,
    "ListOrdersIntent": orders.handle_list_orders,
    "CancelOrderIntent": orders.handle_cancel_order,
    "CustomerNumberIntent": account.handle_customer_number,
    "IdentifyCustomerIntent": account.handle_identify_customer,
    "TalkToPersonIntent": handoff.handle_talk_to_person,
    "AMAZON.YesIntent": session.handle_yes,
    "AMAZON.NoIntent": session.handle_no,
    "AMAZON.HelpIntent": session.handle_help,
    "AMAZON.StopIntent": session.handle_stop,
    "AMAZON.CancelIntent": session.handle_cancel,
    "AMAZON.FallbackIntent": session.handle_fallback,
    "AMAZON.RepeatIntent": session.handle_repeat,
    "AMAZON.NextIntent": session.handle_next,
    "AMAZON.PreviousIntent": session.handle_previous,
    "AMAZON.StartOverIntent": session.handle_start_over,
    "AMAZON.NavigateHomeIntent": session.handle_start_over,
}
HANDLERS.update(voice_controls.HANDLERS)  # the kiosk acts on their events; Alexa users hear where to change it


def register(intent: str, handler: Handler) -> None:
    """Add an intent (channels may add their own, like the kiosk's sign-in)."""
    HANDLERS[intent] = handler
