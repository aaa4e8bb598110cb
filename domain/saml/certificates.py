"""The IdP's signing certificate: parsed and checked with cryptography before it is stored."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from domain.errors import ValidationFailed

FIELD = "idpCertificate"
MIN_RSA_BITS = 2048
# Certificates are a few KiB; this only keeps absurd input away from the parser.
MAX_TEXT = 64 * 1024
_PEM = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*(?P<body>[A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)


def normal_certificate(text: str) -> str:
    """One PEM certificate, re-encoded. IdPs often hand out the bare base64 body (as in their
    metadata's X509Certificate): that is accepted too."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise ValidationFailed("Paste the certificate the IdP signs with (PEM).", FIELD)
    matches = _PEM.findall(cleaned) if "-----BEGIN" in cleaned else [cleaned]
    if len(matches) != 1:
        raise ValidationFailed("Give exactly one PEM certificate.", FIELD)
    try:
        der = base64.b64decode("".join(matches[0].split()), validate=True)
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


def fingerprint(pem: str) -> str:
    """SHA-256 fingerprint, as IdP consoles show it: for the audit trail."""
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()
