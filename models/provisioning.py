"""SCIM provisioning: the tenant's SCIM bearer tokens, IdP groups and their members, and the
mapping of group names to roles (the same mapping applies to a SAML groups attribute)."""

from tortoise import fields
from tortoise.models import Model

from models.enums import Role


class ScimToken(Model):
    # A bearer token for the tenant's SCIM endpoint and nothing else.

    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="scim_tokens", on_delete=fields.CASCADE, db_index=True
    )
    prefix = fields.CharField(max_length=16)
    # SHA-256 of the secret: the secret itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Written at most once a minute (domain/scim_tokens.py), not on every request.
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "scim_token"


class ScimGroup(Model):
    # A group the IdP pushed through SCIM: its displayName is what a mapping names.

    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="scim_groups", on_delete=fields.CASCADE
    )
    display_name = fields.CharField(max_length=256)
    # Lower-cased: a mapping matches a group whatever the case the IdP spells it in.
    name_key = fields.CharField(max_length=256)
    external_id = fields.CharField(max_length=256, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "scim_group"
        unique_together = (("tenant", "name_key"),)


class GroupMembership(Model):
    group = fields.ForeignKeyField(
        "models.ScimGroup", related_name="memberships", on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField(
        "models.User", related_name="group_memberships", on_delete=fields.CASCADE, db_index=True
    )

    class Meta:
        table = "group_membership"
        unique_together = (("group", "user"),)


class GroupRoleMapping(Model):
    # Members of the group named `group` (SCIM displayName or SAML attribute value) get at
    # least `role`: a user's role is the highest of their mapped groups.

    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="group_role_mappings", on_delete=fields.CASCADE
    )
    group = fields.CharField(max_length=256)
    group_key = fields.CharField(max_length=256)
    role = fields.CharEnumField(Role, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "group_role_mapping"
        unique_together = (("tenant", "group_key"),)
