import pytest

from models import AuthMethod, DomainStatus, Role, SignupDomain
from tests.dns_server import dns_zone  # noqa: F401  (fixture)
from tests.smtp_server import smtp, smtp_down  # noqa: F401  (fixtures)


@pytest.fixture
async def whitelist(cast) -> SignupDomain:
    """example.com opens sign-up in acme (verified), as guests with a password."""
    return await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_a, domain="example.com", default_role=Role.GUEST,
        auth_method=AuthMethod.PASSWORD,
    )  # fmt: skip
