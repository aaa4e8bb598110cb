import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

const config: CodegenConfig = {
  schema: "schema.graphql", // Tenantry's schema.graphql, or its URL
  documents: ["src/**/*.graphql"],
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: {
        // Writes src/gql/persisted-documents.json: deploy it as TENANTRY_TRUSTED_DOCUMENTS.
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      // Apollo Client's cache needs __typename, and the server runs the manifest's text as is.
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
  },
};

export default config;
