// Apollo Client sending persisted-query ids only, read from the manifest that
// `generate-persisted-query-manifest` wrote (the same file Tenantry runs as trusted documents).
// --8<-- [start:client]
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";

export function createClient(uri, headers = {}) {
  const persistedQueries = new PersistedQueryLink(
    generatePersistedQueryIdsFromManifest({
      loadManifest: () =>
        import("./persisted-query-manifest.json", { with: { type: "json" } }).then(
          (module) => module.default,
        ),
    }),
  );
  return new ApolloClient({
    link: persistedQueries.concat(new HttpLink({ uri, headers })),
    cache: new InMemoryCache(),
  });
}
// --8<-- [end:client]
