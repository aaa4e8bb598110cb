"""Every action the audit trail records, with a sentence each: the one list of names.

The webhook events are these actions (docs/reference/events.md is generated from this module,
and tests/webhooks/test_audit_actions.py fails for an action recorded in domain/ that is not
here). A few more events are derived from them, for receivers that want the common facts by
name without reading `changes` (`DERIVED_EVENTS`), and `webhook.test` is sent by testWebhook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACTIONS: dict[str, str] = {
    # users
    "user.signed_up": "Someone signed up with an address of an open domain (not yet verified).",
    "user.sign_up_repeated": "A pending sign-up was asked for again; a new link was mailed.",
    "user.sign_up_replaced": "A pending sign-up was replaced by a newer one for the address.",
    "user.sign_up_expired": "A sign-up was never verified and was removed.",
    "user.email_verified": "A sign-up's address was confirmed: the account is usable.",
    "user.signed_up_by_sso": "A user was created by their first SAML sign-in.",
    "user.superuser_created": "An operator created a superuser (tenantry create-superuser).",
    "user.provisioned": "An identity provider created a user over SCIM.",
    "user.updated": "A user's e-mail address or role was changed (`changes` names which).",
    "user.superuser_changed": "The superuser bit was granted or revoked.",
    "user.deleted": "A user was deleted.",
    "user.deactivated": "A user was deactivated: no sign-in, sessions and API tokens stop.",
    "user.reactivated": "A deactivated user was reactivated.",
    "user.signed_in": "A user signed in (`changes.method` says how).",
    "user.signed_out": "A user signed out.",
    "user.password_changed": "A user changed their password.",
    "user.password_reset_requested": "A password reset link was mailed to a user.",
    "user.password_reset": "A user set a new password with a reset link.",
    "user.email_change_requested": "A confirmation link was mailed to a user's new address.",
    "user.email_change_cancelled": "A pending e-mail change was withdrawn.",
    "user.email_changed": "A user's new address was confirmed and is now theirs.",
    "user.mfa_enabled": "A user turned on an authenticator app.",
    "user.mfa_disabled": "A user turned off their authenticator app.",
    "user.mfa_reset": "An administrator removed a user's second factors.",
    "user.passkey_added": "A user registered a passkey.",
    "user.passkey_removed": "A user removed a passkey.",
    "user.sessions_revoked": "Sessions of a user were ended (`changes.count` of them).",
    "session.revoked": "A user ended one of their own sessions.",
    # invitations
    "invitation.sent": "An invitation was created and mailed.",
    "invitation.resent": "An invitation was mailed again, its link valid for a new lifetime.",
    "invitation.deleted": "An invitation was withdrawn.",
    "invitation.accepted": "An invitation was accepted: its user now exists.",
    # projects and tokens
    "project.created": "A project was created.",
    "project.deleted": "A project was deleted.",
    "api_token.created": "An API token was created (never its secret).",
    "api_token.revoked": "An API token was revoked.",
    "ownership.transferred": "A user's projects and API tokens were moved to another user.",
    # sign-up domains
    "signup_domain.added": "An e-mail domain was opened for self sign-up.",
    "signup_domain.removed": "A sign-up domain was closed.",
    "signup_domain.verified": "A sign-up domain was verified (its TXT record, or a superuser).",
    "signup_domain.status_changed": "A sign-up domain's verification check found another state.",
    # tenants and settings
    "tenant.created": "A tenant was created.",
    "tenant.deleted": "A tenant was deleted.",
    "tenant.settings_updated": "A tenant's settings (MFA policy, sign-in methods, lifetimes) "
    "changed.",
    "saml.settings_updated": "A tenant's SAML single sign-on settings changed.",
    "settings.smtp_updated": "The instance's SMTP server settings changed (never the password).",
    "settings.smtp_test_sent": "A test e-mail was sent.",
    "settings.ssl_updated": "The instance's TLS certificate changed (never the private key).",
    "settings.listeners_updated": "The instance's listeners changed.",
    "tenant.exported": "An operator wrote the tenant to a file (tenantry export-tenant).",
    "tenant.imported": "An operator loaded the tenant from a file (tenantry import-tenant).",
    # provisioning (SCIM, identity-provider groups)
    "scim_token.created": "A SCIM token was created (never its secret).",
    "scim_token.revoked": "A SCIM token was revoked.",
    "group.created": "An identity provider created a group over SCIM.",
    "group.updated": "An identity provider renamed or replaced a group over SCIM.",
    "group.members_changed": "An identity provider added or removed a group's members.",
    "group.deleted": "An identity provider deleted a group over SCIM.",
    "group_role_mapping.set": "A group was mapped to a role (members' roles recomputed).",
    "group_role_mapping.removed": "A group's role mapping was removed.",
    # webhooks
    "webhook.created": "A webhook was created (never its secret).",
    "webhook.updated": "A webhook's address, events, description or state changed.",
    "webhook.deleted": "A webhook was deleted.",
    "webhook.secret_rotated": "A webhook's signing secret was replaced (never the secret).",
    "webhook.disabled": "A webhook that failed for three days was disabled.",
}

# Events that no audit action carries by this name: each is sent beside the action it is
# derived from, with the same data.
DERIVED_EVENTS: dict[str, str] = {
    "user.created": "A user now exists: sent with invitation.accepted, user.signed_up, "
    "user.signed_up_by_sso, user.superuser_created and user.provisioned.",
    "user.role_changed": "A user's role changed: sent with user.updated when `changes.role` is "
    "there.",
    "signup.verified": "A self sign-up confirmed its address: sent with user.email_verified.",
    "webhook.test": "Sent by testWebhook to that one hook; `data.changes` is empty.",
}

_CREATES_USER = frozenset(
    {
        "invitation.accepted",
        "user.signed_up",
        "user.signed_up_by_sso",
        "user.superuser_created",
        "user.provisioned",
    }
)

EVENTS: dict[str, str] = {**ACTIONS, **DERIVED_EVENTS}


def is_event(name: str) -> bool:
    return name in EVENTS


def events_of(action: str, changes: Mapping[str, Any] | None) -> list[str]:
    """The webhook events an audit action sends: itself, and what derives from it."""
    events = [action]
    if action in _CREATES_USER:
        events.append("user.created")
    if action == "user.updated" and changes and "role" in changes:
        events.append("user.role_changed")
    if action == "user.email_verified":
        events.append("signup.verified")
    return events
