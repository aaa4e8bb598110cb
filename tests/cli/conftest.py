from tests.smtp_server import smtp  # noqa: F401  (fixture)
