"""The request a change is made in, for the audit trail: where it came from and its ID.

The web layer sets it for each HTTP request (web/logging.py); `domain.audit.record` reads it,
so no caller has to pass it along. Outside a request (the command line, background jobs) it
is empty.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    client_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


NO_REQUEST = RequestContext()
current_request: ContextVar[RequestContext] = ContextVar("current_request", default=NO_REQUEST)
