"""The effective configuration as `tenantry check` shows it: every setting, its value with
secrets masked, and where the value came from (environment, `tenantry.toml` or default)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource, TomlConfigSettingsSource

from config import Config

ENVIRONMENT = "environment"
TOML_FILE = "tenantry.toml"
DEFAULT = "default"
MASK = "********"


@dataclass(frozen=True)
class Setting:
    name: str  # as the environment spells it: TENANTRY_DATABASE_URL
    value: str  # shown, secrets masked
    source: str  # ENVIRONMENT, TOML_FILE or DEFAULT


def effective_settings(config: Config) -> list[Setting]:
    """One row per setting, in the order `Config` declares them.

    The sources are asked again in the order `Config.settings_customise_sources` gives them
    (environment first, then the file), so the row says which one gave the value in force.
    """
    from_environment = EnvSettingsSource(Config)()
    from_file = TomlConfigSettingsSource(Config)()
    rows = []
    for name, field in Config.model_fields.items():
        if name in from_environment:
            source = ENVIRONMENT
        elif name in from_file:
            source = TOML_FILE
        else:
            source = DEFAULT
        value = getattr(config, name)
        # Fields kept out of repr are the secrets (secret key, SMTP URL with its password,
        # metrics token): only whether they are set is shown.
        shown = (MASK if value else "(not set)") if field.repr is False else _shown(value)
        rows.append(Setting(f"TENANTRY_{name.upper()}", shown, source))
    return rows


def _shown(value: object) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "(none)"
    text = str(getattr(value, "value", value))
    return without_password(text)


def without_password(text: str) -> str:
    """A URL's password masked (`postgres://u:secret@h/db` → `postgres://u:********@h/db`)."""
    if "://" not in text:
        return text
    parts = urlsplit(text)
    try:
        password = parts.password
    except ValueError:
        return text
    if not password:
        return text
    user_info, _, host = parts.netloc.rpartition("@")
    user = user_info.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def configuration_errors(error: ValidationError) -> list[str]:
    """`configuration: TENANTRY_X: what is wrong`, one line per setting refused, without the
    value given (it may be a secret)."""
    lines = []
    for item in error.errors(include_input=False, include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        name = f"TENANTRY_{field.upper()}" if field else "configuration"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"configuration: {name}: {' '.join(message.split())}")
    return lines
