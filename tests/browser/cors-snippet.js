// The fetch() of docs/frontend.md "CORS", as a frontend on another origin calls Tenantry.
// tests/browser/test_cors.py loads this file into such a page, after setting
// window.tenantryGraphqlUrl to the server's /graphql, and runs it.
const TENANTRY = window.tenantryGraphqlUrl; // e.g. "https://accounts.example.com/graphql"

// --8<-- [start:fetch]
async function graphql(query, variables = {}) {
  const response = await fetch(TENANTRY, {
    method: "POST",
    credentials: "include", // send the session cookie, and keep the one login sets
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function signIn(tenant, username, password) {
  const { data } = await graphql(
    `mutation ($input: LoginInput!) {
      login(input: $input) { __typename ... on Error { message } }
    }`,
    { input: { tenant, username, password } },
  );
  return data.login; // LoginSuccess: the cookie is set
}

// then, signed in:
//   const { data } = await graphql("{ me { username } }");
// --8<-- [end:fetch]
