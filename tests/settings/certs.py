"""Certificates the tests make themselves: self-signed, expired, chained, and mismatched keys."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Pem:
    certificate: str
    private_key: str
    not_after: datetime


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
    days: int = 30,
    expired: bool = False,
    ca: bool = False,
) -> x509.Certificate:
    now = datetime.now(UTC).replace(microsecond=0)
    not_before = now - timedelta(days=60 if expired else 1)
    not_after = now - timedelta(days=1) if expired else now + timedelta(days=days)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def self_signed(subject: str = "localhost", *, expired: bool = False, days: int = 30) -> Pem:
    key = _key()
    cert = _cert(subject, key, expired=expired, days=days)
    return Pem(_pem(cert), _key_pem(key), cert.not_valid_after_utc)


def chained(subject: str = "localhost") -> tuple[Pem, str]:
    """A leaf signed by a test CA: (leaf + CA chain with the leaf's key, the CA's PEM)."""
    ca_key = _key()
    ca = _cert("Tenantry Test CA", ca_key, ca=True, days=365)
    key = _key()
    leaf = _cert(subject, key, issuer=("Tenantry Test CA", ca_key))
    return Pem(_pem(leaf) + _pem(ca), _key_pem(key), leaf.not_valid_after_utc), _pem(ca)


def other_key() -> str:
    return _key_pem(_key())
