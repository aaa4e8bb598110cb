"""The documents of the session tests, as a frontend would send them."""

MY_SESSIONS = """
{ mySessions { id createdAt lastUsedAt clientAddress userAgent current } }
"""
USER_SESSIONS = """
query($userId: ID!) { userSessions(userId: $userId) { id current } }
"""
REVOKE_SESSION = """
mutation($id: ID!) {
  revokeSession(id: $id) {
    __typename ... on SessionsRevoked { count } ... on Error { message }
  }
}
"""
REVOKE_OTHERS = "mutation { revokeOtherSessions { count } }"
REVOKE_USER_SESSIONS = """
mutation($userId: ID!) {
  revokeUserSessions(userId: $userId) {
    __typename ... on SessionsRevoked { count } ... on Error { message }
  }
}
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } }
}
"""
ME = "{ me { username } }"
