"""Passkeys (WebAuthn) as a second factor, driven by a software authenticator over HTTP."""

from __future__ import annotations

import json

from models import AuditEvent, Passkey, RecoveryCode
from tests.factories import DEFAULT_PASSWORD, Cast
from tests.graphql_client import GraphQLClient
from tests.mfa.authenticator import SoftAuthenticator, b64url
from tests.mfa.helpers import (
    BEGIN_PASSKEY,
    DISABLE_TOTP,
    FINISH_PASSKEY,
    MY_PASSKEYS,
    REMOVE_PASSKEY,
    code_at,
    complete,
    login,
    register_passkey,
    with_totp,
)


async def test_registration_options_name_the_public_urls_host_as_relying_party(
    gql: GraphQLClient, cast: Cast
):
    begun = (await gql(BEGIN_PASSKEY, as_=cast.member_a)).payload("beginPasskeyRegistration")
    options = json.loads(begun["optionsJson"])
    assert options["rp"]["id"] == "tenantry.test"
    assert options["user"]["name"] == "mallory"


async def test_a_registered_passkey_is_listed_for_its_owner_only(gql: GraphQLClient, cast: Cast):
    _, finished = await register_passkey(gql, as_=cast.member_a, name="Office key")
    passkey = finished.payload("finishPasskeyRegistration")["passkey"]
    assert passkey["name"] == "Office key" and passkey["lastUsedAt"] is None
    mine = (await gql(MY_PASSKEYS, as_=cast.member_a)).ok()["myPasskeys"]
    assert [p["id"] for p in mine] == [passkey["id"]]
    assert (await gql(MY_PASSKEYS, as_=cast.admin_a)).ok()["myPasskeys"] == []
    assert await AuditEvent.filter(action="user.passkey_added").count() == 1


async def test_a_registration_response_for_another_origin_is_refused(
    gql: GraphQLClient, cast: Cast
):
    begun = (await gql(BEGIN_PASSKEY, as_=cast.member_a)).payload("beginPasskeyRegistration")
    response = SoftAuthenticator(origin="https://evil.example").create(begun["optionsJson"])
    outcome = (
        await gql(FINISH_PASSKEY, {"name": "key", "response": response}, as_=cast.member_a)
    ).payload("finishPasskeyRegistration")
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", "responseJson")
    assert not await Passkey.exists()


async def test_a_registration_challenge_is_used_once(gql: GraphQLClient, cast: Cast):
    begun = (await gql(BEGIN_PASSKEY, as_=cast.member_a)).payload("beginPasskeyRegistration")
    response = SoftAuthenticator().create(begun["optionsJson"])
    first = await gql(FINISH_PASSKEY, {"name": "a", "response": response}, as_=cast.member_a)
    assert first.payload("finishPasskeyRegistration")["__typename"] == "PasskeyPayload"
    again = SoftAuthenticator().create(begun["optionsJson"])
    second = await gql(FINISH_PASSKEY, {"name": "b", "response": again}, as_=cast.member_a)
    assert second.payload("finishPasskeyRegistration")["__typename"] == "ValidationError"


async def test_another_users_registration_challenge_cannot_be_answered(
    gql: GraphQLClient, cast: Cast
):
    begun = (await gql(BEGIN_PASSKEY, as_=cast.admin_a)).payload("beginPasskeyRegistration")
    response = SoftAuthenticator().create(begun["optionsJson"])
    outcome = await gql(FINISH_PASSKEY, {"name": "x", "response": response}, as_=cast.member_a)
    assert outcome.payload("finishPasskeyRegistration")["__typename"] == "ValidationError"


async def test_garbage_registration_responses_are_validation_errors(gql: GraphQLClient, cast: Cast):
    for garbage in ("", "{}", "[]", "null", '{"id": 1}', "not json", '{"response": {}}'):
        await gql(BEGIN_PASSKEY, as_=cast.member_a)
        outcome = await gql(FINISH_PASSKEY, {"name": "k", "response": garbage}, as_=cast.member_a)
        assert outcome.payload("finishPasskeyRegistration")["__typename"] == "ValidationError"


async def test_a_passkey_name_with_control_characters_is_refused(gql: GraphQLClient, cast: Cast):
    await gql(BEGIN_PASSKEY, as_=cast.member_a)
    outcome = await gql(FINISH_PASSKEY, {"name": "a\u202eb", "response": "{}"}, as_=cast.member_a)
    payload = outcome.payload("finishPasskeyRegistration")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "name")


async def test_with_a_passkey_the_password_answers_webauthn_options(gql: GraphQLClient, cast: Cast):
    authenticator, _ = await register_passkey(gql, as_=cast.member_a)
    outcome = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert outcome["__typename"] == "MfaRequired"
    assert outcome["methods"] == ["WEBAUTHN"]
    options = json.loads(outcome["webauthnOptionsJson"])
    assert options["rpId"] == "tenantry.test"
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]


async def test_a_passkey_assertion_completes_the_sign_in(gql: GraphQLClient, cast: Cast):
    authenticator, _ = await register_passkey(gql, as_=cast.member_a)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    response = authenticator.get(step["webauthnOptionsJson"])
    outcome = await complete(gql, step["challengeToken"], webauthnResponseJson=response)
    assert outcome["__typename"] == "LoginSuccess"
    assert (await Passkey.get(user_id=cast.member_a.user.id)).last_used_at is not None


