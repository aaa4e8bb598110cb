"""The domain's enums, exposed under the contract's names (values are the member names)."""

import strawberry

from models import enums

Role = strawberry.enum(enums.Role, name="Role")
AuthMethod = strawberry.enum(enums.AuthMethod, name="AuthMethod")
EmailStatus = strawberry.enum(enums.EmailStatus, name="EmailStatus")
SmtpSecurity = strawberry.enum(enums.SmtpSecurity, name="SmtpSecurity")
ListenerPurpose = strawberry.enum(enums.ListenerPurpose, name="ListenerPurpose")
UserStatus = strawberry.enum(
    enums.UserStatus, name="UserStatus", description="Whether a user can sign in."
)
MfaMethod = strawberry.enum(enums.MfaMethod, name="MfaMethod")
