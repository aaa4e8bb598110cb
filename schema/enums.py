"""The domain's enums, exposed under the contract's names (values are the member names), each
value with its words for the schema's readers (the models' enums stay free of GraphQL)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from models import enums

E = TypeVar("E", bound=type[Enum])


def described_enum(cls: E, name: str, description: str, values: dict[str, str]) -> E:
    """`strawberry.enum` with a description for each value, keyed by member name (a member
    left out stays undescribed: tests/graphql/test_schema_descriptions.py names it)."""
    exposed = strawberry.enum(cls, name=name, description=description)
    for value in exposed.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values.get(value.name)
    return exposed


Role = described_enum(
    enums.Role,
    "Role",
    "A user's role within their tenant (superuser is a separate flag: User.superuser).",
    {
        "ADMIN": "Manages the tenant: its users, invitations, sign-up domains, audit log.",
        "MEMBER": "Works in the tenant: sees its users and projects, invites members and guests.",
        "GUEST": "Sees themselves only: no other users, projects or invitations.",
    },
)
AuthMethod = described_enum(
    enums.AuthMethod,
    "AuthMethod",
    "How a user proves who they are when signing in.",
    {
        "PASSWORD": "A password kept by Tenantry (argon2 hash).",
        "PAM": "The host's system password for the same username (PAM).",
        "SAML": "The tenant's identity provider, by SAML single sign-on.",
    },
)
DomainStatus = described_enum(
    enums.DomainStatus,
    "DomainStatus",
    "Whether a sign-up domain admits sign-ups.",
    {
        "PENDING": "Added by a tenant admin; its TXT record has not been found yet.",
        "VERIFIED": "Its TXT record was found, or a superuser vouched for it: it admits sign-ups.",
        "FAILED": "The last check found the TXT record's name with another value.",
    },
)
EmailStatus = described_enum(
    enums.EmailStatus,
    "EmailStatus",
    "Where an invitation's e-mail is: mail goes out from an outbox, after the request.",
    {
        "PENDING": "Queued; not handed to the mail server yet.",
        "SENT": "The mail server accepted it.",
        "FAILED": "The mail server refused it or could not be reached (see emailError).",
    },
)
DeliveryStatus = described_enum(
    enums.DeliveryStatus,
    "DeliveryStatus",
    "Where a webhook delivery stands.",
    {
        "PENDING": "Queued, or failed and waiting for its next attempt.",
        "SUCCEEDED": "The receiver answered 2xx.",
        "FAILED": "Every attempt for a day failed; it is not tried again (redeliverWebhook "
        "queues it anew).",
    },
)
InvitationStatus = described_enum(
    enums.InvitationStatus,
    "InvitationStatus",
    "Where an invitation stands; each has exactly one of these.",
    {
        "PENDING": "Not expired, and its e-mail is queued or was accepted by the mail server.",
        "EXPIRED": "Past its expiry: the link no longer works (resendInvitation renews it).",
        "FAILED": "Not expired, but its e-mail failed (see emailError; resendInvitation "
        "tries again).",
    },
)
SmtpSecurity = described_enum(
    enums.SmtpSecurity,
    "SmtpSecurity",
    "How the connection to the SMTP server is protected.",
    {
        "NONE": "Plain text (only for a server on a trusted network).",
        "STARTTLS": "Plain connection upgraded to TLS by STARTTLS (usually port 587).",
        "TLS": "TLS from the first byte (SMTPS, usually port 465).",
    },
)
ListenerPurpose = described_enum(
    enums.ListenerPurpose,
    "ListenerPurpose",
    "What traffic a listener (an address and port the product serves) receives.",
    {
        "CRASH_INGEST": "Crash reports sent by applications.",
        "USER_REQUESTS": "People and clients using the product (the web UI and API).",
    },
)
UserStatus = described_enum(
    enums.UserStatus,
    "UserStatus",
    "Whether a user can sign in.",
    {
        "ACTIVE": "Signs in by their method.",
        "DEACTIVATED": "Signs in by no method; no session or API token of theirs works.",
        "PENDING_VERIFICATION": "A self sign-up whose e-mail address is not confirmed yet.",
    },
)
MfaMethod = described_enum(
    enums.MfaMethod,
    "MfaMethod",
    "A kind of second factor: what finishes a sign-in after the password.",
    {
        "TOTP": "The six digits an authenticator app shows (TOTP).",
        "RECOVERY_CODE": "One of the ten single-use recovery codes shown when TOTP was turned on.",
        "WEBAUTHN": "A passkey or security key (WebAuthn).",
    },
)
