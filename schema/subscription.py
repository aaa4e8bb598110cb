"""The Subscription root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.subscriptions import ChangeSubscriptions

SUBSCRIPTIONS: tuple[type, ...] = (ChangeSubscriptions,)

Subscription = merge_types("Subscription", SUBSCRIPTIONS)
Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Changes pushed over WebSocket (graphql-transport-ws at /graphql), each checked against "
    "the subscriber's reach when it happens."
)
