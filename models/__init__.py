"""Tortoise models. The app label is `models`; every module below is registered."""

from models.audit import AuditEvent
from models.enums import (
    AuthMethod,
    DeliveryStatus,
    DomainStatus,
    EmailStatus,
    InvitationStatus,
    ListenerPurpose,
    MailKind,
    MfaMethod,
    Role,
    SmtpSecurity,
    UserStatus,
)
from models.invitations import Invitation, SignupDomain
from models.mfa import MfaChallenge, Passkey, PasskeyRegistration, RecoveryCode, TotpFactor
from models.outbox import OutboxMail
from models.persisted_queries import PersistedQuery
from models.projects import ApiToken, Project
from models.provisioning import GroupMembership, GroupRoleMapping, ScimGroup, ScimToken
from models.saml import SamlAssertionSeen, SamlRequest, SamlSettings
from models.settings import InstanceSettings
from models.tenants import Tenant
from models.users import Session, User
from models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthMethod",
    "DeliveryStatus",
    "DomainStatus",
    "EmailStatus",
    "GroupMembership",
    "GroupRoleMapping",
    "InstanceSettings",
    "Invitation",
    "ListenerPurpose",
    "MailKind",
    "MfaChallenge",
    "MfaMethod",
    "OutboxMail",
    "Passkey",
    "PasskeyRegistration",
    "PersistedQuery",
    "Project",
    "RecoveryCode",
    "Role",
    "SamlAssertionSeen",
    "SamlRequest",
    "SamlSettings",
    "ScimGroup",
    "ScimToken",
    "Session",
    "SignupDomain",
    "SmtpSecurity",
    "Tenant",
    "TotpFactor",
    "User",
    "InvitationStatus",
    "UserStatus",
    "Webhook",
    "WebhookDelivery",
]
