"""Whole-page preloading (issue 7: speed): a page of users gets the relations it selects in
at most one query more, handed to its nodes, so their fields answer without a loader round
trip each (issue 17: session, page and relations are three statements).

- `tenant` comes with the page: its columns are joined into the page's query
  (`page_columns`), one statement fewer than a query of its own.
- `ownedProjects` and `ownedTokens` (and their `owner`, who is on the page) are one query of
  plain rows each; `groups` and `mfaEnabled` take the queries their loaders would.

`me` and `user(id:)` hand their one node the same (`me` the tenant its session came with), so
a plan answers them whole too. A page of invitations gets their senders, a page of the audit
log its events' tenants and actors, one query each, the users as the reader is shown them.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence, Set
from typing import Any

from domain.auth.factors import mfa_enabled_among
from domain.group_roles import groups_of
from schema.loaders import Loaders, project_rows_by_owner, token_rows_by_owner
from schema.plans import LastUsed
from schema.types.projects import ApiToken as ApiTokenNode
from schema.types.projects import Project as ProjectNode
from schema.types.tenants import Tenant as TenantNode
from schema.types.users import shown_user

# (ids of the current field's nodes, path) -> (those nodes, the names under the path). The
# names depend on the document alone (Strawberry's selections apply no directive, and
# fragments are the document's): the requests of a document share them. The entry holds the
# nodes, so no other node can take their ids while it lives.
_SELECTED = LastUsed(1024)


def selected_node_fields(info: Any, *path: str) -> frozenset[str]:
    """Names of the fields selected under `path` (e.g. "edges", "node") of the current field,
    through fragments too."""
    nodes = info._raw_info.field_nodes
    key = (*map(id, nodes), path)
    found = _SELECTED.recall(key)
    if found is None:
        found = (nodes, _selected_node_fields(info, path))
        _SELECTED.remember(key, found)
    return found[1]  # type: ignore[no-any-return]


def _selected_node_fields(info: Any, path: tuple[str, ...]) -> frozenset[str]:
    # info.selected_fields holds the current field itself (e.g. `users`): start below it.
    level = [child for field in _flatten(info.selected_fields) for child in field.selections]
    for step in path:
        level = [
            child for field in _flatten(level) if field.name == step for child in field.selections
        ]
    return frozenset(field.name for field in _flatten(level))


def _flatten(selections: Sequence[Any]) -> list[Any]:
    fields: list[Any] = []
    for selection in selections:
        if hasattr(selection, "arguments"):  # a field
            fields.append(selection)
        else:  # an inline fragment or a fragment spread
            fields.extend(_flatten(selection.selections))
    return fields


# The tenant's columns a users page joins in when `tenant` is selected (Tortoise names them
# after the relation: "tenant__name").
TENANT_COLUMNS = ("tenant__name", "tenant__created_at")


def page_columns(columns: tuple[str, ...], selected: Set[str]) -> tuple[str, ...]:
    """A users page's columns: with the tenant's joined in when `tenant` is selected."""
    return columns + TENANT_COLUMNS if "tenant" in selected else columns


# The fields of a user that `preload_users` hands its nodes.
PRELOADED_USER_FIELDS = frozenset({"tenant", "ownedProjects", "ownedTokens", "groups",
                                   "mfaEnabled"})  # fmt: skip


def needs_preloading(selected: Set[str]) -> bool:
    """Whether a page selecting these fields of its users has anything to preload."""
    return not PRELOADED_USER_FIELDS.isdisjoint(selected)


async def preload_users(
    loaders: Loaders, nodes: Sequence[Any], selected: Set[str], rows: Sequence[Any] = ()
) -> None:
    """Hands a page of users what it selects (PRELOADED_USER_FIELDS), so their fields answer
    synchronously. The tenant comes from the page's `rows` when they hold TENANT_COLUMNS (else
    one query through the loader, unless the nodes hold it already); the projects and the
    tokens take one query each."""
    if not nodes:
        return
    if "tenant" in selected and any(node.preloaded_tenant is None for node in nodes):
        if rows and TENANT_COLUMNS[0] in rows[0]:
            by_id = {}
            for node, row in zip(nodes, rows, strict=True):
                tenant = by_id.get(node.tenant_id)
                if tenant is None:
                    tenant = by_id[node.tenant_id] = TenantNode.from_joined_row(node.tenant_id, row)
                node.preloaded_tenant = tenant
        else:
            tenants = await loaders.tenant.load_many(list({node.tenant_id for node in nodes}))
            by_id = {t.id: TenantNode.from_model(t) for t in tenants if t is not None}
            for node in nodes:
                node.preloaded_tenant = by_id.get(node.tenant_id)
    owners = {node.pk: node for node in nodes}
    if "ownedProjects" in selected:
        # Plain rows, in the loader's order (name, then id): no model instances.
        projects = ProjectNode.from_rows(await project_rows_by_owner(list(owners)))
        _hand_owned(nodes, owners, projects, "preloaded_projects")
    if "ownedTokens" in selected:
        tokens = ApiTokenNode.from_rows(await token_rows_by_owner(list(owners)))
        _hand_owned(nodes, owners, tokens, "preloaded_tokens")
    if "groups" in selected:
        groups = await groups_of(owners)
        for node in nodes:
            node.preloaded_groups = list(groups.get(node.pk, ()))
    if "mfaEnabled" in selected:
        enabled = await mfa_enabled_among(list(owners))
        for node in nodes:
            node.preloaded_mfa_enabled = node.pk in enabled


def _hand_owned(
    nodes: Sequence[Any], owners: dict[Any, Any], items: Sequence[Any], attribute: str
) -> None:
    """Each user's own `items` (projects, tokens: in their order) as the list `attribute`,
    each item pointing back at an owner's node. Every node of one user gets the same list:
    `nodes(ids:)` may name a user twice."""
    owned: dict[Any, list[Any]] = {pk: [] for pk in owners}
    for item in items:
        # Weak: the owner lists the item, a strong reference back would be a cycle.
        item.preloaded_owner = weakref.ref(owners[item.owner_id])
        owned[item.owner_id].append(item)
    for node in nodes:
        setattr(node, attribute, owned[node.pk])


async def preload_inviters(
    loaders: Loaders, viewer: Any, nodes: Sequence[Any], selected: Set[str]
) -> None:
    """Hands a page of invitations their senders (`invitedBy`), when it selects them."""
    if not nodes or "invitedBy" not in selected:
        return
    senders = await _users_shown(loaders, viewer, [node.row.invited_by_id for node in nodes])
    for node in nodes:
        node.preloaded_inviter = senders.get(node.row.invited_by_id)


async def preload_event_relations(
    loaders: Loaders, viewer: Any, nodes: Sequence[Any], selected: Set[str]
) -> None:
    """Hands a page of audit events their tenants and actors, those it selects."""
    if not nodes:
        return
    if "tenant" in selected:
        ids = list({node.tenant_id for node in nodes if node.tenant_id is not None})
        tenants = dict(zip(ids, await loaders.tenant.load_many(ids), strict=True))
        for node in nodes:
            tenant = tenants.get(node.tenant_id)
            node.preloaded_tenant = TenantNode.from_model(tenant) if tenant is not None else None
    if "actor" in selected:
        actors = await _users_shown(loaders, viewer, [node.actor_id for node in nodes])
        for node in nodes:
            node.preloaded_actor = actors.get(node.actor_id)


async def _users_shown(loaders: Loaders, viewer: Any, ids: Sequence[Any]) -> dict[Any, Any]:
    """These users' nodes by ID (one query through the loader), those the viewer is shown;
    the others, the gone and no ID at all are missing."""
    wanted = list({user_id for user_id in ids if user_id is not None})
    found = dict(zip(wanted, await loaders.user.load_many(wanted), strict=True))
    return {user_id: shown for user_id, user in found.items()
            if (shown := shown_user(viewer, user)) is not None}  # fmt: skip
