"""The pages the e-mailed links open: accept an invitation, verify a sign-up's address, reset
a password, confirm a new e-mail address.

A frontend may serve these paths itself (TENANTRY_PUBLIC_URL points at it); these plain pages
make the links work with the server alone. Opening a link never uses it up: mail scanners
fetch links, so only the form's POST accepts or confirms. That POST signs the browser in, so
it is taken from our own pages only (web/origin.py), and its form is read strictly
(web/forms.py): whatever else arrives gets a page saying why, never a 500.
"""

from __future__ import annotations

from html import escape
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from config import get_config
from domain import email_change, invitations, password_reset, signup
from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn
from domain.auth.sessions import ClientInfo
from domain.errors import DomainError, InvalidToken
from models import AuthMethod, Tenant
from web.auth import client_address
from web.cookies import set_session_cookie
from web.forms import Malformed, query_fields, read_form
from web.origin import cross_site_refusal

MAX_FORM_BYTES = 8 * 1024
MAX_FORM_FIELDS = 8  # the token and the password, and room for what a browser adds
_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title · Tenantry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>$title</h1>
$body
</body></html>
""")
# The token is in the URL: keep it out of caches and of other sites' Referer headers.
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY"}  # fmt: skip
_UNUSABLE = "This link is not valid: it may have expired or been used already."


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = _PAGE.substitute(title=escape(title), body=body)
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _client(request: Request) -> ClientInfo:
    return ClientInfo(address=client_address(request), user_agent=request.headers.get("user-agent"))


def _malformed(exc: Malformed) -> Response:
    return _page("Request refused", f"<p>{escape(exc.reason)}</p>", status=exc.status)


async def _posted_form(request: Request) -> dict[str, str] | Response:
    """The form our own page posted, or the page refusing the request."""
    if reason := cross_site_refusal(request):
        return _page(
            "Request refused",
            f"<p>{escape(reason)} This form is accepted from "
            f"{escape(get_config().public_url)} only: open the link from your e-mail again.</p>",
            status=403,
        )
    try:
        return await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=MAX_FORM_FIELDS)
    except Malformed as exc:
        return _malformed(exc)


def _signed_in(outcome: SignedIn | SecondStep) -> Response:
    if isinstance(outcome, SecondStep):
        # No session on these pages: the application's own sign-in asks for the second factor
        # (or has a factor enrolled first, where the tenant requires one).
        if outcome.enrollment_required:
            return _page(
                "Your account is ready",
                "<p>Your organisation requires a second factor. Sign in to the application to "
                "set one up (an authenticator app or a passkey).</p>",
            )
        # A link proves the mailbox, never the second factor the account already has.
        return _page(
            "Almost done",
            "<p>Sign in to the application with your password and your second factor "
            "(an authenticator app, a recovery code or a passkey).</p>",
        )
    user = escape(outcome.user.username)
    response = _page(
        "You are signed in",
        f"<p>Welcome, {user}. You can close this page or continue to the "
        f'<a href="{escape(get_config().public_url)}/graphql">API explorer</a>.</p>',
    )
    set_session_cookie(response, outcome.session_token)
    return response


def _password_form(
    action: str, token: str, label: str, error: str | None, button: str = "Continue"
) -> str:
    problem = f'<p role="alert" style="color: #b00">{escape(error)}</p>' if error else ""
    return f"""{problem}<form method="post" action="{action}">
<input type="hidden" name="token" value="{escape(token)}">
<label>{escape(label)}<br><input type="password" name="password" required
 autocomplete="new-password" maxlength="1024"></label>
<p><button type="submit">{escape(button)}</button></p></form>"""


def _button_form(action: str, token: str, button: str, error: str | None = None) -> str:
    problem = f'<p role="alert" style="color: #b00">{escape(error)}</p>' if error else ""
    return f"""{problem}<form method="post" action="{action}">
