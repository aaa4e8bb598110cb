"""The IdP's signing certificates: parsed and checked with cryptography before they are stored."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from domain.errors import ValidationFailed
from domain.validation import PEM_LINE_BREAKS, plain_text

FIELD = "idpCertificate"
MAX_CERTIFICATES = 3
MIN_RSA_BITS = 2048
# Certificates are a few KiB; this only keeps absurd input away from the parser.
MAX_TEXT = 64 * 1024
_PEM = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*(?P<body>[A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)


def normal_certificates(text: str) -> str:
    """The IdP's signing certificate, re-encoded as PEM; during a rollover, its current and
    next ones (up to MAX_CERTIFICATES, one after the other), any of which may sign. IdPs often
    hand out the bare base64 body (as in their metadata's X509Certificate): that is accepted
    for a single certificate."""
    if len(text) > MAX_TEXT:
        raise ValidationFailed("Paste the certificate the IdP signs with (PEM).", FIELD)
    cleaned = plain_text(text, FIELD, allow=PEM_LINE_BREAKS).strip()
    if not cleaned:
        raise ValidationFailed("Paste the certificate the IdP signs with (PEM).", FIELD)
    bodies = _PEM.findall(cleaned) if "-----BEGIN" in cleaned else [cleaned]
    if not 1 <= len(bodies) <= MAX_CERTIFICATES:
        raise ValidationFailed(
            f"Give one PEM certificate, or up to {MAX_CERTIFICATES} while the IdP rolls its "
            "key over.",
            FIELD,
        )
    pems = [_normal(body) for body in bodies]
    if len(set(pems)) != len(pems):
        raise ValidationFailed("The same certificate is given twice.", FIELD)
    return "".join(pems)


def certificates_in(stored: str) -> list[str]:
    """The PEM certificates a stored value holds, in order."""
    return [f"-----BEGIN CERTIFICATE-----\n{body.strip()}\n-----END CERTIFICATE-----\n"
            for body in _PEM.findall(stored)]  # fmt: skip


def _normal(body: str) -> str:
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        raise ValidationFailed("This is not a readable X.509 certificate.", FIELD) from None
    _check(certificate)
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _check(certificate: x509.Certificate) -> None:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValidationFailed(f"The RSA key must have at least {MIN_RSA_BITS} bits.", FIELD)
    elif not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValidationFailed("The certificate's key must be RSA or EC.", FIELD)
    if certificate.not_valid_after_utc <= datetime.now(UTC):
        raise ValidationFailed("The certificate has expired.", FIELD)


def fingerprints(stored: str) -> str:
    """SHA-256 fingerprints, as IdP consoles show them, comma-separated: for the audit trail."""
    return ", ".join(
        x509.load_pem_x509_certificate(pem.encode("ascii"))
        .fingerprint(hashes.SHA256())
        .hex(":")
        .upper()
        for pem in certificates_in(stored)
    )
