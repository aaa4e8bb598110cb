"""Developer tools that are not part of the server (docs generation)."""
