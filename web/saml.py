"""SAML endpoints per tenant: SP metadata, the login redirect, the assertion consumer.

The ACS takes cross-site posts by design (the identity provider's page posts it), so it has
no Origin check: what protects it is the signed response answering a request this browser
started (domain/saml/flow.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.auth.sessions import ClientInfo
from domain.errors import NotFound, RateLimited
from domain.saml import flow
from web.auth import client_address
from web.cookies import set_session_cookie
from web.forms import Malformed, query_fields, read_form

# The form holds one base64 response and a relay state; anything larger is refused unread.
MAX_FORM_BYTES = flow.MAX_RESPONSE_BYTES * 2
MAX_FORM_FIELDS = 10
REFUSED = (
    "Single sign-on failed: the identity provider's answer was not accepted.\n"
    "Try again from the login page; if it keeps failing, ask your administrator.\n"
)


def _not_found() -> Response:
    return PlainTextResponse("Not found.\n", status_code=404)


def _too_many(exc: RateLimited) -> Response:
    return PlainTextResponse(
        f"{exc.message}\n",
        status_code=429,
        headers={"Retry-After": str(exc.retry_after_seconds)},
    )


def _client(request: Request) -> ClientInfo:
    return ClientInfo(address=client_address(request), user_agent=request.headers.get("user-agent"))


async def metadata(request: Request) -> Response:
    try:
        xml = await flow.metadata(request.path_params["tenant"])
    except NotFound:
        return _not_found()
    return Response(xml, media_type="application/samlmetadata+xml")


async def login(request: Request) -> Response:
    try:
        next_url = query_fields(request).get("next")
    except Malformed as exc:
        return PlainTextResponse(f"{exc.reason}\n", status_code=exc.status)
    try:
        started = await flow.start_login(request.path_params["tenant"], next_url, _client(request))
    except NotFound:
        return _not_found()
    except RateLimited as exc:
        return _too_many(exc)
    response = RedirectResponse(
        started.redirect_to, status_code=302, headers={"Cache-Control": "no-store"}
    )
    if started.browser_key is not None:
        # SameSite=None because the IdP posts from its own site; Path=/ as `__Host-` requires.
        response.set_cookie(
            started.cookie_name,
            started.browser_key,
            max_age=int(flow.REQUEST_TTL.total_seconds()),
            path="/",
            httponly=True,
            secure=True,
            samesite="none",
        )
    return response


async def acs(request: Request) -> Response:
    try:
        form = await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=MAX_FORM_FIELDS)
    except Malformed:
        form = {}  # no response to read: refused below like any other bad one, and counted
    try:
        outcome = await flow.consume_response(
            request.path_params["tenant"],
            form.get("SAMLResponse"),
            _client(request),
            request.cookies,
        )
    except NotFound:
        return _not_found()
    except RateLimited as exc:
        return _too_many(exc)
    except flow.SamlRefused:
        return PlainTextResponse(REFUSED, status_code=403, headers={"Cache-Control": "no-store"})
    response = RedirectResponse(
        outcome.redirect_to, status_code=303, headers={"Cache-Control": "no-store"}
    )
    set_session_cookie(response, outcome.signed_in.session_token)
    response.delete_cookie(
        outcome.cookie_name,
        path="/",
        httponly=True,
        secure=True,
        samesite="none",
    )
    return response


ROUTES = [
    Route("/saml/{tenant}/metadata", metadata, methods=["GET"]),
    Route("/saml/{tenant}/login", login, methods=["GET"]),
    Route("/saml/{tenant}/acs", acs, methods=["POST"]),
]
