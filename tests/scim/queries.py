"""GraphQL documents the SCIM tests share."""

CREATE = """
mutation($tenantId: ID!) {
  createScimToken(tenantId: $tenantId) {
    __typename
    ... on CreateScimTokenSuccess {
      token baseUrl scimToken { id prefix createdAt lastUsedAt tenant { name } }
    }
    ... on Error { message }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  revokeScimToken(id: $id) {
    __typename
    ... on RevokeScimTokenSuccess { revokedScimTokenId }
    ... on Error { message }
  }
}
"""
TOKENS = "query($tenantId: ID!) { scimTokens(tenantId: $tenantId) { id prefix lastUsedAt } }"
SET_MAPPING = """
mutation($input: GroupRoleMappingInput!) {
  setGroupRoleMapping(input: $input) {
    __typename
    ... on GroupRoleMappingsPayload { mappings { id group role } }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
MAPPINGS = "query($tenantId: ID!) { groupRoleMappings(tenantId: $tenantId) { id group role } }"
USER = "query($id: ID!) { user(id: $id) { role externalId groups } }"
