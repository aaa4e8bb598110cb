"""The Mutation root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.auth import AuthMutations
from resolvers.users import UserMutations

MUTATIONS: tuple[type, ...] = (AuthMutations, UserMutations)

Mutation = merge_types("Mutation", MUTATIONS)
