// What GraphQL Code Generator wrote before its default became SHA-256, and a custom hash:
// Tenantry runs the first (SHA-1 ids verify against their documents) and refuses the second.
import { createHash } from "node:crypto";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["src/**/*.graphql"],
  generates: {
    "./src/gql-sha1/": {
      preset: "client",
      presetConfig: { persistedDocuments: { hashAlgorithm: "sha1" } },
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
    "./src/gql-md5/": {
      preset: "client",
      presetConfig: {
        persistedDocuments: {
          hashAlgorithm: (document: string) => createHash("md5").update(document).digest("hex"),
        },
      },
    },
  },
};

export default config;
