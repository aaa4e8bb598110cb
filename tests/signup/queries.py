DOMAINS = """
query($tenantId: ID) {
  signupDomains(tenantId: $tenantId) { id domain defaultRole authMethod createdAt }
}
"""
ADD = """
mutation($input: SignupDomainInput!) {
  addSignupDomain(input: $input) {
    __typename
    ... on SignupDomainPayload { signupDomain { id domain defaultRole authMethod } }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
    ... on Error { message }
  }
}
"""
REMOVE = """
mutation($id: ID!) {
  removeSignupDomain(id: $id) {
    __typename
    ... on DeleteSignupDomainSuccess { deletedSignupDomainId }
    ... on Error { message }
  }
}
"""
SIGN_UP = """
mutation($input: SignUpInput!) {
  signUp(input: $input) {
    __typename
    ... on SignUpSuccess { email }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
VERIFY = """
mutation($token: String!, $password: String) {
  verifyEmail(token: $token, password: $password) {
    __typename
    ... on LoginSuccess { sessionToken user { username email role authMethod superuser } }
    ... on RateLimited { retryAfterSeconds }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } }
}
"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) {
    __typename
    ... on UserPayload { user { email } }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
