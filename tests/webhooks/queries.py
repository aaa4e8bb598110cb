HOOK_FIELDS = "id url events description enabled disabledReason createdAt tenant { id name }"

CREATE = f"""
mutation($input: WebhookInput!) {{
  createWebhook(input: $input) {{
    __typename
    ... on CreateWebhookSuccess {{ secret webhook {{ {HOOK_FIELDS} }} }}
    ... on ValidationError {{ field message }}
    ... on NotFound {{ message }}
  }}
}}"""

UPDATE = f"""
mutation($input: UpdateWebhookInput!) {{
  updateWebhook(input: $input) {{
    __typename
    ... on WebhookPayload {{ webhook {{ {HOOK_FIELDS} }} }}
    ... on ValidationError {{ field message }}
    ... on NotFound {{ message }}
  }}
}}"""

DELETE = """
mutation($id: ID!) {
  deleteWebhook(id: $id) {
    __typename
    ... on DeleteWebhookSuccess { deletedWebhookId }
    ... on NotFound { message }
  }
}"""

ROTATE = f"""
mutation($id: ID!) {{
  rotateWebhookSecret(id: $id) {{
    __typename
    ... on RotateWebhookSecretSuccess {{ secret webhook {{ {HOOK_FIELDS} }} }}
    ... on NotFound {{ message }}
  }}
}}"""

DELIVERY_FIELDS = (
    "id event messageId status attempts responseStatus latencyMs lastError createdAt nextAttemptAt"
)

TEST = f"""
mutation($id: ID!) {{
  testWebhook(id: $id) {{
    __typename
    ... on WebhookDeliveryPayload {{ delivery {{ {DELIVERY_FIELDS} }} }}
    ... on NotFound {{ message }}
  }}
}}"""

REDELIVER = f"""
mutation($id: ID!) {{
  redeliverWebhook(deliveryId: $id) {{
    __typename
    ... on WebhookDeliveryPayload {{ delivery {{ {DELIVERY_FIELDS} }} }}
    ... on NotFound {{ message }}
  }}
}}"""

HOOKS = f"""
query($tenantId: ID) {{ webhooks(tenantId: $tenantId) {{ {HOOK_FIELDS} }} }}"""

DELIVERIES = f"""
query($id: ID!, $first: Int, $after: String) {{
  webhookDeliveries(webhookId: $id, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {DELIVERY_FIELDS} }} }}
  }}
}}"""
