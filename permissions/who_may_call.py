"""A policy row in one sentence, for the description of every field it guards: clients read
who may call what by introspection (GraphiQL, codegen, schema.graphql), generated from the
table in rules.py so the words cannot drift from the rule."""

from __future__ import annotations

from permissions.rules import COLUMNS, IN_WORDS, POLICY, PUBLIC, ByToken, Op, Scope

# COLUMNS' callers as a sentence names them, column by column.
CALLERS = ("guests", "members", "admins", "superusers")
EVERYONE = "everyone signed in"
BY_TOKEN = {
    ByToken.AS_OWNER: "An API token acts as its owner.",
    ByToken.REFUSED: "Not with an API token.",
}


def who_may_call(op: Op) -> str:
    """`Who may call (LIST_USERS): members and admins: their tenant; superusers: every
    tenant. An API token acts as its owner.`"""
    if len(CALLERS) != len(COLUMNS) - 1:
        raise ValueError("permissions/who_may_call.py CALLERS must name every caller column")
    *scopes, by_token = POLICY[op]
    if op in PUBLIC:
        callers = ["anyone, signed in or not"]
    else:
        groups: dict[Scope, list[str]] = {}
        for caller, reach in zip(CALLERS, scopes, strict=True):
            if reach is not Scope.NONE:
                groups.setdefault(reach, []).append(caller)
        if len(groups) == 1 and len(next(iter(groups.values()))) == len(CALLERS):
            groups = {next(iter(groups)): [EVERYONE]}
        callers = [f"{_and(names)}: {IN_WORDS[reach]}" for reach, names in groups.items()]
        callers = callers or ["nobody"]
    return f"Who may call ({op.name}): {'; '.join(callers)}. {BY_TOKEN[by_token]}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
