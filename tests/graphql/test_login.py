from tests.factories import DEFAULT_PASSWORD

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { username } }
    ... on Error { message }
  }
}
"""
ME = "{ me { username role tenant { name } } }"


async def test_login_with_the_right_password_returns_a_session_that_works(gql, cast):
    result = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}}
    )
    login = result.payload("login")
    assert login["__typename"] == "LoginSuccess"
    me = await gql(ME, token=login["sessionToken"])
    assert me.ok()["me"] == {"username": "alice", "role": "ADMIN", "tenant": {"name": "acme"}}


async def test_login_sets_an_httponly_samesite_cookie(gql, cast):
    result = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}}
    )
    cookie = result.response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test public URL is http


async def test_unknown_user_and_wrong_password_get_the_same_answer(gql, cast):
    unknown = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "nobody", "password": "whatever12"}}
    )
    wrong = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "alice", "password": "whatever12"}}
    )
    assert unknown.payload("login") == wrong.payload("login")
    assert wrong.payload("login")["__typename"] == "InvalidCredentials"


async def test_me_is_null_for_anonymous_callers(gql, cast):
    assert (await gql(ME)).ok() == {"me": None}
