"""argon2id: the configured parameters, rehash on login when they change,
hashing off the event loop."""

from __future__ import annotations

import asyncio
import time

from argon2 import PasswordHasher
from argon2.low_level import Type

from config import get_config
from domain.auth.passwords import hashing
from models import User
from tests.auth.queries import login

PASSWORD = "an old but fine passphrase"


async def test_hashes_are_argon2id_with_the_configured_parameters(app):
    config = get_config()
    stored = await hashing().hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert (
        f"m={config.argon2_memory_kib},t={config.argon2_time_cost},p={config.argon2_parallelism}"
        in stored
    )


def test_the_configured_parameters_are_never_below_owasps_baseline(app):
    config = get_config()
    assert config.argon2_memory_kib >= 19 * 1024
    assert config.argon2_time_cost >= 2
    assert config.argon2_parallelism >= 1


async def test_a_hash_made_with_weaker_parameters_is_replaced_at_login(gql, make, cast):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PASSWORD)
    user = await make.user(cast.tenant_a, username="oldtimer")
    await User.filter(id=user.id).update(password_hash=weak)

    assert (await login(gql, "oldtimer", PASSWORD))["__typename"] == "LoginSuccess"

    stored = (await User.get(id=user.id)).password_hash
    assert stored != weak
    assert not hashing().needs_rehash(stored)
    assert await hashing().verify(stored, PASSWORD)
    gql.http.cookies.clear()
    assert (await login(gql, "oldtimer", PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_failed_login_leaves_a_weak_hash_alone(gql, make, cast):
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    user = await make.user(cast.tenant_a, username="oldtimer")
    await User.filter(id=user.id).update(password_hash=weak)
    assert (await login(gql, "oldtimer", "not it"))["__typename"] == "InvalidCredentials"
    assert (await User.get(id=user.id)).password_hash == weak


async def test_a_current_hash_is_not_rewritten_at_login(gql, cast):
    before = (await User.get(id=cast.guest_a.user.id)).password_hash
    from tests.factories import DEFAULT_PASSWORD

    assert (await login(gql, "gus", DEFAULT_PASSWORD))["__typename"] == "LoginSuccess"
    assert (await User.get(id=cast.guest_a.user.id)).password_hash == before


async def test_hashing_runs_off_the_event_loop(app):
    # A ticker on the loop keeps ticking while four hashes run; were they on the loop,
    # it would stall for the whole of each hash.
    one_hash = time.perf_counter()
    hashing().hasher.hash("measure one")
    one_hash = time.perf_counter() - one_hash

    ticks: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    hashes = await asyncio.gather(*(hashing().hash(f"password number {i}") for i in range(4)))
    elapsed = time.perf_counter() - started
    stop.set()
    await task

    assert len(set(hashes)) == 4
    during = [t for t in ticks if started <= t <= started + elapsed]
    gaps = [b - a for a, b in zip(during, during[1:], strict=False)]
    assert len(during) >= 5, (len(during), elapsed)
    assert max(gaps) < max(one_hash, elapsed / 2), (max(gaps), one_hash, elapsed)


async def test_verification_runs_off_the_event_loop_too(app):
    stored = await hashing().hash(PASSWORD)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    results = await asyncio.gather(*(hashing().verify(stored, PASSWORD) for _ in range(4)))
    stop.set()
    await task
    assert results == [True] * 4
    assert ticks >= 5


def test_the_pool_is_bounded_by_the_configured_thread_count(app):
    assert hashing().pool._max_workers == get_config().password_hash_threads
