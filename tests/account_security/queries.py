"""GraphQL documents of the account-security tests."""

REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) {
    __typename
    ... on PasswordResetRequested { ok }
    ... on ValidationError { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
RESET = """
mutation($input: ResetPasswordInput!) {
  resetPassword(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { id username } }
    ... on ValidationError { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
SEND_RESET = """
mutation($id: ID!) {
  sendPasswordReset(userId: $id) {
    __typename
    ... on PasswordResetRequested { ok }
    ... on ValidationError { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
UPDATE_EMAIL = """
mutation($id: ID!, $email: String!) {
  updateUser(input: {id: $id, email: $email}) {
    __typename
    ... on UserPayload { user { id email pendingEmail } }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
CONFIRM_EMAIL = """
mutation($token: String!) {
  confirmEmailChange(token: $token) {
    __typename
    ... on UserPayload { user { id email pendingEmail } }
    ... on AlreadyExists { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { __typename } }
"""
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }
"""
ME = "{ me { username email pendingEmail } }"
USER = "query($id: ID!) { user(id: $id) { username email pendingEmail } }"
