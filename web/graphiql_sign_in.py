"""GraphiQL's sign-in and sign-out: plain forms beside it, so a password never passes through
GraphiQL's editor (which would keep it in the browser) and the session lives in the HttpOnly
cookie only.

Both forms accept submissions from this server's own pages only (web/origin.py): another
site must not sign a visitor into an account of its choosing, nor out of theirs.
"""

from __future__ import annotations

import re
from html import escape
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn, login, logout
from domain.auth.mfa_login import Proof, complete_login
from domain.auth.sessions import ClientInfo, user_for_session
from domain.errors import DomainError, InvalidCredentials, RateLimited
from domain.users import actor_of
from models import MfaMethod
from web.auth import client_address
from web.cookies import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from web.forms import Malformed, read_form
from web.graphiql import PAGE_HEADERS, asset_url
from web.origin import cross_site_refusal

SIGN_IN_PATH = "/graphiql/sign-in"
SIGN_OUT_PATH = "/graphiql/sign-out"
MAX_FORM_BYTES = 16 * 1024
_FOREIGN = "This form accepts submissions from this server's own pages only."
_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to GraphiQL · Tenantry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><link rel="icon" href="data:,">
<link rel="stylesheet" href="$css"></head>
<body class="tenantry-sign-in">
<h1>Sign in to GraphiQL</h1>
$problem<form method="post" action="$action">
<label>Tenant<br><input name="tenant" value="$tenant" required autocomplete="organization"
 maxlength="200"></label>
<label>Username<br><input name="username" value="$username" required autocomplete="username"
 maxlength="200"></label>
<label>Password<br><input type="password" name="password" required
 autocomplete="current-password" maxlength="4096"></label>
<p><button class="tenantry-button" type="submit">Sign in</button>
<a href="/graphql">Back to GraphiQL</a></p></form>
</body></html>
""")


_SECOND_STEP = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Second factor · Tenantry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><link rel="icon" href="data:,">
<link rel="stylesheet" href="$css"></head>
<body class="tenantry-sign-in">
<h1>Second factor</h1>
$problem<form method="post" action="$action">
<input type="hidden" name="challenge" value="$challenge">
<label>A code from your authenticator app, or one of your recovery codes<br>
<input name="code" required autocomplete="one-time-code" maxlength="64"></label>
<p><button class="tenantry-button" type="submit">Sign in</button>
<a href="$action">Start again</a></p></form>
</body></html>
""")
# A TOTP code is six digits; anything else typed in the field is tried as a recovery code.
_TOTP_CODE = re.compile(r"^\s*\d{6}\s*$")


def _second_step_page(challenge: str, problem: str | None = None, status: int = 200) -> Response:
    html = _SECOND_STEP.substitute(
        css=asset_url("tenantry-graphiql.css"),
        action=SIGN_IN_PATH,
        challenge=escape(challenge),
        problem=f'<p role="alert">{escape(problem)}</p>\n' if problem else "",
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _signed_in(outcome: SignedIn) -> Response:
    response = RedirectResponse("/graphql", status_code=303, headers={"Cache-Control": "no-store"})
    set_session_cookie(response, outcome.session_token)
    return response


def _form_page(
    *, tenant: str = "", username: str = "", problem: str | None = None, status: int = 200
) -> HTMLResponse:
    html = _PAGE.substitute(
        css=asset_url("tenantry-graphiql.css"),
        action=SIGN_IN_PATH,
        tenant=escape(tenant),
        username=escape(username),
        problem=f'<p role="alert">{escape(problem)}</p>\n' if problem else "",
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


async def _form(request: Request) -> dict[str, str]:
    """The posted form, strictly (web/forms.py); raises Malformed."""
    return await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=8)


async def sign_in_page(request: Request) -> Response:
    return _form_page()


async def sign_in(request: Request) -> Response:
    if cross_site_refusal(request) is not None:
        return _form_page(problem=_FOREIGN, status=403)
    try:
        form = await _form(request)
    except Malformed as exc:
        return _form_page(problem=exc.reason, status=exc.status)
    client = ClientInfo(
        address=client_address(request), user_agent=request.headers.get("user-agent")
    )
    if "challenge" in form:
        return await _finish_with_second_factor(form, client)
    tenant, username = form.get("tenant", ""), form.get("username", "")
    try:
        outcome = await login(tenant, username, form.get("password", ""), client)
    except RateLimited as refused:
        response = _form_page(tenant=tenant, username=username, problem=refused.message, status=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    except DomainError as refused:
        status = 401 if isinstance(refused, InvalidCredentials) else 400
        return _form_page(tenant=tenant, username=username, problem=refused.message, status=status)
    if not isinstance(outcome, SecondStep):
        return _signed_in(outcome)
    if outcome.enrollment_required:
        return _form_page(
            tenant=tenant, username=username, status=403,
            problem="Your tenant requires a second factor and your account has none yet: "
            "enroll one in your application first, then sign in here.",
        )  # fmt: skip
    if not {MfaMethod.TOTP, MfaMethod.RECOVERY_CODE} & set(outcome.methods):
        return _form_page(
            tenant=tenant, username=username, status=403,
            problem="Your account signs in with a passkey, which this form does not offer: "
            "sign in with your application, or use a recovery code.",
        )  # fmt: skip
    return _second_step_page(outcome.challenge_token)


async def _finish_with_second_factor(form: dict[str, str], client: ClientInfo) -> Response:
    challenge, code = form.get("challenge", ""), form.get("code", "")
    proof = Proof(code=code.strip()) if _TOTP_CODE.match(code) else Proof(recovery_code=code)
    try:
        outcome = await complete_login(challenge, proof, client)
    except RateLimited as refused:
        response = _second_step_page(challenge, refused.message, status=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    except InvalidCredentials as refused:
        return _second_step_page(challenge, refused.message, status=401)
    except DomainError as refused:  # the challenge expired or was used: start again
        return _form_page(problem=refused.message, status=400)
    return _signed_in(outcome)


async def sign_out(request: Request) -> Response:
    if cross_site_refusal(request) is not None:
        return HTMLResponse(f"<p>{escape(_FOREIGN)}</p>", status_code=403, headers=PAGE_HEADERS)
    token = request.cookies.get(SESSION_COOKIE)
    user = await user_for_session(token) if token else None
    if user is not None:
        await logout(actor_of(user), token)
    response = RedirectResponse("/graphql", status_code=303, headers={"Cache-Control": "no-store"})
    clear_session_cookie(response)
    return response


ROUTES = [
    Route(SIGN_IN_PATH, sign_in_page, methods=["GET"]),
    Route(SIGN_IN_PATH, sign_in, methods=["POST"]),
    Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
]
