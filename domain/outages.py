"""Whether a dependency (the database, Redis) is down in this process, so that each outage is
logged once when it begins and once when it ends, not once per request or per worker pass."""

from __future__ import annotations

import logging
import time

from models.availability import is_database_unavailable


def describe(error: BaseException) -> str:
    """The error's class and first line: enough for an operator (no query text, no URL)."""
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Outage:
    """One dependency's state. `began` and `ended` may be called on every request: only the
    change of state is logged. While down, `due_for_probe` lets one caller in every
    `probe_every` seconds try the dependency again; the others skip it and lose no time."""

    def __init__(
        self, log: logging.Logger, began: str, ended: str, probe_every: float = 5.0
    ) -> None:
        self.log = log
        self.began_message = began
        self.ended_message = ended
        self.probe_every = probe_every
        self.since: float | None = None
        self.next_probe = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def due_for_probe(self) -> bool:
        if self.since is None:
            return True
        now = time.monotonic()
        if now < self.next_probe:
            return False
        self.next_probe = now + self.probe_every  # this caller probes; the others skip
        return True

    def began(self, error: BaseException) -> None:
        now = time.monotonic()
        self.next_probe = now + self.probe_every
        if self.since is None:
            self.since = now
            self.log.warning("%s (%s)", self.began_message, describe(error))

    def ended(self) -> None:
        if self.since is not None:
            seconds = time.monotonic() - self.since
            self.since = None
            self.log.info("%s after %.1f s", self.ended_message, seconds)


DATABASE = Outage(
    logging.getLogger("tenantry.database"),
    began="database unavailable: requests get 503 until it answers",
    ended="database available again",
    probe_every=1.0,
)


def database_outage(error: BaseException) -> bool:
    """Whether `error` means the database is unavailable; if so the outage is noted (and logged
    when it begins), so the caller need not log it."""
    if is_database_unavailable(error):
        DATABASE.began(error)
        return True
    return False
