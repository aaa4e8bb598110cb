"""The executor's shortcuts (schema/execution.py) answer exactly what graphql-core's own path
answers: byte for byte, status and body, on generated documents over a seeded database, as
every kind of caller.

Documents: hypothesis-graphql's queries over the whole schema (inline fragments on unions and
interfaces included), rewritten with more of what changes how fields are collected: aliases,
repeated fields that merge, `__typename`, named and inline fragments, `@skip`/`@include` with
literals and variables, arguments passed as variables, and real IDs, page sizes and
invitation tokens so that most answers carry data. Queries only: a mutation would change the
state the other side then reads.

Each document runs as each caller against the app (plans on, shared across the requests of a
document; queries prepared once, then run without Strawberry's pipeline: schema/prepared.py)
and against the same endpoint over a schema whose executor never takes a shortcut
(GeneralExecutionContext), every request through Strawberry's whole pipeline. Generation is
derandomized and bounded; before upgrading strawberry-graphql or graphql-core, run it with many
more examples:

    TENANTRY_DIFFERENTIAL_EXAMPLES=9000 pytest tests/web/test_differential.py
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import graphql
import orjson
import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from starlette.applications import Starlette
from starlette.routing import Route

from config import Config
from domain.invitations import invitation_token
from models import (
    AuditEvent,
    AuthMethod,
    GroupMembership,
    Invitation,
    Role,
    ScimGroup,
    SignupDomain,
    TotpFactor,
    User,
)
from schema import build_schema, schema
from schema.execution import GeneralExecutionContext
from tests.factories import Cast, Factory
from tests.secrets_seen import remember
from web.graphql import GraphQLEndpoint
from web.persisted_queries import persisted_queries_for

EXAMPLES = int(os.environ.get("TENANTRY_DIFFERENTIAL_EXAMPLES", "250"))
CALLERS = ["anonymous", "guest", "member", "admin", "superuser"]
SCHEMA = schema._schema
ROOTS = sorted(SCHEMA.query_type.fields)  # type: ignore[union-attr]
CUSTOM_SCALARS = {
    "DateTime": st.just(graphql.StringValueNode(value="2026-01-01T00:00:00+00:00")),
}
# The same schema, extensions and endpoint; only the executor differs.
GENERAL = build_schema(GeneralExecutionContext)


# --- the seeded database -------------------------------------------------------------------


@dataclass
class Seed:
    """What the generated documents may name: IDs of every kind, invitation link tokens."""

    ids: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list, repr=False)


async def invitation(make: Factory, tenant: Any, inviter: Any, username: str, **extra: Any) -> Any:
    return await Invitation.create(
        tenant=tenant, username=username, username_key=username,
        email=f"{username}@invitee.example", email_key=f"{username}@invitee.example",
        role=Role.MEMBER, auth_method=AuthMethod.PASSWORD, invited_by=inviter,
        nonce=username.ljust(64, "n"), expires_at=datetime.now(UTC) + timedelta(days=3), **extra,
    )  # fmt: skip


async def event(action: str, tenant: Any, actor: Any, minutes_ago: int, **changes: Any) -> Any:
    row = await AuditEvent.create(
        tenant_id=tenant.id if tenant else None, actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "gone", action=action,
        target_type="user", target_id="x", changes=changes or None,
    )  # fmt: skip
    await AuditEvent.filter(id=row.id).update(at=datetime.now(UTC) - timedelta(minutes=minutes_ago))
    return row


@pytest.fixture
async def seed(make: Factory, cast: Cast) -> Seed:
    """Two tenants with users of every role, projects, tokens, invitations and audit events."""
    a, b = cast.tenant_a, cast.tenant_b
    people = [cast.superuser, cast.admin_a, cast.member_a, cast.guest_a, cast.admin_b,
              cast.member_b]  # fmt: skip
    found = Seed(ids=[str(a.id), str(b.id), *(p.id for p in people)])
    for owner in (cast.admin_a.user, cast.member_a.user, cast.member_b.user):
        for _ in range(2):
            found.ids.append(str((await make.project(owner)).id))
            found.ids.append(str((await make.api_token(owner))[0].id))
    invitations = [
        await invitation(make, a, cast.admin_a.user, "nina"),
        await invitation(make, a, cast.member_a.user, "otto", email_error="refused"),
        await invitation(make, a, None, "pia"),
        await invitation(make, b, cast.admin_b.user, "quinn"),
    ]
    for sent in invitations:
        found.ids.append(str(sent.id))
        token = invitation_token(sent)
        remember(token)
        found.tokens.append(token)
    await SignupDomain.create(tenant=a, domain="acme.example.com", default_role=Role.GUEST)
    # What `groups` and `mfaEnabled` answer: a SCIM group, SAML groups, a second factor.
    group = await ScimGroup.create(tenant=a, display_name="Engineering", name_key="engineering")
    await GroupMembership.create(group=group, user=cast.member_a.user)
    await User.filter(id=cast.admin_a.user.id).update(saml_groups=["Ops", "engineering"])
    await TotpFactor.create(user=cast.member_a.user, secret_encrypted="unused", confirmed=True)
    for minutes, (action, tenant, actor) in enumerate([
        ("user.update", a, cast.admin_a.user), ("project.create", a, cast.member_a.user),
        ("tenant.create", None, cast.superuser.user), ("user.delete", a, None),
        ("token.create", b, cast.member_b.user),
    ]):  # fmt: skip
        found.ids.append(str((await event(action, tenant, actor, minutes, email="x")).id))
    return found


# --- the documents -------------------------------------------------------------------------

# A document and two sets of values for its variables.
Request = tuple[str, tuple[dict[str, Any], dict[str, Any]]]


def type_node(type_: GraphQLInputType) -> TypeNode:
    if isinstance(type_, GraphQLNonNull):
        return graphql.NonNullTypeNode(type=type_node(type_.of_type))
    if isinstance(type_, GraphQLList):
        return graphql.ListTypeNode(type=type_node(type_.of_type))
    return NamedTypeNode(name=NameNode(value=type_.name))


class Rewriter:
    """Rewrites a generated query with drawn choices (hypothesis shrinks and replays them)."""

    def __init__(self, draw: Callable[..., Any], seed: Seed) -> None:
        self.draw = draw
        self.seed = seed
        self.names = itertools.count()
        # Two sets of values: a plan made for one must not answer for the other.
        self.variables: dict[str, Any] = {}
        self.other_variables: dict[str, Any] = {}
        self.variable_definitions: list[VariableDefinitionNode] = []
        self.fragments: list[FragmentDefinitionNode] = []

    def chance(self, percent: int) -> bool:
        return bool(self.draw(st.integers(0, 99)) < percent)

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.names)}"

    def variable(self, type_: GraphQLInputType, value: Any, other: Any) -> VariableNode:
        name = self.name("v")
        node = VariableNode(name=NameNode(value=name))
        self.variable_definitions.append(
            VariableDefinitionNode(variable=node, type=type_node(type_))
        )
        self.variables[name] = value
        self.other_variables[name] = other
        return node

    def condition(self) -> ValueNode:
        value = self.draw(st.booleans())
        if self.chance(50):
            return self.variable(GraphQLNonNull(graphql.GraphQLBoolean), value, not value)
        return BooleanValueNode(value=value)

    def directives(self) -> tuple[DirectiveNode, ...]:
        found = []
        for directive in ("skip", "include"):
            if self.chance(8):
                argument = ArgumentNode(name=NameNode(value="if"), value=self.condition())
                found.append(DirectiveNode(name=NameNode(value=directive), arguments=(argument,)))
        return tuple(found)

    def argument(self, node: ArgumentNode, argument: graphql.GraphQLArgument) -> ArgumentNode:
        name, value = node.name.value, node.value
        named = graphql.get_named_type(argument.type)
        choices: st.SearchStrategy[Any] | None = None
        if name == "first" and self.chance(85):
            choices = st.integers(0, 4)
            value = IntValueNode(value=str(self.draw(choices)))
        elif named.name == "ID" and not isinstance(argument.type, GraphQLList):
            if self.chance(75):
                choices = st.sampled_from(self.seed.ids)
                value = StringValueNode(value=self.draw(choices))
        elif name == "token" and self.chance(75):
            choices = st.sampled_from(self.seed.tokens)
            value = StringValueNode(value=self.draw(choices))
        elif name == "after" and self.chance(60):
            value = graphql.NullValueNode()
        if self.chance(25):
            plain = graphql.value_from_ast_untyped(value)
            other = plain if choices is None else self.draw(choices)
            value = self.variable(argument.type, plain, other)
        return ArgumentNode(name=node.name, value=value)

    def field(self, node: FieldNode, parent: Any, arguments: tuple[ArgumentNode, ...]) -> FieldNode:
        if node.name.value == "__typename":
            child: GraphQLNamedType | None = None
        else:
            child = graphql.get_named_type(parent.fields[node.name.value].type)
        alias = node.alias
        if alias is None and self.chance(15):
            alias = NameNode(value=self.name("a"))
        return FieldNode(
            alias=alias, name=node.name, arguments=arguments, directives=self.directives(),
            selection_set=self.selection_set(node.selection_set, child)
            if child and node.selection_set else None,
        )  # fmt: skip

    def selections(self, node: Any, parent: GraphQLNamedType) -> list[Any]:
        if isinstance(node, InlineFragmentNode):
            inner = (
                SCHEMA.type_map[node.type_condition.name.value] if node.type_condition else parent
            )
            selection_set = self.selection_set(node.selection_set, inner)
            directives = self.directives()
            return [InlineFragmentNode(type_condition=node.type_condition, directives=directives,
                                       selection_set=selection_set)]  # fmt: skip
        field_definition = getattr(parent, "fields", {}).get(node.name.value)
        definitions = field_definition.args if field_definition else {}
        arguments = tuple(self.argument(a, definitions[a.name.value]) for a in node.arguments or ())
        found = [self.field(node, parent, arguments)]
        if self.chance(10):  # the same field again: merged with the first, or under an alias
            found.append(self.field(node, parent, arguments))
        return found

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType) -> SelectionSetNode:
        selections = [
            s for selection in node.selections for s in self.selections(selection, parent)
        ]
        if self.chance(15):
            alias = NameNode(value=self.name("t")) if self.chance(30) else None
            typename = FieldNode(name=NameNode(value="__typename"), alias=alias,
                                 directives=self.directives())  # fmt: skip
            selections.insert(self.draw(st.integers(0, len(selections))), typename)
        if self.chance(25):
            start = self.draw(st.integers(0, len(selections) - 1))
            end = self.draw(st.integers(start + 1, len(selections)))
            selections[start:end] = [self.fragment(selections[start:end], parent)]
        return SelectionSetNode(selections=tuple(selections))

    def fragment(self, selections: list[Any], parent: GraphQLNamedType) -> Any:
        selection_set = SelectionSetNode(selections=tuple(selections))
        condition = NamedTypeNode(name=NameNode(value=parent.name))
        if self.chance(50):
            name = NameNode(value=self.name("F"))
            self.fragments.append(FragmentDefinitionNode(
                name=name, type_condition=condition, selection_set=selection_set))  # fmt: skip
            return FragmentSpreadNode(name=name, directives=self.directives())
        return InlineFragmentNode(
            type_condition=condition if self.chance(50) else None,
            directives=self.directives(),
            selection_set=selection_set,
        )


def rewritten(draw: Callable[..., Any], seed: Seed) -> Request:
    # A root field or two mostly: one a caller may not reach nulls the whole `data`.
    roots = draw(st.none() | st.lists(st.sampled_from(ROOTS), min_size=1, max_size=2, unique=True))
    generated = draw(queries(SCHEMA, fields=roots, custom_scalars=CUSTOM_SCALARS, allow_x00=False))
    operation = graphql.parse(generated).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    rewriter = Rewriter(draw, seed)
    selection_set = rewriter.selection_set(operation.selection_set, SCHEMA.query_type)  # type: ignore[arg-type]
    rewritten = OperationDefinitionNode(
        operation=operation.operation, name=NameNode(value="Q") if draw(st.booleans()) else None,
        variable_definitions=tuple(rewriter.variable_definitions), selection_set=selection_set,
    )  # fmt: skip
    document = DocumentNode(definitions=(rewritten, *rewriter.fragments))
    return graphql.print_ast(document), (rewriter.variables, rewriter.other_variables)


def generate(seed: Seed, count: int) -> list[Request]:
    found: list[Request] = []

    @st.composite
    def requests(draw: Callable[..., Any]) -> Request:
        # The seed by closure: hypothesis would print it, invitation tokens and all.
        return rewritten(draw, seed)

    @settings(
        max_examples=count, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(requests())
    def collect(request: Request) -> None:
        found.append(request)

    collect()
    return found


# --- the comparison ------------------------------------------------------------------------


@pytest.fixture
async def general(app: object, config: Config) -> AsyncIterator[AsyncClient]:
    """The app's GraphQL endpoint, over the schema whose executor takes no shortcut."""
    endpoint = GraphQLEndpoint(GENERAL, persisted=persisted_queries_for(config),
                               graphql_ide=None, allow_queries_via_get=True)  # fmt: skip
    other = Starlette(routes=[Route("/graphql", endpoint, methods=["GET", "POST"])])
    transport = ASGITransport(app=other, client=("203.0.113.7", 51000))
    async with AsyncClient(transport=transport, base_url="http://tenantry.test") as client:
        yield client


