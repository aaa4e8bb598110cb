"""projects, createProject, deleteProject."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import projects
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from resolvers.pagination import DEFAULT_PAGE_SIZE, page_request, paginate
from schema.context import Info
from schema.errors import AlreadyExists, NotFound, ValidationError
from schema.types.projects import (
    DeleteProjectSuccess,
    Project,
    ProjectConnection,
    ProjectEdge,
    ProjectPayload,
)

ProjectResult = Annotated[
    ProjectPayload | NotFound | ValidationError | AlreadyExists, strawberry.union("ProjectResult")
]
DeleteProjectResult = Annotated[
    DeleteProjectSuccess | NotFound, strawberry.union("DeleteProjectResult")
]


@strawberry.type
class ProjectQueries:
    @strawberry.field(extensions=[PermissionExtension([can.ListProjects()])])
    async def projects(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectConnection:
        query = projects.projects_in_reach(actor(info))
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        page = await paginate(query, wanted, order_by="name_key")
        return ProjectConnection(
            edges=page.edges(ProjectEdge, Project.from_model),
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )


@strawberry.type
class ProjectMutations:
    @strawberry.mutation(extensions=[PermissionExtension([can.CreateProject()])])
    @expected_failures
    async def create_project(self, info: Info, name: str) -> ProjectResult:
        project = await projects.create_project(actor(info), name)
        return ProjectPayload(project=Project.from_model(project))

    @strawberry.mutation(extensions=[PermissionExtension([can.DeleteObjects()])])
    @expected_failures
    async def delete_project(self, info: Info, id: strawberry.ID) -> DeleteProjectResult:
        deleted = await projects.delete_project(actor(info), id)
        return DeleteProjectSuccess(deleted_project_id=strawberry.ID(str(deleted)))
