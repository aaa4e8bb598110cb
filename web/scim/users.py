"""/scim/v2/{tenant}/Users: create, get, list (filter, startIndex, count), PUT, PATCH,
DELETE. Resources in and out are scim2-models' User; the behaviour is domain/scim_users.py."""

from __future__ import annotations

from typing import Any

from scim2_models import Context, Email, EnterpriseUser, Meta, PatchOp
from scim2_models import GroupMembership as ScimGroupMembership
from scim2_models import User as ScimUser
from starlette.requests import Request
from starlette.responses import Response

from domain import scim_filters, scim_groups, scim_users
from domain.scim_tokens import base_url
from domain.scim_users import ScimCaller, UserValues
from models import User
from web.scim.protocol import answer, page, read_json, scim_endpoint, search_request

# Entra ID sends the enterprise extension; its attributes are accepted and not stored.
Incoming = ScimUser[EnterpriseUser]


async def _resources(caller: ScimCaller, users: list[User]) -> list[ScimUser]:
    groups = await scim_groups.groups_of_users(user.id for user in users)
    base = base_url(caller.tenant)
    return [
        ScimUser(
            id=str(user.id),
            external_id=user.external_id,
            user_name=scim_users.scim_user_name(user),
            display_name=user.username,
            active=user.deactivated_at is None,
            emails=[Email(value=user.email, type=Email.Type.work, primary=True)],
            groups=[
                ScimGroupMembership(
                    value=str(group.id), display=group.display_name, ref=f"{base}/Groups/{group.id}"
                )
                for group in groups.get(user.id, [])
            ]
            or None,
            meta=Meta(
                resource_type="User",
                created=user.created_at,
                last_modified=user.created_at,
                location=f"{base}/Users/{user.id}",
            ),
        )
        for user in users
    ]


async def _resource(caller: ScimCaller, user: User) -> ScimUser:
    return (await _resources(caller, [user]))[0]


def _values(resource: Any) -> UserValues:
    """What the domain may set, from a user resource (after a PATCH, the whole new state)."""
    emails = list(resource.emails or [])
    chosen = (
        next((e for e in emails if e.primary), None)
        or next((e for e in emails if e.type == Email.Type.work), None)
        or (emails[0] if emails else None)
    )
    return UserValues(
        user_name=resource.user_name or "",
        email=chosen.value if chosen is not None else None,
        external_id=resource.external_id,
        active=resource.active if resource.active is not None else True,
    )


@scim_endpoint
async def collection(request: Request, caller: ScimCaller) -> Response:
    if request.method == "POST":
        created = Incoming.model_validate(
            await read_json(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
        )
        user = await scim_users.create_user(caller, _values(created))
        resource = await _resource(caller, user)
        return answer(resource, 201, headers={"Location": resource.meta.location})  # type: ignore[union-attr]
    search = search_request(request, ScimUser)
    where = (
        scim_filters.as_query(search.filter.ast, scim_filters.USER_ATTRIBUTES)
        if search.filter
        else None
    )
    start = search.start_index or 1
    total, users = await scim_users.list_users(caller, where, start, search.count or 0)
    return answer(page(ScimUser, total, start, await _resources(caller, users)))


@scim_endpoint
async def item(request: Request, caller: ScimCaller) -> Response:
    user_id = request.path_params["id"]
    match request.method:
        case "GET":
            return answer(await _resource(caller, await scim_users.get_user(caller, user_id)))
        case "PUT":
            replaced = Incoming.model_validate(
                await read_json(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
            user = await scim_users.replace_user(caller, user_id, _values(replaced))
            return answer(await _resource(caller, user))
        case "PATCH":
            patch = PatchOp[Incoming].model_validate(
                await read_json(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )

            async def patched(current: User) -> UserValues:
                resource = Incoming.model_validate(
                    (await _resource(caller, current)).model_dump(scim_ctx=None)
                )
                patch.patch(resource)
                return _values(resource)

            user = await scim_users.replace_user(caller, user_id, patched)
            return answer(await _resource(caller, user))
    await scim_users.remove_user(caller, user_id)
    return Response(status_code=204)
