"""Alexa request verification: what Amazon requires a self-hosted skill to accept, and what to refuse."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alexa_test_pki import CERT_URL, NOW, FakeChainHost, SigningChain, envelope_body, make_chain, sign
from hypothesis import given
from hypothesis import strategies as st

from skill.verification import (
    MAX_CHAIN_BYTES,
    AlexaRequestVerifier,
    CachingChainFetcher,
    VerificationError,
    download_chain,
    normalise_cert_url,
)

VALID_CERT_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
]


@pytest.fixture(scope="module")
def chain() -> SigningChain:
    return make_chain()


def verifier_for(chain: SigningChain, served: SigningChain | None = None, **kwargs) -> AlexaRequestVerifier:
    """A verifier trusting ``chain``'s root, fetching ``served`` (default: ``chain``) at CERT_URL."""
    host = FakeChainHost({CERT_URL: (served or chain).pem()})
    return AlexaRequestVerifier(
        trust_store=chain.trust_store(),
        fetch_chain=CachingChainFetcher(download=host),
        clock=lambda: NOW,
        **kwargs,
    )


def refusal(verifier: AlexaRequestVerifier, headers: dict[str, str], body: bytes) -> str:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body)
    return caught.value.reason


# --- what is accepted ---


def test_a_request_signed_by_a_trusted_chain_verifies_and_returns_its_envelope(chain):
    body = envelope_body()
    envelope = verifier_for(chain).verify(sign(body, chain), body)
    assert envelope["request"]["type"] == "LaunchRequest"


def test_header_names_are_matched_case_insensitively(chain):
    body = envelope_body()
    headers = {name.lower(): value for name, value in sign(body, chain).items()}
    assert verifier_for(chain).verify(headers, body)["version"] == "1.0"


@pytest.mark.parametrize("skew", [timedelta(seconds=-150), timedelta(seconds=150)])
def test_timestamps_up_to_150_seconds_away_are_accepted(chain, skew):
    body = envelope_body(NOW + skew)
    assert verifier_for(chain).verify(sign(body, chain), body)


@pytest.mark.parametrize("url", VALID_CERT_URLS)
def test_amazon_s_examples_of_valid_cert_urls_are_accepted(url):
    assert normalise_cert_url(url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@given(
    st.lists(st.sampled_from(["echo.api", "..", ".", "", "%2e%2e", "EcHo.aPi", "x", "%2f"]), max_size=6),
    st.sampled_from(["https://s3.amazonaws.com", "https://S3.amazonaws.com:443", "https://evil.example"]),
)
def test_any_url_that_passes_normalises_into_amazon_s_echo_api_folder(segments, origin):
    try:
        canonical = normalise_cert_url(origin + "/" + "/".join(segments))
    except VerificationError:
        return
    assert canonical.startswith("https://s3.amazonaws.com/echo.api/")
    assert "/../" not in canonical and "/./" not in canonical


# --- headers and signature ---


def test_a_request_without_signature_header_is_refused(chain):
    body = envelope_body()
    headers = sign(body, chain)
    del headers["Signature-256"]
    assert refusal(verifier_for(chain), headers, body) == "missing Signature-256 header"


def test_a_request_without_cert_url_header_is_refused(chain):
    body = envelope_body()
    headers = sign(body, chain)
    del headers["SignatureCertChainUrl"]
    assert refusal(verifier_for(chain), headers, body) == "missing SignatureCertChainUrl header"


def test_a_signature_made_over_other_bytes_is_refused(chain):
    body = envelope_body()
    headers = sign(envelope_body(requestId="another"), chain)
    assert refusal(verifier_for(chain), headers, body) == "signature does not match body"


def test_a_signature_that_is_not_base64_is_refused(chain):
    body = envelope_body()
    headers = {**sign(body, chain), "Signature-256": "not base64!"}
    assert refusal(verifier_for(chain), headers, body) == "signature not base64"


def test_a_body_altered_after_signing_is_refused(chain):
    body = envelope_body()
    headers = sign(body, chain)
    altered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert refusal(verifier_for(chain), headers, altered) == "signature does not match body"


def test_reformatting_the_json_breaks_the_signature_because_raw_bytes_are_signed(chain):
    body = envelope_body()
    headers = sign(body, chain)
    assert refusal(verifier_for(chain), headers, body + b" ") == "signature does not match body"


# --- the certificate chain URL ---


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "certificate URL scheme not https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "certificate URL host not s3.amazonaws.com"),
        ("https://s3.amazonaws.com.evil.example/echo.api/x.pem", "certificate URL host not s3.amazonaws.com"),
        ("https://evil@s3.amazonaws.com/echo.api/x.pem", "certificate URL host not s3.amazonaws.com"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "certificate URL path not under /echo.api/"),
        (
            "https://s3.amazonaws.com/invalid.api/echo-api-cert.pem",
            "certificate URL path not under /echo.api/",
        ),
        (
            "https://s3.amazonaws.com/echo.api/../x/echo-api-cert.pem",
            "certificate URL path not under /echo.api/",
        ),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/x/cert.pem", "certificate URL path not under /echo.api/"),
        ("https://s3.amazonaws.com/echo.api", "certificate URL path not under /echo.api/"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "certificate URL port not 443"),
        ("https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem", "certificate URL malformed"),
    ],
)
def test_cert_urls_outside_amazon_s_echo_api_bucket_are_refused(chain, url, reason):
    body = envelope_body()
    assert refusal(verifier_for(chain), sign(body, chain, cert_url=url), body) == reason


