"""Every foreign key has an index led by its column(s): a lookup by owner, user or tenant and
the check a delete makes on the referencing table (RESTRICT, CASCADE, SET NULL) never scan.

The lists come from the database catalog after the migrations ran, so a new foreign key
without an index fails here."""

from tortoise import connections

# A foreign key and the indexes of its table, as column tuples in index order.
PG_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text AS table_name, c.conname AS name,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.n)::text[] AS columns
FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
WHERE c.contype = 'f' AND ns.nspname = current_schema()
"""
PG_INDEXES = """
SELECT i.indrelid::regclass::text AS table_name,
       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.n)::text[] AS columns
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
WHERE ns.nspname = current_schema()
"""


async def _postgres_catalog(connection) -> tuple[list, dict]:  # type: ignore[no-untyped-def]
    keys = [
        (row["table_name"].strip('"'), tuple(row["columns"]))
        for row in await connection.execute_query_dict(PG_FOREIGN_KEYS)
    ]
    indexes: dict[str, list[tuple[str, ...]]] = {}
    for row in await connection.execute_query_dict(PG_INDEXES):
        indexes.setdefault(row["table_name"].strip('"'), []).append(tuple(row["columns"]))
    return keys, indexes


async def _sqlite_catalog(connection) -> tuple[list, dict]:  # type: ignore[no-untyped-def]
    tables = [
        row["name"]
        for row in await connection.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    keys, indexes = [], {}
    for table in tables:
        by_id: dict[int, list[tuple[int, str]]] = {}
        for row in await connection.execute_query_dict(f'PRAGMA foreign_key_list("{table}")'):
            by_id.setdefault(row["id"], []).append((row["seq"], row["from"]))
        keys += [(table, tuple(column for _, column in sorted(cols))) for cols in by_id.values()]
        for index in await connection.execute_query_dict(f'PRAGMA index_list("{table}")'):
            info = await connection.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
            columns = tuple(row["name"] for row in sorted(info, key=lambda row: row["seqno"]))
            indexes.setdefault(table, []).append(columns)
    return keys, indexes


async def test_every_foreign_key_has_an_index_led_by_its_columns(app: object) -> None:
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        keys, indexes = await _postgres_catalog(connection)
    else:
        keys, indexes = await _sqlite_catalog(connection)
    assert ("project", ("owner_id",)) in keys  # the catalog query sees our foreign keys
    unindexed = [
        f"{table}({', '.join(columns)})"
        for table, columns in keys
        if not any(index[: len(columns)] == columns for index in indexes.get(table, []))
    ]
    assert unindexed == [], f"foreign keys without an index: {unindexed}"
