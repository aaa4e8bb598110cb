"""updateListeners (instanceSettings.listeners is a field of InstanceSettings)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import listeners as listener_settings
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import ValidationError
from schema.types.listeners import Listener, ListenerInput, ListenersPayload

ListenersResult = Annotated[
    ListenersPayload | ValidationError,
    strawberry.union("ListenersResult", description="updateListeners' answer."),
]


@strawberry.type
class ListenerMutations:
    @strawberry.mutation(
        description="Replace the instance's listeners, whole or not at all.",
        extensions=[PermissionExtension([can.InstanceSettings()])],
    )
    @expected_failures
    async def update_listeners(
        self,
        info: Info,
        listeners: Annotated[
            list[ListenerInput], strawberry.argument(description="Every listener, as it will be.")
        ],
    ) -> ListenersResult:
        saved = await listener_settings.update_listeners(
            actor(info), [entry.to_domain() for entry in listeners]
        )
        return ListenersPayload(listeners=[Listener.from_domain(entry) for entry in saved])
