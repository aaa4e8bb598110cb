"""The pool's PostgreSQL connections go back without a statement of their own (issue 17).

asyncpg resets a connection it takes back with `SELECT pg_advisory_unlock_all(); CLOSE ALL;
UNLISTEN *; RESET ALL`: a round trip after every request (and, in a mutation, after every
statement outside a transaction). Tenantry leaves nothing of the kind on the pool's
connections: its advisory locks are transaction locks (`pg_advisory_xact_lock`), it sets
nothing for the session (`SET TRANSACTION` ends with its transaction), declares no cursor
outside a transaction, and LISTENs on a connection of its own (domain/events.py). asyncpg
still rolls back a transaction a connection comes back in, and drops its listeners, without
this query (`Connection.reset`).
"""

from __future__ import annotations

import asyncpg


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        return ""
