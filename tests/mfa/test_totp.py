"""TOTP end to end over HTTP: enroll, confirm, sign in in two steps, recovery codes, turn off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from models import AuditEvent, RecoveryCode, TotpFactor
from tests.factories import DEFAULT_PASSWORD, Cast
from tests.graphql_client import GraphQLClient
from tests.mfa.helpers import (
    CONFIRM_TOTP,
    DISABLE_TOTP,
    ENROLL_TOTP,
    ME,
    code_at,
    complete,
    enroll_totp,
    login,
    with_totp,
)


async def test_enrolling_answers_a_secret_and_its_otpauth_uri(gql: GraphQLClient, cast: Cast):
    enrolled = (await gql(ENROLL_TOTP, as_=cast.member_a)).payload("enrollTotp")
    uri = urlsplit(enrolled["otpauthUri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["secret"] == [enrolled["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["Tenantry"]


async def test_the_secret_is_stored_encrypted(gql: GraphQLClient, cast: Cast):
    enrolled = (await gql(ENROLL_TOTP, as_=cast.member_a)).payload("enrollTotp")
    row = await TotpFactor.get(user_id=cast.member_a.user.id)
    assert enrolled["secret"] not in row.secret_encrypted


async def test_an_enrolled_secret_is_not_on_until_a_code_confirms_it(
    gql: GraphQLClient, cast: Cast
):
    await gql(ENROLL_TOTP, as_=cast.member_a)
    outcome = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert outcome["__typename"] == "LoginSuccess"
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["mfaEnabled"] is False


async def test_confirming_turns_totp_on_and_shows_ten_distinct_recovery_codes(
    gql: GraphQLClient, cast: Cast
):
    enrolled = (await gql(ENROLL_TOTP, as_=cast.member_a)).payload("enrollTotp")
    confirmed = (
        await gql(CONFIRM_TOTP, {"code": code_at(enrolled["secret"])}, as_=cast.member_a)
    ).payload("confirmTotp")
    assert confirmed["user"]["mfaEnabled"] is True
    assert len(set(confirmed["recoveryCodes"])) == 10
    stored = await RecoveryCode.filter(user_id=cast.member_a.user.id).values_list(
        "code_hash", flat=True
    )
    assert not set(confirmed["recoveryCodes"]) & set(stored)  # only hashes are kept
    assert await AuditEvent.filter(action="user.mfa_enabled").count() == 1


async def test_a_wrong_confirmation_code_leaves_totp_off(gql: GraphQLClient, cast: Cast):
    enrolled = (await gql(ENROLL_TOTP, as_=cast.member_a)).payload("enrollTotp")
    wrong = str((int(code_at(enrolled["secret"])) + 1) % 1_000_000).zfill(6)
    outcome = (await gql(CONFIRM_TOTP, {"code": wrong}, as_=cast.member_a)).payload("confirmTotp")
    assert outcome["__typename"] == "InvalidCredentials"
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["mfaEnabled"] is False


async def test_a_malformed_confirmation_code_is_a_validation_error(gql: GraphQLClient, cast: Cast):
    await gql(ENROLL_TOTP, as_=cast.member_a)
    outcome = (await gql(CONFIRM_TOTP, {"code": "12a4"}, as_=cast.member_a)).payload("confirmTotp")
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", "code")


async def test_enrolling_again_while_on_is_refused(gql: GraphQLClient, cast: Cast):
    await enroll_totp(gql, as_=cast.member_a)
    outcome = (await gql(ENROLL_TOTP, as_=cast.member_a)).payload("enrollTotp")
    assert outcome["__typename"] == "ValidationError"


async def test_with_totp_on_the_password_answers_mfa_required_without_a_session(
    gql: GraphQLClient, cast: Cast
):
    await with_totp(cast.member_a.user)
    outcome = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert outcome["__typename"] == "MfaRequired"
    assert outcome["methods"] == ["TOTP", "RECOVERY_CODE"]
    assert outcome["enrollmentRequired"] is False
    assert outcome["webauthnOptionsJson"] is None
    assert "sessionToken" not in outcome
    assert "tenantry_session" not in gql.http.cookies


async def test_a_totp_code_completes_the_sign_in(gql: GraphQLClient, cast: Cast):
    secret, _ = await with_totp(cast.member_a.user)
    challenge = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    outcome = await complete(gql, challenge, code=code_at(secret))
    assert outcome["__typename"] == "LoginSuccess"
    me = await gql(ME, token=outcome["sessionToken"])
    assert me.ok()["me"] == {"username": "mallory", "mfaEnabled": True}
    event = await AuditEvent.filter(action="user.signed_in").order_by("-at").first()
    assert event is not None and event.changes == {"method": "password+totp"}


async def test_a_totp_code_is_not_accepted_twice(gql: GraphQLClient, cast: Cast):
    secret, _ = await with_totp(cast.member_a.user)
    code = code_at(secret)
    first = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    assert (await complete(gql, first, code=code))["__typename"] == "LoginSuccess"
    second = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    assert (await complete(gql, second, code=code))["__typename"] == "InvalidCredentials"


async def test_a_code_of_an_earlier_step_than_one_used_is_refused(gql: GraphQLClient, cast: Cast):
    secret, _ = await with_totp(cast.member_a.user)
    first = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    assert (await complete(gql, first, code=code_at(secret, 1)))["__typename"] == "LoginSuccess"
    second = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    outcome = await complete(gql, second, code=code_at(secret))
    assert outcome["__typename"] == "InvalidCredentials"


async def test_a_recovery_code_completes_the_sign_in_once(gql: GraphQLClient, cast: Cast):
    _, codes = await with_totp(cast.member_a.user)
    first = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    assert (await complete(gql, first, recoveryCode=codes[0].upper()))["__typename"] == (
        "LoginSuccess"
    )
    second = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    outcome = await complete(gql, second, recoveryCode=codes[0])
    assert outcome["__typename"] == "InvalidCredentials"
    assert await RecoveryCode.filter(user_id=cast.member_a.user.id).count() == 9


async def test_another_users_recovery_code_does_not_help(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_a.user)
    _, others = await with_totp(cast.guest_a.user)
    challenge = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    outcome = await complete(gql, challenge, recoveryCode=others[0])
    assert outcome["__typename"] == "InvalidCredentials"


async def test_turning_totp_off_takes_the_password_and_a_code(gql: GraphQLClient, cast: Cast):
    secret, _ = await with_totp(cast.member_a.user)
    outcome = (
        await gql(DISABLE_TOTP, {"password": DEFAULT_PASSWORD, "code": code_at(secret)},
                  as_=cast.member_a)
    ).payload("disableTotp")  # fmt: skip
    assert outcome == {"__typename": "UserPayload", "user": {"mfaEnabled": False}}
    assert not await RecoveryCode.filter(user_id=cast.member_a.user.id).exists()
    assert await AuditEvent.filter(action="user.mfa_disabled").count() == 1
    assert (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["__typename"] == (
        "LoginSuccess"
    )


async def test_turning_totp_off_with_a_wrong_password_changes_nothing(
    gql: GraphQLClient, cast: Cast
):
    secret, _ = await with_totp(cast.member_a.user)
    outcome = (
        await gql(DISABLE_TOTP, {"password": "not the password", "code": code_at(secret)},
                  as_=cast.member_a)
    ).payload("disableTotp")  # fmt: skip
    assert outcome["__typename"] == "InvalidCredentials"
    assert await TotpFactor.filter(user_id=cast.member_a.user.id, confirmed=True).exists()


async def test_turning_totp_off_with_a_wrong_code_changes_nothing(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_a.user)
    outcome = (
        await gql(DISABLE_TOTP, {"password": DEFAULT_PASSWORD, "code": "000000"},
                  as_=cast.member_a)
    ).payload("disableTotp")  # fmt: skip
    assert outcome["__typename"] == "InvalidCredentials"
    assert await TotpFactor.filter(user_id=cast.member_a.user.id, confirmed=True).exists()


async def test_a_recovery_code_also_turns_totp_off(gql: GraphQLClient, cast: Cast):
    _, codes = await with_totp(cast.member_a.user)
    outcome = (
        await gql(DISABLE_TOTP, {"password": DEFAULT_PASSWORD, "code": codes[3]},
                  as_=cast.member_a)
    ).payload("disableTotp")  # fmt: skip
    assert outcome["__typename"] == "UserPayload"
