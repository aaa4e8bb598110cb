"""A real DNS server on 127.0.0.1 (dnslib, UDP, a free port) serving the TXT and address
records a test publishes; TENANTRY_DNS_RESOLVER points at it for the test's duration."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from dnslib import AAAA, QTYPE, RCODE, RR, TXT, A
from dnslib.server import DNSLogger, DNSServer

from config import Config, configure


@dataclass
class Zone:
    """name (no trailing dot) → TXT values, or IP addresses; names absent answer NXDOMAIN."""

    records: dict[str, list[str]] = field(default_factory=dict)
    addresses: dict[str, list[str]] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)

    def publish(self, name: str, *values: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).extend(values)

    def point(self, name: str, *addresses: str) -> None:
        """The name's A and AAAA records are these from now on (a re-pointed name)."""
        self.addresses[name.lower().rstrip(".")] = list(addresses)

    def resolve(self, request, handler):  # dnslib's resolver interface
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        self.questions.append(name)
        if name in self.addresses:
            for address in self.addresses[name]:
                if ":" in address and request.q.qtype == QTYPE.AAAA:
                    reply.add_answer(RR(request.q.qname, QTYPE.AAAA, rdata=AAAA(address), ttl=0))
                elif ":" not in address and request.q.qtype == QTYPE.A:
                    reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=0))
        elif name not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.records[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


@pytest.fixture
def dns_zone(config: Config) -> Iterator[Zone]:
    zone = Zone()
    quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    server = DNSServer(zone, address="127.0.0.1", port=0, logger=quiet)
    # Served with a short poll: stopping waits for the loop's next poll (half a second by
    # default), at the end of every test that uses the zone.
    threading.Thread(target=server.server.serve_forever, args=(0.02,), daemon=True).start()
    port = server.server.server_address[1]
    configure(config.model_copy(update={"dns_resolver": f"127.0.0.1:{port}"}))
    try:
        yield zone
    finally:
        configure(config)
        server.server.shutdown()
        server.server.server_close()
