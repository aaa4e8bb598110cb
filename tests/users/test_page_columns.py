"""A page of users reads only the columns its selection needs (issue 17), and still answers
every field as a single user's lookup does."""

from __future__ import annotations

from models import Role
from schema import schema
from schema.types.users import FIELD_COLUMNS, ROW_COLUMNS, User, row_columns

# Every field of User that answers a value of its own (not the relations and lists).
EVERY_SCALAR = (
    "id username email role authMethod superuser createdAt lastLoginAt status pendingEmail "
    "externalId"
)
PAGE = f"query {{ users(first: 50) {{ edges {{ node {{ {EVERY_SCALAR} }} }} }} }}"
ONE = f"query One($id: ID!) {{ user(id: $id) {{ {EVERY_SCALAR} }} }}"


def test_every_user_field_without_a_resolver_names_the_columns_it_reads() -> None:
    served = schema._schema.type_map["User"].fields  # type: ignore[attr-defined]
    names = schema.config.name_converter
    plain = {
        names.get_graphql_name(field)
        for field in User.__strawberry_definition__.fields
        if field.base_resolver is None
    }
    assert (plain & set(served)) - {"id"} == set(FIELD_COLUMNS)


def test_a_selection_of_two_fields_reads_their_columns_and_the_kept_ones() -> None:
    assert row_columns({"username", "tenant"}) == ("id", "tenant_id", "username")


def test_status_reads_both_columns_it_is_made_of() -> None:
    assert set(row_columns({"status"})) == {"id", "tenant_id", "deactivated_at", "email_verified"}


def test_every_column_is_read_when_every_field_is_selected() -> None:
    assert set(ROW_COLUMNS) == set(row_columns(FIELD_COLUMNS))


async def test_a_page_answers_every_field_as_the_user_lookup_does(gql, make) -> None:
    tenant = await make.tenant()
    admin = await make.person(tenant, role=Role.ADMIN)
    await make.user(tenant, role=Role.GUEST, email_verified=False)
    await make.user_with_every_field_set(tenant)

    page = (await gql(PAGE, as_=admin)).ok()["users"]["edges"]

    assert len(page) == 3
    for edge in page:
        alone = (await gql(ONE, {"id": edge["node"]["id"]}, as_=admin)).ok()["user"]
        assert edge["node"] == alone
