from tests.pam.conftest import pam_service, system_account  # noqa: F401  (fixtures)
from tests.smtp_server import smtp, smtp_down  # noqa: F401  (fixtures)
