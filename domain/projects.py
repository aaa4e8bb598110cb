"""Projects: configuration objects that members and admins create and own."""

from __future__ import annotations

import re
import uuid

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import AlreadyExists, NotFound, ValidationFailed, require
from domain.owned_objects import access_owned, delete_owned
from models import Project, User
from permissions.rules import Actor, Op, allowed

# Names people type and read: letters, digits, spaces and a little punctuation, no control
# characters, no leading or trailing blanks.
_OBJECT_NAME = re.compile(r"^[^\W_][\w .:/()+-]*$")
_MAX_NAME = 100


def object_name(value: str, field: str = "name") -> str:
    """The name of a project or an API token, trimmed; 1 to 100 characters."""
    value = validation.plain_text(value, field).strip()
    if not value or len(value) > _MAX_NAME or not _OBJECT_NAME.fullmatch(value):
        raise ValidationFailed(
            "A name has 1 to 100 letters, digits, spaces or . : / ( ) + - _ characters "
            "and starts with a letter or digit.",
            field,
        )
    return value


async def lock_owner(connection: BaseDBAsyncClient, owner_id: uuid.UUID) -> User:
    """Read the owner row and, on PostgreSQL, lock it until commit.

    A deletion of the same user locks that row too, so a new object and the deletion of its
    owner cannot interleave: either the object exists first and blocks the deletion
    (UserOwnsObjects), or the owner is gone first and the creation answers NotFound.
    """
    owner = (
        await User.filter(id=owner_id).select_for_update(no_key=True).using_db(connection).first()
    )
    if owner is None:
        raise NotFound("No such user.")
    return owner


async def create_project(actor: Actor, name: str) -> Project:
    require(actor, Op.CREATE_PROJECT)
    name = object_name(name)
    name_key = validation.key(name)
    if len(name_key) > _MAX_NAME:
        # Case folding can lengthen a name ("ß" folds to "ss"); the key column holds 100.
        raise ValidationFailed("The name is too long once its letters are case-folded.", "name")
    async with in_transaction() as connection:
        owner = await lock_owner(connection, actor.user_id)
        tenant_id: uuid.UUID = owner.tenant_id  # type: ignore[attr-defined]
        if (
            await Project.filter(tenant_id=tenant_id, name_key=name_key)
            .using_db(connection)
            .exists()
        ):
            raise AlreadyExists("A project with that name exists in this tenant.", "name")
        try:
            project = await Project.create(
                using_db=connection,
                tenant_id=tenant_id,
                name=name,
                name_key=name_key,
                owner_id=owner.id,
            )
        except IntegrityError:
            raise AlreadyExists("A project with that name exists in this tenant.", "name") from None
        await audit.record(
            actor,
            "project.created",
            tenant_id=tenant_id,
            target_type="project",
            target_id=project.id,
            changes={"name": name, "owner": owner.id},
        )
    return project


def projects_in_reach(actor: Actor) -> QuerySet[Project]:
    """The projects list: the caller's own tenant, for everyone who may list (superusers too)."""
    if not allowed(actor, Op.LIST_PROJECTS):
        return Project.none()
    return Project.filter(tenant_id=actor.tenant_id)


async def access_project_by_id(actor: Actor, project_id: str | uuid.UUID, op: Op) -> Project:
    return await access_owned(actor, Project, project_id, op, noun="project")


async def delete_project(actor: Actor, project_id: str) -> uuid.UUID:
    """The owner, their tenant's admins, superusers anywhere."""
    project = await access_project_by_id(actor, project_id, Op.DELETE_OBJECTS)
    return await delete_owned(
        actor,
        project,
        noun="project",
        action="project.deleted",
        target_type="project",
        changes={"name": project.name, "owner": project.owner_id},  # type: ignore[attr-defined]
    )