Answer = tuple[int, bytes]
# How often both sides are asked again before an answer that differs counts as a difference.
RETRIES = 20


async def ask(client: AsyncClient, body: dict[str, Any], headers: dict[str, str]) -> Answer:
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code < 500, response.text
    return response.status_code, response.content


async def sides_meet(
    sides: tuple[AsyncClient, AsyncClient], body: dict[str, Any], headers: dict[str, str],
    first: tuple[Answer, Answer],
) -> bool:  # fmt: skip
    """Whether the two sides, asked again, ever give the same answer.

    graphql-core's own answer can vary between runs of one document: once a null reaches a
    position (the whole `data`, say), errors of fields still running below it are dropped,
    and which have arrived by then depends on the database's threads (seen: the general path
    alone gave two answers to one document, 98 and 2 times in 100). A plan is deterministic:
    a wrong one gives an answer the general path never gives, and the sides never meet.
    """
    seen: tuple[set[Answer], set[Answer]] = ({first[0]}, {first[1]})
    for _ in range(RETRIES):
        for side, client in enumerate(sides):
            seen[side].add(await ask(client, body, headers))
        if seen[0] & seen[1]:
            return True
    return False


# Always asked besides the generated ones: pages whose relations plans read from what the
# page (or `me`) preloaded (schema/plans.py PRELOADED), nested, aliased and through fragments.
PRELOADED_PAGES = [
    "query($n: Int) { users(first: $n) { edges { node { id username tenant { id name createdAt }"
    " ownedProjects { id name owner { username ownedProjects { name } tenant { name } } } } } } }",
    "query($n: Int) { users(first: $n) { edges { node { ... on User { t: tenant { n: name } "
    "p: ownedProjects { __typename owner { id } } ...Owned } } } } } "
    "fragment Owned on User { ownedProjects { name } tenant { __typename } }",
    "query($n: Int) { users(first: $n) { edges { cursor node { ownedProjects { owner { "
    "ownedProjects { owner { username } } } } } } pageInfo { hasNextPage } } }",
    "query($n: Int) { users(first: $n) { edges { node { id groups mfaEnabled ownedTokens { id "
    "name prefix createdAt lastUsedAt expiresAt owner { username groups ownedTokens { name } } "
    "} } } } }",
    "query($n: Int) { me { id tenant { name } groups mfaEnabled ownedProjects { name owner { "
    "username } } ownedTokens { name owner { id tenant { name } } } } users(first: $n) { edges "
    "{ node { id } } } }",
    "query($n: Int) { invitations(first: $n) { edges { node { id username emailStatus link "
    "invitedBy { username tenant { name } } } } } }",
    "query($n: Int) { auditLog(first: $n) { edges { node { id action changedFields tenant { "
    "name } actor { username ownedProjects { name } } } } } }",
    "query($n: Int) { mySessions { id current createdAt } users(first: $n) { edges { node { "
    "id } } } }",
]
# A Node fetched again by its ID, as Relay refetches: its type found by the plan.
NODE_DOCUMENT = (
    "query($id: ID!) { node(id: $id) { __typename id ... on User { username tenant { name } "
    "ownedProjects { name } } ... on Project { name owner { username } } ...Named } } "
    "fragment Named on Tenant { name }"
)


