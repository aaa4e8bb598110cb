"""The Subscription root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.subscriptions import ChangeSubscriptions

SUBSCRIPTIONS: tuple[type, ...] = (ChangeSubscriptions,)

Subscription = merge_types("Subscription", SUBSCRIPTIONS)
