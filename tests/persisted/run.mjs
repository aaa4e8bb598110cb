// Test harness (tests/persisted/test_*.py): runs the Me and UserNames operations with one of the
// clients above against a Tenantry server, and prints what came back and what was sent.
//   node run.mjs <apollo-manifest|codegen-apollo|codegen-post|codegen-get> <url> <token> [gql dir]
import { readFileSync } from "node:fs";
import { gql } from "@apollo/client";

const [client, uri, token, generated = "gql"] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const variables = { UserNames: { first: 2 }, Me: undefined };

const sent = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  sent.push({ method: init.method ?? "GET", url: String(input), body: init.body ?? null });
  return realFetch(input, init);
};

async function documents() {
  if (client === "apollo-manifest") {
    const source = (name) => readFileSync(new URL(`./src/${name}.graphql`, import.meta.url), "utf8");
    return { Me: gql(source("Me") + source("Person")), UserNames: gql(source("UserNames")) };
  }
  const module = await import(`./build/${generated}/graphql.js`);
  return { Me: module.MeDocument, UserNames: module.UserNamesDocument };
}

async function run(name, document) {
  if (client === "codegen-post" || client === "codegen-get") {
    const { execute, executeByGet } = await import("./codegen-client.mjs");
    const send = client === "codegen-post" ? execute : executeByGet;
    return send(uri, document, variables[name], headers);
  }
  const { createClient } = await import(
    client === "apollo-manifest" ? "./apollo-client.mjs" : "./codegen-client.mjs"
  );
  try {
    const { data } = await createClient(uri, headers).query({
      query: document,
      variables: variables[name],
      fetchPolicy: "network-only",
    });
    return { data };
  } catch (error) {
    return { errors: error.errors ?? [{ message: String(error) }] };
  }
}

const results = {};
for (const [name, document] of Object.entries(await documents())) {
  results[name] = await run(name, document);
}
console.log(JSON.stringify({ results, sent }));
