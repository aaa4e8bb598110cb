"""Per-request batch loaders: a page of N rows costs one query per relation, not N."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from aiodataloader import DataLoader

from models import ApiToken, Project, Tenant, User


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

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list:  # type: ignore[override]
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        for row in await self.model.filter(owner_id__in=list(set(keys))).order_by("name_key" if self.model is Project else "created_at", "id"):
            grouped[row.owner_id].append(row)
        return [grouped.get(key, []) for key in keys]


class ProjectsByOwnerLoader(_ByOwnerLoader):
    model = Project


class TokensByOwnerLoader(_ByOwnerLoader):
    model = ApiToken


class Loaders:
    """One set per request, so nothing cached outlives the request that authorised it."""

    def __init__(self) -> None:
        self.tenant = TenantLoader()
        self.user = UserLoader()
        self.projects_by_owner = ProjectsByOwnerLoader()
        self.tokens_by_owner = TokensByOwnerLoader()

    def prime_users(self, users: Sequence[User]) -> None:
        for user in users:
            self.user.prime(user.id, user)
