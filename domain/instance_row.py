"""The one row of instance-wide settings (id = 1), created on first write."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import InstanceSettings

ROW_ID = 1


async def read_instance_row() -> InstanceSettings:
    """The stored settings, or the defaults (unsaved) when nothing was saved yet."""
    row = await InstanceSettings.get_or_none(id=ROW_ID)
    return row if row is not None else InstanceSettings(id=ROW_ID)


async def instance_row_for_update(connection: BaseDBAsyncClient) -> InstanceSettings:
    """The row to change, inside a transaction that holds `lock_instance`: created when missing."""
    row = await InstanceSettings.filter(id=ROW_ID).select_for_update().using_db(connection).first()
    if row is not None:
        return row
    return await InstanceSettings.create(id=ROW_ID, using_db=connection)
