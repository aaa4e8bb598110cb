"""Relay's PageInfo, as Strawberry ships it: hasNextPage, hasPreviousPage, startCursor,
endCursor (plain fields, so the executor's plans still answer a page in one pass)."""

from strawberry.relay import PageInfo

__all__ = ["PageInfo"]

# The words every connection and edge shares (Relay's cursor connections).
EDGES = "The page's items, in the list's order, each with its cursor."
PAGE_INFO = "The page's first and last cursors, and whether items lie beyond either end."
TOTAL_COUNT = "How many items the whole list holds, across all pages."
CURSOR = "This item's place in the list: give it as `after` or `before` to page from here."
