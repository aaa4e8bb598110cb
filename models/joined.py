"""One statement, written once, for the lookups every request makes (issue 17).

Tortoise builds a query's SQL anew each time it runs: for a session joined to its user and
the user's tenant that was a fifth of a whole users page's CPU, more than the statement itself.
A `JoinedLookup` holds the statement's text, made at its first use from the models' own
columns (so a column a migration adds is read too), and turns each row into the models' instances,
each later one attached to the one before as the relation Tortoise's `select_related` would
fill. Run on the request's connection (models/request_connection.py), where asyncpg prepares
it once per connection and reuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.models import Model

from models.request_connection import CONNECTION


class JoinedLookup:
    """SELECT every column of `models` FROM `joins` WHERE `where`: `joins` and `where` name
    the tables by the aliases given beside the models, and `where` its parameters as {0},
    {1}, … . `relations[i]` is the attribute of models[i] that holds models[i + 1]."""

    def __init__(
        self,
        models: Sequence[tuple[type[Model], str]],
        relations: Sequence[str],
        joins: str,
        where: str,
        parameters: int,
    ) -> None:
        assert len(relations) == len(models) - 1
        self._models = models
        self.relations = [f"_{name}" for name in relations]
        self._joins, self._where, self._parameters = joins, where, parameters
        self._sql: dict[str, str] = {}
        self._columns: list[tuple[str, ...]] = []

    def _statement(self, dialect: str) -> str:
        # Made at first use: a model's columns are complete once Tortoise has set it up.
        if not self._sql:
            self._columns = [
                tuple(model._meta.fields_db_projection.values()) for model, _ in self._models
            ]
            select = ", ".join(
                f'{alias}."{column}"'
                for (_, alias), columns in zip(self._models, self._columns, strict=True)
                for column in columns
            )
            # Our own text: column names from the models, joins and condition from the code.
            template = f"SELECT {select} FROM {self._joins} WHERE {self._where}"  # noqa: S608
            numbers = range(1, self._parameters + 1)
            self._sql = {
                "postgres": template.format(*(f"${n}" for n in numbers)),
                "sqlite": template.format(*("?" for _ in numbers)),
            }
        return self._sql[dialect]

    async def first(self, *values: Any) -> Model | None:
        """The first model of the first row, with the others attached; None without a row."""
        client = connections.get(CONNECTION)
        sql = self._statement(client.capabilities.dialect)
        _, rows = await client.execute_query(sql, list(values))
        if not rows:
            return None
        row = tuple(rows[0])
        instances = []
        start = 0
        for (model, _), columns in zip(self._models, self._columns, strict=True):
            end = start + len(columns)
            instances.append(model._init_from_db(**dict(zip(columns, row[start:end], strict=True))))
            start = end
        for holder, name, held in zip(instances, self.relations, instances[1:], strict=False):
            object.__setattr__(holder, name, held)
        return instances[0]
