"""A tripwire for what is added later: every field of the schema that carries a credential is
known here, and every root field that can answer one is refused to API-token requests by the
policy table (issue 11). A new mutation answering a session, or a new secret-looking field,
fails this until it is classified."""

from __future__ import annotations

import re

import graphql

from permissions.rules import POLICY, ByToken
from schema import schema

GRAPHQL_SCHEMA = schema._schema

# (type, field) -> what the credential is.
CREDENTIAL_FIELDS = {
    ("CreateApiTokenSuccess", "token"): "a new API token's secret",
    ("ReissuedApiToken", "token"): "a moved API token's new secret",
    ("LoginSuccess", "sessionToken"): "a session",
    ("Invitation", "link"): "an invitation link",
    ("MfaRequired", "challengeToken"): "a sign-in half done (completeLogin; enrollment bearer)",
    ("TotpEnrollment", "secret"): "a TOTP secret",
    ("TotpEnrollment", "otpauthUri"): "the same TOTP secret, as a URI",
    ("MfaEnabled", "recoveryCodes"): "recovery codes, each a second factor",
    ("CreateScimTokenSuccess", "token"): "a new SCIM token (provisions the tenant's users)",
    ("CreateWebhookSuccess", "secret"): "a webhook's signing secret",
    ("RotateWebhookSecretSuccess", "secret"): "a webhook's new signing secret",
}
# Types that hold a credential but guard it themselves, and how.
GUARDED_INSIDE = {
    # Invitation.link checks Op.SEE_INVITATION_LINK (refused to token requests) on its own.
    "Invitation",
    # transferOwnership checks Op.REISSUE_API_TOKENS as soon as a token would move.
    "ReissuedApiToken",
}
SECRET_LOOKING = re.compile(
    r"token|secret|link|password|key|session|credential|otpauth|recovery", re.IGNORECASE
)


def _named(type_: graphql.GraphQLType) -> graphql.GraphQLNamedType:
    return graphql.get_named_type(type_)  # type: ignore[return-value]


def _reachable(start: graphql.GraphQLNamedType) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        if isinstance(current, graphql.GraphQLUnionType):
            todo.extend(current.types)
        elif isinstance(current, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            todo.extend(_named(field.type) for field in current.fields.values())
        if isinstance(current, graphql.GraphQLInterfaceType):
            # `node(id:)` answers any type that implements Node, whatever Node's own fields.
            todo.extend(GRAPHQL_SCHEMA.get_possible_types(current))
    return seen


def _refused_to_tokens(field: graphql.GraphQLField) -> bool:
    definition = field.extensions.get("strawberry-definition")
    return any(
        POLICY[permission.op][-1] is ByToken.REFUSED
        for extension in getattr(definition, "extensions", [])
        for permission in getattr(extension, "permissions", None) or []
        if hasattr(permission, "op")
    )


def test_every_string_field_that_looks_like_a_credential_is_classified():
    found = {
        (type_.name, name)
        for type_ in GRAPHQL_SCHEMA.type_map.values()
        if isinstance(type_, graphql.GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if SECRET_LOOKING.search(name) and _named(field.type) is graphql.GraphQLString
    }
    assert found == set(CREDENTIAL_FIELDS)


def test_every_root_field_that_can_answer_a_credential_is_refused_to_token_requests():
    holders = {type_name for type_name, _ in CREDENTIAL_FIELDS}
    unguarded = []
    for root in (GRAPHQL_SCHEMA.query_type, GRAPHQL_SCHEMA.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            reached = _reachable(_named(field.type)) & holders
            if reached - GUARDED_INSIDE and not _refused_to_tokens(field):
                unguarded.append((name, sorted(reached - GUARDED_INSIDE)))
    assert unguarded == []
