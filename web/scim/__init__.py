"""SCIM 2.0 (RFC 7643/7644) under /scim/v2/{tenant}/: Users, Groups and the discovery
endpoints. Thin: scim2-models parses and writes the resources, filters and PATCH operations;
the behaviour is in domain/scim_users.py and domain/scim_groups.py."""

from starlette.routing import Route

from web.scim import discovery, groups, users

PREFIX = "/scim/v2/{tenant}"

ROUTES = [
    Route(f"{PREFIX}/Users", users.collection, methods=["GET", "POST"]),
    Route(f"{PREFIX}/Users/{{id}}", users.item, methods=["GET", "PUT", "PATCH", "DELETE"]),
    Route(f"{PREFIX}/Groups", groups.collection, methods=["GET", "POST"]),
    Route(f"{PREFIX}/Groups/{{id}}", groups.item, methods=["GET", "PUT", "PATCH", "DELETE"]),
    Route(f"{PREFIX}/ServiceProviderConfig", discovery.service_provider_config, methods=["GET"]),
    Route(f"{PREFIX}/ResourceTypes", discovery.resource_types, methods=["GET"]),
    Route(f"{PREFIX}/ResourceTypes/{{name}}", discovery.resource_type, methods=["GET"]),
    Route(f"{PREFIX}/Schemas", discovery.schemas, methods=["GET"]),
    Route(f"{PREFIX}/Schemas/{{id}}", discovery.schema, methods=["GET"]),
]