async def test_an_assertion_over_another_challenge_is_refused(gql: GraphQLClient, cast: Cast):
    authenticator, _ = await register_passkey(gql, as_=cast.member_a)
    earlier = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    later = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    response = authenticator.get(earlier["webauthnOptionsJson"])
    outcome = await complete(gql, later["challengeToken"], webauthnResponseJson=response)
    assert outcome["__typename"] == "InvalidCredentials"


async def test_an_assertion_whose_counter_did_not_move_is_refused(gql: GraphQLClient, cast: Cast):
    authenticator, _ = await register_passkey(gql, as_=cast.member_a)
    first = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    response = authenticator.get(first["webauthnOptionsJson"])
    assert (await complete(gql, first["challengeToken"], webauthnResponseJson=response))[
        "__typename"
    ] == "LoginSuccess"
    second = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    cloned = authenticator.get(second["webauthnOptionsJson"], count=False)
    outcome = await complete(gql, second["challengeToken"], webauthnResponseJson=cloned)
    assert outcome["__typename"] == "InvalidCredentials"


async def test_another_users_passkey_does_not_complete_a_sign_in(gql: GraphQLClient, cast: Cast):
    await register_passkey(gql, as_=cast.member_a)
    others, _ = await register_passkey(gql, as_=cast.admin_a)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    response = others.get(step["webauthnOptionsJson"])
    outcome = await complete(gql, step["challengeToken"], webauthnResponseJson=response)
    assert outcome["__typename"] == "InvalidCredentials"


async def test_an_assertion_for_another_relying_party_is_refused(gql: GraphQLClient, cast: Cast):
    authenticator, _ = await register_passkey(gql, as_=cast.member_a)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    response = authenticator.get(step["webauthnOptionsJson"], rp_id="evil.example")
    outcome = await complete(gql, step["challengeToken"], webauthnResponseJson=response)
    assert outcome["__typename"] == "InvalidCredentials"


async def test_garbage_assertions_are_wrong_answers_not_errors(gql: GraphQLClient, cast: Cast):
    await register_passkey(gql, as_=cast.member_a)
    for garbage in ("{}", "[]", "x", '{"rawId": "!!", "id": "\\u0000"}'):
        step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
        outcome = await complete(gql, step["challengeToken"], webauthnResponseJson=garbage)
        assert outcome["__typename"] == "InvalidCredentials"


async def test_removing_a_passkey_takes_it_out_of_sign_in(gql: GraphQLClient, cast: Cast):
    _, finished = await register_passkey(gql, as_=cast.member_a)
    passkey_id = finished.payload("finishPasskeyRegistration")["passkey"]["id"]
    removed = (await gql(REMOVE_PASSKEY, {"id": passkey_id}, as_=cast.member_a)).payload(
        "removePasskey"
    )
    assert removed == {"__typename": "RemovePasskeySuccess", "removedPasskeyId": passkey_id}
    assert (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["__typename"] == (
        "LoginSuccess"
    )
    assert await AuditEvent.filter(action="user.passkey_removed").count() == 1


async def test_nobody_removes_another_users_passkey(gql: GraphQLClient, cast: Cast):
    _, finished = await register_passkey(gql, as_=cast.member_a)
    passkey_id = finished.payload("finishPasskeyRegistration")["passkey"]["id"]
    for person in (cast.admin_a, cast.superuser, cast.admin_b):
        outcome = await gql(REMOVE_PASSKEY, {"id": passkey_id}, as_=person)
        assert outcome.payload("removePasskey")["__typename"] == "NotFound"
    assert await Passkey.filter(id=passkey_id).exists()


async def test_recovery_codes_stay_while_a_factor_remains(gql: GraphQLClient, cast: Cast):
    _, finished = await register_passkey(gql, as_=cast.member_a)
    passkey_id = finished.payload("finishPasskeyRegistration")["passkey"]["id"]
    await with_totp(cast.member_a.user)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert step["methods"] == ["TOTP", "RECOVERY_CODE", "WEBAUTHN"]
    await gql(REMOVE_PASSKEY, {"id": passkey_id}, as_=cast.member_a)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert step["methods"] == ["TOTP", "RECOVERY_CODE"]


async def test_removing_the_last_factor_drops_the_recovery_codes(gql: GraphQLClient, cast: Cast):
    _, finished = await register_passkey(gql, as_=cast.member_a)
    passkey_id = finished.payload("finishPasskeyRegistration")["passkey"]["id"]
    secret, _ = await with_totp(cast.member_a.user)
    await gql(DISABLE_TOTP, {"password": DEFAULT_PASSWORD, "code": code_at(secret)},
              as_=cast.member_a)  # fmt: skip
    assert await RecoveryCode.filter(user_id=cast.member_a.user.id).count() == 10
    await gql(REMOVE_PASSKEY, {"id": passkey_id}, as_=cast.member_a)
    assert not await RecoveryCode.filter(user_id=cast.member_a.user.id).exists()
