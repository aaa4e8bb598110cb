"""Who is calling: the session cookie, or a Bearer session or API token."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from domain.auth.api_tokens import API_TOKEN_PREFIX, user_for_api_token
from domain.auth.challenges import CHALLENGE_PREFIX, enrolling_user
from domain.auth.sessions import user_for_session
from models import User
from web.cookies import SESSION_COOKIE


@dataclass(frozen=True)
class Caller:
    user: User | None
    session_token: str | None
    via_api_token: bool = False
    # A challenge token of MfaRequired.enrollmentRequired: not signed in, may only enroll.
    enrollment_only: bool = False


ANONYMOUS = Caller(user=None, session_token=None)


def bearer_token(request: HTTPConnection) -> str | None:
    """The credential of an `Authorization: Bearer …` header, or None."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


async def identify(request: HTTPConnection) -> Caller:
    token = bearer_token(request)
    if token is not None:
        if token.startswith(CHALLENGE_PREFIX):
            # Over HTTP only (not a subscription's connection_init): it may only enroll.
            return Caller(
                user=await enrolling_user(token), session_token=None, enrollment_only=True
            )
        return await identify_token(token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return await identify_token(cookie, api_token=False)
    return ANONYMOUS


async def identify_token(token: str, *, api_token: bool = True) -> Caller:
    """A session token, or (unless from a cookie) an API token."""
    if api_token and token.startswith(API_TOKEN_PREFIX):
        return Caller(user=await user_for_api_token(token), session_token=None, via_api_token=True)
    user = await user_for_session(token)
    return Caller(user=user, session_token=token if user else None)


def client_address(request: HTTPConnection) -> str | None:
    # Behind a load balancer, run uvicorn with --proxy-headers and --forwarded-allow-ips
    # so that request.client is the real client.
    return request.client.host if request.client else None
