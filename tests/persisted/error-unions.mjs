// Apollo Client with the `possibleTypes` of docs/reference/possible-types.json, so that its
// cache matches `... on Error` against the members of the result unions.
// --8<-- [start:client]
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import possibleTypes from "./possible-types.json" with { type: "json" };

export function createClient(uri) {
  return new ApolloClient({
    link: new HttpLink({ uri }),
    cache: new InMemoryCache({ possibleTypes }),
  });
}

export const LOGIN = gql`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on LoginSuccess { sessionToken }
      ... on Error { message }
    }
  }
`;
// --8<-- [end:client]

// Test harness (tests/persisted/test_error_unions.py):
//   node error-unions.mjs <url> <tenant> <username> <wrong password>
// signs in with a wrong password, with and without possibleTypes, and prints both answers.
async function signIn(client, input) {
  const { data } = await client.mutate({ mutation: LOGIN, variables: { input } });
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [uri, tenant, username, password] = process.argv.slice(2);
  const input = { tenant, username, password };
  const withoutPossibleTypes = new ApolloClient({
    link: new HttpLink({ uri }),
    cache: new InMemoryCache(),
  });
  console.log(
    JSON.stringify({
      withPossibleTypes: await signIn(createClient(uri), input),
      withoutPossibleTypes: await signIn(withoutPossibleTypes, input),
    }),
  );
}
