"""GraphQL documents shared by the users tests."""

UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) {
    __typename
    ... on UserPayload { user { id email pendingEmail role } }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
    ... on Error { message }
  }
}
"""
SET_SUPERUSER = """
mutation($id: ID!, $on: Boolean!) {
  setSuperuser(userId: $id, superuser: $on) {
    __typename
    ... on UserPayload { user { id superuser } }
    ... on Error { message }
  }
}
"""
USERS = """
query($first: Int, $after: String, $search: String, $role: Role) {
  users(first: $first, after: $after, search: $search, role: $role) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { username email role } }
  }
}
"""
