"""Same-origin requests only: the guard against login CSRF on our HTML forms, and the test
of GraphiQL's rights.

A page on another site can post a form to /accept-invitation carrying the attacker's own
invitation: the victim's browser would come back signed in to the attacker's account. Every
form POST that signs in or changes state therefore checks who sent it, from what browsers
say and pages cannot forge:

- `Origin`, when it names an origin, must be the origin of TENANTRY_PUBLIC_URL, and a
  `Sec-Fetch-Site` sent beside it must be `same-origin`;
- `Origin: null` or no `Origin` passes only with `Sec-Fetch-Site: same-origin`: under
  `Referrer-Policy: no-referrer` (the link pages' policy, which keeps their tokens out of
  Referer headers) Chrome sends `Origin: null` with a page's own form posts;
- with neither header, or two `Origin` headers, the post is refused.

The SAML ACS is not guarded: the identity provider posts it from its own site.
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
    fetch_site = request.headers.get("sec-fetch-site")
    same_origin_fetch = fetch_site is not None and fetch_site.strip().lower() == "same-origin"
    sent = origins[0].strip() if origins else None
    if sent is not None and sent != "null":
        parsed = _origin_of(sent, bare=True)
        if parsed is None:
            return "The request's Origin header is not an origin."
        if parsed != _origin_of(get_config().public_url, bare=False):
            return "The request comes from another site."
        if fetch_site is not None and not same_origin_fetch:
            return "The browser says the request comes from another site."
        return None
    if same_origin_fetch:
        return None
    if sent == "null":
        return "The request comes from an opaque origin (Origin: null)."
    return "The request does not say which site it comes from (no Origin header)."


def sent_from_another_site(request: HTTPConnection) -> bool:
    """Did a browser say this request comes from a page of another site? A request with
    neither `Origin` nor `Sec-Fetch-Site` comes from no browser page (curl, a script): no page
    can make a user's browser send it, so it does not count as cross-site here."""
    if "origin" not in request.headers and "sec-fetch-site" not in request.headers:
        return False
    return cross_site_refusal(request) is not None
