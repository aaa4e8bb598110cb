"""Whole-page preloading (issue 7: speed): a page of users gets each relation it selects in
one query, handed to its nodes, so their fields answer without a loader round trip each."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from schema.loaders import Loaders
from schema.types.projects import Project as ProjectNode
from schema.types.tenants import Tenant as TenantNode


def selected_node_fields(info: Any, *path: str) -> set[str]:
    """Names of the fields selected under `path` (e.g. "edges", "node") of the current field,
    through fragments too."""
    # info.selected_fields holds the current field itself (e.g. `users`): start below it.
    level = [child for field in _flatten(info.selected_fields) for child in field.selections]
    for step in path:
        level = [
            child for field in _flatten(level) if field.name == step for child in field.selections
        ]
    return {field.name for field in _flatten(level)}


def _flatten(selections: Sequence[Any]) -> list[Any]:
    fields: list[Any] = []
    for selection in selections:
        if hasattr(selection, "arguments"):  # a field
            fields.append(selection)
        else:  # an inline fragment or a fragment spread
            fields.extend(_flatten(selection.selections))
    return fields


async def preload_users(loaders: Loaders, nodes: Sequence[Any], selected: set[str]) -> None:
    """Loads what a page of users selects (tenant, ownedProjects with their owners) in one
    query per relation, and hands it to the nodes, whose fields then answer synchronously.

    Same queries as the loaders (same SQL), without one awaitable per field and row.
    """
    if not nodes:
        return
    if "tenant" in selected:
        tenant_ids = list({node.tenant_id for node in nodes})
        tenants = await loaders.tenant.load_many(tenant_ids)
        by_id = {t.id: TenantNode.from_model(t) for t in tenants if t is not None}
        for node in nodes:
            node.preloaded_tenant = by_id.get(node.tenant_id)
    if "ownedProjects" in selected:
        owners = {node.pk: node for node in nodes}
        grouped = await loaders.projects_by_owner.load_many(list(owners))
        for node, projects in zip(owners.values(), grouped, strict=True):
            items = []
            for project in projects:
                item = ProjectNode.from_model(project)
                owner = owners.get(project.owner_id)
                # Weak: the owner lists the project, a strong reference back would be a cycle.
                item.preloaded_owner = weakref.ref(owner) if owner is not None else None
                items.append(item)
            node.preloaded_projects = items
