"""Where a webhook may be sent: server-side request forgery stops here.

A hook's URL is checked when it is saved and again before every delivery, since a DNS name may
point elsewhere by then (DNS rebinding). The delivery then connects to the address this check
approved, never resolving the name a second time. Loopback, private, shared, reserved and
multicast addresses are refused unless TENANTRY_WEBHOOK_ALLOW_PRIVATE is true; link-local
addresses, where the cloud metadata services answer, are refused always.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import dns.resolver

from config import dns_server, get_config
from domain.errors import ValidationFailed

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000
DNS_TIMEOUT_SECONDS = 3.0
# Cloud metadata services outside the link-local ranges (AWS's IPv6 endpoint, a ULA).
_METADATA = (ipaddress.ip_network("fd00:ec2::254/128"),)


class AddressRefused(Exception):
    """The URL names no address a webhook may reach; the message says why (no secrets)."""


@dataclass(frozen=True)
class Target:
    """A URL split for connecting to an approved address while naming the host."""

    scheme: str
    host: str  # as written (lower case), for the Host header and TLS server name
    port: int
    path: str  # path and query


def parse_url(url: str, field: str = "url") -> Target:
    """A http(s) URL with a host and no credentials, or ValidationFailed."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(f"At most {MAX_URL_LENGTH} characters.", field)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationFailed("Not a valid URL.", field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("An http:// or https:// URL with a host name is needed.", field)
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed("Credentials in the URL are not accepted.", field)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname.lower(), port or default, path)


# IPv6 ranges that carry an IPv4 address in their last 32 bits, which a translator or tunnel
# on the way may reach (NAT64 on IPv6-only networks, IPv4-compatible and SIIT forms):
# Python's is_global calls several of them global whatever IPv4 address they hold.
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(net)
    for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)
# Deprecated or reserved ranges that no receiver should be on (site-local, 6bone, ORCHID).
_RESERVED_IPV6 = tuple(
    ipaddress.IPv6Network(net) for net in ("fec0::/10", "3ffe::/16", "2001:10::/28")
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, SIIT, NAT64, 6to4). Teredo's
    range is not global, and stays refused as it is."""
    if address.is_loopback or address.is_unspecified:
        return None  # ::1 and :: are what they are, not IPv4-compatible forms
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in _EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: IP) -> str | None:
    """Why a webhook may not connect to this address, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _RESERVED_IPV6) and not get_config().webhook_allow_private:
            return "a private or reserved address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            address = embedded
    if address.is_link_local or any(address in net for net in _METADATA):
        return "a link-local or cloud metadata address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_global:
        return None
    if get_config().webhook_allow_private:
        return None
    if address.is_loopback:
        return "a loopback address"
    return "a private or reserved address"


async def resolve(host: str) -> list[IP]:
    """The host's addresses: a literal as it is, a name through the configured resolver."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    resolver_address = get_config().dns_resolver
    try:
        if resolver_address is None:
            infos = await asyncio.wait_for(
                asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM),
                DNS_TIMEOUT_SECONDS,
            )
            return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        resolver = dns.asyncresolver.Resolver(configure=False)
        ip, port = dns_server(resolver_address)
        resolver.nameservers = [ip]
        resolver.port = port
        resolver.lifetime = DNS_TIMEOUT_SECONDS
        found: list[IP] = []
        for kind in ("A", "AAAA"):
            try:
                answer = await resolver.resolve(host, kind)
            except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
                continue
            found.extend(ipaddress.ip_address(record.address) for record in answer)
        return found
    except (OSError, TimeoutError, dns.exception.DNSException, ValueError):
        return []


async def approved_address(host: str) -> IP:
    """The address to connect to. Every address of the name must be allowed: a name that
    answers both a public and a private address is refused rather than half-trusted."""
    addresses = await resolve(host)
    if not addresses:
        raise AddressRefused(f"{host} does not resolve to an address.")
    for address in addresses:
        reason = refusal(address)
        if reason is not None:
            raise AddressRefused(
                f"{host} resolves to {reason}, which webhooks may not reach "
                "(TENANTRY_WEBHOOK_ALLOW_PRIVATE)."
            )
    return addresses[0]


async def check_url(url: str, field: str = "url") -> str:
    """At creation and on change: the URL, once it parses and its host may be reached."""
    target = parse_url(url, field)
    try:
        await approved_address(target.host)
    except AddressRefused as refused:
        raise ValidationFailed(str(refused), field) from None
    return url.strip()
