"""HTTP: the Starlette app, its endpoints, and the command line."""
