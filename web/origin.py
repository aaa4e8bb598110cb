"""Same-origin form posts only: the guard against login CSRF on our HTML forms.

A page on another site can post a form to /accept-invitation carrying the attacker's own
invitation: the victim's browser would come back signed in to the attacker's account. Every
form POST that signs in or changes state therefore checks who sent it: `Origin` must be the
origin of TENANTRY_PUBLIC_URL; a browser that sends no Origin must say `Sec-Fetch-Site:
same-origin`; with neither, or `Origin: null` (sandboxed frames, some redirects), the post is
refused. The SAML ACS is not guarded: the identity provider posts it from its own site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from config import get_config

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str, *, bare: bool) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL, or None for anything else; `bare`: the
    URL must be an origin alone, as browsers send it (no path, query or fragment)."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a port that is not a number, an unclosed IPv6 bracket
        return None
    if scheme not in _DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    if bare and (parts.path or parts.query or parts.fragment or url.strip().endswith(("?", "#"))):
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def cross_site_refusal(request: HTTPConnection) -> str | None:
    """Why this state-changing POST is refused as possibly cross-site, or None to proceed."""
    origins = request.headers.getlist("origin")
    if len(origins) > 1:
        return "The request names more than one origin."
    if origins:
        sent = origins[0]
        if sent.strip() == "null":
            return "The request comes from an opaque origin (Origin: null)."
        parsed = _origin_of(sent, bare=True)
        if parsed is None:
            return "The request's Origin header is not an origin."
        if parsed != _origin_of(get_config().public_url, bare=False):
            return "The request comes from another site."
        return None
    if request.headers.get("sec-fetch-site", "").strip().lower() == "same-origin":
        return None
    return "The request does not say which site it comes from (no Origin header)."
