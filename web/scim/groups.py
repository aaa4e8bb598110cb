"""/scim/v2/{tenant}/Groups: create, get, list, PUT, PATCH (members), DELETE; a group's
displayName is what group-to-role mappings name (domain/scim_groups.py)."""

from __future__ import annotations

from typing import Any

from scim2_models import Context, GroupMember, Meta, PatchOp
from scim2_models import Group as ScimGroup
from starlette.requests import Request
from starlette.responses import Response

from domain import scim_filters, scim_groups
from domain.scim_groups import GroupValues, GroupView
from domain.scim_tokens import base_url
from domain.scim_users import ScimCaller
from web.scim.protocol import answer, page, read_json, scim_endpoint, search_request


def _resource(caller: ScimCaller, view: GroupView, *, members: bool = True) -> ScimGroup:
    base = base_url(caller.tenant)
    group = view.group
    return ScimGroup(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
        members=[
            GroupMember(value=str(user_id), display=username, ref=f"{base}/Users/{user_id}")
            for user_id, username in view.members
        ]
        if members
        else None,
        meta=Meta(
            resource_type="Group",
            created=group.created_at,
            last_modified=group.created_at,
            location=f"{base}/Groups/{group.id}",
        ),
    )


def _values(resource: Any) -> GroupValues:
    return GroupValues(
        display_name=resource.display_name or "",
        external_id=resource.external_id,
        member_ids=[member.value for member in resource.members or [] if member.value],
    )


def _wants_members(request: Request) -> bool:
    """Entra ID asks excludedAttributes=members: large groups then cost nothing to list."""
    excluded = request.query_params.get("excludedAttributes", "")
    return "members" not in {name.strip().casefold() for name in excluded.split(",")}


@scim_endpoint
async def collection(request: Request, caller: ScimCaller) -> Response:
    if request.method == "POST":
        created = ScimGroup.model_validate(
            await read_json(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
        )
        view = await scim_groups.create_group(caller, _values(created))
        resource = _resource(caller, view)
        return answer(resource, 201, headers={"Location": resource.meta.location})  # type: ignore[union-attr]
    search = search_request(request, ScimGroup)
    where = (
        scim_filters.as_query(search.filter.ast, scim_filters.GROUP_ATTRIBUTES)
        if search.filter
        else None
    )
    start = search.start_index or 1
    total, views = await scim_groups.list_groups(caller, where, start, search.count or 0)
    members = _wants_members(request)
    return answer(
        page(ScimGroup, total, start, [_resource(caller, v, members=members) for v in views])
    )


@scim_endpoint
async def item(request: Request, caller: ScimCaller) -> Response:
    group_id = request.path_params["id"]
    match request.method:
        case "GET":
            view = await scim_groups.get_group(caller, group_id)
            return answer(_resource(caller, view, members=_wants_members(request)))
        case "PUT":
            replaced = ScimGroup.model_validate(
                await read_json(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
            view = await scim_groups.replace_group(caller, group_id, _values(replaced))
            return answer(_resource(caller, view))
        case "PATCH":
            patch = PatchOp[ScimGroup].model_validate(
                await read_json(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )

            async def patched(current: GroupView) -> GroupValues:
                resource = ScimGroup.model_validate(
                    _resource(caller, current).model_dump(scim_ctx=None)
                )
                patch.patch(resource)
                return _values(resource)

            await scim_groups.replace_group(caller, group_id, patched)
            # Okta and Entra ID take 204 for a PATCH of a group (no members echoed back).
            return Response(status_code=204)
    await scim_groups.delete_group(caller, group_id)
    return Response(status_code=204)
