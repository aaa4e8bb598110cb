"""The Query root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.tenants import TenantQueries
from resolvers.users import UserQueries

QUERIES: tuple[type, ...] = (UserQueries, TenantQueries)

Query = merge_types("Query", QUERIES)
