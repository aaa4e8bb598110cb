// Clients of the documents GraphQL Code Generator's client preset generated: each document
// carries its id (`document.__meta__.hash`, `sha256:<hex>`), and only the id is sent.
// --8<-- [start:apollo]
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

export function createClient(uri, headers = {}) {
  const persistedQueries = new PersistedQueryLink({
    generateHash: (document) => document["__meta__"]["hash"],
  });
  return new ApolloClient({
    link: persistedQueries.concat(new HttpLink({ uri, headers })),
    cache: new InMemoryCache(),
  });
}
// --8<-- [end:apollo]

// --8<-- [start:fetch]
// POST: the GraphQL-over-HTTP persisted-documents request.
export async function execute(uri, document, variables, headers = {}) {
  const response = await fetch(uri, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json",
      ...headers,
    },
    body: JSON.stringify({ documentId: document["__meta__"]["hash"], variables }),
  });
  return response.json();
}

// GET (queries only): a URL a CDN or the browser may cache.
export async function executeByGet(uri, document, variables, headers = {}) {
  const url = new URL(uri);
  url.searchParams.set("documentId", document["__meta__"]["hash"]);
  if (variables) url.searchParams.set("variables", JSON.stringify(variables));
  const response = await fetch(url, {
    headers: { Accept: "application/graphql-response+json", ...headers },
  });
  return response.json();
}
// --8<-- [end:fetch]