# --- the certificate chain itself ---


def test_an_expired_leaf_certificate_is_refused(chain):
    expired = make_chain(not_before=NOW - timedelta(days=60), not_after=NOW - timedelta(seconds=1))
    body = envelope_body()
    assert refusal(verifier_for(chain, served=expired), sign(body, expired), body) == "certificate not valid now"


def test_a_leaf_certificate_not_yet_valid_is_refused(chain):
    future = make_chain(not_before=NOW + timedelta(seconds=1), not_after=NOW + timedelta(days=60))
    body = envelope_body()
    assert refusal(verifier_for(chain, served=future), sign(body, future), body) == "certificate not valid now"


def test_a_leaf_certificate_for_another_name_is_refused(chain):
    other = make_chain(san="echo-api.amazon.com.evil.example")
    body = envelope_body()
    reason = refusal(verifier_for(chain, served=other), sign(body, other), body)
    assert reason == "certificate not issued to echo-api.amazon.com"


def test_a_chain_from_an_untrusted_ca_is_refused(chain):
    impostor = make_chain(ca="Impostor Root CA")
    body = envelope_body()
    reason = refusal(verifier_for(chain, served=impostor), sign(body, impostor), body)
    assert reason == "certificate chain not trusted"


def test_a_leaf_served_without_its_intermediate_is_refused(chain):
    from cryptography.hazmat.primitives.serialization import Encoding

    body = envelope_body()
    verifier = verifier_for(chain)
    verifier.fetch_chain = FakeChainHost({CERT_URL: chain.leaf.public_bytes(Encoding.PEM)})
    assert refusal(verifier, sign(body, chain), body) == "certificate chain not trusted"


def test_a_url_serving_no_certificate_is_refused(chain):
    body = envelope_body()
    verifier = verifier_for(chain)
    verifier.fetch_chain = FakeChainHost({CERT_URL: b"<html>not found</html>"})
    assert refusal(verifier, sign(body, chain), body) == "certificate chain unreadable"


# --- the body and its timestamp ---


@pytest.mark.parametrize("skew", [timedelta(seconds=-151), timedelta(seconds=151), timedelta(hours=-2)])
def test_a_timestamp_more_than_150_seconds_away_is_refused_either_way(chain, skew):
    body = envelope_body(NOW + skew)
    assert refusal(verifier_for(chain), sign(body, chain), body) == "request timestamp too far from now"


def test_a_signed_body_that_is_not_json_is_refused(chain):
    body = b'{"version": "1.0", "request": '
    assert refusal(verifier_for(chain), sign(body, chain), body) == "body not JSON"


def test_a_signed_json_body_that_is_not_an_object_is_refused(chain):
    body = b"[1, 2, 3]"
    assert refusal(verifier_for(chain), sign(body, chain), body) == "body not a JSON object"


