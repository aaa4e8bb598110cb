"""Thin resolvers: parse input, call a domain function, map the outcome to a GraphQL type."""
