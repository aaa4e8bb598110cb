"""ServiceProviderConfig, ResourceTypes, Schemas (RFC 7644 §4): what the endpoint supports,
built from scim2-models' own definitions of User and Group."""

from __future__ import annotations

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ETag,
    Filter,
    Patch,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
)
from scim2_models import Group as ScimGroup
from scim2_models import User as ScimUser
from starlette.requests import Request
from starlette.responses import Response

from domain.scim_users import ScimCaller
from web.scim.protocol import MAX_PAGE, answer, error, page, scim_endpoint

DOCUMENTATION = "https://www.rfc-editor.org/rfc/rfc7644"


def _config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=DOCUMENTATION,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A SCIM token of this tenant (createScimToken), sent as "
                "'Authorization: Bearer <token>'.",
                primary=True,
            )
        ],
    )


def _resource_types() -> list[ResourceType]:
    return [ResourceType.from_resource(ScimUser), ResourceType.from_resource(ScimGroup)]


def _schemas() -> list[Schema]:
    return [ScimUser.to_schema(), ScimGroup.to_schema()]


@scim_endpoint
async def service_provider_config(request: Request, caller: ScimCaller) -> Response:
    return answer(_config())


@scim_endpoint
async def resource_types(request: Request, caller: ScimCaller) -> Response:
    found = _resource_types()
    return answer(page(ResourceType, len(found), 1, found))


@scim_endpoint
async def resource_type(request: Request, caller: ScimCaller) -> Response:
    wanted = request.path_params["name"]
    for found in _resource_types():
        if found.id == wanted or found.name == wanted:
            return answer(found)
    return error(404, "No such resource type.")


@scim_endpoint
async def schemas(request: Request, caller: ScimCaller) -> Response:
    found = _schemas()
    return answer(page(Schema, len(found), 1, found))


@scim_endpoint
async def schema(request: Request, caller: ScimCaller) -> Response:
    wanted = request.path_params["id"]
    for found in _schemas():
        if found.id == wanted:
            return answer(found)
    return error(404, "No such schema.")
