"""Fuzzing the HTTP surface: every route of the app, every method, with hostile bodies,
headers and query strings. Whatever arrives: never a 5xx, never a traceback.

Requests are generated first (hypothesis, derandomized, bounded), then sent on the test's
loop straight to the ASGI app, as the raw bytes a server hands it: no client library tidies
the URL, the headers or the body first. Header values keep to what an HTTP/1.1 server lets
through (no control characters); everything else is fair game.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.invitations import invitation_token
from models import Invitation
from tests.factories import Cast, Factory
from tests.invitations.helpers import invite
from tests.raw_http import RawRequest, send
from tests.saml.conftest import configure
from tests.saml.idp import new_key_pair
from tests.smtp_server import SmtpServer

EXAMPLES_PER_METHOD = 40  # for each method a route answers
EXAMPLES_PER_OTHER_METHOD = 5
METHODS = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "BREW"]
# Filled in when sent: real credentials and link tokens, so requests reach past the door.
SESSION, API_TOKEN, INVITATION = b"@SESSION@", b"@API_TOKEN@", b"@INVITATION@"
OUR_ORIGIN = b"http://tenantry.test"

# --- where to send: every route of the app, by its path template --------------------------

TENANT_SEGMENTS = [
    b"acme", b"ACME", b"globex", b"nowhere", b"%00", b"%ff%fe", b"%ed%a0%80", b"a" * 300,
    b"..", b"%2e%2e", b"acme%2facs", b"%C3%A9", b"%", b"%zz", b"\xff", b"a%0d%0ab",
]  # fmt: skip


def _tenant_paths(template: str) -> list[bytes]:
    return [template.replace("{tenant}", "@").encode().replace(b"@", t) for t in TENANT_SEGMENTS]


ROUTE_TARGETS: dict[str, list[bytes]] = {
    "/graphql": [b"/graphql", b"/graphql%00", b"/GRAPHQL"],
    "/healthz": [b"/healthz"],
    "/metrics": [b"/metrics"],
    "/saml/{tenant}/metadata": _tenant_paths("/saml/{tenant}/metadata"),
    "/saml/{tenant}/login": _tenant_paths("/saml/{tenant}/login"),
    "/saml/{tenant}/acs": _tenant_paths("/saml/{tenant}/acs"),
    "/accept-invitation": [b"/accept-invitation", b"/accept-invitation/"],
    "/verify-email": [b"/verify-email", b"/verify-email/"],
    "/reset-password": [b"/reset-password", b"/reset-password/"],
    "/confirm-email": [b"/confirm-email", b"/confirm-email/"],
    "/graphiql-assets": [b"/graphiql-assets/tenantry-graphiql.js", b"/graphiql-assets/../README.md",
                         b"/graphiql-assets/%2e%2e/%2e%2e/etc/passwd", b"/graphiql-assets/nope"],
    "/graphiql/sign-in": [b"/graphiql/sign-in", b"/graphiql/sign-in/"],
    "/graphiql/sign-out": [b"/graphiql/sign-out"],
    "/audit-log/export": [b"/audit-log/export", b"/audit-log/export/"],
}  # fmt: skip
UNROUTED = [b"/", b"/nope", b"/graphql/", b"/%ff", b"/saml//acs", b"/saml/a/b/acs", b"//", b"/%00"]

# --- what to send ---------------------------------------------------------------------------

DOCUMENTS = [
    "{ me { id username } }",
    "query($n: Int) { users(first: $n) { totalCount } }",
    "query($t: String!) { invitationPreview(token: $t) { username } }",
    "mutation($t: String!) { verifyEmail(token: $t) { __typename } }",
    'query { invitationPreview(token: "\\ud800") { username } }',
    "{ __typename }",
    "{" * 600,
    "query Named { me { id } }",
    "",
]


def _nested(depth: int, open_: bytes = b"[", close: bytes = b"]", inner: bytes = b"1") -> bytes:
    return open_ * depth + inner + close * depth


def _graphql_body(extra: bytes) -> bytes:
    # $v is coerced (graphql-core recurses through it) before any permission is checked.
    document = b"mutation($v: [ListenerInput!]) { updateListeners(listeners: $v) { __typename } }"
    return b'{"query": "' + document + b'", ' + extra + b"}"


HOSTILE_BODIES = [
    b"",
    b"{}",
    b"[]",
    b"null",
    b'"\\ud800"',
    b"[" * 5000,
    b'{"a":' * 5000,
    _nested(3000),
    _graphql_body(b'"variables": {"v": ' + _nested(3000) + b"}"),
    _graphql_body(b'"variables": {"v": ' + _nested(65) + b"}"),
    _graphql_body(b'"variables": {"v": ' + _nested(60) + b"}"),
    _graphql_body(b'"variables": {"v": [' + b'{"purpose": ' * 60 + b"1" + b"}" * 60 + b"]}"),
    _graphql_body(b'"variables": {"v": ' + b'{"a":' * 900 + b"1" + b"}" * 900 + b"}"),
    _graphql_body(b'"extensions": ' + b'{"a":' * 900 + b"1" + b"}" * 900),
    _graphql_body(b'"variables": {"v": ' + b"9" * 5000 + b"}"),
    _graphql_body(b'"variables": {"v": 1e999}'),
    _graphql_body(b'"variables": {"v": [NaN, Infinity, -Infinity]}'),
    _graphql_body(b'"variables": {"v": [18446744073709551616]}'),
    _graphql_body(b'"variables": "x"'),
    _graphql_body(b'"operationName": ["x"]'),
    _graphql_body(b'"operationName": "\\ud800"'),
    _graphql_body(b'"extensions": {"persistedQuery": {"version": 1, "sha256Hash": []}}'),
    _graphql_body(b'"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"a" * 64
                  + b'"}}'),
    b'{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"0" * 64 + b'"}}}',
    b'{"query": "{ me { id } }", "extensions": {"persistedQuery": "x"}}',
    b'{"query": "query { invitationPreview(token: \\"\\ud800\\") { username } }", '
    b'"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"b" * 64 + b'"}}}',
    b'{"query": "query { invitationPreview(token: \\"\\ud800\\") { username } }"}',
    b'{"query": "{ me { id } }"}\x00',
    b'{"query": "\xff\xfe"}',
    b"\xef\xbb\xbf" + b'{"query": "{ me { id } }"}',
    '{"query": "{ me { id } }"}'.encode("utf-16"),
    b'{"query": "{ me { id } }", "query": 1}',
    b'[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]',
    b"\x00" * 64,
    b"\xff" * 64,
    b"&".join(b"f%d=1" % i for i in range(200)),
    b"token=a&token=b",
    b"token=%ff%fe&password=%",
    b"token=" + INVITATION + b"&password=%ed%a0%80",
    b"token=" + INVITATION + b"&password=" + b"p" * 2000,
    b"token=" + INVITATION + b"&password=a%00b",
    b"token=" + b"x" * 9000,
    b"SAMLResponse=%00",
    b"SAMLResponse=" + b"A" * 70000,
    b"SAMLResponse=PD94bWwgdmVyc2lvbj0iMS4wIj8+PCFET0NUWVBFIHggWzwhRU5USVRZIGUgImUiPl0+PHg+JmU7PC94Pg==",
    b"SAMLResponse=a&SAMLResponse=b&RelayState=%ff",
    b"RelayState=" + b"%" * 100,
    b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ me { id } }\r\n--x--\r\n',
    b"query=%7B+me+%7B+id+%7D+%7D",
]  # fmt: skip
CONTENT_TYPES = [
    b"application/json", b"application/json; charset=utf-8", b"application/json; charset=latin-1",
    b"APPLICATION/JSON", b"application/json;;;", b'application/json; a="', b"application/jsonx",
    b"application/x-www-form-urlencoded", b"application/x-www-form-urlencoded; charset=utf-16",
    b"multipart/form-data; boundary=x", b"multipart/form-data", b"text/plain", b"",
    b"application/graphql", b"application/graphql-response+json", b"\xff\xfe", b";", b"*/*",
]  # fmt: skip
HEADER_VALUES = {
    b"content-type": CONTENT_TYPES,
    b"accept": [
        b"application/graphql-response+json", b"application/json", b"text/html", b"*/*",
        b"application/json;q=0", b"application/json;q=nan", b"application/json;q=1e999",
        b"application/json;q=", b"multipart/mixed", b"text/event-stream", b",,,", b"\xff",
        b"application/graphql-response+json;q=0.5, text/html;q=0.9",
    ],
    b"origin": [OUR_ORIGIN, b"null", b"https://attacker.example", b"http://tenantry.test:99999",
                b"http://[::1", b"\xff", b"", b"http://tenantry.test/x"],
    b"sec-fetch-site": [b"same-origin", b"cross-site", b"same-site", b"none", b"\xff"],
    b"cookie": [b"tenantry_session=" + SESSION, b"tenantry_session=junk", b"tenantry_session=",
                b"tenantry_session=\xff\xfe", b";;;", b"=", b"a=b; tenantry_session=" + SESSION,
                b'tenantry_session="unterminated', b"saml_x=y; __Host-tenantry_saml_1=z"],
    b"authorization": [b"Bearer " + SESSION, b"Bearer " + API_TOKEN, b"Bearer junk", b"Bearer ",
                       b"Bearer", b"Basic Zm9vOmJhcg==", b"bearer  " + SESSION, b"\xff\xfe",
                       b"Bearer tnt_\xff", b"Bearer " + b"a" * 5000],
    b"x-request-id": [b"abc", b"\xff", b"a" * 500, b"../../etc", b"", b"{}"],
    b"user-agent": [b"Mozilla/5.0", b"\xff" * 600, b""],
    b"content-length": [b"abc", b"-1", b"99999999999999999999999", b"0", b"1"],
    b"transfer-encoding": [b"chunked", b"gzip", b"\xff"],
    b"host": [b"tenantry.test", b"evil.example", b"\xff", b""],
}  # fmt: skip
QUERY_NAMES = [b"query", b"variables", b"extensions", b"operationName", b"token", b"next",
               b"SAMLResponse", b"RelayState", b"\xff", b"%ff", b""]  # fmt: skip
QUERY_VALUES = [
    b"%7B+me+%7B+id+%7D+%7D", b"%7B__typename%7D", b"%7B%7D", b"%5B" * 3000, b"%7B%22a%22%3A" * 900,
    b"%ff%fe", b"%ed%a0%80", b"%", b"%zz", b"%00", b"\xff", b"+", b"", b"a" * 3000, INVITATION,
    b"%2F%2Fevil.example", b"https%3A%2F%2Fevil.example", b"%5Cevil", b"/ok", b"null",
]  # fmt: skip
# Bytes a server passes on in a request target (ASCII: the rest is refused at the door, see
# web/request_target.py, and sampled above) or a header value.
TARGET_BYTES = st.binary(max_size=40).map(lambda b: bytes(c for c in b if 0x21 <= c < 0x7F))
HEADER_BYTES = st.binary(max_size=40).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F))


def json_bodies() -> st.SearchStrategy[bytes]:
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                    max_size=3),
        max_leaves=8,
    )  # fmt: skip
    body = st.fixed_dictionaries(
        {"query": st.sampled_from(DOCUMENTS) | st.text(max_size=30) | values},
        optional={"variables": values, "operationName": values, "extensions": values},
    )
    return st.builds(
        lambda data, ascii_: json.dumps(data, ensure_ascii=ascii_).encode("utf-8", "surrogatepass"),
        body, st.booleans(),
    )  # fmt: skip


def urlencoded(names: list[bytes], values: list[bytes]) -> st.SearchStrategy[bytes]:
    value = st.sampled_from(values) | st.text(max_size=20).map(
        lambda text: quote_from_bytes(text.encode("utf-8", "surrogatepass")).encode()
    )
    pair = st.tuples(st.sampled_from(names) | TARGET_BYTES, value | TARGET_BYTES)
    return st.lists(pair, max_size=12).map(lambda pairs: b"&".join(n + b"=" + v for n, v in pairs))


FORM_NAMES = [b"token", b"password", b"SAMLResponse", b"RelayState", b"query"]
FORM_VALUES = [INVITATION, b"a+long+and+private+passphrase", *QUERY_VALUES]
BODIES = (
    st.sampled_from(HOSTILE_BODIES)
    | json_bodies()
    | urlencoded(FORM_NAMES, FORM_VALUES)
    | st.binary(max_size=200)
)
QUERIES = st.sampled_from([b"", b"&&&", b"=", b"%", b"a=%zz&a=b"]) | urlencoded(
    QUERY_NAMES, QUERY_VALUES
)
HEADER = st.sampled_from(sorted(HEADER_VALUES)).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(HEADER_VALUES[name]) | HEADER_BYTES)
)
CLIENTS = st.sampled_from([None, ("::1", 1), ("not an address", 0)]) | st.builds(
    lambda a, b: (f"198.51.{a}.{b}", 40000), st.integers(0, 255), st.integers(0, 255)
)


# Most requests say what their body is, and many come from our own pages: they get further.
LEADING_HEADERS = st.tuples(
    st.sampled_from(
        [b"application/json", b"application/x-www-form-urlencoded", *CONTENT_TYPES]
    ).map(lambda value: ((b"content-type", value),))
    | st.just(()),
    st.sampled_from([((b"origin", OUR_ORIGIN),), ()]),
).map(lambda pair: pair[0] + pair[1])
HEADERS = st.builds(lambda lead, more: lead + tuple(more), LEADING_HEADERS,
                    st.lists(HEADER, max_size=5))  # fmt: skip


def requests_for(paths: list[bytes], method: str) -> st.SearchStrategy[RawRequest]:
    return st.builds(
        RawRequest,
        method=st.just(method),
        path=st.just(paths[0]) | st.sampled_from(paths),  # the route's plain path, mostly
        query=QUERIES,
        headers=HEADERS,
        body=BODIES,
        chunks=st.integers(1, 3),
        client=CLIENTS,
    )


def _focused(
    method: str,
    content_type: bytes,
    body: st.SearchStrategy[bytes],
    query: st.SearchStrategy[bytes],
) -> st.SearchStrategy[RawRequest]:
    """Requests shaped as the route expects, hostile inside: they get past the first checks."""
    return st.builds(
        RawRequest,
        method=st.just(method),
        path=st.just(b"/"),  # the route's, set once generated
        query=query,
        headers=st.lists(HEADER, max_size=3).map(
            lambda more: ((b"content-type", content_type), (b"origin", OUR_ORIGIN), *more)
        ),
        body=body,
        chunks=st.integers(1, 3),
        client=CLIENTS,
    )


GRAPHQL_PARAMETERS = st.lists(
    st.tuples(
        st.sampled_from([b"query", b"variables", b"operationName", b"extensions"]),
        json_bodies().map(lambda body: quote_from_bytes(body).encode())
        | st.sampled_from(DOCUMENTS).map(lambda text: quote_from_bytes(text.encode()).encode()),
    ),
    max_size=4,
).map(lambda pairs: b"&".join(name + b"=" + value for name, value in pairs))
FORM = b"application/x-www-form-urlencoded"
LINK_FORMS = urlencoded([b"token", b"password"], [INVITATION, b"x.y", *FORM_VALUES])
FOCUSED = {
    "/graphql": [_focused("POST", b"application/json", json_bodies(), QUERIES),
                 _focused("GET", b"", st.just(b""), GRAPHQL_PARAMETERS)],
    "/accept-invitation": [_focused("POST", FORM, LINK_FORMS, QUERIES)],
    "/verify-email": [_focused("POST", FORM, LINK_FORMS, QUERIES)],
    "/reset-password": [_focused("POST", FORM, LINK_FORMS, QUERIES)],
    "/confirm-email": [_focused("POST", FORM, LINK_FORMS, QUERIES)],
    "/graphiql/sign-in": [_focused("POST", FORM, urlencoded(FORM_NAMES, FORM_VALUES), QUERIES)],
    "/saml/{tenant}/acs": [_focused("POST", FORM, urlencoded(FORM_NAMES, FORM_VALUES), QUERIES)],
}  # fmt: skip


def generate(strategy: st.SearchStrategy[RawRequest], count: int) -> list[RawRequest]:
    generated: list[RawRequest] = []

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(strategy)
    def collect(request: RawRequest) -> None:
        generated.append(request)

    collect()
    return generated


def known_attacks(paths: list[bytes], methods: list[str]) -> list[RawRequest]:
    """Every hostile body, as JSON and as a form, from our own origin; every hostile query
    string; every hostile header alone. Each from its own address: the rate limits would
    otherwise answer most of them."""
    plain = RawRequest("GET", paths[0])
    chosen: list[RawRequest] = []
    for method in methods:
        for body in HOSTILE_BODIES:
            for content_type in (b"application/json", b"application/x-www-form-urlencoded"):
                headers = ((b"content-type", content_type), (b"origin", OUR_ORIGIN))
                chosen.append(replace(plain, method=method, headers=headers, body=body, chunks=2))
    for i, value in enumerate(QUERY_VALUES):
        for name in QUERY_NAMES:
            chosen.append(replace(plain, path=paths[i % len(paths)], query=name + b"=" + value))
    for name, values in HEADER_VALUES.items():
        for i, value in enumerate(values):
            chosen.append(
                replace(plain, method=methods[i % len(methods)], headers=((name, value),))
            )
    return [replace(r, client=(f"10.{i // 250}.{i % 250}.1", 1000)) for i, r in enumerate(chosen)]


@pytest.fixture(scope="module")
def generated(app: Any) -> dict[str, list[RawRequest]]:
    """Per route: the known attacks, and generated requests for every method (most for the
    methods the route answers)."""
    served: dict[str, set[str]] = {}
    for route in app.routes:
        # A mounted static app (GraphiQL's files) answers GET and HEAD.
        methods = getattr(route, "methods", None) or {"GET", "HEAD"}
        served.setdefault(route.path, set()).update(methods)
    by_route: dict[str, list[RawRequest]] = {}
    for template, paths in [*ROUTE_TARGETS.items(), ("unrouted", UNROUTED)]:
        methods = served.get(template, {"GET", "POST"})
        requests = known_attacks(paths, sorted(methods - {"HEAD"}))
        for method in METHODS:
            count = EXAMPLES_PER_METHOD if method in methods else EXAMPLES_PER_OTHER_METHOD
            requests += generate(requests_for(paths, method), count)
        for strategy in FOCUSED.get(template, []):
            shaped = generate(strategy, EXAMPLES_PER_METHOD)
            requests += [replace(request, path=paths[0]) for request in shaped]
        by_route[template] = requests
    return by_route


@pytest.fixture
async def secrets(cast: Cast, make: Factory, gql: Any, smtp: SmtpServer) -> dict[bytes, bytes]:
    """Live credentials and link tokens, and a tenant with single sign-on, so that requests
    get past the first door."""
    await configure(cast, cast.tenant_a, "https://idp.example/acme", new_key_pair("fuzz IdP"))
    invitation = await Invitation.get(id=(await invite(gql, cast.admin_a, "nina"))["id"])
    _, api_token = await make.api_token(cast.admin_a.user)
    return {
        SESSION: cast.admin_a.token.encode(),
        API_TOKEN: api_token.encode(),
        INVITATION: invitation_token(invitation).encode(),
    }


def test_the_fuzz_knows_every_route(app: Any) -> None:
    """A new route fails here until the fuzz below is told how to reach it."""
    routes = {route.path for route in app.routes}
    assert routes == set(ROUTE_TARGETS)
    assert all(set(getattr(route, "methods", None) or ()) <= set(METHODS) for route in app.routes)


@pytest.mark.parametrize("template", [*ROUTE_TARGETS, "unrouted"])
async def test_no_request_gets_a_server_error(
    app: Any, generated: dict[str, list[RawRequest]], secrets: dict[bytes, bytes], template: str
) -> None:
    problems: list[str] = []
    for request in generated[template]:
        try:
            answer = await send(app, request, secrets)
        except Exception as exc:  # noqa: BLE001 - what escaped the app is what we report
            problems.append(f"{type(exc).__name__}: {exc!s:.200} for {request}")
            continue
        if answer.status >= 500 or answer.status < 100:
            problems.append(f"{answer.status} for {request}")
        elif b"Traceback" in answer.body or b'File "' in answer.body:
            problems.append(f"a traceback in the answer for {request}")
    assert not problems, f"{len(problems)} of {len(generated[template])}:\n" + "\n".join(
        problems[:10]
    )
