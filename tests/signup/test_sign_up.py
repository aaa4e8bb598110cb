"""Self sign-up: whitelisted domains only, verified by a mailed link, never a superuser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.signup import remove_expired_sign_ups
from models import AuditEvent, AuthMethod, DomainStatus, OutboxMail, Role, SignupDomain, User
from tests.signup.queries import LOGIN, SIGN_UP, UPDATE_USER, VERIFY
from tests.smtp_server import link_in, token_in

PASSWORD = "a long and private passphrase"


def sign_up(email: str = "ana@example.com", username: str = "ana", **more) -> dict:
    return {"input": {"tenant": "acme", "username": username, "email": email,
                      "password": PASSWORD, **more}}  # fmt: skip


async def answer(gql, variables) -> dict:
    return (await gql(SIGN_UP, variables)).payload("signUp")


async def test_sign_up_mails_a_link_that_activates_the_account_and_signs_in(gql, whitelist, smtp):
    assert await answer(gql, sign_up()) == {
        "__typename": "SignUpSuccess",
        "email": "ana@example.com",
    }
    user = await User.get(username="ana")
    assert (user.email_verified, user.signed_up, user.role, user.superuser) == (
        False,
        True,
        Role.GUEST,
        False,
    )
    login = {"input": {"tenant": "acme", "username": "ana", "password": PASSWORD}}
    assert (await gql(LOGIN, login)).payload("login")["__typename"] == "InvalidCredentials"

    [message] = await smtp.wait_for(1)
    assert message["To"] == "ana@example.com"
    assert link_in(message, "/verify-email").startswith("http://tenantry.test/verify-email?token=")
    verified = (await gql(VERIFY, {"token": token_in(message, "/verify-email")})).payload(
        "verifyEmail"
    )
    assert verified["__typename"] == "LoginSuccess"
    assert verified["user"] == {"username": "ana", "email": "ana@example.com", "role": "GUEST",
                                "authMethod": "PASSWORD", "superuser": False}  # fmt: skip
    assert (await gql(LOGIN, login)).payload("login")["__typename"] == "LoginSuccess"


async def test_the_verification_link_works_once(gql, whitelist, smtp):
    await answer(gql, sign_up())
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    assert (await gql(VERIFY, {"token": token})).payload("verifyEmail")[
        "__typename"
    ] == "LoginSuccess"
    assert (await gql(VERIFY, {"token": token})).payload("verifyEmail")[
        "__typename"
    ] == "InvalidToken"


async def test_an_expired_or_forged_verification_link_is_refused_alike(gql, whitelist, smtp):
    await answer(gql, sign_up())
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    user_id, _, mac = token.partition(".")
    forged = (await gql(VERIFY, {"token": f"{user_id}.{'A' * len(mac)}"})).payload("verifyEmail")
    junk = (await gql(VERIFY, {"token": "junk"})).payload("verifyEmail")
    await User.filter(id=user_id).update(
        verification_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = (await gql(VERIFY, {"token": token})).payload("verifyEmail")
    assert forged == junk == expired
    assert expired["__typename"] == "InvalidToken"
    assert not (await User.get(id=user_id)).email_verified


async def test_the_domain_gives_its_role_and_method(gql, cast, smtp):
    await SignupDomain.create(
        tenant=cast.tenant_a, domain="pam.example", default_role=Role.ADMIN,
        auth_method=AuthMethod.PAM, status=DomainStatus.VERIFIED,
    )  # fmt: skip
    assert (await answer(gql, sign_up("pat@pam.example", "pat", password=None)))[
        "__typename"
    ] == "SignUpSuccess"
    user = await User.get(username="pat")
    assert (user.role, user.auth_method, user.superuser, user.password_hash) == (
        Role.ADMIN, AuthMethod.PAM, False, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "email",
    [
        "ana@evil-example.com",
        "ana@example.com.evil.net",
        "ana@sub.example.com",
        "ana@example.co",
        "ana@exаmple.com",
    ],  # fmt: skip  (the last has a Cyrillic а)
)
async def test_look_alike_domains_are_not_allowed(gql, whitelist, smtp, email):
    assert (await answer(gql, sign_up(email)))["__typename"] == "DomainNotAllowed"
    assert await User.filter(username="ana").count() == 0


async def test_an_address_with_two_ats_is_invalid(gql, whitelist, smtp):
    result = await answer(gql, sign_up("a@example.com@evil.net"))
    assert (result["__typename"], result["field"]) == ("ValidationError", "email")


async def test_the_domain_matches_in_any_case_and_with_a_trailing_dot(gql, whitelist, smtp):
    assert (await answer(gql, sign_up("Ana@EXAMPLE.com.")))["__typename"] == "SignUpSuccess"


async def test_another_tenants_whitelist_does_not_count(gql, cast, smtp):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_b,
        domain="example.com",
        default_role=Role.MEMBER,
    )
    assert (await answer(gql, sign_up()))["__typename"] == "DomainNotAllowed"
    unknown = await answer(gql, {"input": {**sign_up()["input"], "tenant": "nowhere"}})
    assert unknown["__typename"] == "DomainNotAllowed"


async def test_a_password_given_at_sign_up_follows_the_rules(gql, whitelist, smtp):
    for password in ("short", "ana", ""):
        result = await answer(gql, sign_up(password=password))
        assert (result["__typename"], result["field"]) == ("ValidationError", "password")
    assert not await User.exists(username="ana")


async def test_a_taken_username_is_already_exists(gql, whitelist, smtp):
    result = await answer(gql, sign_up(username="Alice"))
    assert (result["__typename"], result["field"]) == ("AlreadyExists", "username")


async def test_a_taken_address_answers_like_a_fresh_sign_up_and_sends_nothing(
    gql, cast, whitelist, smtp, make
):
    await make.user(cast.tenant_a, username="existing", email="ana@example.com")
    assert await answer(gql, sign_up()) == {
        "__typename": "SignUpSuccess",
        "email": "ana@example.com",
    }
    assert await User.filter(username="ana").count() == 0
    assert await OutboxMail.all().count() == 0


async def test_signing_up_again_before_verifying_sends_a_new_link(gql, whitelist, smtp):
    await answer(gql, sign_up())
    first = token_in((await smtp.wait_for(1))[0], "/verify-email")
    await answer(gql, sign_up())
    second = token_in((await smtp.wait_for(2))[1], "/verify-email")
    assert first != second
    assert (await gql(VERIFY, {"token": first, "password": PASSWORD})).payload("verifyEmail")[
        "__typename"
    ] == "InvalidToken"
    assert (await gql(VERIFY, {"token": second, "password": PASSWORD})).payload("verifyEmail")[
        "__typename"
    ] == "LoginSuccess"


async def login_as(gql, username: str, password: str) -> str:
    login = {"input": {"tenant": "acme", "username": username, "password": password}}
    return (await gql(LOGIN, login)).payload("login")["__typename"]


async def test_a_later_sign_up_replaces_a_strangers_unverified_one(gql, whitelist, smtp):
    # A stranger signs up first with the owner's address and a password of their own.
    stranger = sign_up(username="mallet", password="the stranger's passphrase")
    assert (await answer(gql, stranger))["__typename"] == "SignUpSuccess"
    strangers_link = token_in((await smtp.wait_for(1))[0], "/verify-email")

    assert (await answer(gql, sign_up()))["__typename"] == "SignUpSuccess"
    owners_link = token_in((await smtp.wait_for(2))[1], "/verify-email")

    assert (await gql(VERIFY, {"token": strangers_link})).payload("verifyEmail")[
        "__typename"
    ] == "InvalidToken"
    # The owner's sign-up replaced another: its verification carries the password.
    verified = (await gql(VERIFY, {"token": owners_link, "password": PASSWORD})).payload(
        "verifyEmail"
    )
    assert verified["user"]["username"] == "ana"
    assert await login_as(gql, "ana", PASSWORD) == "LoginSuccess"
    assert await login_as(gql, "mallet", "the stranger's passphrase") == "InvalidCredentials"
    assert await login_as(gql, "ana", "the stranger's passphrase") == "InvalidCredentials"
    assert await User.filter(email="ana@example.com").count() == 1


async def test_a_replaced_sign_up_is_audited_with_both_usernames(gql, whitelist, smtp):
    await answer(gql, sign_up(username="mallet"))
    await answer(gql, sign_up())

    event = await AuditEvent.get(action="user.sign_up_replaced")
    assert (event.changes["username"], event.changes["previousUsername"]) == ("ana", "mallet")


async def test_a_taken_username_is_already_exists_whether_or_not_the_address_has_an_account(
    gql, whitelist, smtp, make, cast
):
    await make.person(cast.tenant_a, username="holder", email="holder@example.com")
    for email in ("holder@example.com", "somebody.new@example.com"):
        answered = await answer(gql, sign_up(email=email, username="holder"))
        assert answered["__typename"] == "AlreadyExists", email
    assert await User.filter(email_key="somebody.new@example.com").count() == 0


async def test_an_address_with_a_verified_account_answers_like_a_new_one_and_sends_nothing(
    gql, whitelist, smtp, make, cast
):
    holder = await make.person(cast.tenant_a, username="holder", email="holder@example.com")

    answered = await answer(gql, sign_up(email="holder@example.com", username="someone-else"))

    assert answered == {"__typename": "SignUpSuccess", "email": "holder@example.com"}
    assert await User.filter(username_key="someone-else").count() == 0
    assert (await User.get(id=holder.user.id)).username == "holder"
    assert await OutboxMail.all().count() == 0


async def test_without_smtp_sign_up_answers_email_not_configured(gql, whitelist):
    assert (await answer(gql, sign_up()))["__typename"] == "EmailNotConfigured"
    assert await User.filter(username="ana").count() == 0


async def test_sign_up_is_rate_limited_per_address(gql, whitelist, smtp):
    answers = [(await answer(gql, sign_up(username=f"ana{n}")))["__typename"] for n in range(6)]
    assert answers[-1] == "RateLimited"


async def test_verification_is_rate_limited_per_client(gql, whitelist, smtp):
    answers = [
        (
            await gql(VERIFY, {"token": f"0000000{n:02d}-0000-0000-0000-000000000000.{'A' * 43}"})
        ).payload("verifyEmail")["__typename"]
        for n in range(21)
    ]
    assert answers[:20] == ["InvalidToken"] * 20 and answers[20] == "RateLimited"


async def test_a_signed_up_user_keeps_an_address_on_the_whitelist(gql, whitelist, smtp):
    await answer(gql, sign_up())
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    verified = (await gql(VERIFY, {"token": token})).payload("verifyEmail")
    user_id = str((await User.get(username="ana")).id)
    outside = await gql(UPDATE_USER, {"input": {"id": user_id, "email": "ana@evil.example"}},
                        token=verified["sessionToken"])  # fmt: skip
    assert outside.payload("updateUser")["__typename"] == "ValidationError"
    inside = await gql(UPDATE_USER, {"input": {"id": user_id, "email": "ana2@example.com"}},
                       token=verified["sessionToken"])  # fmt: skip
    assert inside.payload("updateUser")["__typename"] == "UserPayload"


async def test_sign_up_and_verification_are_audited(gql, whitelist, smtp):
    await answer(gql, sign_up())
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    await gql(VERIFY, {"token": token})
    actions = [e.action for e in await AuditEvent.all().order_by("at")]
    assert actions[:2] == ["user.signed_up", "user.email_verified"]
    assert all(token.split(".")[1] not in str(e.changes) for e in await AuditEvent.all())


@pytest.mark.parametrize("role", [None, "guest", "member", "admin", "superuser", "other_admin"])
async def test_anyone_may_sign_up_and_verify(gql, cast, whitelist, smtp, role):
    person = cast.by_role(role) if role else None
    signed = (await gql(SIGN_UP, sign_up(), as_=person)).payload("signUp")
    assert signed["__typename"] == "SignUpSuccess"
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    verified = (await gql(VERIFY, {"token": token}, as_=person)).payload("verifyEmail")
    assert verified["__typename"] == "LoginSuccess"
    assert verified["user"]["username"] == "ana"


@pytest.mark.parametrize("tenant", ["x" * 65, "ß" * 40, "a\x00b"])
async def test_a_tenant_name_no_tenant_can_have_is_just_not_allowed(gql, whitelist, smtp, tenant):
    result = await answer(gql, {"input": {**sign_up()["input"], "tenant": tenant}})
    assert result["__typename"] == "DomainNotAllowed"


async def test_a_sign_up_whose_link_lapsed_is_removed_and_frees_its_username(
    gql, whitelist, smtp, make, cast
):
    await answer(gql, sign_up())
    lapsed = await User.get(username="ana")
    await make.person(cast.tenant_a, username="verified-ana", email="v.ana@example.com")
    after_expiry = lapsed.verification_expires_at + timedelta(seconds=1)

    assert await remove_expired_sign_ups(after_expiry) == 1

    assert not await User.filter(id=lapsed.id).exists()
    assert await User.filter(username="verified-ana").exists()
    event = await AuditEvent.get(action="user.sign_up_expired")
    assert str(event.target_id) == str(lapsed.id)
    again = sign_up(email="another.ana@example.com")
    assert (await answer(gql, again))["__typename"] == "SignUpSuccess"


async def test_a_sign_up_still_within_its_link_lifetime_is_kept(gql, whitelist, smtp):
    await answer(gql, sign_up())
    pending = await User.get(username="ana")

    assert (
        await remove_expired_sign_ups(pending.verification_expires_at - timedelta(seconds=1)) == 0
    )
    assert await User.filter(id=pending.id).exists()


async def test_a_lapsed_sign_up_that_was_given_projects_is_kept(gql, whitelist, smtp, make):
    await answer(gql, sign_up())
    lapsed = await User.get(username="ana")
    await make.project(lapsed)

    assert await remove_expired_sign_ups(lapsed.verification_expires_at + timedelta(seconds=1)) == 0
    assert await User.filter(id=lapsed.id).exists()
