"""Alexa request verification: what Amazon requires a self-hosted skill to accept, and what to refuse."""

from __future__ import annotations

import socket
import threading
import time
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


SPELLINGS_OF_CERT_URL = [
    CERT_URL + "?x=1",
    CERT_URL + "?versionId=abc&n=2",
    CERT_URL + "#fragment",
    CERT_URL.replace("/echo.api/", "/echo.api/../echo.api/"),
    CERT_URL.replace("/echo.api/", "/echo.api/./"),
    CERT_URL.replace("/echo.api/", "/x/../echo.api/"),
    CERT_URL.replace("https://s3.amazonaws.com", "HTTPS://S3.AmazonAWS.com"),
    CERT_URL.replace("s3.amazonaws.com", "s3.amazonaws.com:443"),
    CERT_URL.replace("echo-api-cert", "%65cho-api-%63ert"),
    CERT_URL.replace("/echo.api/", "/echo.api/%2e%2E/echo.api/"),
    "  " + CERT_URL + "?again ",
]


@pytest.mark.parametrize("url", SPELLINGS_OF_CERT_URL)
def test_every_spelling_of_a_cert_url_normalises_to_one_url(url):
    assert normalise_cert_url(url) == CERT_URL


@pytest.mark.parametrize("url", SPELLINGS_OF_CERT_URL)
def test_normalising_twice_changes_nothing(url):
    assert normalise_cert_url(normalise_cert_url(url)) == normalise_cert_url(url)


def test_percent_escapes_of_reserved_characters_stay_escaped_in_upper_case():
    assert normalise_cert_url("https://s3.amazonaws.com/echo.api/a%2fb%3a.pem").endswith("/echo.api/a%2Fb%3A.pem")


def test_new_query_strings_on_one_cert_url_cost_one_download(chain):
    host = FakeChainHost({CERT_URL: chain.pem()})
    fetch = CachingChainFetcher(download=host)
    for n in range(50):
        assert fetch(f"{CERT_URL}?n={n}") == chain.pem()
    assert host.fetched == [CERT_URL]


def test_every_spelling_of_one_cert_url_costs_one_download(chain):
    host = FakeChainHost({CERT_URL: chain.pem()})
    fetch = CachingChainFetcher(download=host)
    for url in SPELLINGS_OF_CERT_URL:
        fetch(url)
    assert host.fetched == [CERT_URL]


class GatedHost:
    """A chain host whose downloads wait for ``release``, so that requests can pile up behind the first."""

    def __init__(self, pem: bytes | None) -> None:
        self.pem, self.fetched, self.release, self.lock = pem, [], threading.Event(), threading.Lock()

    def __call__(self, url: str, timeout: float = 5.0) -> bytes:
        with self.lock:
            self.fetched.append(url)
        assert self.release.wait(10), "the test never released the download"
        if self.pem is None:
            raise VerificationError("certificate chain not retrievable")
        return self.pem


def race(fetch: CachingChainFetcher, urls: list[str], host: GatedHost) -> list[bytes | str]:
    """Start one thread per URL at once, let the downloads finish, and return each chain or refusal."""
    results: list[bytes | str] = [b""] * len(urls)
    start = threading.Barrier(len(urls), timeout=10)

    def ask(i: int) -> None:
        start.wait()
        try:
            results[i] = fetch(urls[i])
        except VerificationError as error:
            results[i] = error.reason

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # every thread has asked while the first download is still held
    host.release.set()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_racing_requests_for_one_normalised_url_share_one_download(chain):
    host = GatedHost(chain.pem())
    urls = [f"{CERT_URL}?n={n}" for n in range(8)] + SPELLINGS_OF_CERT_URL
    results = race(CachingChainFetcher(download=host), urls, host)
    assert results == [chain.pem()] * len(urls)
    assert host.fetched == [CERT_URL]


def test_racing_requests_for_a_failing_url_share_one_download_and_all_are_refused():
    host = GatedHost(None)
    results = race(CachingChainFetcher(download=host), [f"{CERT_URL}?n={n}" for n in range(8)], host)
    assert results == ["certificate chain not retrievable"] * 8
    assert host.fetched == [CERT_URL]


class FailingHost:
    def __init__(self) -> None:
        self.fetched: list[str] = []

    def __call__(self, url: str, timeout: float = 5.0) -> bytes:
        self.fetched.append(url)
        raise VerificationError("certificate chain not retrievable")


def test_a_failing_url_is_not_downloaded_again_until_its_failure_expires():
    host, now = FailingHost(), [0.0]
    fetch = CachingChainFetcher(download=host, failure_ttl=60, clock=lambda: now[0])
    for n in range(20):
        with pytest.raises(VerificationError, match="not retrievable"):
            fetch(f"{CERT_URL}?n={n}")
    assert host.fetched == [CERT_URL]
    now[0] = 61.0
    with pytest.raises(VerificationError):
        fetch(CERT_URL)
    assert host.fetched == [CERT_URL, CERT_URL]


def test_a_flood_of_failing_urls_does_not_push_the_real_chain_out_of_the_cache(chain):
    good = FakeChainHost({CERT_URL: chain.pem()})

    def download(url: str, timeout: float) -> bytes:
        if url == CERT_URL:
            return good(url, timeout)
        raise VerificationError("certificate chain not retrievable")

    fetch = CachingChainFetcher(download=download, max_entries=4, max_failures=8)
    fetch(CERT_URL)
    for n in range(100):
        with pytest.raises(VerificationError):
            fetch(f"https://s3.amazonaws.com/echo.api/missing-{n}.pem")
    assert fetch(CERT_URL) == chain.pem()
    assert good.fetched == [CERT_URL]


def test_a_download_that_breaks_is_not_remembered_as_a_refusal(chain):
    calls: list[str] = []

    def flaky(url: str, timeout: float) -> bytes:
        calls.append(url)
        if len(calls) == 1:
            raise RuntimeError("bug in the download function")
        return chain.pem()

    fetch = CachingChainFetcher(download=flaky)
    with pytest.raises(RuntimeError):
        fetch(CERT_URL)
    assert fetch(CERT_URL) == chain.pem()


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
