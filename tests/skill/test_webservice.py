"""The Flask endpoint: signed Alexa requests reach the skill, anything else gets a 400 and never does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alexa_test_pki import CERT_URL, NOW, FakeChainHost, SigningChain, envelope_body, make_chain, sign

from skill.verification import AlexaRequestVerifier, CachingChainFetcher
from skill.webservice import MAX_REQUEST_BYTES, create_app

IMPOSTOR_URL = "https://s3.amazonaws.com/echo.api/impostor.pem"
REPLY = {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "Welcome to the shop"}}}


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return make_chain()


@pytest.fixture(scope="module")
def impostor() -> SigningChain:
    return make_chain(ca="Impostor Root CA")


@pytest.fixture
def handled() -> list[dict]:
    return []


@pytest.fixture
def client(chain, impostor, handled):
    def handle_envelope(envelope: dict) -> dict:
        handled.append(envelope)
        return REPLY

    verifier = AlexaRequestVerifier(
        trust_store=chain.trust_store(),
        fetch_chain=CachingChainFetcher(download=FakeChainHost({CERT_URL: chain.pem(), IMPOSTOR_URL: impostor.pem()})),
        clock=lambda: NOW,
    )
    return create_app(handle_envelope, verifier, test_config={"TESTING": True}).test_client()


def post(client, body: bytes, headers: dict[str, str]):
    return client.post("/alexa", data=body, headers={**headers, "Content-Type": "application/json"})


def test_a_signed_request_reaches_the_skill_and_its_reply_is_returned(client, chain, handled):
    body = envelope_body()
    response = post(client, body, sign(body, chain))
    assert response.status_code == 200
    assert response.get_json() == REPLY
    assert [e["request"]["type"] for e in handled] == ["LaunchRequest"]


def test_an_unsigned_request_gets_400_and_the_skill_is_not_called(client, handled):
    response = post(client, envelope_body(), {})
    assert response.status_code == 400
    assert handled == []


def test_a_tampered_body_gets_400_and_the_skill_is_not_called(client, chain, handled):
    body = envelope_body()
    response = post(client, body.replace(b"LaunchRequest", b"IntentRequest"), sign(body, chain))
    assert response.status_code == 400
    assert handled == []


def test_a_stale_request_gets_400_and_the_skill_is_not_called(client, chain, handled):
    body = envelope_body(NOW - timedelta(minutes=10))
    assert post(client, body, sign(body, chain)).status_code == 400
    assert handled == []


def test_a_request_signed_under_an_untrusted_ca_gets_400(client, impostor, handled, caplog):
    body = envelope_body()
    assert post(client, body, sign(body, impostor, cert_url=IMPOSTOR_URL)).status_code == 400
    assert "certificate chain not trusted" in caplog.text
    assert handled == []


def test_a_foreign_cert_url_gets_400(client, chain, handled):
    body = envelope_body()
    headers = sign(body, chain, cert_url="https://evil.example/echo.api/echo-api-cert.pem")
    assert post(client, body, headers).status_code == 400
    assert handled == []


def test_the_400_body_does_not_say_which_check_failed(client):
    response = post(client, envelope_body(), {})
    assert response.get_json() == {"error": "request verification failed"}


def test_an_oversized_body_is_refused_before_verification(client, handled):
    body = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
    assert post(client, body, {}).status_code == 413
    assert handled == []


def test_only_post_is_routed(client):
    assert client.get("/alexa").status_code == 405
