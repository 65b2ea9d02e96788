"""Hypothesis throws malformed envelopes, slot values and session attributes at the skill.

Whatever arrives, the skill answers (a spoken response), refuses it as not an Alexa request for this
skill (`RequestRefused`, or a 400 from the web service), and never changes the shop: the customer's
cart and orders and every product's stock are compared before and after.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from alexa_envelopes import SKILL_ID, LambdaContext, envelope, intent_request, launch_request, slot
from alexa_test_pki import CERT_URL, NOW, FakeChainHost, make_chain, sign
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents.language import load_model
from skill.envelope import RequestRefused
from skill.handlers import APOLOGY
from skill.verification import AlexaRequestVerifier, CachingChainFetcher
from tests.conftest import random_ref

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
MODEL = load_model("en-US")
INTENTS = [*sorted(MODEL.intents), "AMAZON.PauseIntent", "NoSuchIntent", "", "AMAZON.YesIntent "]
NASTY = [
    "", " ", "-1", "0", "2.5", "99999999999999999999", "1e309", "NaN", "inf", "½", "٣", "四", "🍌🍌",
    "<speak>", "</speak><audio src='x'/>", "&amp;", "' OR 1=1 --", "\x00", "9" * 3000, "a" * 5000, "none",
    "SKU-PRO-0000", "../../etc/passwd", "%s%s%n", "{code}", "null",
]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
# Characters that can never spell a catalog word, so junk cannot legitimately find and add a product.
JUNK_TEXT = st.text(alphabet=st.characters(exclude_categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Cs")), max_size=30)
SLOT_VALUES = st.sampled_from(NASTY) | JUNK_TEXT
FAKE_IDS = st.none() | st.sampled_from(["", "SKU-NOPE-0001", "x" * 300, "🍌"]) | JUNK_TEXT.map(lambda t: "Z" + t)
PENDING = st.fixed_dictionaries(
    {"kind": st.sampled_from(["add", "checkout", "code", "cancel_order", "choose", "clear_cart", "sign_in", "bogus"])},
    optional={
        "sku": FAKE_IDS,
        "quote_id": FAKE_IDS,
        "order_id": FAKE_IDS,
        "quantity": JSON,
        "intent": st.sampled_from(INTENTS),
        "number": SLOT_VALUES,
    },
)
ATTRIBUTES = st.one_of(
    st.dictionaries(st.text(max_size=10), JSON, max_size=4),
    st.fixed_dictionaries(
        {},
        optional={
            "pending": PENDING | JSON,
            "list": st.fixed_dictionaries({"kind": st.text(max_size=8), "ids": st.lists(FAKE_IDS, max_size=4)}) | JSON,
            "focus": FAKE_IDS | JSON,
            "last": JSON,
        },
    ),
)


def shop_state(shop, customer: str) -> tuple:
    """What no junk request may change: the customer's cart and orders."""
    cart = shop.cart(customer)
    return [(line.sku, line.quantity) for line in cart.lines], [o.order_id for o in shop.orders(customer).orders]


def stock(shop) -> dict[str, int]:
    return {product.sku: product.stock for product in shop.repository.all_products()}


@pytest.fixture
def guard(skill, demo_shop):
    """The fuzz customer, and a check afterwards that the whole catalog's stock is as it was."""
    customer = f"amzn1.ask.account.{random_ref('F')}"
    before = stock(demo_shop)
    yield customer
    assert stock(demo_shop) == before


def answered_or_refused(call) -> dict | None:
    """Run one request: a spoken response or a typed refusal are the only acceptable outcomes."""
    try:
        reply = call()
    except RequestRefused:
        return None
    assert isinstance(reply["response"], dict)
    json.dumps(reply)
    return reply


@st.composite
def slotted_requests(draw: Any) -> dict:
    """An IntentRequest for any intent, its slots filled with junk, resolved or not."""
    name = draw(st.sampled_from(INTENTS))
    declared = MODEL.intents[name].slots if name in MODEL.intents else {"product": "PRODUCT", "zzz": "AMAZON.NUMBER"}
    slots = []
    for slot_name, slot_type in declared.items():
        value = draw(st.none() | SLOT_VALUES)
        resolved = draw(FAKE_IDS)
        slots.append(slot(slot_name, value, (value or "x", resolved) if resolved else None, slot_type=slot_type))
    return intent_request(name, *slots)


