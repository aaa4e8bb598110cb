"""projects, createProject, deleteProject."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import projects
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    page_request,
    paginate,
)
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
    ProjectPayload | NotFound | ValidationError | AlreadyExists,
    strawberry.union("ProjectResult", description="createProject's answer."),
]
DeleteProjectResult = Annotated[
    DeleteProjectSuccess | NotFound,
    strawberry.union("DeleteProjectResult", description="deleteProject's answer."),
]


@strawberry.type
class ProjectQueries:
    @strawberry.field(
        description="The projects of the caller's tenant, by name.",
        extensions=[PermissionExtension([can.ListProjects()])],
    )
    async def projects(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
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
    @strawberry.mutation(
        description="Create a project in the caller's tenant, owned by the caller.",
        extensions=[PermissionExtension([can.CreateProject()])],
    )
    @expected_failures
    async def create_project(
        self,
        info: Info,
        name: Annotated[
            str, strawberry.argument(description="The project's name; free in the tenant.")
        ],
    ) -> ProjectResult:
        project = await projects.create_project(actor(info), name)
        return ProjectPayload(project=Project.from_model(project))

    @strawberry.mutation(
        description="Delete a project.",
        extensions=[PermissionExtension([can.DeleteObjects()])],
    )
    @expected_failures
    async def delete_project(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The project to delete.")],
    ) -> DeleteProjectResult:
        deleted = await projects.delete_project(actor(info), id)
        return DeleteProjectSuccess(deleted_project_id=strawberry.ID(str(deleted)))
