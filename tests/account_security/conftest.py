from tests.smtp_server import smtp, smtp_down  # noqa: F401  (fixtures)
