"""Checks that a web request really comes from Alexa, as Amazon requires of self-hosted skills.

Amazon's rules ("Verify that the request was sent by Alexa"):

1. ``SignatureCertChainUrl`` points into ``https://s3.amazonaws.com/echo.api/`` (port 443 if given),
   judged after resolving ``..``; the normalised URL is also the one fetched and the cache key.
2. The PEM chain found there has a leaf valid now, for ``echo-api.amazon.com``, chaining to a trusted root.
3. ``Signature-256`` is an RSA PKCS#1 v1.5 SHA-256 signature of the raw body by that leaf.
4. ``request.timestamp`` is within 150 seconds of now.

Why pyca/cryptography's ``x509.verification`` rather than hand-written checks: building and validating a
chain means path building, issuer signatures, basic constraints, path lengths, key usage, name
constraints and validity of every certificate, and each of them is a classic place for a home-made
verifier to fail open. pyca's verifier does all of it under the CA/Browser Forum profile, and is tested
against the x509-limbo suite. ``flask-ask-sdk``'s own verifier is out of reach (``oscrypto`` 1.3.0
cannot parse OpenSSL 3.0.10+ version strings). We only add Amazon's specifics: the URL rules, the signed
body and the timestamp, plus explicit leaf checks so that a refusal can say why.

Nothing here imports Flask: ``skill/webservice.py`` is the thin adapter.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
import string
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification as x509_verification

from catalog.errors import VoiceshopError

__all__ = [
    "ALEXA_SAN",
    "MAX_CHAIN_BYTES",
    "AlexaRequestVerifier",
    "CachingChainFetcher",
    "VerificationError",
    "download_chain",
    "load_system_trust_store",
    "normalise_cert_url",
]

ALEXA_SAN = "echo-api.amazon.com"
CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"
SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"
MAX_CHAIN_BYTES = 64 * 1024
SYSTEM_CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class VerificationError(VoiceshopError):
    """Raised when a request cannot be proven to come from Alexa; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        """Keep the reason short and free of request data, so it can go into a 400 body or a log."""
        super().__init__(reason)
        self.reason = reason


def normalise_cert_url(url: str) -> str:
    """Return the one canonical spelling of a chain URL, so that the URL we check, cache and fetch is the same.

    Case of scheme and host, the default port, ``.``/``..`` segments and percent-encoded unreserved
    characters (RFC 3986, 6.2.2) are normalised. The query and fragment are dropped: S3 serves the object
    by its path, and without this every new query string made a new cache key, so any unauthenticated
    caller could make the server fetch from the network again.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise VerificationError("certificate URL malformed") from error
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL scheme not https")
    if (parts.hostname or "").lower() != CERT_URL_HOST or parts.username or parts.password:
        raise VerificationError("certificate URL host not s3.amazonaws.com")
    if port not in (None, 443):
        raise VerificationError("certificate URL port not 443")
    path = _remove_dot_segments(_normalise_percent_encoding(parts.path))
    # Percent-encoded reserved characters ("..%2f") must not smuggle a path out of /echo.api/ either.
    if not (
        path.startswith(CERT_URL_PATH_PREFIX) and _remove_dot_segments(unquote(path)).startswith(CERT_URL_PATH_PREFIX)
    ):
        raise VerificationError("certificate URL path not under /echo.api/")
    return f"https://{CERT_URL_HOST}{path}"


def _normalise_percent_encoding(path: str) -> str:
    """Decode ``%XX`` of unreserved characters and upper-case the others, so one object has one spelling."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _PERCENT_ESCAPE.sub(fix, path)


