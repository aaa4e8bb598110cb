"""Per-request batch loaders: a page of N rows costs one query per relation, not N."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

from aiodataloader import DataLoader

from domain.auth.factors import mfa_enabled_among
from domain.group_roles import groups_of
from models import ApiToken, Project, Tenant, User
from models.plain_rows import Row, plain_values_among


class _ByIdLoader(DataLoader):
    model: type

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list:  # type: ignore[override]
        rows = {row.id: row for row in await self.model.filter(id__in=list(set(keys)))}
        return [rows.get(key) for key in keys]


class TenantLoader(_ByIdLoader):
    model = Tenant


class UserLoader(_ByIdLoader):
    model = User


class _ByOwnerLoader(DataLoader):
    model: type
    order: str

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list:  # type: ignore[override]
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        rows = self.model.filter(owner_id__in=list(set(keys))).order_by(self.order, "id")
        for row in await rows:
            grouped[row.owner_id].append(row)
        return [grouped.get(key, []) for key in keys]


# The columns Project.from_rows reads.
PROJECT_COLUMNS = ("id", "name", "created_at", "owner_id")


async def project_rows_by_owner(owner_ids: Sequence[uuid.UUID]) -> list[Row]:
    """The projects of these owners as plain rows, in ProjectsByOwnerLoader's order."""
    return await plain_values_among(
        Project, PROJECT_COLUMNS, "owner_id", owner_ids, order_by=("name_key", "id")
    )


class ProjectsByOwnerLoader(_ByOwnerLoader):
    model = Project
    order = "name_key"


# The columns ApiToken.from_rows reads.
TOKEN_COLUMNS = ("id", "name", "prefix", "created_at", "last_used_at", "expires_at", "owner_id")


async def token_rows_by_owner(owner_ids: Sequence[uuid.UUID]) -> list[Row]:
    """The API tokens of these owners as plain rows, in TokensByOwnerLoader's order."""
    return await plain_values_among(
        ApiToken, TOKEN_COLUMNS, "owner_id", owner_ids, order_by=("created_at", "id")
    )


class TokensByOwnerLoader(_ByOwnerLoader):
    model = ApiToken
    order = "created_at"


class MfaEnabledLoader(DataLoader):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list:  # type: ignore[override]
        enabled = await mfa_enabled_among(keys)
        return [key in enabled for key in keys]


class GroupsLoader(DataLoader):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list:  # type: ignore[override]
        found = await groups_of(keys)
        return [found.get(key, []) for key in keys]


class Loaders:
    """One set per request, so nothing cached outlives the request that authorised it.
    Each is made when first used: most requests need none."""

    @cached_property
    def tenant(self) -> TenantLoader:
        return TenantLoader()

    @cached_property
    def user(self) -> UserLoader:
        return UserLoader()

    @cached_property
    def projects_by_owner(self) -> ProjectsByOwnerLoader:
        return ProjectsByOwnerLoader()

    @cached_property
    def tokens_by_owner(self) -> TokensByOwnerLoader:
        return TokensByOwnerLoader()

    @cached_property
    def mfa_enabled(self) -> MfaEnabledLoader:
        return MfaEnabledLoader()

    @cached_property
    def groups(self) -> GroupsLoader:
        return GroupsLoader()

    def prime_users(self, users: Sequence[User]) -> None:
        for user in users:
            self.user.prime(user.id, user)
