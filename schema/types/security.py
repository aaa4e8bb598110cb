"""Second factors and tenant settings: the account-security part of contract-v2."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.auth.challenges import SecondStep
from domain.tenant_settings import TenantSettingsView
from models import Passkey
from schema.enums import AuthMethod, MfaMethod
from schema.types.node import Node
from schema.types.users import User


@strawberry.type(description="A passkey (WebAuthn credential) registered as a second factor.")
class PasskeyCredential(Node):
    name: str = strawberry.field(description="The name its owner gave it.")
    created_at: datetime = strawberry.field(description="When the passkey was registered.")
    last_used_at: datetime | None = strawberry.field(
        description="When it last finished a sign-in; null: never."
    )

    @classmethod
    def from_model(cls, passkey: Passkey) -> PasskeyCredential:
        return cls(
            id=strawberry.ID(str(passkey.id)),
            name=passkey.name,
            created_at=passkey.created_at,
            last_used_at=passkey.last_used_at,
        )


@strawberry.type(description="A tenant's own settings, read and changed by its admins.")
class TenantSettings:
    tenant_id: strawberry.ID = strawberry.field(description="The tenant these settings are of.")
    require_mfa: bool = strawberry.field(
        description="Users (other than SAML users, whose IdP owns their second factor) must "
        "have a second factor: one without signs in only to enroll one."
    )
    invitation_ttl_hours: int = strawberry.field(
        description="Lifetime of new and resent invitations (the instance's "
        "TENANTRY_INVITATION_TTL_HOURS until the tenant sets its own)."
    )
    session_idle_minutes: int | None = strawberry.field(
        description="Never above the instance's limit. Null: the instance's limit."
    )
    allowed_auth_methods: list[AuthMethod] = strawberry.field(
        description="Methods new users of this tenant may have (invitations, sign-up domains, "
        "SCIM). [SAML] enforces SSO. Invitations and sign-up domains of other methods made "
        "earlier stay listed but can no longer be used; existing users keep their method."
    )
    saml_groups_attribute: str | None = strawberry.field(
        description="The SAML attribute whose values are group names for group-to-role "
        "mapping. Null: no mapping at sign-in."
    )

    @classmethod
    def from_view(cls, view: TenantSettingsView) -> TenantSettings:
        return cls(
            tenant_id=strawberry.ID(str(view.tenant_id)),
            require_mfa=view.require_mfa,
            invitation_ttl_hours=view.invitation_ttl_hours,
            session_idle_minutes=view.session_idle_minutes,
            allowed_auth_methods=list(view.allowed_auth_methods),
            saml_groups_attribute=view.saml_groups_attribute,
        )


@strawberry.type(
    description="The password was right; a second factor is needed. Finish with completeLogin."
)
class MfaRequired:
    challenge_token: str = strawberry.field(
        description="Pass to completeLogin. Single use, short-lived, for this user only; when "
        "enrollmentRequired, also `Authorization: Bearer <challengeToken>` for enrollTotp, "
        "confirmTotp, beginPasskeyRegistration and finishPasskeyRegistration only."
    )
    methods: list[MfaMethod] = strawberry.field(
        description="The factors that can finish this sign-in; when enrollmentRequired, the "
        "kinds of factor that may be enrolled."
    )
    expires_at: datetime = strawberry.field(
        description="When challengeToken stops working: five minutes after the password, "
        "fifteen when enrollmentRequired. Then sign in again."
    )
    webauthn_options_json: str | None = strawberry.field(
        description="PublicKeyCredentialRequestOptions as JSON, when WEBAUTHN is among the methods."
    )
    enrollment_required: bool = strawberry.field(
        description="The tenant requires a second factor and the user has none: the session "
        "may only enroll one."
    )

    @classmethod
    def from_step(cls, step: SecondStep) -> MfaRequired:
        return cls(
            challenge_token=step.challenge_token,
            methods=list(step.methods),
            expires_at=step.expires_at,
            webauthn_options_json=step.webauthn_options_json,
            enrollment_required=step.enrollment_required,
        )


@strawberry.type(description="A new TOTP secret, on only once confirmTotp proves a code.")
class TotpEnrollment:
    secret: str = strawberry.field(description="Base32, for typing into an authenticator app.")
    otpauth_uri: str = strawberry.field(description="The same secret as an otpauth:// URI (QR).")


@strawberry.type(description="TOTP is on.")
class MfaEnabled:
    user: User = strawberry.field(description="The user, with TOTP on.")
    recovery_codes: list[str] = strawberry.field(
        description="Ten single-use recovery codes, shown this once."
    )


@strawberry.type(
    description="The first step of registering a passkey: pass the options to "
    "navigator.credentials.create(), then its result to finishPasskeyRegistration within "
    "five minutes."
)
class WebauthnRegistrationOptions:
    options_json: str = strawberry.field(description="PublicKeyCredentialCreationOptions as JSON.")


@strawberry.type(description="A passkey registered: it can now finish the owner's sign-ins.")
class PasskeyPayload:
    passkey: PasskeyCredential = strawberry.field(description="The passkey, registered.")


@strawberry.type(description="A passkey removed: it no longer finishes a sign-in.")
class RemovePasskeySuccess:
    removed_passkey_id: strawberry.ID = strawberry.field(
        description="The removed passkey's ID (drop it from caches)."
    )


@strawberry.type(description="A tenant's settings, changed.")
class TenantSettingsPayload:
    settings: TenantSettings = strawberry.field(description="The settings, as they are now.")


@strawberry.input(description="The second step of a sign-in: give exactly one proof.")
class CompleteLoginInput:
    challenge_token: str = strawberry.field(
        description="The challengeToken of the MfaRequired that login answered."
    )
    code: str | None = strawberry.field(default=None, description="A TOTP code.")
    recovery_code: str | None = strawberry.field(
        default=None, description="One of the recovery codes shown when TOTP was turned on."
    )
    webauthn_response_json: str | None = strawberry.field(
        default=None,
        description="The PublicKeyCredential from navigator.credentials.get(), as JSON.",
    )


@strawberry.input(description="Settings left out stay as they are.")
class TenantSettingsInput:
    tenant_id: strawberry.ID = strawberry.field(description="The tenant whose settings change.")
    require_mfa: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true: users (other than SAML users) must have a second factor; null is "
        "refused.",
    )
    invitation_ttl_hours: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="1 to 720; null: back to the instance's TENANTRY_INVITATION_TTL_HOURS.",
    )
    session_idle_minutes: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="1 to the instance's TENANTRY_SESSION_IDLE_MINUTES; null: the instance's.",
    )
    allowed_auth_methods: list[AuthMethod] | None = strawberry.field(
        default=strawberry.UNSET, description="At least one."
    )
    saml_groups_attribute: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null or empty: no group mapping at sign-in."
    )

    def given(self) -> dict[str, object]:
        """The settings present in the input, by their API names."""
        names = {
            "requireMfa": self.require_mfa,
            "invitationTtlHours": self.invitation_ttl_hours,
            "sessionIdleMinutes": self.session_idle_minutes,
            "allowedAuthMethods": self.allowed_auth_methods,
            "samlGroupsAttribute": self.saml_groups_attribute,
        }
        return {name: value for name, value in names.items() if value is not strawberry.UNSET}
