"""A local stand-in for Amazon's signing PKI: root CA -> intermediate -> echo-api leaf, and a request signer.

Everything is generated in memory with pyca/cryptography, so the verifier runs its real checks on a chain
it has never seen, with no network. Keys are made once per process because RSA generation is slow.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import Store

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


@cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """Return a 2048-bit key per role name, generated once (the CA/B profile refuses smaller keys)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    path_length: int | None,
) -> x509.Certificate:
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3650))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def _leaf_cert(
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    san: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(san))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class SigningChain:
    """A root, an intermediate and a leaf with its key: what Amazon holds, made locally."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    def pem(self) -> bytes:
        """Serve leaf first, then the intermediate, the order Amazon's echo-api PEM files use."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.leaf, self.intermediate))

    def trust_store(self) -> Store:
        """Trust only this chain's root, as a verifier under test should."""
        return Store([self.root])


def make_chain(
    *,
    ca: str = "Voiceshop Test Root CA",
    san: str = "echo-api.amazon.com",
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=30),
) -> SigningChain:
    """Build root -> intermediate -> leaf; pass another ``ca`` for a chain from an unrelated authority."""
    root_key, intermediate_key, leaf_key = (
        rsa_key(f"{ca}/root"),
        rsa_key(f"{ca}/intermediate"),
        rsa_key("leaf"),
    )
    intermediate_name = f"{ca} Intermediate"
    root = _ca_cert(ca, root_key, ca, root_key, path_length=None)
    intermediate = _ca_cert(intermediate_name, intermediate_key, ca, root_key, path_length=0)
    leaf = _leaf_cert(leaf_key, intermediate_name, intermediate_key, san, not_before, not_after)
    return SigningChain(root=root, intermediate=intermediate, leaf=leaf, leaf_key=leaf_key)


def envelope_body(timestamp: datetime | str | None = NOW, **request: object) -> bytes:
    """Return raw JSON bytes shaped like an Alexa LaunchRequest, with the given timestamp."""
    fields: dict[str, object] = {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.test"}
    if timestamp is not None:
        fields["timestamp"] = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(timestamp, datetime) else timestamp
    fields.update(request)
    return json.dumps({"version": "1.0", "request": fields}).encode()


def sign(body: bytes, chain: SigningChain, cert_url: str = CERT_URL) -> dict[str, str]:
    """Return the two headers Alexa sends: the chain URL and a base64 SHA-256 RSA signature of ``body``."""
    signature = chain.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return {"SignatureCertChainUrl": cert_url, "Signature-256": base64.b64encode(signature).decode()}


@dataclass
class FakeChainHost:
    """Serves PEM chains from a dict by URL and counts fetches: the injected fetcher, not a mock."""

    chains: dict[str, bytes]
    fetched: list[str] = field(default_factory=list)

    def __call__(self, url: str, timeout: float = 5.0) -> bytes:
        """Return the chain stored under ``url``; an unknown URL is a test bug, so fail loudly."""
        self.fetched.append(url)
        return self.chains[url]
