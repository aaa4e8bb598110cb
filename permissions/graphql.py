"""Strawberry permission classes. Each names one row of the policy table in rules.py; the
schema says who may call each guarded field at the end of its description (schema/who_may_call.py),
where introspection shows it too. No class prints a schema directive: introspection cannot show
a directive applied to a field, so schema.graphql would differ from the served schema."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError
from strawberry.permission import BasePermission

from permissions.rules import PUBLIC, Op, may_view_owned_objects, reach_of, refusal


class Unauthenticated(GraphQLError):
    def __init__(self) -> None:
        super().__init__("Sign in first.", extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class _Guard(BasePermission):
    """A permission of ours: it names its policy row and prints no schema directive."""

    op: ClassVar[Op]

    @property
    def schema_directive(self) -> None:  # type: ignore[override]
        return None


class _PolicyRow(_Guard):
    async def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        actor = info.context.actor
        if actor is None and self.op not in PUBLIC:
            raise Unauthenticated()
        reason = refusal(actor, self.op)
        if reason is not None:
            raise Forbidden(reason)
        return True

    def permits(self, context: Any) -> bool:
        """What `has_permission` decides for the request's caller, without raising: plans
        that call the field's resolver themselves ask this (schema/root_plans.py), and leave a
        refusal to `has_permission`."""
        actor = context.actor
        if actor is None and self.op not in PUBLIC:
            return False
        return refusal(actor, self.op) is None


class SignIn(_PolicyRow):
    """Public; refused only to a request made with an API token, which may not get a session."""

    op = Op.SIGN_IN


class SignedIn(_PolicyRow):
    op = Op.VIEW_SELF


class ListUsers(_PolicyRow):
    op = Op.LIST_USERS


class ChangeRole(_PolicyRow):
    op = Op.CHANGE_ROLE


class SetSuperuser(_PolicyRow):
    op = Op.SET_SUPERUSER


class DeleteUser(_PolicyRow):
    op = Op.DELETE_USER


class TransferOwnership(_PolicyRow):
    op = Op.TRANSFER_OWNERSHIP


class SendInvitation(_PolicyRow):
    op = Op.SEND_INVITATION


class ManageInvitations(_PolicyRow):
    op = Op.MANAGE_INVITATIONS


class ResendInvitation(_PolicyRow):
    op = Op.RESEND_INVITATION


class ManageSignupDomains(_PolicyRow):
    op = Op.MANAGE_SIGNUP_DOMAINS


class AddSignupDomain(_PolicyRow):
    op = Op.ADD_SIGNUP_DOMAIN


class VerifySignupDomain(_PolicyRow):
    op = Op.VERIFY_SIGNUP_DOMAIN


class VouchForSignupDomain(_PolicyRow):
    op = Op.VOUCH_FOR_SIGNUP_DOMAIN


class CreateProject(_PolicyRow):
    op = Op.CREATE_PROJECT


class CreateApiToken(_PolicyRow):
    op = Op.CREATE_API_TOKEN


class ListProjects(_PolicyRow):
    op = Op.LIST_PROJECTS


class DeleteObjects(_PolicyRow):
    op = Op.DELETE_OBJECTS


class ReadAuditLog(_PolicyRow):
    op = Op.AUDIT_LOG


class InstanceSettings(_PolicyRow):
    op = Op.INSTANCE_SETTINGS


class MailSettings(_PolicyRow):
    op = Op.MAIL_SETTINGS


class ManageTenants(_PolicyRow):
    op = Op.TENANTS


class SamlSettings(_PolicyRow):
    op = Op.SAML_SETTINGS


class ConfigureSaml(_PolicyRow):
    op = Op.CONFIGURE_SAML


class OwnSessions(_PolicyRow):
    op = Op.OWN_SESSIONS


class UserSessions(_PolicyRow):
    op = Op.USER_SESSIONS


class DeactivateUser(_PolicyRow):
    op = Op.DEACTIVATE_USER


class ReactivateUser(_PolicyRow):
    op = Op.REACTIVATE_USER


class ViewOwnFactors(_PolicyRow):
    op = Op.VIEW_OWN_FACTORS


class EnrollTotp(_PolicyRow):
    op = Op.ENROLL_TOTP


class RegisterPasskey(_PolicyRow):
    op = Op.REGISTER_PASSKEY


class RemoveOwnFactor(_PolicyRow):
    op = Op.REMOVE_OWN_FACTOR


class ResetMfa(_PolicyRow):
    op = Op.RESET_MFA


class ViewTenantSettings(_PolicyRow):
    op = Op.VIEW_TENANT_SETTINGS


class ConfigureTenant(_PolicyRow):
    op = Op.CONFIGURE_TENANT


class SendPasswordReset(_PolicyRow):
    op = Op.SEND_PASSWORD_RESET


class RecoverAccount(_PolicyRow):
    """Public; refused only to a request made with an API token (resetPassword signs in)."""

    op = Op.RECOVER_ACCOUNT


class ScimTokens(_PolicyRow):
    op = Op.SCIM_TOKENS


class GroupRoleMappings(_PolicyRow):
    op = Op.GROUP_ROLE_MAPPINGS


class ManageWebhooks(_PolicyRow):
    op = Op.MANAGE_WEBHOOKS


class WebhookSecrets(_PolicyRow):
    op = Op.WEBHOOK_SECRETS


class ViewOwnedObjects(_Guard):
    """On a User: the user themself, their tenant's admins, superusers.

    Synchronous on purpose (pure, no I/O): a synchronous permission keeps a synchronous field
    synchronous, and a page of users checks it once per row."""

    op: ClassVar[Op] = Op.VIEW_OWNED_OBJECTS  # the policy row may_view_owned_objects reads

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        actor = info.context.actor
        if actor is None:
            raise Unauthenticated()
        if not self.allows(actor, source):
            raise Forbidden()
        return True

    @staticmethod
    def allows(actor: Any, source: Any) -> bool:
        """The check alone, without the error."""
        # source.pk, not source.id: the GraphQL id is a string and never equals the actor's UUID.
        return actor is not None and may_view_owned_objects(actor, source.pk, source.tenant_id)

    @classmethod
    def allows_in(cls, context: Any, source: Any) -> bool:
        """`allows` for the request's caller, the policy looked up once per request and caller
        (the executor's plans check it on every user of a page: schema/plans.py)."""
        actor = context.actor
        found = context.extras.get(_REACH_OF_VIEW_OWNED)
        if found is None or found[0] is not actor:
            found = context.extras[_REACH_OF_VIEW_OWNED] = (actor, reach_of(actor, cls.op))
        return found[1](source.tenant_id, source.pk)  # type: ignore[no-any-return]


# The request's (caller, reach) for ViewOwnedObjects, in its context's extras.
_REACH_OF_VIEW_OWNED = "permissions.view_owned_objects"
