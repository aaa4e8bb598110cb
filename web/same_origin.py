"""Did a request come from one of the server's own pages? (Login CSRF, GraphiQL's rights.)

Browsers say where a request comes from, and pages cannot forge it:
- `Sec-Fetch-Site` (every current browser, every request): `same-origin`, or `none` when the
  user typed the address; anything else (`same-site`, `cross-site`) is another origin. It is
  read first: under `Referrer-Policy: no-referrer`, browsers send `Origin: null` even with a
  page's own form posts.
- Otherwise `Origin` (older browsers, on POST and cross-origin fetches): it must be the
  server's own origin; "null" is not.
A request with neither comes from no browser page (curl, a script): no page can make a
user's browser send it, so it is not refused here.

The server's own origin is the one the request was addressed to (scheme and Host), or
TENANTRY_PUBLIC_URL's: behind a TLS proxy, the scheme or Host seen here may differ from the
browser's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from domain.config import get_config

_SAME_ORIGIN_FETCHES = {"same-origin", "none"}


def is_same_origin(request: HTTPConnection) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() in _SAME_ORIGIN_FETCHES
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin.strip().lower() in _own_origins(request)


def _own_origins(request: HTTPConnection) -> set[str]:
    public = urlsplit(get_config().public_url)
    own = {f"{public.scheme}://{public.netloc}".lower()}
    host = request.headers.get("host")
    if host:
        own.add(f"{request.url.scheme}://{host}".lower())
    return own
