"""GraphiQL, the admins' explorer: our own page, every asset served from this package.

No request leaves the server's origin (Tenantry runs in air-gapped networks too): GraphiQL,
React and the explorer plugin are vendored in web/static/graphiql/vendor (pinned, with their
licences; `make graphiql-assets` refreshes them), and the page's Content-Security-Policy
forbids every other origin. The page's script (web/static/graphiql/tenantry-graphiql.js)
keeps what GraphiQL would store (editors, tabs, responses, history) in memory only.

Signing in goes through a form beside it (web/graphiql_sign_in.py), never through the editor.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from config import AdhocDocuments, get_config
from models import User
from web.auth import bearer_token, identify
from web.origin import sent_from_another_site

ASSETS_PATH = "/graphiql-assets"
STATIC = Path(__file__).parent / "static" / "graphiql"
_TEMPLATE = Path(__file__).parent / "templates" / "graphiql.html"

# Scripts from this origin only, no inline script, no eval. Styles may be inline: GraphiQL's
# editor (CodeMirror) and popovers set style attributes and inject <style> elements.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    # Not no-referrer: under it, browsers send `Origin: null` with the page's own form posts.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class Assets(StaticFiles):
    """The vendored files. Their URLs carry a digest of their content (`asset_url`), so
    browsers may keep them for a year."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def assets() -> Assets:
    return Assets(directory=STATIC)


@cache
def asset_url(name: str) -> str:
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]
    return f"{ASSETS_PATH}/{name}?v={digest}"


@cache
def _template() -> Template:
    return Template(_TEMPLATE.read_text(encoding="utf-8"))


async def page(request: Request) -> Response:
    """GET /graphql from a browser: GraphiQL, with who is signed in and a sign-in or -out."""
    user = (await identify(request)).user if bearer_token(request) is None else None
    urls = {name: asset_url(path) for name, path in _ASSETS.items()}
    html = _template().substitute(account=_account(user), **urls)
    return HTMLResponse(html, headers=PAGE_HEADERS)


_ASSETS = {
    "graphiql_css": "vendor/graphiql.min.css",
    "explorer_css": "vendor/plugin-explorer.css",
    "tenantry_css": "tenantry-graphiql.css",
    "react_js": "vendor/react.production.min.js",
    "react_dom_js": "vendor/react-dom.production.min.js",
    "graphiql_js": "vendor/graphiql.min.js",
    "explorer_js": "vendor/plugin-explorer.umd.js",
    "tenantry_js": "tenantry-graphiql.js",
}


def _account(user: User | None) -> str:
    if user is None:
        note = (
            " This server runs trusted documents only: sign in as a superuser to explore."
            if get_config().trusted_documents
            else ""
        )
        return (
            f"<span>Not signed in: you call the API anonymously.{note}</span> "
            '<a class="tenantry-button" href="/graphiql/sign-in">Sign in</a>'
        )
    return (
        f"<span>Signed in as <strong>{escape(user.username)}</strong></span> "
        '<form method="post" action="/graphiql/sign-out">'
        '<button class="tenantry-button" type="submit">Sign out</button></form>'
    )


def may_run_adhoc_documents(request: Request, user: User | None) -> bool:
    """With trusted documents on, may this request still run a document of its own?

    Superusers at GraphiQL may (TENANTRY_TRUSTED_DOCUMENTS_ADHOC=superusers, the default):
    signed in with the session cookie, on a page of this server. A bearer session or API
    token is what applications use, and applications run their manifest; a page of another
    origin (CORS) runs the manifest too.
    """
    return (
        get_config().trusted_documents_adhoc is AdhocDocuments.SUPERUSERS
        and user is not None
        and user.superuser
        and bearer_token(request) is None
        and not sent_from_another_site(request)
    )
