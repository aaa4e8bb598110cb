"""node, nodes: Relay's refetch of any object by its ID alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from strawberry.permission import PermissionExtension

from domain import nodes
from permissions import graphql as can
from resolvers.common import actor
from resolvers.pagination import node_ids
from resolvers.preload import (
    needs_preloading,
    preload_event_relations,
    preload_inviters,
    preload_users,
    selected_node_fields,
)
from schema.context import Info
from schema.types.audit import AuditEvent
from schema.types.invitations import Invitation
from schema.types.node import Node
from schema.types.projects import ApiToken, Project
from schema.types.provisioning import GroupRoleMapping, ScimToken
from schema.types.security import PasskeyCredential
from schema.types.sessions import Session
from schema.types.signup import SignupDomain
from schema.types.tenants import Tenant
from schema.types.users import User
from schema.types.webhooks import Webhook, WebhookDelivery

# Every type that implements Node: its table and rule (domain/nodes.py), and how a row becomes
# the type. A type added to Node adds its line here (tests/graphql/test_relay_nodes.py fails
# for a Node type missing from this table).
NODE_TYPES: dict[nodes.Kind, Callable[[Any], Node]] = {
    nodes.USER: User.from_model,
    nodes.TENANT: Tenant.from_model,
    nodes.PROJECT: Project.from_model,
    nodes.API_TOKEN: ApiToken.from_model,
    nodes.INVITATION: Invitation.from_model,
    nodes.SIGNUP_DOMAIN: SignupDomain.from_model,
    nodes.AUDIT_EVENT: AuditEvent.from_model,
    nodes.SESSION: Session.from_model,
    nodes.PASSKEY: PasskeyCredential.from_model,
    nodes.SCIM_TOKEN: ScimToken.from_model,
    nodes.GROUP_ROLE_MAPPING: GroupRoleMapping.from_model,
    nodes.WEBHOOK: Webhook.from_model,
    nodes.WEBHOOK_DELIVERY: WebhookDelivery.from_model,
}


async def _resolve(info: Info, ids: list[str]) -> list[Node | None]:
    parsed = nodes.parse_ids(ids)
    wanted = [value for value in parsed if value is not None]
    found = await nodes.find(actor(info), wanted, tuple(NODE_TYPES))
    answer: list[Node | None] = []
    for value in parsed:
        hit = found.get(value) if value is not None else None
        answer.append(NODE_TYPES[hit[0]](hit[1]) if hit is not None else None)
    await _preload(info, answer)
    return answer


async def _preload(info: Info, found: list[Node | None]) -> None:
    """Hands the users, invitations and audit events found what their selection reads
    (resolvers/preload.py), as their lists do, so a plan answers them whole. The selection
    is every fragment's: a field another type's fragment names costs a query, not an answer."""
    selected = selected_node_fields(info)
    loaders, viewer = info.context.loaders, actor(info)
    users = [node for node in found if type(node) is User]
    if users and needs_preloading(selected):
        await preload_users(loaders, users, selected)
    invitations = [node for node in found if type(node) is Invitation]
    await preload_inviters(loaders, viewer, invitations, selected)
    events = [node for node in found if type(node) is AuditEvent]
    await preload_event_relations(loaders, viewer, events, selected)


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="The object with this ID, whatever its type, when the caller may see it "
        "(the same rules as the fields that list it); null otherwise.",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Any object's ID.")],
    ) -> Node | None:
        return (await _resolve(info, [id]))[0]

    @strawberry.field(
        description="`node` for each ID, in order (at most a page of them).",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="The IDs, at most the instance's page limit (TENANTRY_MAX_PAGE_SIZE)."
            ),
        ],
    ) -> list[Node | None]:
        return await _resolve(info, list(node_ids(ids)))