@FUZZ
@given(
    request=slotted_requests(), attributes=ATTRIBUTES, person=st.none() | st.sampled_from(["", "amzn1.ask.person.X"])
)
def test_junk_slots_and_attributes_are_answered_and_change_nothing(
    skill, demo_shop, guard, request, attributes, person
):
    before = shop_state(demo_shop, guard)
    sent = envelope(request, guard, attributes=attributes, person=person or None)
    reply = answered_or_refused(lambda: skill.lambda_handler(sent, LambdaContext()))
    assert reply is not None, "a well-formed request for this skill must be answered"
    assert APOLOGY not in json.dumps(reply), "the conversation crashed on this input"
    assert shop_state(demo_shop, guard) == before


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a JSON object, so a mutation can hit any field."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((*prefix, key))
            found += paths(value, (*prefix, key))
    return found


@st.composite
def mangled_envelopes(draw: Any) -> Any:
    """A real envelope with fields deleted or replaced by arbitrary JSON, or not an envelope at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    base = envelope(
        draw(st.sampled_from([launch_request(), intent_request("SearchIntent", slot("product", "milk"))])),
        "amzn1.ask.account.FUZZ",
    )
    mangled = copy.deepcopy(base)
    for path in draw(st.lists(st.sampled_from(paths(base)), min_size=1, max_size=4)):
        parent = mangled
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and path[-1] in parent:
            if draw(st.booleans()):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(JSON)
    return mangled


@FUZZ
@given(event=mangled_envelopes())
def test_mangled_envelopes_are_answered_or_refused(skill, demo_shop, guard, event):
    answered_or_refused(lambda: skill.lambda_handler(copy.deepcopy(event), LambdaContext()))
    answered_or_refused(lambda: skill.handle_envelope(copy.deepcopy(event)))
    assert shop_state(demo_shop, "amzn1.ask.account.FUZZ") == ([], [])


@pytest.fixture(scope="module")
def chain():
    return make_chain()


@pytest.fixture
def web(skill, chain):
    verifier = AlexaRequestVerifier(
        trust_store=chain.trust_store(),
        fetch_chain=CachingChainFetcher(download=FakeChainHost({CERT_URL: chain.pem()})),
        clock=lambda: NOW,
        max_skew=timedelta(seconds=150),
    )
    return skill.create_web_app(verifier, test_config={"TESTING": True}).test_client()


def stamped(event: Any) -> Any:
    """Give a mangled envelope the signing time, so it gets past the replay check when its shape allows."""
    if isinstance(event, dict) and isinstance(event.get("request"), dict):
        event["request"]["timestamp"] = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


@FUZZ
@given(event=mangled_envelopes(), signed=st.booleans())
def test_the_web_service_never_fails_with_a_5xx(web, chain, demo_shop, guard, event, signed):
    body = json.dumps(stamped(event)).encode()
    headers = sign(body, chain) if signed else {}
    response = web.post("/alexa", data=body, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "response" in response.get_json()
    assert shop_state(demo_shop, "amzn1.ask.account.FUZZ") == ([], [])


def test_a_signed_request_for_another_skill_gets_400(web, chain, demo_shop):
    customer = f"amzn1.ask.account.{random_ref('W')}"
    add = intent_request("AddToCartIntent", slot("product", "organic bananas", ("Organic Bananas", "SKU-PRO-0002")))
    sent = stamped(envelope(add, customer, skill_id="amzn1.ask.skill.00000000-1111-4222-8333-444444444444"))
    body = json.dumps(sent).encode()
    response = web.post("/alexa", data=body, headers={**sign(body, chain), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert demo_shop.cart(customer).lines == []


def test_a_signed_request_for_this_skill_is_answered_through_the_web_service(web, chain):
    body = json.dumps(stamped(envelope(launch_request(), f"amzn1.ask.account.{random_ref('W')}"))).encode()
    response = web.post("/alexa", data=body, headers={**sign(body, chain), "Content-Type": "application/json"})
    assert response.status_code == 200
    assert "Welcome" in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert SKILL_ID  # the app answered the configured id
