"""Relay's global object identification: the Node interface.

Every object type with an ID implements it (`class Session(Node)`: the one line that adds a
type) and registers how `node(id:)` finds and checks it in resolvers/nodes.py. IDs stay the
UUIDs they always were (unique across tables by construction), so no client's stored ID
changes and every argument that takes an ID takes a Node's. Strawberry's own `relay.Node` is
not used: its `id` is a resolver making base64 `Type:uuid` global IDs, which would change
every ID a client holds and take every page off the executor's plans (schema/execution.py).
"""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with an ID unique across all types: `node(id:)` fetches it again."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="The object's ID (a UUID, unique across all types; it never changes)."
    )
