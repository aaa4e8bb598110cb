"""Expected failures of the domain. The API maps each to the union member of the same name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from permissions.rules import Actor, Op, refusal

if TYPE_CHECKING:
    from models import ApiToken, Project


class DomainError(Exception):
    message = "The request could not be carried out."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class ValidationFailed(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    message = "Not found."


class AlreadyExists(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidCredentials(DomainError):
    message = "Invalid username or password."


class AccountDeactivated(InvalidCredentials):
    """A deactivated user tried to sign in. Answered exactly like wrong credentials (the same
    type and message), so that sign-in does not tell who is deactivated; paths whose answer
    has no InvalidCredentials map it to their own refusal."""


class RateLimited(DomainError):
    message = "Too many attempts. Try again later."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = max(1, retry_after_seconds)


class InvalidToken(DomainError):
    message = "This link is not valid: it may have expired or been used already."


class DomainNotAllowed(DomainError):
    message = "Sign-up is not open for this e-mail domain."


class DomainNotVerified(DomainError):
    message = "The TXT record was not found (yet): publish it, then verify again."

    def __init__(self, record_name: str, record_value: str) -> None:
        super().__init__()
        self.record_name = record_name
        self.record_value = record_value


class UserOwnsObjects(DomainError):
    message = "The user still owns projects or API tokens. Transfer their ownership first."

    def __init__(self, projects: Sequence[Project], tokens: Sequence[ApiToken]) -> None:
        super().__init__()
        self.projects = list(projects)
        self.tokens = list(tokens)


class LastAdmin(DomainError):
    message = "The tenant must keep at least one admin."


class LastSuperuser(DomainError):
    message = "The instance must keep at least one superuser."


class EmailNotConfigured(DomainError):
    message = "No SMTP server is configured."


class EmailDeliveryFailed(DomainError):
    message = "The e-mail could not be delivered."


class Forbidden(Exception):
    """Not an expected failure: the caller may not do this at all (FORBIDDEN)."""


def require(actor: Actor | None, op: Op) -> None:
    """Refuse, with the policy's reason, a caller who may not use the operation at all."""
    reason = refusal(actor, op)
    if reason is not None:
        raise Forbidden(reason)
