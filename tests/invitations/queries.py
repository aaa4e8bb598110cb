SEND = """
mutation($input: SendInvitationInput!) {
  sendInvitation(input: $input) {
    __typename
    ... on InvitationPayload {
      invitation { id username email role authMethod emailStatus emailError expiresAt link
                   lastSentAt invitedBy { username } }
    }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
LIST = """
query($first: Int, $after: String, $tenantId: ID) {
  invitations(first: $first, after: $after, tenantId: $tenantId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id username email role emailStatus emailError lastSentAt expiresAt link
                   invitedBy { username } } }
  }
}
"""
PREVIEW = """
query($token: String!) {
  invitationPreview(token: $token) { tenantName username email authMethod expiresAt }
}
"""
ACCEPT = """
mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) {
    __typename
    ... on LoginSuccess {
      sessionToken
      user { username email role authMethod superuser tenant { name } }
    }
    ... on ValidationError { message field }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
RESEND = """
mutation($id: ID!) {
  resendInvitation(id: $id) {
    __typename
    ... on InvitationPayload { invitation { id emailStatus emailError expiresAt } }
    ... on Error { message }
  }
}
"""
DELETE = """
mutation($id: ID!) {
  deleteInvitation(id: $id) {
    __typename
    ... on DeleteInvitationSuccess { deletedInvitationId }
    ... on Error { message }
  }
}
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } }
}
"""
ME = "{ me { username role superuser } }"
USERS = "{ users { edges { node { username } } } }"
SEND_MANY = """
mutation($input: SendInvitationsInput!) {
  sendInvitations(input: $input) {
    __typename
    ... on SendInvitationsPayload {
      sentCount
      results {
        index
        result {
          __typename
          ... on InvitationPayload { invitation { id username expiresAt } }
          ... on ValidationError { message field }
          ... on AlreadyExists { message field }
          ... on Error { message }
        }
      }
    }
    ... on ValidationError { message field }
    ... on RateLimited { retryAfterSeconds }
  }
}
"""
RESEND_FOR = """
mutation($id: ID!, $hours: Int) {
  resendInvitation(id: $id, expiresInHours: $hours) {
    __typename
    ... on InvitationPayload { invitation { id expiresAt } }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
LIST_BY_STATUS = """
query($status: InvitationStatus) {
  invitations(status: $status) { totalCount edges { node { username } } }
}
"""
