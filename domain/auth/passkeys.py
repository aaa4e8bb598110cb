"""Passkeys (WebAuthn, with py_webauthn) as a second factor: register, list, remove, and check
an assertion at sign-in.

Relying party ID: the host of TENANTRY_PUBLIC_URL; expected origin: that URL's origin. A
registration's challenge waits in `passkey_registration` (one per user, five minutes, used
once); a sign-in's challenge is on the MFA challenge. The signature counter must grow (when
the authenticator keeps one), checked and stored with one conditional UPDATE.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import (
    parse_authentication_credential_json,
)
from webauthn.helpers.parse_registration_credential_json import (
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from config import get_config
from domain import audit, validation
from domain.auth.factors import (
    drop_recovery_codes_unless_factor,
    exempt,
    refuse_second_enrollment,
)
from domain.errors import NotFound, ValidationFailed, require
from models import Passkey, PasskeyRegistration, User
from permissions.rules import Actor, Op

RP_NAME = "Tenantry"
MAX_PASSKEYS = 20
REGISTRATION_LIFETIME = timedelta(minutes=5)
# A browser's registration response is a few kilobytes; anything far larger is not one.
MAX_RESPONSE_CHARS = 64 * 1024
_NAME_LENGTH: int = Passkey._meta.fields_map["name"].max_length  # type: ignore[attr-defined]
# What a hostile response can make the parsers raise: every one means "not verified".
_UNVERIFIABLE = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, AttributeError)


def rp_id() -> str:
    return urlsplit(get_config().public_url).hostname or "localhost"


def expected_origin() -> str:
    parts = urlsplit(get_config().public_url)
    return f"{parts.scheme}://{parts.netloc}"


def _descriptors(passkeys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in passkeys]


async def my_passkeys(actor: Actor) -> list[Passkey]:
    require(actor, Op.VIEW_OWN_FACTORS)
    return await Passkey.filter(user_id=actor.user_id).order_by("created_at", "id")


async def begin_registration(actor: Actor) -> str:
    """PublicKeyCredentialCreationOptions as JSON, for navigator.credentials.create()."""
    require(actor, Op.REGISTER_PASSKEY)
    user = await User.get(id=actor.user_id)
    if exempt(user):
        raise ValidationFailed("Your identity provider signs you in and owns your second factor.")
    existing = await Passkey.filter(user_id=user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise ValidationFailed(f"An account keeps at most {MAX_PASSKEYS} passkeys.")
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=RP_NAME,
        user_id=user.id.bytes,
        user_name=user.username,
        user_display_name=user.username,
        exclude_credentials=_descriptors(existing),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    async with in_transaction() as connection:
        await PasskeyRegistration.filter(user_id=user.id).using_db(connection).delete()
        await PasskeyRegistration.create(
            using_db=connection,
            user_id=user.id,
            challenge=bytes_to_base64url(options.challenge),
            expires_at=datetime.now(UTC) + REGISTRATION_LIFETIME,
        )
    return options_to_json(options)


async def _take_registration(user_id: uuid.UUID) -> bytes | None:
    """The pending registration's challenge, used up: only one finish may use it."""
    pending = await PasskeyRegistration.get_or_none(user_id=user_id)
    if pending is None or pending.expires_at <= datetime.now(UTC):
        return None
    taken = await PasskeyRegistration.filter(user_id=user_id, challenge=pending.challenge).delete()
    return base64url_to_bytes(pending.challenge) if taken else None


async def finish_registration(actor: Actor, name: str, response_json: str) -> Passkey:
    require(actor, Op.REGISTER_PASSKEY)
    name = validation.plain_text(name, "name").strip()
    if not name or len(name) > _NAME_LENGTH:
        raise ValidationFailed(f"Name the passkey in 1 to {_NAME_LENGTH} characters.", "name")
    if len(response_json) > MAX_RESPONSE_CHARS:
        raise ValidationFailed("That is not a passkey registration.", "responseJson")
    challenge = await _take_registration(actor.user_id)
    if challenge is None:
        raise ValidationFailed("Start again with beginPasskeyRegistration.", "responseJson")
    try:
        credential = parse_registration_credential_json(response_json)
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
        )
    except _UNVERIFIABLE:
        raise ValidationFailed("The passkey could not be verified.", "responseJson") from None
    transports = ",".join(t.value for t in credential.response.transports or [])
    async with in_transaction() as connection:
        await refuse_second_enrollment(actor, connection)
        if await Passkey.filter(user_id=actor.user_id).using_db(connection).count() >= MAX_PASSKEYS:
            raise ValidationFailed(f"An account keeps at most {MAX_PASSKEYS} passkeys.")
        try:
            passkey = await Passkey.create(
                using_db=connection,
                user_id=actor.user_id,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=bytes_to_base64url(verified.credential_public_key),
                sign_count=verified.sign_count,
                transports=transports[:128],
                name=name,
            )
        except IntegrityError:
            raise ValidationFailed("This passkey is registered already.", "responseJson") from None
        await audit.record(
            actor, "user.passkey_added", tenant_id=actor.tenant_id, target_type="user",
            target_id=actor.user_id, changes={"passkey": str(passkey.id), "name": name},
        )  # fmt: skip
    return passkey


async def remove_passkey(actor: Actor, passkey_id: str) -> uuid.UUID:
    require(actor, Op.REMOVE_OWN_FACTOR)
    passkey = await Passkey.get_or_none(id=validation.object_id(passkey_id), user_id=actor.user_id)
    if passkey is None:
        raise NotFound("No such passkey.")
    async with in_transaction() as connection:
        if not await Passkey.filter(id=passkey.id).using_db(connection).delete():
            raise NotFound("No such passkey.")
        await drop_recovery_codes_unless_factor(actor.user_id, connection)
        await audit.record(
            actor, "user.passkey_removed", tenant_id=actor.tenant_id, target_type="user",
            target_id=actor.user_id, changes={"passkey": str(passkey.id), "name": passkey.name},
        )  # fmt: skip
    return passkey.id


def sign_in_options(passkeys: list[Passkey]) -> tuple[str, str]:
    """PublicKeyCredentialRequestOptions as JSON, and its challenge (base64url) to keep."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=_descriptors(passkeys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


async def accept_assertion(user_id: uuid.UUID, challenge: str | None, response_json: str) -> bool:
    """True when the response is a valid assertion of one of the user's passkeys over this
    challenge, and its signature counter moved on (or the authenticator keeps none)."""
    if challenge is None or len(response_json) > MAX_RESPONSE_CHARS:
        return False
    try:
        credential = parse_authentication_credential_json(response_json)
    except _UNVERIFIABLE:
        return False
    credential_id = bytes_to_base64url(credential.raw_id)  # never hostile text, unlike `id`
    passkey = await Passkey.get_or_none(user_id=user_id, credential_id=credential_id)
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except _UNVERIFIABLE:
        return False
    moved = await Passkey.filter(id=passkey.id, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=datetime.now(UTC)
    )
    return moved == 1
