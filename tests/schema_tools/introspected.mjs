// The schema as graphql-js 16 (what Relay, codegen and most clients build on) reads it, from
// schema.graphql and from a server's introspection answer: `node introspected.mjs
// schema.graphql introspection.json` prints both as JSON, types and directives, the specified
// ones (@deprecated, @specifiedBy, @oneOf...) included, which printSchema leaves out; in name
// order (introspection answers in the server's own order).
import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  buildSchema,
  lexicographicSortSchema,
  printIntrospectionSchema,
  printSchema,
} from "graphql";

const printed = (schema) => {
  const sorted = lexicographicSortSchema(schema);
  return `${printIntrospectionSchema(sorted)}\n\n${printSchema(sorted)}`;
};
const file = buildSchema(readFileSync(process.argv[2], "utf8"));
const answer = JSON.parse(readFileSync(process.argv[3], "utf8"));
const live = buildClientSchema(answer.data ?? answer);
console.log(JSON.stringify({ file: printed(file), live: printed(live) }));
