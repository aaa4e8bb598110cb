"""The database unavailable: 503 with Retry-After and SERVICE_UNAVAILABLE (never a plain 500),
wherever the request meets the outage; one log line when it begins, one when it ends."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from httpx import AsyncClient, Response

from tests.auth.queries import LOGIN
from tests.factories import DEFAULT_PASSWORD
from tests.postgres import connect_directly, reachable_through_pooler
from tests.smtp_server import free_port
from web.outage import probe_database

UNAVAILABLE = {
    "errors": [
        {
            "message": "The database is unavailable; try again shortly.",
            "extensions": {"code": "SERVICE_UNAVAILABLE"},
        }
    ]
}
NEW = "application/graphql-response+json"
LOGIN_ALICE = {
    "query": LOGIN,
    "variables": {"input": {"tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}},
}


def assert_503_service_unavailable(response: Response, media_type: str = "application/json"):
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == media_type
    assert response.json() == UNAVAILABLE


# --- PostgreSQL stopped: nothing listens where it should -------------------------------------

UNREACHABLE = """
import asyncio, json, sys
import httpx
from config import Config
from web.app import create_app

async def main():
    config = Config(database_url=sys.argv[1], secret_key="k", public_url="http://t")
    app = create_app(config, run_workers=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            session = {"authorization": "Bearer tns_" + "x" * 43}
            # Shaped like a link token, so that it is looked up.
            invitation = "1a2b3c4d-0000-4000-8000-000000000000." + "A" * 43
            answers = {
                "session": await client.post("/graphql", json={"query": "{ me { id } }"},
                                             headers=session),
                "session, new media type": await client.post(
                    "/graphql", json={"query": "{ me { id } }"},
                    headers={**session, "accept": "application/graphql-response+json"}),
                "resolver": await client.post("/graphql", json=json.loads(sys.argv[2])),
                "link page": await client.get("/accept-invitation", params={"token": invitation}),
                "saml": await client.get("/saml/acme/metadata"),
                "healthz": await client.get("/healthz"),
            }
    for name, r in answers.items():
        print("RESULT " + json.dumps({"name": name, "status": r.status_code,
              "headers": dict(r.headers), "text": r.text}))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def unreachable() -> tuple[dict[str, dict], list[dict]]:
    """One app, its own process (it must not share this one's ORM connections), whose
    PostgreSQL refuses connections (nothing listens); its answers by name, and its log lines."""
    url = f"postgres://postgres@127.0.0.1:{free_port()}/none"
    done = subprocess.run(
        [sys.executable, "-c", UNREACHABLE, url, json.dumps(LOGIN_ALICE)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    answers, logs = {}, []
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            answer = json.loads(line.removeprefix("RESULT "))
            answers[answer["name"]] = answer
        elif line.startswith("{"):
            logs.append(json.loads(line))
    assert answers, done.stderr
    return answers, logs


def answer(run: tuple[dict[str, dict], list[dict]], name: str) -> Response:
    found = run[0][name]
    return Response(found["status"], headers=found["headers"], text=found["text"])


def test_the_session_lookup_before_graphql_answers_503(unreachable) -> None:
    assert_503_service_unavailable(answer(unreachable, "session"))


def test_the_503_keeps_the_negotiated_media_type(unreachable) -> None:
    assert_503_service_unavailable(answer(unreachable, "session, new media type"), NEW)


def test_a_resolver_that_meets_the_outage_answers_503_for_the_whole_request(
    unreachable,
) -> None:
    assert_503_service_unavailable(answer(unreachable, "resolver"))


def test_the_link_pages_and_saml_answer_a_503_page(unreachable) -> None:
    for name in ("link page", "saml"):
        response = answer(unreachable, name)
        assert response.status_code == 503, name
        assert response.headers["retry-after"] == "5"
        assert response.headers["content-type"].startswith("text/html")
        assert "The database is unavailable; try again shortly." in response.text


def test_healthz_says_the_database_is_down_with_503(unreachable) -> None:
    response = answer(unreachable, "healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable", "database": "unavailable", "redis": "not configured",
    }  # fmt: skip


def test_the_outage_is_logged_once_not_once_per_request(unreachable) -> None:
    logs = unreachable[1]
    warnings = [e for e in logs if e["event"].startswith("database unavailable")]
    assert [e["level"] for e in warnings] == ["warning"]
    assert not [e for e in logs if e["level"] == "error"]  # no stack per request
    statuses = [e["status"] for e in logs if e["event"] == "request"]
    assert statuses == [503] * 6


# --- PostgreSQL refusing the suite's own database: connections cut, new ones refused ----------


@asynccontextmanager
async def database_refusing(database_url: str) -> AsyncIterator[None]:
    admin = await connect_directly()
    name = database_url.rsplit("/", 1)[1]
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await reachable_through_pooler(name)


@pytest.fixture
async def outage_over(app: object) -> AsyncIterator[None]:
    yield
    await probe_database()  # a test that failed half-way leaves no outage to the next one


def events(log_lines: list[str], start: str) -> list[dict]:
    return [e for e in map(json.loads, log_lines) if e["event"].startswith(start)]


@pytest.mark.postgres
async def test_a_signed_in_request_answers_503_and_succeeds_once_the_database_returns(
    http: AsyncClient, cast, database_url: str, outage_over
) -> None:
    signed_in = {"authorization": f"Bearer {cast.member_a.token}"}
    async with database_refusing(database_url):
        during = await http.post("/graphql", json={"query": "{ me { id } }"}, headers=signed_in)
    after = await http.post("/graphql", json={"query": "{ me { username } }"}, headers=signed_in)
    assert_503_service_unavailable(during)
    assert after.json() == {"data": {"me": {"username": cast.member_a.user.username}}}


@pytest.mark.postgres
async def test_a_login_during_the_outage_answers_503(
    http: AsyncClient, cast, database_url: str, outage_over
) -> None:
    async with database_refusing(database_url):
        during = await http.post("/graphql", json=LOGIN_ALICE)
    after = await http.post("/graphql", json=LOGIN_ALICE)
    assert_503_service_unavailable(during)
    assert after.json()["data"]["login"]["__typename"] == "LoginSuccess"


@pytest.mark.postgres
async def test_an_outage_is_logged_once_as_it_begins_and_once_as_it_ends(
    http: AsyncClient, cast, database_url: str, log_lines: list[str], outage_over
) -> None:
    signed_in = {"authorization": f"Bearer {cast.member_a.token}"}
    async with database_refusing(database_url):
        for _ in range(3):
            await http.post("/graphql", json={"query": "{ me { id } }"}, headers=signed_in)
            await http.post("/graphql", json=LOGIN_ALICE)
    await asyncio.sleep(1.1)  # the database is probed at most once a second
    await http.post("/graphql", json={"query": "{ __typename }"})  # probes it
    down = events(log_lines, "database unavailable")
    back = events(log_lines, "database available again")
    assert [e["level"] for e in down] == ["warning"]
    assert [e["level"] for e in back] == ["info"]
    assert not [e for e in map(json.loads, log_lines) if e["level"] == "error"]