def test_a_signed_body_without_timestamp_is_refused(chain):
    body = envelope_body(timestamp=None)
    assert refusal(verifier_for(chain), sign(body, chain), body) == "missing request timestamp"


def test_a_signed_body_with_an_unparseable_timestamp_is_refused(chain):
    body = envelope_body(timestamp="yesterday")
    assert refusal(verifier_for(chain), sign(body, chain), body) == "malformed request timestamp"


# --- fetching the chain ---


def test_the_fetcher_downloads_a_chain_once_and_then_serves_it_from_its_cache(chain):
    host = FakeChainHost({CERT_URL: chain.pem()})
    fetch = CachingChainFetcher(download=host)
    assert fetch(CERT_URL) == fetch(CERT_URL) == chain.pem()
    assert host.fetched == [CERT_URL]


def test_the_fetcher_caches_by_normalised_url(chain):
    host = FakeChainHost({CERT_URL: chain.pem()})
    fetch = CachingChainFetcher(download=host)
    fetch(CERT_URL)
    fetch(CERT_URL.replace("/echo.api/", "/echo.api/../echo.api/").replace("https://s3", "https://S3"))
    assert host.fetched == [CERT_URL]


def test_a_verifier_fetches_the_chain_once_for_many_requests(chain):
    host = FakeChainHost({CERT_URL: chain.pem()})
    verifier = AlexaRequestVerifier(
        trust_store=chain.trust_store(), fetch_chain=CachingChainFetcher(download=host), clock=lambda: NOW
    )
    for request_id in ("first", "second"):
        body = envelope_body(requestId=request_id)
        verifier.verify(sign(body, chain), body)
    assert host.fetched == [CERT_URL]


def test_the_fetcher_passes_its_timeout_to_the_download(chain):
    seen: list[float] = []

    def download(url: str, timeout: float) -> bytes:
        seen.append(timeout)
        return chain.pem()

    CachingChainFetcher(download=download, timeout=2.5)(CERT_URL)
    assert seen == [2.5]


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://evil.example/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../evil/cert.pem",
        "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
    ],
)
def test_the_default_fetcher_refuses_bad_urls_before_any_network_call(monkeypatch, url):
    def no_network(*args, **kwargs):
        raise AssertionError("the fetcher touched the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(VerificationError):
        CachingChainFetcher()(url)


def test_the_default_verifier_trusts_the_system_roots_and_refuses_before_fetching(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the verifier touched the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    body = envelope_body()
    headers = {"SignatureCertChainUrl": "https://evil.example/echo.api/x.pem", "Signature-256": "AAAA"}
    with pytest.raises(VerificationError, match="host"):
        AlexaRequestVerifier().verify(headers, body)


# --- the default download, against a server on the loopback interface ---


class _ChainServer(BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/chain.pem": (200, {}, b"-----BEGIN CERTIFICATE-----"),
            "/missing.pem": (404, {}, b"no such key"),
            "/moved.pem": (302, {"Location": "/chain.pem"}, b""),
            "/huge.pem": (200, {}, b"x" * (MAX_CHAIN_BYTES + 1)),
        }
        status, headers, body = routes[self.path]
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChainServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _bypass_proxies_for_loopback(monkeypatch):
    """A CI proxy must never see these requests: they are for 127.0.0.1 only."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


def test_download_returns_the_served_bytes(loopback):
    assert download_chain(f"{loopback}/chain.pem", timeout=5) == b"-----BEGIN CERTIFICATE-----"


@pytest.mark.parametrize("path", ["/missing.pem", "/moved.pem"])
def test_download_refuses_errors_and_does_not_follow_redirects(loopback, path):
    with pytest.raises(VerificationError, match="not retrievable"):
        download_chain(f"{loopback}{path}", timeout=5)


def test_download_refuses_an_oversized_chain(loopback):
    with pytest.raises(VerificationError, match="too large"):
        download_chain(f"{loopback}/huge.pem", timeout=5)


def test_download_turns_a_refused_connection_into_a_verification_error():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(VerificationError, match="not retrievable"):
        download_chain(f"http://127.0.0.1:{port}/chain.pem", timeout=2)