<input type="hidden" name="token" value="{escape(token)}">
<p><button type="submit">{escape(button)}</button></p></form>"""


def _token_of(request: Request) -> str | Response:
    try:
        return query_fields(request).get("token", "")
    except Malformed as exc:
        return _malformed(exc)


async def accept_invitation_page(request: Request) -> Response:
    token = _token_of(request)
    if isinstance(token, Response):
        return token
    return await _invitation(token, error=None)


async def _invitation(token: str, error: str | None) -> Response:
    found = await invitations.preview(token) if token else None
    if found is None:
        return _page("Invitation", f"<p>{_UNUSABLE}</p>", status=404)
    intro = (
        f"<p>You are invited to <strong>{escape(found.tenant_name)}</strong> as "
        f"<strong>{escape(found.username)}</strong> ({escape(found.email)}).</p>"
    )
    if found.auth_method is AuthMethod.SAML:
        return _page("Invitation", intro + "<p>Accept it by signing in with your organisation's "
                     "single sign-on.</p>")  # fmt: skip
    label = (
        "Your system password"
        if found.auth_method is AuthMethod.PAM
        else "Choose a password (at least 8 characters)"
    )
    return _page("Invitation", intro + _password_form("/accept-invitation", token, label, error))


async def accept_invitation_submit(request: Request) -> Response:
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    try:
        outcome = await invitations.accept_invitation(token, form.get("password"), _client(request))
    except DomainError as exc:
        return await _invitation(token, error=exc.message)
    return _signed_in(outcome)


_VERIFY = "Confirm your e-mail address"
_CONFIRM_BUTTON = "Confirm my e-mail address"


async def verify_email_page(request: Request) -> Response:
    token = _token_of(request)
    if isinstance(token, Response):
        return token
    return await _verification(token, error=None)


async def _verification(token: str, error: str | None) -> Response:
    user = await signup.sign_up_for_link(token) if token else None
    if user is None:
        return _page(_VERIFY, f"<p>{_UNUSABLE}</p>", status=404)
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    intro = (
        f"<p>The account <strong>{escape(user.username)}</strong> in "
        f"<strong>{escape(tenant.name)}</strong> is waiting for {escape(user.email)} to be "
        "confirmed.</p>"
    )
    if user.auth_method is not AuthMethod.PASSWORD:
        return _page(_VERIFY, intro + _button_form("/verify-email", token, _CONFIRM_BUTTON, error))
    # A password every time, here: whoever signed up may not be the address's owner, and the
    # owner following the link must not activate a password someone else chose.
    label = "Choose your password (at least 8 characters; it replaces any given at sign-up)"
    form = _password_form("/verify-email", token, label, error, button=_CONFIRM_BUTTON)
    return _page(_VERIFY, intro + form)


async def verify_email_submit(request: Request) -> Response:
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    try:
        outcome = await signup.verify_email(
            token, _client(request), form.get("password") or None, ask_password=True
        )
    except InvalidToken as exc:
        return _page(_VERIFY, f"<p>{escape(exc.message)}</p>", status=404)
    except DomainError as exc:
        return await _verification(token, error=exc.message)
    return _signed_in(outcome)


_RESET = "Choose a new password"


async def reset_password_page(request: Request) -> Response:
    token = _token_of(request)
    if isinstance(token, Response):
        return token
    return await _reset(token, error=None)


async def _reset(token: str, error: str | None) -> Response:
    user = await password_reset.user_for_reset_link(token) if token else None
    if user is None:
        return _page(_RESET, f"<p>{_UNUSABLE}</p>", status=404)
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    intro = (
        f"<p>For <strong>{escape(user.username)}</strong> in "
        f"<strong>{escape(tenant.name)}</strong>. Every other session of the account ends.</p>"
    )
    label = "New password (at least 8 characters)"
    form = _password_form("/reset-password", token, label, error, button="Set the password")
    return _page(_RESET, intro + form)


async def reset_password_submit(request: Request) -> Response:
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    try:
        outcome = await password_reset.reset_password(
            token, form.get("password", ""), _client(request)
        )
    except InvalidToken as exc:
        return _page(_RESET, f"<p>{escape(exc.message)}</p>", status=404)
    except DomainError as exc:
        return await _reset(token, error=exc.message)
    return _signed_in(outcome)


_NEW_ADDRESS = "Confirm your new e-mail address"


async def confirm_email_page(request: Request) -> Response:
    token = _token_of(request)
    if isinstance(token, Response):
        return token
    return await _email_change(token, error=None)


async def _email_change(token: str, error: str | None, status: int = 200) -> Response:
    user = await email_change.user_for_confirmation_link(token) if token else None
    if user is None or user.pending_email is None:
        return _page(_NEW_ADDRESS, f"<p>{_UNUSABLE}</p>", status=404)
    intro = (
        f"<p>Make <strong>{escape(user.pending_email)}</strong> the e-mail address of "
        f"<strong>{escape(user.username)}</strong>.</p>"
    )
    form = _button_form("/confirm-email", token, "Confirm the new address", error)
    return _page(_NEW_ADDRESS, intro + form, status=status)


async def confirm_email_submit(request: Request) -> Response:
    form = await _posted_form(request)
    if isinstance(form, Response):
        return form
    token = form.get("token", "")
    try:
        user = await email_change.confirm(token, _client(request))
    except InvalidToken as exc:
        return _page(_NEW_ADDRESS, f"<p>{escape(exc.message)}</p>", status=404)
    except DomainError as exc:
        return await _email_change(token, error=exc.message, status=409)
    return _page(
        "E-mail address changed",
        f"<p>The e-mail address of <strong>{escape(user.username)}</strong> is now "
        f"<strong>{escape(user.email)}</strong>.</p>",
    )


ROUTES = [
    Route("/accept-invitation", accept_invitation_page, methods=["GET"]),
    Route("/accept-invitation", accept_invitation_submit, methods=["POST"]),
    Route("/verify-email", verify_email_page, methods=["GET"]),
    Route("/verify-email", verify_email_submit, methods=["POST"]),
    Route("/reset-password", reset_password_page, methods=["GET"]),
    Route("/reset-password", reset_password_submit, methods=["POST"]),
    Route("/confirm-email", confirm_email_page, methods=["GET"]),
    Route("/confirm-email", confirm_email_submit, methods=["POST"]),
]
