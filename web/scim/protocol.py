"""What every SCIM endpoint shares: the bearer token, JSON in and out as
application/scim+json, errors in the SCIM error format (status, scimType, detail)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from pydantic import ValidationError
from scim2_models import Context, Error, ListResponse, Resource, ScimPolicy, SearchRequest
from scim2_models.exceptions import SCIMException
from starlette.requests import Request
from starlette.responses import Response

from domain import errors
from domain.scim_filters import UnsupportedFilter
from domain.scim_tokens import token_for_tenant
from domain.scim_users import ScimCaller
from web.auth import bearer_token

log = logging.getLogger("tenantry.scim")

SCIM_JSON = "application/scim+json"
MAX_PAGE = 200  # ServiceProviderConfig.filter.maxResults
# What identity providers send beyond the specification, tolerated: attributes Tenantry does
# not store (dropped), a PATCH remove with a value (Entra ID), a filtered path matching no
# value yet (Entra ID's emails[type eq "work"].value on a user without one).
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

Handler = Callable[[Request, ScimCaller], Awaitable[Response]]


def answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, (Resource, ListResponse, Error)) or hasattr(payload, "model_dump"):
        body = payload.model_dump_json(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    else:
        body = orjson.dumps(payload)
    return Response(body, status_code=status, media_type=SCIM_JSON, headers=headers)


def error(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": detail,
    }
    if scim_type:
        body["scimType"] = scim_type
    headers = {"WWW-Authenticate": 'Bearer realm="SCIM"'} if status == 401 else None
    return Response(orjson.dumps(body), status_code=status, media_type=SCIM_JSON, headers=headers)


def _domain_error(exc: errors.DomainError) -> Response:
    match exc:
        case UnsupportedFilter():
            return error(400, exc.message, "invalidFilter")
        case errors.ValidationFailed():
            return error(400, exc.message, "invalidValue")
        case errors.AlreadyExists():
            return error(409, exc.message, "uniqueness")
        case errors.NotFound():
            return error(404, exc.message)
        case errors.LastAdmin() | errors.LastSuperuser():
            return error(400, f"{exc.message} Nothing was changed.", "mutability")
    return error(400, exc.message)


def scim_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate by the tenant's SCIM token (nothing else opens it), then map every
    expected failure to a SCIM error; nothing here answers 500 for bad input."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        token = await token_for_tenant(request.path_params["tenant"], bearer_token(request))
        if token is None:
            return error(401, "A SCIM token of this tenant is required (Authorization: Bearer).")
        caller = ScimCaller(token)
        try:
            with POLICY:
                return await handler(request, caller)
        except SCIMException as exc:
            scim_error = exc.to_error()
            return error(int(scim_error.status or 400), exc.detail, scim_error.scim_type)
        except ValidationError as exc:
            found = Error.from_validation_errors(exc)
            first = found[0] if found else None
            status = int(first.status or 400) if first else 400
            detail = first.detail if first and first.detail else "Invalid SCIM payload."
            return error(status, detail, (first.scim_type if first else None) or "invalidValue")
        except errors.Forbidden as exc:
            return error(403, str(exc) or "Not allowed.")
        except errors.DomainError as exc:
            return _domain_error(exc)

    return endpoint


async def read_json(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in (SCIM_JSON, "application/json"):
        raise _Syntax(detail="Send the body as application/scim+json.")
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise _Syntax(detail="The body is not JSON.") from None


class _Syntax(SCIMException):
    status = 400
    scim_type = "invalidSyntax"


def search_request(request: Request, model: type[Resource[Any]]) -> SearchRequest[Any]:
    """The query parameters of a list: filter, startIndex, count (capped at MAX_PAGE)."""
    params = dict(request.query_params)
    wanted = SearchRequest[model].model_validate(  # type: ignore[valid-type]
        {key: value for key, value in params.items() if key in _SEARCH_PARAMETERS}
    )
    if wanted.count is None or wanted.count > MAX_PAGE:
        wanted.count = MAX_PAGE
    return wanted


_SEARCH_PARAMETERS = {"filter", "startIndex", "count", "attributes", "excludedAttributes"}


def page(
    model: type[Resource[Any]], total: int, start_index: int, resources: list[Any]
) -> ListResponse[Any]:
    return ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start_index,
        items_per_page=len(resources),
        resources=resources,
    )
