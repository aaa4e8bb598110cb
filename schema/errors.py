"""The `Error` interface and the union members for expected failures."""

from __future__ import annotations

import strawberry

from domain import errors as domain_errors


@strawberry.interface(
    description="An expected failure, answered as a member of the field's result union "
    "(select `__typename`): nothing was changed."
)
class Error:
    message: str = strawberry.field(
        description="What went wrong, in English, for a person; never echoes a secret."
    )


@strawberry.type(description="The input is not acceptable (format, length, range, a rule).")
class ValidationError(Error):
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, in the input's own spelling."
    )


@strawberry.type(
    description="No such object, or not one the caller may see (the two answer alike)."
)
class NotFound(Error):
    pass


@strawberry.type(description="Another object already has this unique value.")
class AlreadyExists(Error):
    field: str | None = strawberry.field(
        default=None, description="The input field whose value is taken; null if not one field."
    )


@strawberry.type(
    description="The username, password (or other proof) did not match; which one is not said."
)
class InvalidCredentials(Error):
    pass


@strawberry.type(description="Too many attempts from this client or for this account.")
class RateLimited(Error):
    retry_after_seconds: int = strawberry.field(description="Seconds to wait before trying again.")


@strawberry.type(description="The token (of a link, or a challenge) cannot be used.")
class InvalidToken(Error):
    message: str = strawberry.field(
        description="The link is unknown, used, revoked or expired. "
        "One type for all, so a token cannot be probed."
    )


@strawberry.type(
    description="The e-mail address's domain is not open for self sign-up in that tenant."
)
class DomainNotAllowed(Error):
    pass


@strawberry.type(description="The TXT record was not found (yet).")
class DomainNotVerified(Error):
    record_name: str = strawberry.field(description="The TXT record's name to publish.")
    record_value: str = strawberry.field(description="The TXT record's value to publish.")


@strawberry.type(description="The change would leave the tenant without an admin.")
class LastAdmin(Error):
    pass


@strawberry.type(description="The change would leave the instance without a superuser.")
class LastSuperuser(Error):
    pass


@strawberry.type(
    description="No SMTP server is set up, so no e-mail can be sent (a superuser sets one)."
)
class EmailNotConfigured(Error):
    pass


@strawberry.type(description="The SMTP server refused the e-mail or could not be reached.")
class EmailDeliveryFailed(Error):
    pass


def to_graphql(error: domain_errors.DomainError) -> Error:
    """The union member for a domain failure (UserOwnsObjects is mapped by its own feature)."""
    match error:
        case domain_errors.ValidationFailed():
            return ValidationError(message=error.message, field=error.field)
        case domain_errors.AlreadyExists():
            return AlreadyExists(message=error.message, field=error.field)
        case domain_errors.DomainNotVerified():
            return DomainNotVerified(
                message=error.message,
                record_name=error.record_name,
                record_value=error.record_value,
            )
        case domain_errors.RateLimited():
            return RateLimited(message=error.message, retry_after_seconds=error.retry_after_seconds)
    simple: dict[type[domain_errors.DomainError], type[Error]] = {
        domain_errors.NotFound: NotFound,
        domain_errors.InvalidCredentials: InvalidCredentials,
        domain_errors.InvalidToken: InvalidToken,
        domain_errors.DomainNotAllowed: DomainNotAllowed,
        domain_errors.LastAdmin: LastAdmin,
        domain_errors.LastSuperuser: LastSuperuser,
        domain_errors.EmailNotConfigured: EmailNotConfigured,
        domain_errors.EmailDeliveryFailed: EmailDeliveryFailed,
    }
    for domain_type, graphql_type in simple.items():
        if isinstance(error, domain_type):
            return graphql_type(message=error.message)  # type: ignore[call-arg]
    raise TypeError(f"no GraphQL type for {type(error).__name__}")
