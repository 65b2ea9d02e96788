"""The Flask endpoint: signed Alexa requests reach the skill, anything else gets a 400 and never does."""

from __future__ import annotations

import io
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


def padded_and_signed(chain, size: int) -> tuple[bytes, dict[str, str]]:
    """A signed LaunchRequest padded with spaces to exactly ``size`` bytes, still valid JSON."""
    body = envelope_body()
    body = body[:-1] + b" " * (size - len(body)) + b"}"
    return body, sign(body, chain)


def post_chunked(client, body: bytes, headers: dict[str, str]):
    """POST with no Content-Length, as a server that has de-chunked the body presents it to the app."""
    environ = {"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
    return client.post("/alexa", headers={**headers, "Content-Type": "application/json"}, environ_overrides=environ)


def test_an_oversized_body_gets_400_before_verification(client, handled):
    body = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
    response = post(client, body, {})
    assert response.status_code == 400
    assert response.get_json() == {"error": "request body too large"}
    assert handled == []


def test_an_oversized_body_without_content_length_gets_400(client, handled):
    response = post_chunked(client, b"{" + b" " * MAX_REQUEST_BYTES + b"}", {})
    assert response.status_code == 400
    assert response.get_json() == {"error": "request body too large"}
    assert handled == []


def test_a_signed_body_one_byte_over_the_limit_is_refused_not_cut_to_the_limit_and_verified(client, chain, handled):
    body, headers = padded_and_signed(chain, MAX_REQUEST_BYTES)
    response = post_chunked(client, body + b" ", headers)
    assert response.status_code == 400
    assert handled == []


@pytest.mark.parametrize("send", [post, post_chunked])
def test_a_signed_body_of_exactly_the_limit_is_accepted(client, chain, handled, send):
    body, headers = padded_and_signed(chain, MAX_REQUEST_BYTES)
    assert send(client, body, headers).status_code == 200
    assert len(handled) == 1


def test_the_health_route_answers_without_verification(client, handled):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert handled == []


def test_only_post_is_routed(client):
    assert client.get("/alexa").status_code == 405
