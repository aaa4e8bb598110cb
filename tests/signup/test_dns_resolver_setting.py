"""TENANTRY_DNS_RESOLVER: an IP address and port, refused at start when it is not one."""

import pydantic
import pytest

from config import Config, dns_server


@pytest.mark.parametrize(
    ("typed", "server"),
    [
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("10.0.0.2", ("10.0.0.2", 53)),
        ("[::1]:5300", ("::1", 5300)),
        ("[2001:db8::1]", ("2001:db8::1", 53)),
    ],
)
def test_the_resolver_is_an_address_with_an_optional_port(typed, server):
    assert dns_server(Config(secret_key="k" * 32, dns_resolver=typed).dns_resolver) == server


@pytest.mark.parametrize(
    "typed", ["dns.example.com", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "[::1"]
)
def test_a_resolver_that_is_not_an_address_stops_the_server_at_start(typed):
    with pytest.raises(pydantic.ValidationError):
        Config(secret_key="k" * 32, dns_resolver=typed)


def test_unset_means_the_systems_resolver():
    assert Config(secret_key="k" * 32, dns_resolver="").dns_resolver is None
