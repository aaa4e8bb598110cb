"""GET /audit-log/export?format=jsonl|csv&<filters>: the audit log as a file, streamed.

The same callers and filters as `auditLog` (domain/audit_log.py): query parameters `action`
(repeatable), `actorId`, `targetType`, `targetId`, `since`, `until`, `tenantId`. The events are
read in keyset batches and written as each batch arrives, so memory stays one batch whatever
the log's size.

Authenticated like the API: `Authorization: Bearer` (a session or API token, the API token
acting as its owner, as the policy table's by-token column says), or the session cookie when
the request does not come from a page of another site (a page of a TENANTRY_CORS_ORIGINS
origin may, as it may call the API with credentials; a link the user opens from the address
bar may).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from config import get_config
from domain.audit_log import MAX_ACTIONS, AuditFilter, event_batches, events_in_reach
from domain.errors import Forbidden, ValidationFailed
from domain.users import actor_of
from web.audit_formats import MEDIA_TYPES, ExportFormat, encode, header
from web.auth import ANONYMOUS, Caller, bearer_token, identify
from web.origin import sent_from_another_site

PATH = "/audit-log/export"
_SINGLE = ("format", "actorId", "targetType", "targetId", "since", "until", "tenantId")


class BadRequest(Exception):  # noqa: N818 - an HTTP answer, not a failure
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _refusal(status: int, message: str, code: str, field: str | None = None) -> Response:
    extensions: dict[str, str] = {"code": code}
    if field is not None:
        extensions["field"] = field
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]},
        status,
        headers={"Cache-Control": "no-store"},
    )


async def _caller(request: Request) -> Caller:
    if bearer_token(request) is not None:
        return await identify(request)
    origin = request.headers.get("origin")
    # `Sec-Fetch-Site: none`: the user opened the link themselves (the address bar, a
    # bookmark), which no page can make their browser do.
    typed = origin is None and request.headers.get("sec-fetch-site", "").strip() == "none"
    if sent_from_another_site(request) and not typed and origin not in get_config().cors_origins:
        # The cookie does not count from another site's page (CSRF): that page gets nothing.
        return ANONYMOUS
    return await identify(request)


def _parse(request: Request) -> tuple[ExportFormat, AuditFilter]:
    raw = request.scope.get("query_string", b"")
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, errors="strict",
            max_num_fields=MAX_ACTIONS + len(_SINGLE),
        )  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The query string is not UTF-8 text of at most a few fields.") from None
    single: dict[str, str] = {}
    actions: list[str] = []
    for name, value in pairs:
        if name == "action":
            actions.append(value)
        elif name not in _SINGLE:
            raise BadRequest(f"Unknown parameter `{name}`.", name)
        elif name in single:
            raise BadRequest(f"`{name}` is given twice.", name)
        else:
            single[name] = value
    try:
        kind = ExportFormat(single.get("format", ExportFormat.JSONL))
    except ValueError:
        raise BadRequest("`format` is `jsonl` or `csv`.", "format") from None
    wanted = AuditFilter(
        actions=tuple(actions),
        actor_id=single.get("actorId"),
        target_type=single.get("targetType"),
        target_id=single.get("targetId"),
        since=_time(single, "since"),
        until=_time(single, "until"),
        tenant_id=single.get("tenantId"),
    )
    return kind, wanted


def _time(single: dict[str, str], name: str) -> datetime | None:
    if name not in single:
        return None
    try:
        return datetime.fromisoformat(single[name])
    except ValueError:
        raise BadRequest(f"`{name}` is not an ISO 8601 date and time.", name) from None


async def export(request: Request) -> Response:
    # In the order of the API: who is calling, may they, then what they ask.
    caller = await _caller(request)
    if caller.user is None or caller.enrollment_only:
        return _refusal(401, "Sign in to export the audit log.", "UNAUTHENTICATED")
    actor = actor_of(caller.user, via_api_token=caller.via_api_token)
    try:
        events_in_reach(actor)
        kind, wanted = _parse(request)
        batches = event_batches(actor, wanted)
    except Forbidden:
        return _refusal(403, "You may not read the audit log.", "FORBIDDEN")
    except BadRequest as bad:
        return _refusal(400, bad.message, "BAD_USER_INPUT", bad.field)
    except ValidationFailed as refused:
        return _refusal(400, str(refused), "BAD_USER_INPUT", refused.field)

    async def body() -> AsyncIterator[bytes]:
        yield header(kind)
        async for rows in batches:
            yield encode(kind, rows)

    return StreamingResponse(
        body(),
        media_type=MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": f'attachment; filename="audit-log.{kind.value}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [Route(PATH, export, methods=["GET"])]
