"""Relay's PageInfo, as Strawberry ships it: hasNextPage, hasPreviousPage, startCursor,
endCursor (plain fields, so the executor's plans still answer a page in one pass)."""

from strawberry.relay import PageInfo

__all__ = ["PageInfo"]
