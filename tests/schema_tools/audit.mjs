// The graphql-http audit (GraphQL over HTTP conformance) against a running server:
// `node audit.mjs http://127.0.0.1:PORT/graphql` prints one JSON line per audit.
import { auditServer } from "graphql-http";

const results = await auditServer({ url: process.argv[2], fetchFn: fetch });
for (const { id, name, status, reason } of results) {
  console.log(JSON.stringify({ id, name, status, reason: reason ?? null }));
}
