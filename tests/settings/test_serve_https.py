"""`tenantry serve` honours the stored settings: run as a process, spoken to over the network.

The certificate is generated here and saved through the API of the running server, as an
operator would; then the server restarts and must answer HTTPS, both on --port and on the
stored USER_REQUESTS listeners.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.settings import certs

TENANTRY = str(Path(sys.executable).parent / "tenantry")
PASSWORD = "a long enough secret"

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } }
}
"""
UPDATE_SSL = """
mutation($input: SslSettingsInput!) {
  updateSslSettings(input: $input) { __typename ... on ValidationError { message field } }
}
"""
UPDATE_LISTENERS = """
mutation($l: [ListenerInput!]!) {
  updateListeners(listeners: $l) { __typename ... on ValidationError { message field } }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(tmp_path: Path) -> dict[str, str]:
    # Its own temporary folder: the key files it writes there are this test's alone to count.
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {
        **os.environ,
        "TMPDIR": str(tmp_path / "tmp"),
        "TENANTRY_DATABASE_URL": f"sqlite://{tmp_path / 'tenantry.db'}",
        "TENANTRY_SECRET_KEY": "serve-test-secret-key",
        "TENANTRY_RATE_LIMITS": "off",
    }


@contextmanager
def serving(tmp_path: Path, *args: str, wait_for: str) -> Iterator[subprocess.Popen[str]]:
    """`tenantry serve ARGS` until `wait_for` answers /healthz; stopped with SIGTERM after."""
    log = open(tmp_path / f"serve-{time.monotonic_ns()}.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [TENANTRY, "serve", *args],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_healthy(process, wait_for, log)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_healthy(process: subprocess.Popen[str], url: str, log) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read()}")
        try:
            # Only reachability here; the tests verify the certificate themselves.
            httpx.get(f"{url}/healthz", verify=False, timeout=2)  # noqa: S501
            return
        except httpx.TransportError:
            time.sleep(0.2)
    log.seek(0)
    raise AssertionError(f"serve did not answer on {url}:\n{log.read()}")


def create_superuser(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            TENANTRY,
            "create-superuser",
            "--tenant",
            "acme",
            "--username",
            "root",
            "--email",
            "root@acme.example.com",
            "--password-stdin",
        ],
        cwd=tmp_path,
        env=environment(tmp_path),
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def graphql(url: str, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=10
    )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def configure_tls(url: str, pem: certs.Pem, listener_ports: list[int]) -> str:
    """What an operator does: sign in, upload the certificate, set TLS listeners."""
    login = graphql(
        url, LOGIN, {"input": {"tenant": "acme", "username": "root", "password": PASSWORD}}
    )["login"]
    token = login["sessionToken"]
    ssl_result = graphql(
        url,
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        token,
    )
    assert ssl_result["updateSslSettings"]["__typename"] == "SslSettingsPayload", ssl_result
    listeners = [
        {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": port, "tls": True}
        for port in listener_ports
    ]
    listeners.append(
        {"purpose": "CRASH_INGEST", "address": "127.0.0.1", "port": free_port(), "tls": False}
    )
    saved = graphql(url, UPDATE_LISTENERS, {"l": listeners}, token)
    assert saved["updateListeners"]["__typename"] == "ListenersPayload", saved
    return token


def peer_certificate(port: int) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def pem_to_der(pem: str) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem)


def test_serve_without_stored_listeners_answers_http_on_the_given_port(tmp_path):
    create_superuser(tmp_path)
    port = free_port()
    with serving(tmp_path, "--port", str(port), wait_for=f"http://127.0.0.1:{port}"):
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert response.json()["status"] == "ok"


def test_serve_speaks_https_with_the_stored_certificate_on_port_and_on_listeners(tmp_path):
    create_superuser(tmp_path)
    pem = certs.self_signed("localhost")
    ca_file = tmp_path / "trusted.pem"
    ca_file.write_text(pem.certificate)
    setup_port, listener_a, listener_b = free_port(), free_port(), free_port()

    with serving(tmp_path, "--port", str(setup_port), wait_for=f"http://127.0.0.1:{setup_port}"):
        session = configure_tls(f"http://127.0.0.1:{setup_port}", pem, [listener_a, listener_b])

    # Restarted with --port: HTTPS there, with the stored certificate.
    with serving(tmp_path, "--port", str(setup_port), wait_for=f"https://127.0.0.1:{setup_port}"):
        verified = httpx.get(
            f"https://localhost:{setup_port}/healthz",
            verify=ssl.create_default_context(cafile=str(ca_file)),
            timeout=5,
        )
        assert verified.json()["status"] == "ok"
        assert peer_certificate(setup_port) == pem_to_der(pem.certificate)
        with socket.create_connection(("127.0.0.1", setup_port), timeout=5) as plain:
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b'"status":"ok"' not in plain.recv(1024)  # no plain HTTP on a TLS port

    # Restarted without --port: every stored USER_REQUESTS listener, over HTTPS.
    with serving(tmp_path, wait_for=f"https://127.0.0.1:{listener_a}"):
        for port in (listener_a, listener_b):
            _wait_healthy_tls(port)
            response = httpx.get(
                f"https://localhost:{port}/healthz",
                verify=ssl.create_default_context(cafile=str(ca_file)),
                timeout=5,
            )
            assert response.json()["status"] == "ok"
            assert peer_certificate(port) == pem_to_der(pem.certificate)

    # The server's whole output (its logs and errors) never shows the secrets it handled.
    output = "".join(path.read_text() for path in tmp_path.glob("serve-*.log"))
    assert f"Uvicorn running on https://127.0.0.1:{listener_b}" in output
    body = "".join(pem.private_key.strip().splitlines()[1:-1])
    for secret in (session, PASSWORD, *[body[i : i + 24] for i in range(0, len(body) - 24, 24)]):
        assert secret not in output


def _wait_healthy_tls(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"https://127.0.0.1:{port}/healthz", verify=False, timeout=2)  # noqa: S501
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answers HTTPS on {port}")


def test_the_key_files_given_to_the_server_are_removed_when_it_stops(tmp_path):
    create_superuser(tmp_path)
    pem = certs.self_signed("localhost")
    setup_port, listener = free_port(), free_port()
    with serving(tmp_path, "--port", str(setup_port), wait_for=f"http://127.0.0.1:{setup_port}"):
        configure_tls(f"http://127.0.0.1:{setup_port}", pem, [listener])
    temp = tmp_path / "tmp"
    before = set(temp.glob("tenantry-*.key"))
    with serving(tmp_path, wait_for=f"https://127.0.0.1:{listener}"):
        during = set(temp.glob("tenantry-*.key")) - before
        assert during, "the key file is written for uvicorn"
        for path in during:
            assert path.stat().st_mode & 0o777 == 0o600
    assert not any(path.exists() for path in during)


def test_serve_stops_with_an_error_when_one_listener_cannot_bind(tmp_path):
    """A partial start would mislead: one port taken, the process ends instead of half-serving."""
    create_superuser(tmp_path)
    setup_port, free, taken = free_port(), free_port(), free_port()
    with serving(tmp_path, "--port", str(setup_port), wait_for=f"http://127.0.0.1:{setup_port}"):
        url = f"http://127.0.0.1:{setup_port}"
        token = graphql(
            url, LOGIN, {"input": {"tenant": "acme", "username": "root", "password": PASSWORD}}
        )["login"]["sessionToken"]
        saved = graphql(
            url,
            UPDATE_LISTENERS,
            {
                "l": [
                    {
                        "purpose": "USER_REQUESTS",
                        "address": "127.0.0.1",
                        "port": free,
                        "tls": False,
                    },
                    {
                        "purpose": "USER_REQUESTS",
                        "address": "127.0.0.1",
                        "port": taken,
                        "tls": False,
                    },
                ]
            },
            token,
        )
        assert saved["updateListeners"]["__typename"] == "ListenersPayload"
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", taken))
        blocker.listen()
        process = subprocess.run(
            [TENANTRY, "serve"],
            cwd=tmp_path,
            env=environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert process.returncode != 0
    assert str(taken) in process.stdout + process.stderr