def _remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` like RFC 3986 does, keeping a trailing slash, so prefixes compare fairly."""
    if not path.startswith("/"):
        return path
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if path.endswith("/") and not resolved.endswith("/"):
        resolved += "/"
    return resolved


def download_chain(url: str, timeout: float) -> bytes:
    """Fetch a PEM chain over HTTPS without following redirects, capped in size and time."""
    try:
        with requests.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
            if response.status_code != 200:
                raise VerificationError("certificate chain not retrievable")
            body = response.raw.read(MAX_CHAIN_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise VerificationError("certificate chain not retrievable") from error
    if len(body) > MAX_CHAIN_BYTES:
        raise VerificationError("certificate chain too large")
    return body


@dataclass
class _Download:
    """One chain download in flight, which racing requests wait on rather than repeat."""

    done: threading.Event = field(default_factory=threading.Event)
    chain: bytes | None = None
    failure: str = "certificate chain not retrievable"


@dataclass
class CachingChainFetcher:
    """Downloads each normalised chain URL at most once, however many requests ask for it at the same time.

    The URL is checked before any network call. Chains are kept (Amazon reuses one URL for weeks), and so
    are failures, for ``failure_ttl`` seconds: the header comes from an unauthenticated request, and a
    failing URL must not cost a download per request. Failures live in their own LRU, so a flood of bad
    URLs cannot push the real chain out. Requests that race for a URL not yet cached wait for the one
    download in flight (at most ``2 * timeout``) instead of starting their own.
    """

    download: Callable[[str, float], bytes] = download_chain
    timeout: float = 5.0
    max_entries: int = 64
    max_failures: int = 256
    failure_ttl: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _chains: OrderedDict[str, bytes] = field(default_factory=OrderedDict, init=False, repr=False)
    _failures: OrderedDict[str, tuple[float, str]] = field(default_factory=OrderedDict, init=False, repr=False)
    _in_flight: dict[str, _Download] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __call__(self, url: str) -> bytes:
        """Return the chain for ``url``, refusing non-Amazon URLs before touching the network."""
        canonical = normalise_cert_url(url)
        with self._lock:
            if canonical in self._chains:
                self._chains.move_to_end(canonical)
                return self._chains[canonical]
            failed = self._failures.get(canonical)
            if failed is not None and self.clock() < failed[0]:
                raise VerificationError(failed[1])
            pending = self._in_flight.get(canonical)
            if pending is None:
                pending = self._in_flight[canonical] = _Download()
                owner = True
            else:
                owner = False
        if not owner:
            return self._wait_for(pending)
        try:
            chain = self.download(canonical, self.timeout)
        except VerificationError as error:
            pending.failure = error.reason
            self._settle(canonical, pending, cache_failure=True)
            raise
        except BaseException:
            # A broken download function is a bug, not a verdict on the URL: fail the waiters, cache nothing.
            self._settle(canonical, pending, cache_failure=False)
            raise
        pending.chain = chain
        self._settle(canonical, pending, cache_failure=False)
        return chain

    def _wait_for(self, pending: _Download) -> bytes:
        """Share the result of the download another request started, within a bounded wait."""
        if not pending.done.wait(2 * self.timeout) or pending.chain is None:
            raise VerificationError(pending.failure)
        return pending.chain

    def _settle(self, canonical: str, download: _Download, *, cache_failure: bool) -> None:
        """Record how a download ended, wake its waiters, and evict the least recently used entries."""
        with self._lock:
            self._in_flight.pop(canonical, None)
            if download.chain is not None:
                self._chains[canonical] = download.chain
                self._failures.pop(canonical, None)
                while len(self._chains) > self.max_entries:
                    self._chains.popitem(last=False)
            elif cache_failure:
                self._failures[canonical] = (self.clock() + self.failure_ttl, download.failure)
                self._failures.move_to_end(canonical)
                while len(self._failures) > self.max_failures:
                    self._failures.popitem(last=False)
        download.done.set()


@cache
def load_system_trust_store() -> x509_verification.Store:
    """Load the roots a browser would trust (certifi if installed, else the OS bundle), once per process."""
    try:
        import certifi

        bundle = Path(certifi.where())
    except ImportError:
        bundle = next((Path(p) for p in SYSTEM_CA_BUNDLES if Path(p).is_file()), Path(SYSTEM_CA_BUNDLES[0]))
    with warnings.catch_warnings():
        # Some OS bundles hold legacy roots that pyca parses with a deprecation warning; they stay usable.
        warnings.simplefilter("ignore")
        roots = x509.load_pem_x509_certificates(bundle.read_bytes())
    return x509_verification.Store(roots)


def _utc_now() -> datetime:
    """Read the wall clock in UTC, the default clock of the verifier."""
    return datetime.now(UTC)


@dataclass
class AlexaRequestVerifier:
    """Verifies one Alexa web request (headers and raw body) and returns its parsed envelope."""

    trust_store: x509_verification.Store = field(default_factory=load_system_trust_store)
    fetch_chain: Callable[[str], bytes] = field(default_factory=CachingChainFetcher)
    clock: Callable[[], datetime] = _utc_now
    max_skew: timedelta = timedelta(seconds=150)

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Return the JSON envelope of a request proven to come from Alexa, else raise VerificationError."""
        cert_url = _header(headers, CERT_URL_HEADER)
        signature_b64 = _header(headers, SIGNATURE_HEADER)
        if not cert_url:
            raise VerificationError("missing SignatureCertChainUrl header")
        if not signature_b64:
            raise VerificationError("missing Signature-256 header")
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        leaf = self._verified_leaf(normalise_cert_url(cert_url), now)
        _check_signature(leaf, signature_b64, body)
        envelope = _parse_envelope(body)
        self._check_timestamp(envelope, now)
        return envelope

    def _verified_leaf(self, cert_url: str, now: datetime) -> x509.Certificate:
        """Fetch the chain and return its leaf once pyca has validated it for echo-api.amazon.com."""
        try:
            chain = x509.load_pem_x509_certificates(self.fetch_chain(cert_url))
        except ValueError as error:
            raise VerificationError("certificate chain unreadable") from error
        leaf, intermediates = chain[0], chain[1:]
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise VerificationError("certificate not valid now")
        if ALEXA_SAN not in _dns_names(leaf):
            raise VerificationError("certificate not issued to echo-api.amazon.com")
        verifier = (
            x509_verification.PolicyBuilder()
            .store(self.trust_store)
            .time(now)
            .build_server_verifier(x509_verification.DNSName(ALEXA_SAN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except x509_verification.VerificationError as error:
            raise VerificationError("certificate chain not trusted") from error
        return leaf

    def _check_timestamp(self, envelope: dict, now: datetime) -> None:
        """Refuse replays: the signed timestamp must lie within ``max_skew`` of now, either way."""
        request = envelope.get("request")
        raw = request.get("timestamp") if isinstance(request, dict) else None
        if not isinstance(raw, str):
            raise VerificationError("missing request timestamp")
        try:
            stamp = datetime.fromisoformat(raw)
        except ValueError as error:
            raise VerificationError("malformed request timestamp") from error
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        if abs(now - stamp) > self.max_skew:
            raise VerificationError("request timestamp too far from now")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Look a header up case-insensitively, since plain dicts and WSGI environs differ in case."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value.strip() if isinstance(value, str) else None


def _dns_names(cert: x509.Certificate) -> list[str]:
    """Return the SAN DNS names, lower-cased, or none when the extension is absent."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in san.get_values_for_type(x509.DNSName)]


def _check_signature(leaf: x509.Certificate, signature_b64: str, body: bytes) -> None:
    """Check the SHA-256 RSA signature over the raw body bytes, before anything trusts their content."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise VerificationError("signature not base64") from error
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("certificate key not RSA")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise VerificationError("signature does not match body") from error


def _parse_envelope(body: bytes) -> dict:
    """Parse the signed body as a JSON object, the only shape Alexa sends."""
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise VerificationError("body not JSON") from error
    if not isinstance(envelope, dict):
        raise VerificationError("body not a JSON object")
    return envelope
