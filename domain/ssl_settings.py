"""The instance's TLS certificate: validated on upload, the private key encrypted at rest.

The key is write-only: nothing here returns it except `tls_material`, which `serve` uses to
hand it to uvicorn. Error messages never quote the input (it may be a key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from tortoise.transactions import in_transaction

from domain import audit, secrets
from domain.errors import ValidationFailed, require
from domain.instance_row import instance_row_for_update, read_instance_row
from domain.locks import lock_instance
from domain.validation import PEM_LINE_BREAKS, plain_text
from models import InstanceSettings
from permissions.rules import Actor, Op

_SUBJECT_LENGTH: int = InstanceSettings._meta.fields_map["ssl_subject"].max_length  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SslView:
    """What may be shown of the SSL settings: never the key."""

    enabled: bool
    certificate_subject: str | None
    certificate_not_after: datetime | None


@dataclass(frozen=True)
class SslUpdate:
    enabled: bool
    # PEM; left out: keep the stored one.
    certificate: str | None = None
    private_key: str | None = None


@dataclass(frozen=True)
class TlsMaterial:
    """PEM certificate chain and private key, for the server process only."""

    certificate_chain: str
    private_key: str


@dataclass(frozen=True)
class _Checked:
    chain_pem: str
    key_pem: str
    subject: str
    not_after: datetime


def view_of(row: InstanceSettings) -> SslView:
    return SslView(
        enabled=row.ssl_enabled,
        certificate_subject=row.ssl_subject,
        certificate_not_after=row.ssl_not_after,
    )


async def ssl_settings(actor: Actor) -> SslView:
    require(actor, Op.INSTANCE_SETTINGS)
    return view_of(await read_instance_row())


def has_certificate(row: InstanceSettings) -> bool:
    return bool(row.ssl_certificate and row.ssl_private_key_encrypted)


def tls_in_use(row: InstanceSettings) -> bool:
    """Listeners may use TLS, and serve will: enabled with a certificate stored."""
    return row.ssl_enabled and has_certificate(row)


async def update_ssl_settings(actor: Actor, update: SslUpdate) -> SslView:
    require(actor, Op.INSTANCE_SETTINGS)
    given_cert = _blank_to_none(update.certificate)
    given_key = _blank_to_none(update.private_key)
    async with in_transaction() as connection:
        await lock_instance(connection)
        row = await instance_row_for_update(connection)
        checked: _Checked | None = None
        if given_cert is not None or given_key is not None:
            stored = tls_material(row)
            cert_pem = given_cert if given_cert is not None else stored and stored.certificate_chain
            key_pem = given_key if given_key is not None else stored and stored.private_key
            if not cert_pem:
                raise ValidationFailed("Give the certificate with the private key.", "certificate")
            if not key_pem:
                raise ValidationFailed("Give the private key with the certificate.", "privateKey")
            checked = check_pair(cert_pem, key_pem)
        elif update.enabled and not has_certificate(row):
            raise ValidationFailed(
                "Upload a certificate and its private key before enabling SSL.", "certificate"
            )
        if not update.enabled and _tls_listeners(row):
            raise ValidationFailed(
                "Listeners use TLS: change them to plain HTTP before disabling SSL.", "enabled"
            )
        changes: dict[str, object] = {}
        if update.enabled != row.ssl_enabled:
            row.ssl_enabled = update.enabled
            changes["enabled"] = update.enabled
        if checked is not None:
            row.ssl_certificate = checked.chain_pem
            row.ssl_private_key_encrypted = secrets.encrypt(checked.key_pem)
            row.ssl_subject = checked.subject
            row.ssl_not_after = checked.not_after
            changes.update(
                certificateSubject=checked.subject,
                certificateNotAfter=checked.not_after.isoformat(),
                privateKey="<set>",
            )
        if changes:
            await row.save(using_db=connection)
            await audit.record(
                actor,
                "settings.ssl_updated",
                tenant_id=None,
                target_type="settings",
                target_id="ssl",
                changes=changes,
            )
    return view_of(row)


def tls_material(row: InstanceSettings) -> TlsMaterial | None:
    """The stored certificate and decrypted key, or None (none stored, or the secret changed)."""
    if not has_certificate(row):
        return None
    assert row.ssl_certificate is not None and row.ssl_private_key_encrypted is not None
    key = secrets.decrypt(row.ssl_private_key_encrypted)
    if key is None:
        return None
    return TlsMaterial(certificate_chain=row.ssl_certificate, private_key=key)


def check_pair(
    certificate_pem: str, private_key_pem: str, *, now: datetime | None = None
) -> _Checked:
    """Parse the chain and the key; the key must match the first (leaf) certificate."""
    plain_text(certificate_pem, "certificate", allow=PEM_LINE_BREAKS)
    plain_text(private_key_pem, "privateKey", allow=PEM_LINE_BREAKS)
    try:
        chain = x509.load_pem_x509_certificates(certificate_pem.encode())
    except ValueError:
        raise ValidationFailed(
            "The certificate is not a PEM certificate chain.", "certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except TypeError:
        raise ValidationFailed(
            "The private key is encrypted: upload it without a passphrase.", "privateKey"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ValidationFailed("The private key is not a PEM private key.", "privateKey") from None
    leaf = chain[0]
    now = now or datetime.now(UTC)
    if leaf.not_valid_after_utc <= now:
        raise ValidationFailed("The certificate has expired.", "certificate")
    if _public_der(key.public_key()) != _public_der(leaf.public_key()):
        raise ValidationFailed("The private key does not match the certificate.", "privateKey")
    subject = leaf.subject.rfc4514_string()
    try:
        # The subject is stored and shown; its characters are whoever made the certificate's.
        plain_text(subject, "certificate")
    except ValidationFailed:
        raise ValidationFailed(
            "The certificate's subject holds control or invisible characters.", "certificate"
        ) from None
    if len(subject) > _SUBJECT_LENGTH:
        raise ValidationFailed(
            f"The certificate's subject is longer than {_SUBJECT_LENGTH} characters.",
            "certificate",
        )
    return _Checked(
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        subject=subject,
        not_after=leaf.not_valid_after_utc,
    )


def _public_der(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _tls_listeners(row: InstanceSettings) -> bool:
    return any(entry.get("tls") for entry in row.listeners or [])


def _blank_to_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None
