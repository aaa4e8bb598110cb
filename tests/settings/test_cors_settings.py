"""TENANTRY_CORS_ORIGINS lists exact origins, written as browsers send them; anything else
(`*`, wildcards, paths) stops the server at start with a message saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config import AdhocDocuments, Config


def test_origins_come_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TENANTRY_CORS_ORIGINS", "https://app.example.com, http://localhost:5173")
    assert Config().cors_origins == ["https://app.example.com", "http://localhost:5173"]


def test_origins_come_as_a_list_from_tenantry_toml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "tenantry.toml").write_text('cors_origins = ["https://app.example.com"]\n')
    monkeypatch.chdir(tmp_path)
    assert Config().cors_origins == ["https://app.example.com"]


def test_origins_are_written_the_way_browsers_send_them() -> None:
    config = Config(cors_origins="HTTPS://App.Example.com:443/,http://[::1]:3000,http://a.test:80")
    assert config.cors_origins == ["https://app.example.com", "http://[::1]:3000", "http://a.test"]


def test_no_origins_means_no_cors() -> None:
    assert Config().cors_origins == []


@pytest.mark.parametrize("wildcard", ["*", "https://*.example.com", "https://app.example.com,*"])
def test_a_wildcard_is_refused_with_the_reason(wildcard: str) -> None:
    with pytest.raises(ValidationError, match="exact.*refused.*credentials"):
        Config(cors_origins=wildcard)


@pytest.mark.parametrize(
    "origin",
    [
        "app.example.com",
        "https://app.example.com/graphql",
        "https://app.example.com?x=1",
        "ftp://app.example.com",
        "null",
        "https://user@app.example.com",
        "https://app.example.com:99999",
        "https://bad host.example.com",
        "https://bücher.example",
    ],
)
def test_what_is_no_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValidationError, match="CORS origin|port"):
        Config(cors_origins=origin)


def test_trusted_documents_adhoc_is_superusers_unless_set() -> None:
    assert Config().trusted_documents_adhoc is AdhocDocuments.SUPERUSERS
    assert Config(trusted_documents_adhoc="none").trusted_documents_adhoc is AdhocDocuments.NONE
    with pytest.raises(ValidationError):
        Config(trusted_documents_adhoc="everyone")
