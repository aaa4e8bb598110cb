"""The documents of the deactivation tests, as a frontend would send them."""

DEACTIVATE = """
mutation($id: ID!) {
  deactivateUser(id: $id) {
    __typename ... on UserPayload { user { id status } } ... on Error { message }
  }
}
"""
REACTIVATE = """
mutation($id: ID!) {
  reactivateUser(id: $id) {
    __typename ... on UserPayload { user { id status } } ... on Error { message }
  }
}
"""
USERS_BY_STATUS = """
query($status: UserStatus) {
  users(status: $status) { totalCount edges { node { username status } } }
}
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    __typename ... on LoginSuccess { sessionToken } ... on Error { message }
  }
}
"""
ME = "{ me { username status } }"
OWNED = "query($id: ID!) { user(id: $id) { ownedProjects { name } ownedTokens { name } } }"
UPDATE_ROLE = """
mutation($id: ID!, $role: Role!) {
  updateUser(input: {id: $id, role: $role}) { __typename }
}
"""
DELETE_USER = "mutation($id: ID!) { deleteUser(id: $id) { __typename } }"
SET_SUPERUSER = """
mutation($id: ID!, $on: Boolean!) { setSuperuser(userId: $id, superuser: $on) { __typename } }
"""


def login_input(username: str, password: str, tenant: str = "acme") -> dict[str, object]:
    return {"input": {"tenant": tenant, "username": username, "password": password}}
