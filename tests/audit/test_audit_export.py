"""GET /audit-log/export: the filtered audit log as JSON Lines or CSV, streamed, for the callers
of auditLog, authenticated like the API."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from domain.audit_log import EXPORT_COLUMNS, AuditFilter, event_batches
from domain.users import actor_of
from models import Role
from tests.audit.trail import NOW, Trail, build_trail, event
from tests.factories import Cast

EXPORT = "/audit-log/export"


@pytest.fixture
async def trail(cast: Cast) -> Trail:
    return await build_trail(cast)


def bearer(person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


async def export_lines(http, person, **params) -> list[dict]:
    response = await http.get(EXPORT, params={"format": "jsonl", **params}, headers=bearer(person))
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


async def test_an_admin_exports_their_tenants_events_newest_first_as_json_lines(
    http, cast: Cast, trail
):
    rows = await export_lines(http, cast.admin_a)
    assert [row["action"] for row in rows] == [
        "user.deactivated",
        "user.role_changed",
        "project.created",
        "user.created",
    ]
    assert all(row["tenantId"] == str(cast.tenant_a.id) for row in rows)


async def test_each_line_holds_the_contracts_keys(http, cast: Cast, trail):
    rows = await export_lines(http, cast.admin_a, action="user.role_changed")
    (row,) = rows
    assert list(row) == list(EXPORT_COLUMNS)
    assert row["changes"] == {"role": "admin"}
    assert row["actorId"] == cast.admin_a.id
    assert row["actorName"] == "alice"
    assert row["at"] == (NOW - timedelta(minutes=20)).isoformat()


async def test_the_answer_is_streamed_as_a_download(http, cast: Cast, trail):
    response = await http.get(EXPORT, params={"format": "csv"}, headers=bearer(cast.admin_a))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="audit-log.csv"'
    assert "content-length" not in response.headers  # streamed, not built whole
    assert response.headers["cache-control"] == "no-store"


async def test_filters_are_query_parameters_with_action_repeatable(http, cast: Cast, trail):
    rows = await export_lines(
        http, cast.admin_a, action=["user.created", "user.deactivated"], targetType="user",
        targetId=trail.bob_id,
    )  # fmt: skip
    assert [row["action"] for row in rows] == ["user.deactivated", "user.created"]
    since = (NOW - timedelta(minutes=45)).isoformat()
    until = (NOW - timedelta(minutes=10)).isoformat()
    rows = await export_lines(http, cast.admin_a, since=since, until=until)
    assert [row["action"] for row in rows] == ["user.role_changed", "project.created"]
    rows = await export_lines(http, cast.admin_a, actorId=cast.admin_a.id)
    assert [row["action"] for row in rows] == ["user.role_changed", "user.created"]


async def test_a_superuser_exports_every_tenant_or_the_one_named(http, cast: Cast, trail):
    assert len(await export_lines(http, cast.superuser)) == 6
    rows = await export_lines(http, cast.superuser, tenantId=str(cast.tenant_b.id))
    assert [row["action"] for row in rows] == ["user.role_changed"]


async def test_another_tenants_admin_exports_none_of_this_tenants_events(http, cast: Cast, trail):
    assert [row["action"] for row in await export_lines(http, cast.admin_b)] == [
        "user.role_changed"
    ]
    assert await export_lines(http, cast.admin_b, tenantId=str(cast.tenant_a.id)) == []


async def test_an_actor_the_reader_may_not_see_shows_by_name_only(http, cast: Cast, make):
    outsider = await make.user(cast.tenant_b, username="ozzy", role=Role.ADMIN, superuser=True)
    await event("user.updated", tenant=cast.tenant_a, actor=outsider)
    (row,) = await export_lines(http, cast.admin_a)
    assert (row["actorId"], row["actorName"]) == (None, "ozzy")
    (row,) = await export_lines(http, cast.superuser)
    assert row["actorId"] == str(outsider.id)


async def test_csv_has_a_header_row_and_one_row_per_event(http, cast: Cast, trail):
    response = await http.get(EXPORT, params={"format": "csv"}, headers=bearer(cast.admin_a))
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [row[5] for row in rows[1:]] == [
        "user.deactivated",
        "user.role_changed",
        "project.created",
        "user.created",
    ]


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"])
async def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(
    http, cast: Cast, dangerous: str
):
    await event("user.updated", tenant=cast.tenant_a, user_agent=dangerous, target=None)
    response = await http.get(EXPORT, params={"format": "csv"}, headers=bearer(cast.admin_a))
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["userAgent"] == "'" + dangerous


async def test_secrets_are_exported_as_set_never_by_value(http, cast: Cast):
    from domain import audit

    await audit.record(None, "smtp.updated", tenant_id=None, changes={"password": "pw-123!"})
    response = await http.get(EXPORT, headers=bearer(cast.superuser))
    assert "pw-123!" not in response.text
    assert json.loads(response.text)["changes"] == {"password": "<set>"}


async def test_an_api_token_exports_as_its_owner(http, cast: Cast, trail, make):
    _, secret = await make.api_token(cast.admin_a.user)
    response = await http.get(EXPORT, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 4
    _, member_secret = await make.api_token(cast.member_a.user)
    response = await http.get(EXPORT, headers={"Authorization": f"Bearer {member_secret}"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_export(http, cast: Cast, trail, role: str):
    response = await http.get(EXPORT, headers=bearer(cast.by_role(role)))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_anonymous_callers_must_sign_in_to_export(http, cast: Cast, trail):
    response = await http.get(EXPORT)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_session_cookie_exports_from_the_servers_own_pages(http, cast: Cast, trail):
    response = await http.get(
        EXPORT,
        headers={
            "Cookie": f"tenantry_session={cast.admin_a.token}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert response.status_code == 200
    assert len(response.text.splitlines()) == 4


async def test_the_session_cookie_counts_for_nothing_from_another_sites_page(
    http, cast: Cast, trail
):
    response = await http.get(
        EXPORT,
        headers={
            "Cookie": f"tenantry_session={cast.admin_a.token}",
            "Origin": "https://evil.example",
            "Sec-Fetch-Site": "cross-site",
        },
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-30T12:00:00"}, "since"),
        ({"actorId": "nobody"}, "actorId"),
        ({"colour": "red"}, "colour"),
        ({"tenantId": ["a", "b"]}, "tenantId"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it(http, cast: Cast, params: dict, field: str):
    response = await http.get(EXPORT, params=params, headers=bearer(cast.superuser))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_batches_cover_every_event_once_even_when_times_are_equal(app, cast: Cast):
    """The export's keyset batches, three rows at a time, over events sharing a time."""
    for number in range(8):
        await event(f"e.{number}", tenant=cast.tenant_a, minutes_ago=number // 3)
    seen: list[str] = []
    batches = event_batches(actor_of(cast.admin_a.user), AuditFilter(), batch=3)
    async for rows in batches:
        assert len(rows) <= 3
        seen += [row["action"] for row in rows]
    assert len(seen) == 8
    # Newest first: the three newest (equal times), then the next three, then the oldest two.
    assert [set(seen[:3]), set(seen[3:6]), set(seen[6:])] == [
        {"e.0", "e.1", "e.2"},
        {"e.3", "e.4", "e.5"},
        {"e.6", "e.7"},
    ]


async def test_the_session_cookie_exports_when_the_user_opens_the_link_themselves(
    http, cast: Cast, trail
):
    cookie = f"tenantry_session={cast.admin_a.token}"
    response = await http.get(EXPORT, headers={"Cookie": cookie, "Sec-Fetch-Site": "none"})
    assert response.status_code == 200


async def test_the_session_cookie_exports_from_a_listed_cors_origin(cast: Cast, trail, client_with):
    headers = {
        "Cookie": f"tenantry_session={cast.admin_a.token}",
        "Origin": "https://app.example.com",
        "Sec-Fetch-Site": "cross-site",
    }
    async with client_with(cors_origins=["https://app.example.com"]) as client:
        response = await client.get(EXPORT, headers=headers)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert len(response.text.splitlines()) == 4
