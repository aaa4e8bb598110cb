"""The product's behaviour as plain async functions, shared by GraphQL and the HTTP endpoints."""
