"""Alexa's order-status notification from order events: the documented payload, and the two requests sent."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.events import order_moved, order_placed
from catalog.model import OrderStatus, utcnow
from skill.proactive import EVENT_NAME, ProactiveConfig, ProactiveSender, order_status_payload
from tests.conftest import add_product

USER = "amzn1.ask.account.TESTUSER"


def _order(shop, customer):
    shop.add_to_cart(customer, add_product(shop).sku, 1)
    return shop.place(shop.quote(customer).quote_id, confirmed=True)


def test_a_shipped_order_is_an_order_status_updated_event_in_the_documented_shape(empty_shop):
    order = _order(empty_shop, USER)
    preparing = order.advanced_to(OrderStatus.PREPARING, utcnow())
    shipped = preparing.advanced_to(OrderStatus.SHIPPED, utcnow())
    event = order_moved(preparing, shipped, utcnow()).as_dict()
    payload = order_status_payload(event)
    envelope = {"timestamp", "referenceId", "expiryTime", "event", "localizedAttributes", "relevantAudience"}
    assert set(payload) == envelope
    assert payload["referenceId"] == event["id"]
    assert payload["event"]["name"] == EVENT_NAME
    state = payload["event"]["payload"]["state"]
    assert state["status"] == "ORDER_SHIPPED"
    assert state["deliveryDetails"]["expectedArrival"].startswith(order.expected_delivery.isoformat())
    assert payload["event"]["payload"]["order"]["seller"]["name"] == "localizedattribute:sellerName"
    assert payload["localizedAttributes"] == [{"locale": "en-US", "sellerName": "Corner Market"}]
    assert payload["relevantAudience"] == {"type": "Unicast", "payload": {"user": USER}}
    stamp = "%Y-%m-%dT%H:%M:%S.%f%z"
    expiry = datetime.strptime(payload["expiryTime"].replace("Z", "+0000"), stamp)
    sent = datetime.strptime(payload["timestamp"].replace("Z", "+0000"), stamp)
    assert 5 * 60 <= (expiry - sent).total_seconds() <= 24 * 3600


def test_a_placed_order_is_order_received_without_an_arrival(empty_shop):
    payload = order_status_payload(order_placed(_order(empty_shop, USER)).as_dict())
    assert payload["event"]["payload"]["state"] == {"status": "ORDER_RECEIVED"}


def test_cancellations_and_customers_alexa_cannot_address_get_no_notification(empty_shop, customer):
    order = _order(empty_shop, USER)
    cancelled = order.advanced_to(OrderStatus.CANCELLED, utcnow())
    assert order_status_payload(order_moved(order, cancelled, utcnow()).as_dict()) is None
    kiosk_order = _order(empty_shop, customer)
    assert order_status_payload(order_placed(kiosk_order).as_dict()) is None


@pytest.fixture
def amazon():
    """Stand-ins for Login with Amazon and the Proactive Events API, on 127.0.0.1."""
    seen: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, dict(self.headers.items()), body))
            if self.path == "/auth/o2/token":
                answer, status = json.dumps({"access_token": "Atc|token", "token_type": "bearer"}).encode(), 200
            else:
                answer, status = b"", 202
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_sending_gets_a_token_for_the_skill_then_posts_to_the_development_stage(empty_shop, amazon):
    base, seen = amazon
    config = ProactiveConfig("amzn1.application-oa2-client.ID", "SECRET", lwa_url=f"{base}/auth/o2/token", api_url=base)
    sender = ProactiveSender(config)
    payload = order_status_payload(order_placed(_order(empty_shop, USER)).as_dict())
    assert sender.send(payload) == 202
    assert sender.send(payload) == 202  # the token is reused
    paths = [path for path, _, _ in seen]
    assert paths == ["/auth/o2/token", *["/v1/proactiveEvents/stages/development"] * 2]
    form = urllib.parse.parse_qs(seen[0][2].decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["amzn1.application-oa2-client.ID"],
        "client_secret": ["SECRET"],
        "scope": ["alexa::proactive_events"],
    }
    assert seen[1][1]["Authorization"] == "Bearer Atc|token"
    assert json.loads(seen[1][2]) == payload


def test_the_credentials_come_from_the_environment_and_are_required():
    with pytest.raises(ValueError):
        ProactiveConfig.from_env({})
    live = ProactiveConfig.from_env(
        {"VOICESHOP_ALEXA_CLIENT_ID": "id", "VOICESHOP_ALEXA_CLIENT_SECRET": "s", "VOICESHOP_ALEXA_EVENTS_LIVE": "1"}
    )
    assert live.events_url == "https://api.amazonalexa.com/v1/proactiveEvents"
