"""The request path's own statements (issue 17) answer what Tortoise's queries answer: the
page rows of models/plain_rows.py and the joined lookups of models/joined.py, on SQLite and
PostgreSQL, every column of the models they read (enums, JSON, datetimes, nulls)."""

from datetime import UTC, datetime

from domain.auth.api_tokens import _TOKEN_BY_HASH
from domain.auth.sessions import _SESSION_BY_HASH
from domain.secrets import digest
from models import ApiToken, Project, Role, Session, User
from models.plain_rows import plain_values, plain_values_among
from tests.factories import Factory

EVERY_USER_COLUMN = tuple(User._meta.fields_db_projection) + ("tenant__name", "tenant__created_at")


async def _varied_users(make: Factory) -> list[User]:
    tenant = await make.tenant()
    admin = await make.user(tenant, role=Role.ADMIN, superuser=True)
    guest = await make.user(tenant, role=Role.GUEST, email_verified=False)
    member = await make.user(tenant)
    member.saml_groups = ["Engineering", "Ops"]
    member.deactivated_at = datetime(2026, 11, 30, 12, 0, 1, 500, tzinfo=UTC)
    member.pending_email = "new@example.com"
    await member.save()
    return [admin, guest, member]


async def test_page_rows_hold_what_tortoise_values_answers_for_every_column(make: Factory) -> None:
    users = await _varied_users(make)
    query = User.filter(id__in=[u.id for u in users]).order_by("username_key", "id")

    expected = await query.values(*EVERY_USER_COLUMN)
    answered = await plain_values(query, EVERY_USER_COLUMN)

    assert [dict(row) for row in answered] == expected
    for ours, theirs in zip(answered, expected, strict=True):
        assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
        # Datetimes written alike (the API answers their isoformat): aware, at the same offset.
        assert {k: v.isoformat() for k, v in ours.items() if isinstance(v, datetime)} == {
            k: v.isoformat() for k, v in theirs.items() if isinstance(v, datetime)
        }


async def test_page_rows_hold_enum_members_not_their_values(make: Factory) -> None:
    users = await _varied_users(make)

    rows = await plain_values(User.filter(id__in=[u.id for u in users]), ("role", "auth_method"))

    assert {type(row["role"]) for row in rows} == {Role}


async def test_rows_among_keys_are_the_rows_tortoise_finds_in_the_same_order(
    make: Factory,
) -> None:
    tenant = await make.tenant()
    owners = [await make.user(tenant) for _ in range(3)]
    for owner, names in zip(owners, (["b1", "a1"], [], ["c3", "a3", "b3"]), strict=True):
        for name in names:
            await make.project(owner, name)
    columns = ("id", "name", "created_at", "owner_id")
    keys = [owner.id for owner in owners]

    expected = await Project.filter(owner_id__in=keys).order_by("name_key", "id").values(*columns)
    answered = await plain_values_among(
        Project, columns, "owner_id", keys, order_by=("name_key", "id")
    )

    assert [dict(row) for row in answered] == expected
    assert len(answered) == 5


async def test_rows_among_no_keys_are_none(make: Factory) -> None:
    assert await plain_values_among(Project, ("id",), "owner_id", [], order_by=("id",)) == []


async def test_the_session_lookup_answers_the_session_its_user_and_tenant_as_tortoise_does(
    make: Factory,
) -> None:
    users = await _varied_users(make)
    person = await make.person(users[0].tenant)  # type: ignore[arg-type]

    found = await _SESSION_BY_HASH.first(digest(person.token))
    expected = await Session.get(token_hash=digest(person.token)).select_related("user__tenant")

    assert isinstance(found, Session)
    assert _columns(found) == _columns(expected)
    assert _columns(found.user) == _columns(expected.user)
    assert _columns(found.user.tenant) == _columns(expected.user.tenant)


async def test_the_session_lookup_of_an_unknown_token_answers_nothing(make: Factory) -> None:
    assert await _SESSION_BY_HASH.first(digest("tns_unknown")) is None


async def test_the_api_token_lookup_answers_the_token_and_its_owner_as_tortoise_does(
    make: Factory,
) -> None:
    users = await _varied_users(make)
    _, secret = await make.api_token(users[2])

    found = await _TOKEN_BY_HASH.first(digest(secret))
    expected = await ApiToken.get(token_hash=digest(secret)).select_related("owner")

    assert isinstance(found, ApiToken)
    assert _columns(found) == _columns(expected)
    assert _columns(found.owner) == _columns(expected.owner)


def _columns(instance: object) -> dict[str, object]:
    model = type(instance)
    return {name: getattr(instance, name) for name in model._meta.fields_db_projection}  # type: ignore[attr-defined]
