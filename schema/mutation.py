"""The Mutation root: one class of fields per feature, merged."""

from strawberry.tools import merge_types

from resolvers.account_recovery import AccountRecoveryMutations
from resolvers.api_tokens import ApiTokenMutations
from resolvers.auth import AuthMutations
from resolvers.deactivation import DeactivationMutations
from resolvers.invitations import InvitationMutations
from resolvers.listeners import ListenerMutations
from resolvers.mfa import MfaMutations
from resolvers.ownership import OwnershipMutations
from resolvers.projects import ProjectMutations
from resolvers.provisioning import ProvisioningMutations
from resolvers.saml import SamlMutations
from resolvers.sessions import SessionMutations
from resolvers.signup import SignupMutations
from resolvers.smtp import SmtpMutations
from resolvers.ssl import SslMutations
from resolvers.tenant_settings import TenantSettingsMutations
from resolvers.tenants import TenantMutations
from resolvers.user_deletion import UserDeletionMutations
from resolvers.users import UserMutations
from resolvers.webhooks import WebhookMutations

MUTATIONS: tuple[type, ...] = (AuthMutations, UserMutations)
MUTATIONS += (UserDeletionMutations, OwnershipMutations, ProjectMutations, ApiTokenMutations)
MUTATIONS += (TenantMutations, SslMutations, ListenerMutations)
MUTATIONS += (InvitationMutations, SignupMutations, SmtpMutations)
MUTATIONS += (SamlMutations,)
MUTATIONS += (SessionMutations, DeactivationMutations)
MUTATIONS += (MfaMutations, TenantSettingsMutations)
MUTATIONS += (AccountRecoveryMutations,)
MUTATIONS += (ProvisioningMutations,)
MUTATIONS += (WebhookMutations,)

Mutation = merge_types("Mutation", MUTATIONS)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What a client may change. Expected failures are members of each result union; each "
    "field's description ends with who may call it."
)
