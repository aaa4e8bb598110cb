"""The closed vocabularies of the product, shared by the models, the policy and the API."""

from enum import Enum


class Role(str, Enum):
    ADMIN = "admin"
    MEMBER = "member"
    GUEST = "guest"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2}


class AuthMethod(str, Enum):
    PASSWORD = "password"
    PAM = "pam"
    SAML = "saml"


class DomainStatus(str, Enum):
    """Whether a sign-up domain admits sign-ups: only VERIFIED ones do."""

    PENDING = "pending"  # added by a tenant admin; its TXT record has not been seen yet
    VERIFIED = "verified"
    FAILED = "failed"  # the last check found the TXT record with another value


class UserStatus(str, Enum):
    """Whether a user can sign in. Derived (models/users.py `User.status`), never stored."""

    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    # A self sign-up whose address nobody has confirmed yet.
    PENDING_VERIFICATION = "pending_verification"


class EmailStatus(str, Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class InvitationStatus(str, Enum):
    """Where an invitation stands, from its expiry and its e-mail; derived, never stored. Each
    invitation has exactly one: an expired one is EXPIRED whatever its e-mail did."""

    # Unexpired, and its e-mail queued or accepted by the mail server.
    PENDING = "pending"
    EXPIRED = "expired"
    # Unexpired, but its e-mail failed (resendInvitation tries again).
    FAILED = "failed"


class SmtpSecurity(str, Enum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class ListenerPurpose(str, Enum):
    CRASH_INGEST = "crash_ingest"
    USER_REQUESTS = "user_requests"


class MailKind(str, Enum):
    INVITATION = "invitation"
    VERIFICATION = "verification"
    PASSWORD_RESET = "password_reset"
    # The link that confirms a new address, mailed to that address.
    EMAIL_CHANGE = "email_change"
    # The notice to the old address that the address is changing; carries no link.
    EMAIL_CHANGE_NOTICE = "email_notice"
    # To a tenant's admins (or the superusers): a webhook failing for days was disabled.
    WEBHOOK_DISABLED = "webhook_off"


class DeliveryStatus(str, Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MfaMethod(str, Enum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"
    WEBAUTHN = "webauthn"
