"""The Query root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.audit import AuditQueries
from resolvers.invitations import InvitationQueries
from resolvers.mfa import MfaQueries
from resolvers.nodes import NodeQueries
from resolvers.projects import ProjectQueries
from resolvers.provisioning import ProvisioningQueries
from resolvers.saml import SamlQueries
from resolvers.sessions import SessionQueries
from resolvers.settings import InstanceSettingsQueries
from resolvers.signup import SignupQueries
from resolvers.tenant_settings import TenantSettingsQueries
from resolvers.tenants import TenantQueries
from resolvers.users import UserQueries
from resolvers.webhooks import WebhookQueries

QUERIES: tuple[type, ...] = (UserQueries, TenantQueries)
QUERIES += (ProjectQueries,)
QUERIES += (AuditQueries,)
QUERIES += (InvitationQueries, SignupQueries, InstanceSettingsQueries)
QUERIES += (SamlQueries,)
QUERIES += (SessionQueries,)
QUERIES += (NodeQueries,)
QUERIES += (MfaQueries, TenantSettingsQueries)
QUERIES += (ProvisioningQueries,)
QUERIES += (WebhookQueries,)

Query = merge_types("Query", QUERIES)
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What a client may read. Each field's description ends with who may call it."
)
