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


def answer(
    payload: Resource[Any] | ListResponse[Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    body = payload.model_dump_json(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
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


_DETAILS = {
    "invalidFilter": "The filter is not valid SCIM, or names an attribute it cannot compare.",
    "invalidPath": "A PATCH path is not valid for this resource.",
    "noTarget": "A PATCH path matches nothing to change.",
    "invalidValue": "A value is missing, or not valid for its attribute.",
    "mutability": "A read-only attribute cannot be changed.",
    "invalidSyntax": "The request is not valid SCIM.",
    "tooMany": "Too many results: narrow the filter.",
}


def _invalid(exc: ValidationError) -> Response:
    """A payload or parameter scim2-models refused. Pydantic's own messages name the place
    and the type; scim2-models' may quote the value, so theirs are replaced by ours."""
    found = Error.from_validation_errors(exc)
    if not found:
        return error(400, "The request is not valid SCIM.", "invalidValue")
    first, raw = found[0], exc.errors()[0]
    scim_type = first.scim_type or "invalidValue"
    if str(raw.get("type", "")).startswith("scim_"):
        detail = _DETAILS.get(scim_type, "The request is not valid SCIM.")
    else:
        detail = first.detail or "The request is not valid SCIM."
    return error(int(first.status or 400), detail, scim_type)


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
            # scim2-models' own details may quote the value sent (a PATCH value may be a
            # password): ours name the problem only.
            detail = (
                exc.detail
                if isinstance(exc, _Syntax)
                else _DETAILS.get(scim_error.scim_type or "", "The request is not valid SCIM.")
            )
            return error(int(scim_error.status or 400), detail, scim_error.scim_type)
        except ValidationError as exc:
            return _invalid(exc)
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
