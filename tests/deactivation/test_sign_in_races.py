"""Deactivation racing a sign-in: whatever order they come in, the deactivated user ends up
with no working session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.auth.login import sign_in
from domain.auth.sessions import ClientInfo
from domain.errors import AccountDeactivated
from models import Session, User
from tests.deactivation.queries import ME


async def test_signing_in_a_user_read_before_their_deactivation_is_refused(cast):
    stale = await User.get(id=cast.member_a.user.id)  # read by a sign-in path...
    await User.filter(id=stale.id).update(deactivated_at=datetime.now(UTC))  # ...then this
    with pytest.raises(AccountDeactivated):
        await sign_in(stale, ClientInfo(), how="password")
    assert await Session.filter(user_id=stale.id).count() == 1  # the cast's, nothing new


async def test_a_session_started_just_before_the_deactivation_committed_does_not_work(gql, cast):
    # The sign-in passed its check and its session row was written after the deactivation
    # deleted the user's sessions: every request checks the session's user.
    await User.filter(id=cast.member_a.user.id).update(deactivated_at=datetime.now(UTC))
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] is None
    assert not await Session.filter(user_id=cast.member_a.user.id).exists()