async def test_planned_answers_are_byte_equal_to_graphql_cores_own(
    http: AsyncClient, general: AsyncClient, cast: Cast, seed: Seed
) -> None:
    documents = [(page, ({"n": 3}, {"n": 50})) for page in PRELOADED_PAGES]
    documents += [(NODE_DOCUMENT, ({"id": first}, {"id": second}))
                  for first, second in itertools.pairwise(seed.ids)]  # fmt: skip
    documents += generate(seed, EXAMPLES)
    headers = {caller: {} if caller == "anonymous" else
               {"Authorization": f"Bearer {cast.by_role(caller).token}"}
               for caller in CALLERS}  # fmt: skip
    differences: list[str] = []
    with_data = 0
    for document, variable_sets in documents:
        for turn, caller in enumerate(CALLERS):
            # The callers take turns with the two sets: the plans of one meet the other.
            variables = variable_sets[turn % 2]
            body = {"query": document, "variables": variables}
            planned = await ask(http, body, headers[caller])
            expected = await ask(general, body, headers[caller])
            if planned != expected and not await sides_meet(
                (http, general), body, headers[caller], (planned, expected)
            ):
                differences.append(
                    f"as {caller}: {document} {variables}\n"
                    f"  planned  {planned!r}\n  expected {expected!r}"
                )
            elif any(v is not None for v in (orjson.loads(expected[1]).get("data") or {}).values()):
                with_data += 1

    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:5])
    # Not vacuous: many answers carry data (seeded IDs, small pages and real tokens see to it;
    # most root fields are closed to most callers, and then `data` is null).
    assert with_data > len(documents) * len(CALLERS) // 5, with_data
